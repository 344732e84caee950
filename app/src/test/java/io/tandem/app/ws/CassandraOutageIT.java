package io.tandem.app.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.Typists;
import io.tandem.cassandra.EmbeddedCassandra;
import io.tandem.cassandra.TestCassandra;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cassandra killed with -9 while three clients stream ops, then started again on the same data,
 * the node staying up: no ack is sent while Cassandra is down, every op acked before is in the
 * document exactly once, and once it is back the clients reconnect, resend, and every keystroke
 * is in the document exactly once. The embedded default's commit log is {@code group} (5 ms): an
 * ack means the op is fsynced on Cassandra's disk. First, Cassandra stalls for longer than the
 * driver's default request timeout: the writes wait, and are acked, rather than fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CassandraOutageIT {

  @TempDir
  static Path dir;

  /** CQL, storage, HTTP, remoting: the same across Cassandra's two lives. */
  private static final int[] PORTS = TestCassandra.freePorts(4);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static EmbeddedCassandra cassandra;
  private static Node node;

  private static EmbeddedCassandra startCassandra() throws Exception {
    Path server = Path.of(System.getProperty("tandem.cassandra.server", "../cassandra-schema/server/target"));
    return EmbeddedCassandra.start(new EmbeddedCassandra.Settings(server, dir.resolve("cassandra"), "127.0.0.1",
        PORTS[0], PORTS[1], 512, "group", Duration.ofMillis(5), Duration.ofMinutes(3), ProcessHandle.current().pid()));
  }

  private static Config config() {
    return ConfigFactory.parseMap(Map.ofEntries(
            Map.entry("tandem.http.port", PORTS[2]),
            Map.entry("tandem.cassandra.embedded.enabled", false),
            Map.entry("tandem.cassandra.apply-schema", true),
            Map.entry("tandem.cassandra.contact-points", "127.0.0.1:" + PORTS[0]),
            Map.entry("tandem.auth.secret-file", dir.resolve("jwt-secret").toString()),
            Map.entry("tandem.auth.bcrypt-cost", 4),
            Map.entry("tandem.ws.ops-per-second", 100000),
            Map.entry("tandem.ws.ops-burst", 100000),
            Map.entry("tandem.ws.ack-timeout", "5s"),
            Map.entry("pekko.remote.artery.canonical.port", PORTS[3]),
            Map.entry("pekko.cluster.seed-nodes", List.of("pekko://tandem@127.0.0.1:" + PORTS[3]))))
        .withFallback(ConfigFactory.load());
  }

  @BeforeAll
  static void start() throws Exception {
    cassandra = startCassandra();
    node = Node.start(config());
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
    if (cassandra != null) cassandra.close();
  }

  /**
   * Cassandra stopped (SIGSTOP) for 2.5 s, longer than the driver's and Cassandra's default 2 s timeouts:
   * the writes in flight wait and are acked once it resumes. No client is told {@code internal},
   * and every keystroke is in the document exactly once.
   */
  @Test
  @Order(1)
  void aWriteSlowerThanTheDriversDefaultTimeoutIsStillAcked() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + PORTS[2]);
    var api = TestApi.at(base);
    TestApi.User bob = api.register("bob");
    String doc = api.create(bob, "Stalled");
    var clients = new ArrayList<TandemClient>();
    for (int i = 0; i < 2; i++) {
      clients.add(TandemClient.connect(http, base, bob.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
    var typists = Typists.start(clients, 5);
    Thread.sleep(1000);
    signal("STOP");
    try {
      Thread.sleep(2500);
    } finally {
      signal("CONT");
    }
    Thread.sleep(500);
    typists.stop();
    for (var c : clients) c.awaitSettled(Duration.ofSeconds(20));
    var converged = api.assertConverged(doc, bob, clients, Duration.ofSeconds(20));
    for (var c : clients) assertEquals(List.of(), c.errors(), "no op was refused");
    typists.assertEachOnceIn(converged.text());
    clients.forEach(TandemClient::close);
  }

  private static void signal(String name) throws Exception {
    var kill = new ProcessBuilder("kill", "-" + name, Long.toString(cassandra.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name);
  }

  @Test
  @Order(2)
  void nothingIsAckedWhileCassandraIsDownNothingAckedIsLostAndEditingResumes() throws Exception {
    URI base = URI.create("http://127.0.0.1:" + PORTS[2]);
    var api = TestApi.at(base);
    TestApi.User alice = api.register("alice");
    String doc = api.create(alice, "Outage");

    int n = 3;
    var clients = new ArrayList<TandemClient>();
    var lastAck = new AtomicLong();
    var ackedVersions = ConcurrentHashMap.<Long>newKeySet();
    for (int i = 0; i < n; i++) {
      var c = TandemClient.connect(http, base, alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
      c.onAck(v -> {
        lastAck.set(System.nanoTime());
        ackedVersions.add(v);
      });
      clients.add(c);
    }
    var typists = Typists.start(clients, 3);
    Thread.sleep(1500);
    int ackedBefore = ackedVersions.size();
    assertTrue(ackedBefore > 20, "ops were acked before the outage: " + ackedBefore);

    ProcessHandle.of(cassandra.pid()).orElseThrow().destroyForcibly(); // kill -9 mid-stream
    ProcessHandle.of(cassandra.pid()).ifPresent(p -> p.onExit().join());
    long killed = System.nanoTime();
    Thread.sleep(6000); // the clients keep typing; writes fail, connections are closed with internal
    long lastAckSeen = lastAck.get();
    assertTrue(lastAckSeen < killed + TimeUnit.MILLISECONDS.toNanos(500),
        "no ack " + TimeUnit.NANOSECONDS.toMillis(lastAckSeen - killed) + " ms after Cassandra died");
    var acksWhileDown = Set.copyOf(ackedVersions);

    // the server still answers, and says what it cannot do
    var health = api.send("GET", "/v1/health", (String) null, null);
    assertTrue(health.statusCode() == 503 || health.statusCode() == 200, "health: " + health.statusCode());
    boolean sawInternal = clients.stream().anyMatch(c -> c.errors().stream().anyMatch(e -> e.code().equals("internal")));
    assertTrue(sawInternal, "a client was told its op could not be journaled: " + clients.get(0).errors());

    cassandra = startCassandra(); // same data: the commit log is replayed
    typists.stop();
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    for (var c : clients) {
      while (true) {
        try {
          c.reconnect().toCompletableFuture().get(10, TimeUnit.SECONDS);
          c.awaitSettled(Duration.ofSeconds(20));
          break;
        } catch (Exception notYet) {
          if (System.nanoTime() > end) throw notYet;
          Thread.sleep(500);
        }
      }
    }

    var converged = api.assertConverged(doc, alice, clients, Duration.ofSeconds(30));
    for (long v : acksWhileDown) assertTrue(v <= converged.version(), "acked version " + v + " is in the journal");
    typists.assertEachOnceIn(converged.text());
    assertTrue(typists.total() > ackedBefore, "typed during the outage too: " + typists.total() + " > " + ackedBefore);
    clients.forEach(TandemClient::close);
  }
}
