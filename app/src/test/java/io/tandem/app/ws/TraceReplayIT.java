package io.tandem.app.ws;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import io.tandem.ot.Delta;
import io.tandem.ot.Traces;
import io.tandem.protocol.client.TandemClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real editing trace, typed through the real server: alone it ends exactly; by two at once both end equal. */
class TraceReplayIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static User alice;
  private static User bob;
  private static Traces trace;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4,
            "tandem.ws.ops-per-second", 100000, "tandem.ws.ops-burst", 100000))
        .withFallback(TestNode.config(cassandra)));
    alice = api.register("alice");
    bob = api.register("bob");
    trace = Traces.load("friendsforever_flat");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static TandemClient connect(User u, String doc) throws Exception {
    return TandemClient.connect(http, TestNode.base(node), u.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String serverText(String doc) throws Exception {
    var b = new StringBuilder();
    for (JsonNode op : ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200).get("content")) b.append(op.get("insert").asText());
    return b.toString();
  }

  /** Applies a patch of the trace at its place, clamped to the client's text (which others change too). */
  private static void type(TandemClient c, Traces.Patch p) {
    c.edit(text -> { // from the text as it is now, which the other client changes too
      int len = text.length();
      int pos = Math.min(p.pos(), len);
      int del = Math.min(p.delete(), len - pos);
      var b = Delta.builder();
      if (pos > 0) b.retain(pos);
      if (del > 0) b.delete(del);
      if (!p.insert().isEmpty()) b.insert(p.insert());
      return b.build();
    });
  }

  @Test
  void oneClientTypingTheTraceEndsWithItsText() throws Exception {
    String doc = api.create(alice, "Friends forever");
    var a = connect(alice, doc);
    for (Traces.Patch p : trace.patches()) type(a, p);
    a.awaitSettled(Duration.ofMinutes(2));
    assertEquals(trace.endContent(), a.text());
    assertEquals(trace.endContent(), serverText(doc));
    a.close();
  }

  @Test
  void twoClientsTypingItAtOnceEndEqual() throws Exception {
    String doc = api.create(alice, "Friends forever, twice");
    api.share(alice, doc, bob.principal(), "editor");
    var clients = List.of(connect(alice, doc), connect(bob, doc));
    var threads = new Thread[2];
    for (int c = 0; c < 2; c++) {
      var client = clients.get(c);
      int half = c;
      threads[c] = new Thread(() -> {
        var patches = trace.patches();
        for (int i = half; i < patches.size(); i += 2) type(client, patches.get(i)); // every other keystroke
      });
      threads[c].start();
    }
    for (Thread t : threads) t.join();
    for (var c : clients) c.awaitSettled(Duration.ofMinutes(2));
    long version = ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200).get("version").asLong();
    for (var c : clients) c.awaitVersion(version, Duration.ofMinutes(1));
    assertEquals(clients.get(0).text(), clients.get(1).text());
    assertEquals(serverText(doc), clients.get(0).text());
    for (var c : clients) assertEquals(List.of(), c.errors());
    clients.forEach(TandemClient::close);
  }
}
