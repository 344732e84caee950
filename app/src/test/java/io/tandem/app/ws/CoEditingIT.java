package io.tandem.app.ws;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import io.tandem.ot.Delta;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real-time co-editing over real WebSockets on the real server and Cassandra: clients editing at
 * once converge on the server's content with gapless versions; duplicates are applied once;
 * {@code since} replays exactly what was missed; bad messages get their codes and change nothing.
 */
class CoEditingIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static User alice;
  private static User bob;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4,
            "tandem.ws.ops-per-second", 10000, "tandem.ws.ops-burst", 10000))
        .withFallback(TestNode.config(cassandra)));
    alice = api.register("alice");
    bob = api.register("bob");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static URI base() {
    return TestNode.base(node);
  }

  private static TandemClient connect(User u, String doc) throws Exception {
    return TandemClient.connect(http, base(), u.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static JsonNode document(String doc) throws Exception {
    return ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200);
  }

  private static String serverText(String doc) throws Exception {
    var b = new StringBuilder();
    for (JsonNode op : document(doc).get("content")) b.append(op.get("insert").asText());
    return b.toString();
  }

  /** Random inserts and deletes at random places, from every client at once. */
  static void editTogether(List<TandemClient> clients, int opsEach, long seed) throws Exception {
    var threads = new ArrayList<Thread>();
    for (int c = 0; c < clients.size(); c++) {
      var client = clients.get(c);
      var random = new Random(seed * 31 + c);
      var thread = new Thread(() -> {
        for (int i = 0; i < opsEach; i++) {
          client.edit(text -> { // from the text as it is now: an op arriving meanwhile would move the places
            int len = text.length();
            int at = boundary(text, len == 0 ? 0 : random.nextInt(len + 1));
            var b = Delta.builder();
            if (at > 0) b.retain(at);
            if (len > 10 && random.nextInt(4) == 0) {
              int to = boundary(text, Math.min(len, at + 1 + random.nextInt(5)));
              if (to == at) to = boundary(text, Math.min(len, at + 2));
              return to > at ? b.delete(to - at).build() : null;
            }
            return b.insert(Character.toString('a' + random.nextInt(26)) + (random.nextBoolean() ? "é" : "😀")).build();
          });
          try {
            Thread.sleep(random.nextInt(4)); // typing speed: edits interleave with acks and others' ops
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) t.join();
  }

  /** {@code at}, or the index before it when it falls inside a surrogate pair. */
  private static int boundary(String text, int at) {
    if (at > 0 && at < text.length() && Character.isHighSurrogate(text.charAt(at - 1)) && Character.isLowSurrogate(text.charAt(at))) {
      return at - 1;
    }
    return at;
  }

  private static void assertConverged(List<TandemClient> clients, String doc) throws Exception {
    for (var c : clients) c.awaitSettled(WAIT);
    long version = document(doc).get("version").asLong();
    String server = serverText(doc);
    for (var c : clients) {
      c.awaitVersion(version, WAIT);
      assertEquals(server, c.text(), "every client holds the server's text");
      assertEquals(List.of(), c.errors());
      List<Long> seen = c.versionsSeen();
      for (int i = 1; i < seen.size(); i++) assertEquals(seen.get(i - 1) + 1, seen.get(i), "versions gapless and in order");
    }
  }

  @Test
  void twoClientsEditingAtOnceConverge() throws Exception {
    String doc = api.create(alice, "Two");
    api.share(alice, doc, bob.principal(), "editor");
    var clients = List.of(connect(alice, doc), connect(bob, doc));
    editTogether(clients, 200, 1);
    assertConverged(clients, doc);
    assertTrue(document(doc).get("version").asLong() > 20, "edits went one op at a time, composed while one was in flight");
    clients.forEach(TandemClient::close);
  }

  @Test
  void fiveClientsEditingAtOnceConverge() throws Exception {
    String doc = api.create(alice, "Five");
    api.share(alice, doc, bob.principal(), "editor");
    var clients = new ArrayList<TandemClient>();
    for (int i = 0; i < 5; i++) clients.add(connect(i % 2 == 0 ? alice : bob, doc));
    editTogether(clients, 100, 2);
    assertConverged(clients, doc);
    assertTrue(document(doc).get("version").asLong() > 20);
    clients.forEach(TandemClient::close);
  }

  @Test
  void sinceReplaysExactlyTheMissedOpsAndAnUnackedOpIsSentAgain() throws Exception {
    String doc = api.create(alice, "Resume");
    api.share(alice, doc, bob.principal(), "editor");
    var a = connect(alice, doc);
    var b = connect(bob, doc);
    a.insert(0, "one ");
    a.awaitSettled(WAIT);
    b.awaitVersion(1, WAIT);
    b.drop();
    a.insert(4, "two ");
    a.insert(8, "three ");
    a.awaitSettled(WAIT);
    b.insert(0, ">"); // made offline: sent when back
    int before = b.versionsSeen().size();
    b.reconnect().toCompletableFuture().get(30, TimeUnit.SECONDS);
    b.awaitSettled(WAIT);
    a.awaitVersion(4, WAIT);
    assertEquals(List.of(2L, 3L), b.versionsSeen().subList(before, before + 2), "the missed ops, exactly");
    assertEquals(">one two three ", b.text());
    assertEquals(b.text(), a.text());
    assertEquals(serverText(doc), a.text());
    a.close();
    b.close();
  }

  private static RawSocket raw(User u, String doc, String query) throws Exception {
    return RawSocket.open(base(), u.token(), doc, query);
  }

  @Test
  void aDuplicateGetsItsOriginalAckAndIsAppliedOnce() throws Exception {
    String doc = api.create(alice, "Dup");
    var raw = raw(alice, doc, "?clientId=dup-client");
    assertEquals("dup-client", raw.next("joined").get("clientId").asText());
    raw.next("snapshot");
    String op = "{\"type\":\"op\",\"seq\":1,\"baseVersion\":0,\"ops\":[{\"insert\":\"once\"}]}";
    raw.send(op);
    JsonNode ack = raw.next("ack");
    assertEquals(1, ack.get("version").asLong());
    raw.send(op);
    assertEquals(ack, raw.next("ack"), "the original ack");
    raw.ws.abort();
    var again = raw(alice, doc, "?clientId=dup-client&since=0");
    again.next("joined");
    JsonNode replayed = again.next("op");
    assertEquals("dup-client", replayed.get("clientId").asText(), "since replays my own op too");
    again.send(op);
    assertEquals(ack, again.next("ack"), "after a reconnect as well");
    assertEquals("once", serverText(doc));
    assertEquals(1, document(doc).get("version").asLong());
    again.ws.abort();
  }

  @Test
  void badMessagesGetTheirCodesAndChangeNothing() throws Exception {
    String doc = api.create(alice, "Kept");
    api.share(alice, doc, bob.principal(), "viewer");
    var raw = raw(alice, doc, "");
    raw.next("joined");
    raw.send("{\"type\":\"op\",\"seq\":1,\"baseVersion\":0,\"ops\":[{\"insert\":\"kept\"}]}");
    raw.next("ack");
    var cases = new String[][] {
        {"not json", "invalid_message"},
        {"[1,2]", "invalid_message"},
        {"{\"type\":\"dance\"}", "invalid_message"},
        {"{\"type\":\"op\",\"baseVersion\":1,\"ops\":[]}", "invalid_message"},
        {"{\"type\":\"op\",\"seq\":2,\"baseVersion\":1,\"ops\":[{\"retain\":-1}]}", "invalid_op"},
        {"{\"type\":\"op\",\"seq\":2,\"baseVersion\":1,\"ops\":[{\"retain\":99},{\"insert\":\"x\"}]}", "invalid_op"},
        {"{\"type\":\"op\",\"seq\":2,\"baseVersion\":7,\"ops\":[{\"insert\":\"x\"}]}", "version_ahead"},
        {"{\"type\":\"op\",\"seq\":9,\"baseVersion\":1,\"ops\":[{\"insert\":\"x\"}]}", "invalid_message"},
        {"{\"type\":\"op\",\"seq\":2,\"baseVersion\":1,\"ops\":[{\"insert\":\"" + "x".repeat(1_100_000) + "\"}]}", "too_large"},
    };
    for (String[] c : cases) {
      raw.send(c[0]);
      assertEquals(c[1], raw.next("error").get("code").asText(), c[0].length() > 80 ? c[0].substring(0, 80) : c[0]);
    }
    raw.send("{\"type\":\"ping\"}");
    raw.next("pong");

    var viewer = raw(bob, doc, "");
    assertEquals("viewer", viewer.next("joined").get("role").asText());
    viewer.send("{\"type\":\"op\",\"seq\":1,\"baseVersion\":1,\"ops\":[{\"insert\":\"x\"}]}");
    JsonNode forbidden = viewer.next("error");
    assertEquals("forbidden", forbidden.get("code").asText());
    assertEquals(1, forbidden.get("seq").asLong());

    assertEquals("kept", serverText(doc), "nothing changed");
    assertEquals(1, document(doc).get("version").asLong());
    raw.send("{\"type\":\"op\",\"seq\":2,\"baseVersion\":1,\"ops\":[{\"retain\":4},{\"insert\":\"!\"}]}");
    assertEquals(2, raw.next("ack").get("version").asLong(), "and the connection still serves");
    raw.ws.abort();
    viewer.ws.abort();
  }

  @Test
  void aHandshakeThatMayNotSeeTheDocumentIsRefusedBeforeTheUpgrade() throws Exception {
    String doc = api.create(alice, "Private");
    var ws = "/v1/docs/" + doc + "/ws";
    HttpResponse<String> stranger = api.send("GET", ws, bob, null);
    TestApi.problem(stranger, 404, "not_found");
    TestApi.problem(api.send("GET", ws, (String) null, null), 401, "unauthorized");
    TestApi.problem(api.send("GET", "/v1/docs/no-such-doc/ws", alice, null), 404, "not_found");
    TestApi.problem(api.send("GET", ws, alice, null), 400, "invalid_message"); // allowed, but not an upgrade
    var viaQuery = raw(alice, doc, "?access_token=" + alice.token());
    assertTrue(viaQuery.next("joined").has("clientId"), "a token in access_token works for the handshake");
    viaQuery.ws.abort();
  }

  @Test
  void aRevokedUserIsDisconnectedAndADowngradedOneIsRefusedOps() throws Exception {
    String doc = api.create(alice, "Live roles");
    api.share(alice, doc, bob.principal(), "editor");
    var b = raw(bob, doc, "");
    b.next("joined");
    b.send("{\"type\":\"op\",\"seq\":1,\"baseVersion\":0,\"ops\":[{\"insert\":\"hi\"}]}");
    b.next("ack");
    api.share(alice, doc, bob.principal(), "commenter");
    Thread.sleep(200); // the downgrade reaches the entity before bob's next op does in any case
    b.send("{\"type\":\"op\",\"seq\":2,\"baseVersion\":1,\"ops\":[{\"insert\":\"x\"}]}");
    assertEquals("forbidden", b.next("error").get("code").asText());
    ok(api.send("DELETE", "/v1/docs/" + doc + "/permissions/" + bob.principal(), alice, null), 200);
    assertEquals("forbidden", b.next("error").get("code").asText(), "revoked: told so");
    b.closed.get(30, TimeUnit.SECONDS);
    assertEquals("hi", serverText(doc));
  }

  @Test
  void cursorsShowWithNamesStayOnTheirTextAndLeave() throws Exception {
    String doc = api.create(alice, "Cursors");
    api.share(alice, doc, bob.principal(), "editor");
    var a = connect(alice, doc);
    var b = connect(bob, doc);
    a.insert(0, "hello world");
    a.awaitSettled(WAIT);
    b.awaitVersion(1, WAIT);
    a.presence(6, 5); // "world" selected
    long end = System.nanoTime() + WAIT.toNanos();
    while (!b.cursors().containsKey(a.clientId()) && System.nanoTime() < end) Thread.sleep(5);
    var seen = b.cursors().get(a.clientId());
    assertEquals(new TandemClient.Cursor(a.clientId(), alice.id(), "alice", seen.color(), 6, 5), seen);
    b.insert(0, ">> ");
    b.awaitSettled(WAIT);
    assertEquals(9, b.cursors().get(a.clientId()).index(), "moved with the text before it");
    assertEquals("world", b.text().substring(9, 14));

    var c = connect(bob, doc);
    assertTrue(c.cursors().containsKey(a.clientId()), "a newcomer sees who is there");
    a.close();
    end = System.nanoTime() + WAIT.toNanos();
    while (b.cursors().containsKey(a.clientId()) && System.nanoTime() < end) Thread.sleep(5);
    assertTrue(!b.cursors().containsKey(a.clientId()), "left");
    b.close();
    c.close();
  }

}
