package io.tandem.app.ws;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.NodeProcess;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.Typists;
import io.tandem.cassandra.TestCassandra;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the server while five clients stream ops: the node runs as its own process (the
 * {@code Main} of {@code ./tandem run}) on the build's Cassandra; after a restart every client
 * resends what was not acked, and every keystroke is in the document exactly once.
 */
class KillServerIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final int[] PORTS = TestCassandra.freePorts(2); // HTTP, remoting: the same for both lives
  private static NodeProcess server;

  private static URI base() {
    return server.base();
  }

  private static NodeProcess startServer(String name) throws Exception {
    return NodeProcess.start(cassandra, "kill-" + name, PORTS[0], PORTS[1], PORTS[1]);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) server.close();
  }

  private static TandemClient connect(User u, String doc) throws Exception {
    return TandemClient.connect(http, base(), u.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void everyKeystrokeIsInTheDocumentExactlyOnceAfterAKillAndARestart() throws Exception {
    server = startServer("first");
    var api = TestApi.at(base());
    User alice = api.register("alice");
    String doc = api.create(alice, "Killed");
    var clients = new ArrayList<TandemClient>();
    for (int i = 0; i < 5; i++) clients.add(connect(alice, doc));
    // kill -USR2 is a full GC (the load generator's memory measurement), not a crash of the JVM
    server.signal("USR2");
    Thread.sleep(1000);
    assertTrue(server.isAlive(), "SIGUSR2 did not kill the node");
    ok(api.send("GET", "/v1/health", (String) null, null), 200);

    var typists = Typists.start(clients, 2);
    Thread.sleep(1500);
    server.kill(); // kill -9, mid-stream
    Thread.sleep(300); // the clients keep typing while the server is down
    typists.stop();

    server = startServer("second");
    for (var c : clients) c.reconnect().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (var c : clients) c.awaitSettled(Duration.ofSeconds(60));
    typists.assertEachOnceIn(api.assertConverged(doc, alice, clients, Duration.ofSeconds(60)).text());
    assertTrue(typists.total() > 50, "the clients typed while the server died: " + typists.total());
    clients.forEach(TandemClient::close);
  }
}
