package io.tandem.app.history;

import static io.tandem.app.TestApi.ok;
import static io.tandem.app.TestApi.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import io.tandem.ot.Delta;
import io.tandem.ot.Rope;
import io.tandem.ot.Traces;
import io.tandem.projections.history.Checkpoints;
import io.tandem.protocol.DeltaJson;
import io.tandem.protocol.client.TandemClient;
import java.net.http.HttpClient;
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
 * History on the real stack: a document typed from the first 3,000 keystrokes of a shared trace
 * through the real server, its checkpoints written by the projection every 50 versions, and the
 * history read back over REST as viewers and editors do.
 */
class HistoryIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final int EVERY = 50;
  private static Config config;
  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static User alice;
  private static User ed;
  private static User vic;
  private static User stranger;
  private static String doc;
  /** The ops of the document as GET history returns them, version i at index i - 1. */
  private static List<Delta> ops;

  @BeforeAll
  static void start() throws Exception {
    config = ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4, "tandem.docs.checkpoint-every", EVERY,
            "tandem.ws.ops-per-second", 100000, "tandem.ws.ops-burst", 100000))
        .withFallback(TestNode.config(cassandra));
    node = Node.start(config);
    alice = api.register("alice");
    ed = api.register("eddie");
    vic = api.register("victor");
    stranger = api.register("stranger");
    doc = api.create(alice, "History");
    api.share(alice, doc, ed.principal(), "editor");
    api.share(alice, doc, vic.principal(), "viewer");
    var trace = Traces.load("friendsforever_flat");
    try (var a = TandemClient.connect(http, TestNode.base(node), alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      // settled every other keystroke, so the history has about 1,500 versions (a client composes
      // what it types while an op is in flight)
      var patches = trace.patches().subList(0, 3000);
      for (int i = 0; i < patches.size(); i++) {
        a.submit(patches.get(i).toDelta());
        if (i % 2 == 1) a.awaitSettled(Duration.ofSeconds(30));
      }
      a.awaitSettled(Duration.ofMinutes(2));
    }
    // then eddie edits a little, and alice again: three sessions
    try (var e = TandemClient.connect(http, TestNode.base(node), ed.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      for (int i = 0; i < 5; i++) {
        e.insert(0, "E");
        e.awaitSettled(Duration.ofSeconds(30));
      }
    }
    try (var a = TandemClient.connect(http, TestNode.base(node), alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      for (int i = 0; i < 4; i++) {
        a.insert(a.text().length(), "A");
        a.awaitSettled(Duration.ofSeconds(30));
      }
    }
    ops = new ArrayList<>();
    for (JsonNode op : allHistory(vic)) ops.add(DeltaJson.parse(op.get("ops").toString()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  /** Every op, page by page, with a page size that does not divide the history. */
  private static List<JsonNode> allHistory(User who) throws Exception {
    var out = new ArrayList<JsonNode>();
    String cursor = null;
    do {
      JsonNode page = ok(api.send("GET", "/v1/docs/" + doc + "/history?limit=97" + (cursor == null ? "" : "&cursor=" + cursor), who, null), 200);
      page.get("items").forEach(out::add);
      cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
    } while (cursor != null);
    return out;
  }

  private static long version() throws Exception {
    return ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200).get("version").asLong();
  }

  private static String contentJson(JsonNode content) {
    return content.toString();
  }

  /** The content at v, replayed here from the history's ops. */
  private static String replay(long v) {
    Rope r = Rope.EMPTY;
    for (int i = 0; i < v; i++) r = r.apply(ops.get(i));
    return DeltaJson.write(r.toDelta());
  }

  private static String at(User who, long v) throws Exception {
    return contentJson(ok(api.send("GET", "/v1/docs/" + doc + "/versions/" + v, who, null), 200).get("content"));
  }

  @Test
  void historyPagesReturnEveryOpOnceInOrderWithItsAuthorAndTime() throws Exception {
    List<JsonNode> all = allHistory(alice);
    long v = version();
    assertTrue(all.size() >= 1500 && all.size() <= 3009, "the client's ops, some composed while one was in flight: " + all.size());
    for (int i = 0; i < all.size(); i++) {
      JsonNode op = all.get(i);
      if (op.get("version").asLong() > ops.size()) break; // a revert of another test came after
      assertEquals(i + 1, op.get("version").asLong());
      assertEquals(op.get("version").asLong() <= ops.size() - 9 || op.get("version").asLong() > ops.size() - 4 ? alice.id() : ed.id(),
          op.get("userId").asText());
      assertTrue(op.get("ts").asLong() > 0 && !op.get("at").asText().isEmpty());
    }
    assertTrue(all.size() >= ops.size() && all.get(all.size() - 1).get("version").asLong() == all.size() && all.size() <= v);
    for (String bad : new String[] {"limit=0", "limit=1001", "limit=x", "cursor=nope", "cursor=dg"}) {
      problem(api.send("GET", "/v1/docs/" + doc + "/history?" + bad, alice, null), 400, "invalid_message");
    }
  }

  @Test
  void anyVersionIsTheReplayOfTheHistoryUpToItAndTheCheckpointsAreWhole() throws Exception {
    var rnd = new Random(7);
    var versions = new ArrayList<>(List.of(0L, 1L, (long) EVERY - 1, (long) EVERY, (long) EVERY + 1, (long) ops.size()));
    for (int i = 0; i < 25; i++) versions.add((long) rnd.nextInt(ops.size() + 1));
    for (long v : versions) assertEquals(replay(v), at(vic, v), "version " + v);
    problem(api.send("GET", "/v1/docs/" + doc + "/versions/" + (version() + 1), vic, null), 404, "not_found");
    problem(api.send("GET", "/v1/docs/" + doc + "/versions/-1", vic, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs/" + doc + "/versions/abc", vic, null), 400, "invalid_message");

    // the projection wrote a checkpoint at every multiple of 50, once each, each equal to the replay
    var checkpoints = new Checkpoints(cassandra.session(), cassandra.keyspace());
    long expected = ops.size() / EVERY;
    List<Long> written = List.of();
    for (int i = 0; i < 120 && written.size() < expected; i++) {
      written = checkpoints.versions(doc).toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (written.size() < expected) Thread.sleep(500);
    }
    var want = new ArrayList<Long>();
    for (long v = expected * EVERY; v >= EVERY; v -= EVERY) want.add(v);
    assertEquals(want, written.stream().filter(v -> v <= ops.size()).toList());
    // each checkpoint's block of ops is there too, and holds the history's ops of its versions
    var blocks = checkpoints.blocksFrom(doc, 1, 1000).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(expected, blocks.stream().filter(x -> x.toVersion() <= ops.size()).count());
    for (var block : blocks) {
      var inBlock = io.tandem.projections.history.DocHistory.readBlock(doc, block.ops());
      assertEquals(block.toVersion() - block.fromVersion(), inBlock.size());
      for (var op : inBlock) assertEquals(DeltaJson.write(ops.get((int) op.version() - 1)), DeltaJson.write(DeltaJson.parse(op.ops())));
    }
    // the projection's lag and count are exported, per tag (Kamon renews the text every second here)
    String metrics = "";
    for (int i = 0; i < 60 && checkpointEvents(metrics) < expected; i++) {
      if (i > 0) Thread.sleep(500);
      metrics = api.send("GET", "/v1/metrics", (String) null, null).body();
    }
    assertTrue(checkpointEvents(metrics) >= expected, metrics);
    assertTrue(java.util.regex.Pattern.compile("(?m)^tandem_projection_lag_seconds\\{[^}]*projection=\"checkpoints\"[^}]*\\} \\d+(\\.\\d+)?$")
        .matcher(metrics).find(), metrics);
    for (long v : List.of((long) EVERY, expected / 2 * EVERY, expected * EVERY)) {
      assertEquals(replay(v), checkpoints.latest(doc, v).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().content());
    }
  }

  @Test
  void aDocumentWithoutCheckpointsIsCaughtUpIntervalByIntervalFromOneTaggedOp() throws Exception {
    // as for a document from before checkpoints: none of its checkpoints or blocks are there
    var session = cassandra.session();
    session.execute("DELETE FROM " + cassandra.keyspace() + ".doc_checkpoints WHERE doc_id = ?", doc);
    session.execute("DELETE FROM " + cassandra.keyspace() + ".doc_op_blocks WHERE doc_id = ?", doc);
    session.execute("DELETE FROM " + cassandra.keyspace() + ".doc_block_changes WHERE doc_id = ?", doc);
    var journal = org.apache.pekko.persistence.query.PersistenceQuery.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(node.system()))
        .getReadJournalFor(org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal.class,
            org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal.Identifier());
    var checkpoints = new Checkpoints(session, cassandra.keyspace());
    var history = new io.tandem.projections.history.DocHistory(journal, node.system(), checkpoints);
    long last = ops.size() / EVERY * EVERY;
    io.tandem.projections.history.CheckpointProjection.checkpoint(history, doc, last, EVERY).toCompletableFuture().get(60, TimeUnit.SECONDS);
    var want = new ArrayList<Long>();
    for (long v = last; v >= EVERY; v -= EVERY) want.add(v);
    assertEquals(want, checkpoints.versions(doc).toCompletableFuture().get(10, TimeUnit.SECONDS));
    var blocks = checkpoints.blocksFrom(doc, 1, 1000).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(want.size(), blocks.size(), "a block of " + EVERY + " ops each, not one of all");
    for (var b : blocks) assertEquals(EVERY, b.toVersion() - b.fromVersion());
    for (long v : List.of((long) EVERY, last / 2 / EVERY * EVERY, last)) {
      assertEquals(replay(v), checkpoints.latest(doc, v).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().content());
    }
    assertEquals(replay(last - 7), at(vic, last - 7));
  }

  @Test
  void aNameBeyondTheFiveHundredthIsRefusedAndARevertBiggerThanAnOpIsToo() throws Exception {
    String names = api.create(alice, "Names");
    for (int i = 0; i < 500; i++) ok(api.send("POST", "/v1/docs/" + names + "/versions", alice, "{\"name\":\"n" + i + "\"}"), 201);
    problem(api.send("POST", "/v1/docs/" + names + "/versions", alice, "{\"name\":\"one more\"}"), 413, "too_large");
    assertEquals(500, ok(api.send("GET", "/v1/docs/" + names + "/versions", alice, null), 200).get("items").size());

    // 1.2 MB typed in two ops, then deleted in one: bringing it back would be one op over 1 MiB
    String big = api.create(alice, "Big");
    try (var a = TandemClient.connect(http, TestNode.base(node), alice.token(), big).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      a.insert(0, "x".repeat(600_000));
      a.awaitSettled(Duration.ofSeconds(30));
      a.insert(0, "y".repeat(600_000));
      a.awaitSettled(Duration.ofSeconds(30));
      a.submit(Delta.builder().delete(1_200_000).build());
      a.awaitSettled(Duration.ofSeconds(30));
    }
    problem(api.send("POST", "/v1/docs/" + big + "/revert", alice, "{\"version\":2}"), 413, "too_large");
    assertEquals(3, version(big), "nothing was applied");
  }

  /** The checkpoint projection's events in the metrics text, summed over its tags. */
  private static double checkpointEvents(String metrics) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("tandem_projection_events_total{") && line.contains("projection=\"checkpoints\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** GET changes from..to, applied to the replay at from, is the replay at to. */
  private static void assertChangeTakes(long from, long to) throws Exception {
    JsonNode change = ok(api.send("GET", "/v1/docs/" + doc + "/changes?from=" + from + "&to=" + to, vic, null), 200);
    Rope r = Rope.of(DeltaJson.parse(replay(from))).apply(DeltaJson.parse(change.get("ops").toString()));
    assertEquals(replay(to), DeltaJson.write(r.toDelta()), "changes from " + from + " to " + to);
  }

  private static Checkpoints checkpointsOf() {
    return new Checkpoints(cassandra.session(), cassandra.keyspace());
  }

  private static long version(String id) throws Exception {
    return ok(api.send("GET", "/v1/docs/" + id, alice, null), 200).get("version").asLong();
  }

  @Test
  void theChangeBetweenTwoVersionsTakesTheOneToTheOther() throws Exception {
    // spans inside a block, across blocks, on block ends, and past the newest block (the journal)
    var rnd = new Random(11);
    var spans = new ArrayList<long[]>(List.of(new long[] {100, 777}, new long[] {0, ops.size()}, new long[] {EVERY, 4L * EVERY},
        new long[] {EVERY + 3, EVERY + 9}, new long[] {0, EVERY}, new long[] {ops.size() - 60, ops.size()}));
    for (int i = 0; i < 12; i++) {
      long a = rnd.nextInt(ops.size()), b = rnd.nextInt(ops.size());
      spans.add(new long[] {Math.min(a, b), Math.max(a, b) + 1});
    }
    for (long[] span : spans) assertChangeTakes(span[0], span[1]);
    // blocks whose change was not stored (written before doc_block_changes) are composed from
    // their ops, and their change is stored on the way
    var session = cassandra.session();
    String changes = cassandra.keyspace() + ".doc_block_changes";
    session.execute("DELETE FROM " + changes + " WHERE doc_id = ?", doc);
    assertChangeTakes(0, ops.size());
    long blocks = checkpointsOf().blocksFrom(doc, 1, 10_000).toCompletableFuture().get(10, TimeUnit.SECONDS).stream()
        .filter(b -> b.toVersion() <= ops.size()).count(); // (a revert of another test may have made more)
    assertTrue(blocks >= ops.size() / EVERY - 1, "blocks " + blocks);
    assertEquals(blocks, session.execute("SELECT count(*) FROM " + changes + " WHERE doc_id = ? AND to_version <= ?",
        doc, (long) ops.size()).one().getLong(0));
    assertChangeTakes(7, ops.size() - 7);
    // and a stored change is what a long span is made of: one replaced by a marker shows in the answer
    session.execute("UPDATE " + changes + " SET delta = ? WHERE doc_id = ? AND to_version = ?",
        "[{\"insert\":\"MARKER\"}]", doc, 2L * EVERY);
    assertTrue(api.send("GET", "/v1/docs/" + doc + "/changes?from=0&to=" + 4 * EVERY, vic, null).body().contains("MARKER"));
    session.execute("DELETE FROM " + changes + " WHERE doc_id = ? AND to_version = ?", doc, 2L * EVERY);
    assertChangeTakes(0, 4L * EVERY); // composed from its ops again
    problem(api.send("GET", "/v1/docs/" + doc + "/changes?from=9&to=3", vic, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs/" + doc + "/changes", vic, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs/" + doc + "/changes?from=1&to=abc", vic, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs/" + doc + "/changes?from=1&to=" + (version() + 1), vic, null), 404, "not_found");
  }

  @Test
  void aRevertBringsAnOldVersionBackAsANewOneAndCanItselfBeReverted() throws Exception {
    String revertDoc = api.create(alice, "Revert");
    api.share(alice, revertDoc, ed.principal(), "editor");
    api.share(alice, revertDoc, vic.principal(), "viewer");
    try (var a = TandemClient.connect(http, TestNode.base(node), alice.token(), revertDoc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      for (int i = 0; i < 40; i++) {
        a.insert(a.text().length() / 2, "w" + i + " ");
        a.awaitSettled(Duration.ofSeconds(30));
      }
    }
    String path = "/v1/docs/" + revertDoc;
    long before = ok(api.send("GET", path, alice, null), 200).get("version").asLong();
    JsonNode old = ok(api.send("GET", path + "/versions/12", vic, null), 200).get("content");
    JsonNode current = ok(api.send("GET", path + "/versions/" + before, vic, null), 200).get("content");

    problem(api.send("POST", path + "/revert", vic, "{\"version\":12}"), 403, "forbidden");
    problem(api.send("POST", path + "/revert", stranger, "{\"version\":12}"), 404, "not_found");
    problem(api.send("POST", path + "/revert", ed, "{\"version\":\"12\"}"), 400, "invalid_message");
    problem(api.send("POST", path + "/revert", ed, "{\"version\":" + (before + 5) + "}"), 404, "not_found");

    JsonNode reverted = ok(api.send("POST", path + "/revert", ed, "{\"version\":12}"), 200);
    assertEquals(before + 1, reverted.get("version").asLong(), "one new version");
    assertEquals(old, ok(api.send("GET", path, alice, null), 200).get("content"));
    JsonNode last = ok(api.send("GET", path + "/history?cursor=" + cursorAfter(before), alice, null), 200).get("items");
    assertEquals(1, last.size());
    assertEquals(ed.id(), last.get(0).get("userId").asText(), "the revert is ed's op");

    // the revert reverted: the text as it was before it
    JsonNode again = ok(api.send("POST", path + "/revert", ed, "{\"version\":" + before + "}"), 200);
    assertEquals(before + 2, again.get("version").asLong());
    assertEquals(current, ok(api.send("GET", path, alice, null), 200).get("content"));
    // reverting to the current version changes nothing
    JsonNode none = ok(api.send("POST", path + "/revert", ed, "{\"version\":" + (before + 2) + "}"), 200);
    assertFalse(none.get("changed").asBoolean());
    assertEquals(before + 2, none.get("version").asLong());
  }

  private static String cursorAfter(long version) {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("v" + version).getBytes());
  }

  @Test
  void namedVersionsAreListedWithWhoAndWhenOnlyEditorsNameAndTheySurviveARestart() throws Exception {
    String path = "/v1/docs/" + doc + "/versions";
    long v = version();
    JsonNode named = ok(api.send("POST", path, ed, "{\"name\":\"  First draft  \"}"), 201);
    assertEquals("First draft", named.get("name").asText());
    assertEquals(v, named.get("version").asLong());
    assertEquals(ed.id(), named.get("by").asText());
    problem(api.send("POST", path, vic, "{\"name\":\"mine\"}"), 403, "forbidden");
    problem(api.send("POST", path, stranger, "{\"name\":\"mine\"}"), 404, "not_found");
    problem(api.send("POST", path, ed, "{\"name\":\"   \"}"), 400, "invalid_message");
    problem(api.send("POST", path, ed, "{\"name\":\"" + "x".repeat(101) + "\"}"), 400, "invalid_message");
    problem(api.send("POST", path, ed, "{\"title\":\"x\"}"), 400, "invalid_message");

    node.close();
    node = Node.start(config);
    JsonNode list = ok(api.send("GET", path, vic, null), 200);
    assertTrue(list.get("items").size() >= 1);
    JsonNode first = list.get("items").get(0);
    assertEquals("First draft", first.get("name").asText());
    assertEquals(v, first.get("version").asLong());
    assertEquals(ed.id(), first.get("by").asText());
    assertFalse(first.get("at").asText().isEmpty());
  }

  @Test
  void viewersReadTheHistoryAndStrangersDoNotLearnItExists() throws Exception {
    for (String p : new String[] {"/history", "/versions/10", "/versions", "/changes?from=1&to=2", "/activity"}) {
      ok(api.send("GET", "/v1/docs/" + doc + p, vic, null), 200);
      problem(api.send("GET", "/v1/docs/" + doc + p, stranger, null), 404, "not_found");
      problem(api.send("GET", "/v1/docs/" + doc + p, (String) null, null), 401, "unauthorized");
    }
  }

  @Test
  void activityGroupsTheOpsIntoSessionsNewestFirstCoveringEveryVersionOnce() throws Exception {
    var sessions = new ArrayList<JsonNode>();
    String cursor = null;
    do {
      JsonNode page = ok(api.send("GET", "/v1/docs/" + doc + "/activity?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), vic, null), 200);
      page.get("items").forEach(sessions::add);
      cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
    } while (cursor != null);
    long next = version();
    long opsSeen = 0;
    for (JsonNode s : sessions) {
      assertEquals(next, s.get("toVersion").asLong(), "sessions are contiguous, newest first: " + sessions);
      next = s.get("fromVersion").asLong() - 1;
      opsSeen += s.get("ops").asLong();
    }
    assertEquals(0, next, "down to the first version");
    assertEquals(version(), opsSeen);
    // newest first: alice's four, eddie's five, alice's typing of the trace in one sitting
    assertEquals(List.of(alice.id(), ed.id(), alice.id()), sessions.stream().map(s -> s.get("userId").asText()).toList());
    assertEquals(List.of(4, 5, ops.size() - 9), sessions.stream().map(s -> s.get("ops").asInt()).toList());
    assertEquals(List.of(4, 5), sessions.subList(0, 2).stream().map(s -> s.get("added").asInt()).toList());
    assertTrue(sessions.get(2).get("added").asInt() > 0 && sessions.get(2).get("removed").asInt() > 0);
  }
}
