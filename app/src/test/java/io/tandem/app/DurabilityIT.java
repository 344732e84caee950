package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default end to end, on a Cassandra of its own: what a node acknowledged is there
 * after the node stops and starts again, and after Cassandra is killed with -9 and started again.
 */
class DurabilityIT {

  @TempDir
  static Path dir;

  private static final HttpClient http = HttpClient.newHttpClient();

  private static Config config() {
    int remote = PORTS[3];
    return ConfigFactory.parseMap(Map.ofEntries(
            Map.entry("tandem.http.port", PORTS[2]),
            Map.entry("tandem.cassandra.embedded.enabled", true),
            Map.entry("tandem.cassandra.embedded.data-dir", dir.resolve("cassandra").toString()),
            Map.entry("tandem.cassandra.embedded.server-dir", System.getProperty("tandem.cassandra.server")),
            Map.entry("tandem.cassandra.embedded.cql-port", PORTS[0]),
            Map.entry("tandem.cassandra.embedded.storage-port", PORTS[1]),
            Map.entry("tandem.cassandra.embedded.heap-mb", 512),
            Map.entry("tandem.auth.secret-file", dir.resolve("jwt-secret").toString()),
            Map.entry("tandem.auth.bcrypt-cost", 4),
            Map.entry("pekko.remote.artery.canonical.port", remote),
            Map.entry("pekko.cluster.seed-nodes", java.util.List.of("pekko://tandem@127.0.0.1:" + remote))))
        .withFallback(ConfigFactory.load());
  }

  /** Cassandra's CQL and storage ports, the node's HTTP and remoting ports: distinct, kept across restarts. */
  private static final int[] PORTS = TestCassandra.freePorts(4);

  private static int post(Node node, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(TestNode.base(node).resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static String account(String name) {
    return "{\"username\":\"" + name + "\",\"password\":\"password1\"}";
  }

  @Test
  void accountsSurviveARestartOfTheNodeAndAKillOfCassandra() throws Exception {
    try (Node first = Node.start(config())) {
      assertEquals(201, post(first, "/v1/auth/register", account("alice")));
    } // the node stops, and its Cassandra with SIGTERM

    try (Node second = Node.start(config())) {
      assertEquals(200, post(second, "/v1/auth/login", account("alice")));
      assertEquals(201, post(second, "/v1/auth/register", account("bob"))); // acknowledged…
      ProcessHandle cassandra = second.embeddedCassandra().orElseThrow();
      cassandra.destroyForcibly(); // …then kill -9: no drain, no flush
      cassandra.onExit().get(30, TimeUnit.SECONDS);
    }

    try (Node third = Node.start(config())) {
      assertEquals(200, post(third, "/v1/auth/login", account("alice")));
      assertEquals(200, post(third, "/v1/auth/login", account("bob")));
      assertEquals(409, post(third, "/v1/auth/register", account("bob")));
    }
  }
}
