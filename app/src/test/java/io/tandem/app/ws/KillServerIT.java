package io.tandem.app.ws;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.NodeProcess;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.cassandra.TestCassandra;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    var typing = new AtomicBoolean(true);
    var counts = new int[5];
    var threads = new ArrayList<Thread>();
    for (int c = 0; c < 5; c++) {
      int me = c;
      var client = clients.get(c);
      var t = new Thread(() -> {
        while (typing.get()) {
          String token = "<" + me + ":" + counts[me]++ + ">"; // each keystroke unique
          client.edit(text -> io.tandem.ot.Delta.builder().retain(text.length()).insert(token).build());
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      t.start();
      threads.add(t);
    }
    Thread.sleep(1500);
    server.kill(); // kill -9, mid-stream
    Thread.sleep(300); // the clients keep typing while the server is down
    typing.set(false);
    for (Thread t : threads) t.join();

    server = startServer("second");
    for (var c : clients) c.reconnect().toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (var c : clients) c.awaitSettled(Duration.ofSeconds(60));
    JsonNode d = ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200);
    long version = d.get("version").asLong();
    var text = new StringBuilder();
    for (JsonNode op : d.get("content")) text.append(op.get("insert").asText());
    for (var c : clients) {
      c.awaitVersion(version, Duration.ofSeconds(60));
      assertEquals(text.toString(), c.text(), "converged on the server's text");
    }
    int total = 0;
    for (int c = 0; c < 5; c++) {
      for (int n = 0; n < counts[c]; n++) {
        String token = "<" + c + ":" + n + ">";
        int at = text.indexOf(token);
        assertTrue(at >= 0, token + " is in the document");
        assertEquals(-1, text.indexOf(token, at + 1), token + " is in it once");
        total++;
      }
    }
    assertTrue(total > 50, "the clients typed while the server died: " + total);
    clients.forEach(TandemClient::close);
  }
}
