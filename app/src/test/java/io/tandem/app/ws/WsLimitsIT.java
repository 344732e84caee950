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
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WebSocket limits, each going over answered with its code and nothing changed: ops per
 * connection (rate_limited, then a close if it goes on), the window of ops kept for transforming
 * (resync), and the bounded queue of a client that stops reading (the connection is failed; the
 * document and every other client go on).
 */
class WsLimitsIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  /** 5 ops a second with a burst of 5, a window of 5 ops, ops read back from the journal up to 10 versions behind. */
  private static Node limited;
  /** An outgoing queue of 16 messages. */
  private static Node smallQueue;

  @BeforeAll
  static void start() throws Exception {
    limited = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4,
            "tandem.ws.ops-per-second", 5, "tandem.ws.ops-burst", 5, "tandem.docs.window-ops", 5,
            "tandem.docs.journal-ops", 10))
        .withFallback(TestNode.config(cassandra)));
    smallQueue = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4,
            "tandem.ws.ops-per-second", 100000, "tandem.ws.ops-burst", 100000, "tandem.ws.outgoing-buffer", 16))
        .withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (limited != null) limited.close();
    if (smallQueue != null) smallQueue.close();
  }

  private static String text(TestApi api, User u, String doc) throws Exception {
    var b = new StringBuilder();
    for (JsonNode op : ok(api.send("GET", "/v1/docs/" + doc, u, null), 200).get("content")) b.append(op.get("insert").asText());
    return b.toString();
  }

  private static String op(long seq, long base, String insert) {
    return "{\"type\":\"op\",\"seq\":" + seq + ",\"baseVersion\":" + base + ",\"ops\":[{\"insert\":\"" + insert + "\"}]}";
  }

  @Test
  void opsOverTheRateAreRefusedWithTheirSeqThenTakenWhenSentAgainAndAFloodIsClosed() throws Exception {
    var api = new TestApi(() -> limited);
    User alice = api.register("rate-alice");
    String doc = api.create(alice, "Rate");
    var raw = RawSocket.open(TestNode.base(limited), alice.token(), doc, "");
    raw.next("joined");
    for (int seq = 1; seq <= 5; seq++) { // the burst: taken
      raw.send(op(seq, seq - 1, "x"));
      assertEquals(seq, raw.next("ack").get("version").asLong());
    }
    for (int seq = 6; seq <= 8; seq++) raw.send(op(seq, 5, "x"));
    var refused = new ArrayList<Long>();
    for (int i = 0; i < 3; i++) {
      JsonNode e = raw.next("error");
      assertEquals("rate_limited", e.get("code").asText(), e.toString());
      refused.add(e.get("seq").asLong());
    }
    assertEquals(java.util.List.of(6L, 7L, 8L), refused, "the rest refused, each with its seq");
    assertEquals("xxxxx", text(api, alice, doc), "only what was taken");
    Thread.sleep(1200); // as the message says
    raw.send(op(6, 5, "y"));
    assertEquals(6, raw.next("ack").get("version").asLong(), "the same seq, sent again, is taken");
    assertEquals("yxxxxx", text(api, alice, doc));

    // a client that does not wait is closed after a run of refusals; the document is intact
    var flood = RawSocket.open(TestNode.base(limited), alice.token(), doc, "");
    flood.next("joined");
    for (int i = 0; i < Connection.MAX_REFUSED_IN_A_ROW + 20; i++) flood.send(op(1, 6, "f")); // one op, resent without waiting
    flood.closed.get(30, TimeUnit.SECONDS);
    JsonNode last = null;
    for (JsonNode m : flood.received) if (m.get("type").asText().equals("error")) last = m;
    assertTrue(last != null && last.get("code").asText().equals("rate_limited") && last.get("message").asText().contains("reconnect"),
        "the last error says why: " + last);
    assertEquals("fyxxxxx", text(api, alice, doc), "the flood's op once, nothing else");
    raw.send("{\"type\":\"ping\"}");
    raw.next("pong");
    raw.ws.abort();
  }

  @Test
  void opsBeforeTheWindowComeFromTheJournalAndBeyondItsReachTheClientResyncs() throws Exception {
    var api = new TestApi(() -> limited);
    User alice = api.register("window-alice");
    String doc = api.create(alice, "Window");
    var raw = RawSocket.open(TestNode.base(limited), alice.token(), doc, "?clientId=window-writer");
    raw.next("joined");
    long version = 0;
    for (int seq = 1; seq <= 25; seq++) {
      raw.send(op(seq, version, "a"));
      version = raw.next("ack").get("version").asLong();
      if (seq % 5 == 0) Thread.sleep(1100); // within the rate
    }
    assertEquals(25, version);
    var late = RawSocket.open(TestNode.base(limited), alice.token(), doc, "");
    late.next("joined");
    Thread.sleep(1100);
    late.send(op(1, 2, "late")); // version 2: 23 behind, beyond the 10 read back from the journal
    JsonNode e = late.next("error");
    assertEquals("resync", e.get("code").asText());
    assertEquals(1, e.get("seq").asLong());
    assertEquals("a".repeat(25), text(api, alice, doc), "nothing changed");

    // since beyond the journal's reach: the snapshot instead of the ops
    var resumed = RawSocket.open(TestNode.base(limited), alice.token(), doc, "?since=1");
    assertEquals(25, resumed.next("joined").get("version").asLong());
    assertEquals(25, resumed.next("snapshot").get("version").asLong());

    // within reach but before the 5 ops kept (21 to 25): versions 18 to 20 are read from the journal
    var back = RawSocket.open(TestNode.base(limited), alice.token(), doc, "?since=17");
    assertEquals(25, back.next("joined").get("version").asLong());
    for (long v = 18; v <= 25; v++) assertEquals(v, back.next("op").get("version").asLong(), "the missed ops, in order");
    late.send(op(1, 17, "late")); // the same seq, now on a base the server can bridge
    assertEquals(26, late.next("ack").get("version").asLong());
    assertEquals("a".repeat(8) + "late" + "a".repeat(17), text(api, alice, doc), "transformed through versions 18 to 25");
    raw.ws.abort();
    late.ws.abort();
    resumed.ws.abort();
    back.ws.abort();
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedAndTheOthersGoOn() throws Exception {
    var api = new TestApi(() -> smallQueue);
    User alice = api.register("queue-alice");
    String doc = api.create(alice, "Queue");
    var slow = RawSocket.open(TestNode.base(smallQueue), alice.token(), doc, "", false); // takes one message
    var writer = TandemClient.connect(http, TestNode.base(smallQueue), alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
    var reader = TandemClient.connect(http, TestNode.base(smallQueue), alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
    String chunk = "q".repeat(64 * 1024);
    for (int i = 0; i < 400 && !slow.closed.isDone(); i++) { // 25 MiB of ops, each replacing the last: more than any socket buffers
      String c = chunk.substring(1) + (char) ('a' + i % 26);
      writer.edit(t -> Delta.builder().delete(t.length()).insert(c).build());
      writer.awaitSettled(Duration.ofSeconds(30)); // one op each, not composed into fewer
    }
    writer.awaitSettled(Duration.ofSeconds(30));
    slow.read(); // reads what was sent before the server gave up on it, then the end
    try {
      slow.closed.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException abortedIsFine) {
      // the server failed the connection
    }
    long version = ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200).get("version").asLong();
    reader.awaitVersion(version, Duration.ofSeconds(60));
    assertEquals(text(api, alice, doc), reader.text(), "the other reader has every op");
    assertEquals(writer.text(), reader.text());
    writer.close();
    reader.close();
  }
}
