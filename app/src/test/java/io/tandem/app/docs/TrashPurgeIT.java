package io.tandem.app.docs;

import static io.tandem.app.TestApi.ok;
import static io.tandem.app.TestApi.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import io.tandem.projections.history.Checkpoints;
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

/**
 * The trash is emptied after the retention: purged documents are gone for everyone, for ever, and
 * so is everything they left in Cassandra but the tombstone event.
 */
class TrashPurgeIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static com.typesafe.config.Config config;
  private static final TestApi api = new TestApi(() -> node);
  private static User alice;

  @BeforeAll
  static void start() throws Exception {
    // checkpoints every 10 ops and snapshots every 10 events: the erasure has some of each to erase
    config = ConfigFactory.parseMap(Map.of(
            "tandem.auth.bcrypt-cost", 4,
            "tandem.trash.retention", "3s",
            "tandem.trash.purge-interval", "500ms",
            "tandem.docs.checkpoint-every", 10,
            "tandem.docs.snapshot-every", 10))
        .withFallback(TestNode.config(cassandra));
    node = Node.start(config);
    alice = api.register("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static int trashSize() throws Exception {
    return ok(api.send("GET", "/v1/docs?shelf=trash", alice, null), 200).get("items").size();
  }

  @Test
  void aDocumentLeftInTheTrashIsPurgedAndOneRestoredIsKept() throws Exception {
    String gone = api.create(alice, "Old draft");
    String kept = api.create(alice, "Keeper");
    ok(api.send("DELETE", "/v1/docs/" + gone, alice, null), 200);
    ok(api.send("DELETE", "/v1/docs/" + kept, alice, null), 200);
    assertEquals(2, trashSize());
    ok(api.send("POST", "/v1/docs/" + kept + "/restore", alice, null), 200);

    for (int i = 0; i < 600 && trashSize() > 0; i++) Thread.sleep(100); // retention, projection lag, a pass
    assertEquals(0, trashSize(), "emptied");
    problem(api.send("GET", "/v1/docs/" + gone, alice, null), 404, "not_found");
    problem(api.send("POST", "/v1/docs/" + gone + "/restore", alice, null), 404, "not_found");
    JsonNode keeper = ok(api.send("GET", "/v1/docs/" + kept, alice, null), 200);
    assertEquals("Keeper", keeper.get("title").asText());
    var active = ok(api.send("GET", "/v1/docs", alice, null), 200).get("items");
    assertEquals(1, active.size());
    assertEquals(kept, active.get(0).get("id").asText());
  }

  /** Rows of {@code cql} (one bind value) in the test's keyspace. */
  private static List<com.datastax.oss.driver.api.core.cql.Row> rows(String cql, Object... values) {
    return cassandra.session().execute(cql.replace("$ks", cassandra.keyspace()), values).all();
  }

  /** What Cassandra still holds of document {@code doc} ({@code pid} its persistence id), by table. */
  private static Map<String, Integer> leftOf(String doc, String pid) {
    var left = new java.util.TreeMap<String, Integer>();
    left.put("messages", rows("SELECT sequence_nr FROM $ks.messages WHERE persistence_id = ? AND partition_nr = 0", pid).size());
    left.put("snapshots", rows("SELECT sequence_nr FROM $ks.snapshots WHERE persistence_id = ?", pid).size());
    left.put("tag_views", (int) rows("SELECT persistence_id FROM $ks.tag_views").stream()
        .filter(r -> r.getString(0).equals(pid)).count());
    for (String t : List.of("doc_checkpoints", "doc_op_blocks", "doc_block_changes", "doc_sessions")) {
      left.put(t, rows("SELECT doc_id FROM $ks." + t + " WHERE doc_id = ?", doc).size());
    }
    left.put("trash_by_day", (int) rows("SELECT doc_id FROM $ks.trash_by_day").stream().filter(r -> r.getString(0).equals(doc)).count());
    return left;
  }

  @Test
  void aPurgedDocumentLeavesOnlyItsTombstoneItsTextHistoryAndTitleAreErased() throws Exception {
    User bob = api.register("bob");
    String doc = api.create(bob, "Secret plans");
    String pid = "Document|" + doc;
    var http = HttpClient.newHttpClient();
    try (var c = TandemClient.connect(http, TestNode.base(node), bob.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      for (int i = 0; i < 25; i++) {
        c.insert(c.text().length(), "secret" + i + " ");
        c.awaitSettled(Duration.ofSeconds(30));
      }
    }
    ok(api.send("POST", "/v1/docs/" + doc + "/versions", bob, "{\"name\":\"first draft\"}"), 201);
    var checkpoints = new Checkpoints(cassandra.session(), cassandra.keyspace());
    for (int i = 0; i < 300 && checkpoints.versions(doc).toCompletableFuture().get(10, TimeUnit.SECONDS).size() < 2; i++) {
      Thread.sleep(100);
    }
    var before = leftOf(doc, pid);
    for (String t : List.of("messages", "snapshots", "tag_views", "doc_checkpoints", "doc_op_blocks", "doc_block_changes", "doc_sessions")) {
      assertTrue(before.get(t) > 0, "the document has rows in " + t + " to erase: " + before);
    }

    ok(api.send("DELETE", "/v1/docs/" + doc, bob, null), 200);
    // left: the Purged event, and its tagged copy (for the lists' projection)
    var erased = new java.util.TreeMap<>(Map.of("messages", 1, "snapshots", 0, "tag_views", 1, "doc_checkpoints", 0,
        "doc_op_blocks", 0, "doc_block_changes", 0, "doc_sessions", 0, "trash_by_day", 0));
    Map<String, Integer> left = leftOf(doc, pid);
    for (int i = 0; i < 300 && !left.equals(erased); i++) { // retention, a pass, the erasure
      Thread.sleep(100);
      left = leftOf(doc, pid);
    }
    assertEquals(erased, left, "only the Purged event is left");
    var docRow = rows("SELECT title, purged FROM $ks.docs WHERE doc_id = ?", doc).get(0);
    assertEquals("", docRow.getString("title"), "the title is erased from the lists' index too");
    assertTrue(docRow.getBoolean("purged"));
    problem(api.send("GET", "/v1/docs/" + doc, bob, null), 404, "not_found");
    assertEquals(0, ok(api.send("GET", "/v1/docs?shelf=trash", bob, null), 200).get("items").size());

    // an erasure cut short (or a history row written back by work under way) is finished by a
    // later pass: the document stays in the purger's index until nothing of it is left
    String ks = cassandra.keyspace();
    cassandra.session().execute("INSERT INTO " + ks + ".doc_checkpoints (doc_id, version, content, written_at) VALUES (?, ?, ?, ?)",
        doc, 10L, "[{\"insert\":\"secret0 \"}]", java.time.Instant.now());
    var trashedAt = java.time.Instant.now().minusSeconds(60);
    cassandra.session().execute("INSERT INTO " + ks + ".trash_by_day (day, doc_id, trashed_at) VALUES (?, ?, ?)",
        java.time.LocalDate.ofInstant(trashedAt, java.time.ZoneOffset.UTC).toString(), doc, trashedAt);
    left = leftOf(doc, pid);
    for (int i = 0; i < 300 && !left.equals(erased); i++) {
      Thread.sleep(100);
      left = leftOf(doc, pid);
    }
    assertEquals(erased, left, "erased again, then out of the index");

    // a restarted node recovers the document from its one event: still a tombstone
    node.close();
    node = Node.start(config);
    problem(api.send("GET", "/v1/docs/" + doc, bob, null), 404, "not_found");
    problem(api.send("GET", "/v1/docs/" + doc + "/history", bob, null), 404, "not_found");
    problem(api.send("POST", "/v1/docs/" + doc + "/restore", bob, null), 404, "not_found");
    assertEquals(0, ok(api.send("GET", "/v1/docs", bob, null), 200).get("items").size());
    assertEquals(erased, leftOf(doc, pid));
  }
}
