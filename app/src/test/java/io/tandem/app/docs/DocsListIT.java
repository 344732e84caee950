package io.tandem.app.docs;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/docs} on the real stack: paging, each change showing in every list at once
 * (written through), and the projection alone rebuilding every list from the journal.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocsListIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Config config;
  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static User alice;
  private static User bob;
  private static User dave;

  @BeforeAll
  static void start() throws Exception {
    config = ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)).withFallback(TestNode.config(cassandra));
    node = Node.start(config);
    alice = api.register("alice");
    bob = api.register("bob");
    dave = api.register("dave");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  /** Every item of {@code user}'s list on {@code shelf}, page by page; no page is longer than {@code limit}. */
  private static List<JsonNode> all(User user, String shelf, int limit) throws Exception {
    var items = new ArrayList<JsonNode>();
    String cursor = null;
    for (int pages = 0; pages < 1000; pages++) {
      String q = "/v1/docs?shelf=" + shelf + "&limit=" + limit
          + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
      JsonNode page = ok(api.send("GET", q, user, null), 200);
      assertTrue(page.get("items").size() <= limit);
      page.get("items").forEach(items::add);
      if (!page.has("nextCursor")) return items;
      cursor = page.get("nextCursor").asText();
    }
    throw new AssertionError("the list does not end");
  }

  private static List<String> ids(List<JsonNode> items) {
    return items.stream().map(i -> i.get("id").asText()).toList();
  }

  private static JsonNode entry(User user, String shelf, String docId) throws Exception {
    return all(user, shelf, 100).stream().filter(i -> i.get("id").asText().equals(docId)).findFirst().orElse(null);
  }

  @Test
  @Order(1)
  void twoHundredFiftyDocumentsComePageByPageEachOnceNewestFirst() throws Exception {
    var created = new LinkedHashSet<String>();
    for (int i = 0; i < 250; i++) created.add(api.create(dave, "Doc " + i));
    List<JsonNode> items = all(dave, "active", 40);
    List<String> listed = ids(items);
    assertEquals(250, listed.size(), "each document once");
    assertEquals(created, new HashSet<>(listed));
    for (int i = 1; i < items.size(); i++) {
      Instant before = Instant.parse(items.get(i - 1).get("createdAt").asText());
      Instant after = Instant.parse(items.get(i).get("createdAt").asText());
      assertFalse(after.isAfter(before), "newest first");
    }
    assertEquals("Doc 249", items.get(0).get("title").asText());
    JsonNode first = ok(api.send("GET", "/v1/docs", dave, null), 200);
    assertEquals(50, first.get("items").size(), "50 by default");
    assertTrue(first.has("nextCursor"));
    assertEquals(250, ids(all(dave, "active", 100)).size());
    assertEquals(250, ids(all(dave, "active", 1)).size());
  }

  @Test
  @Order(2)
  void everyChangeShowsInEveryListAtOnce() throws Exception {
    String id = api.create(alice, "Fresh");
    assertEquals(id, ids(all(alice, "active", 10)).get(0), "mine at once, on top");
    assertEquals("owner", entry(alice, "active", id).get("role").asText());
    assertEquals(alice.id(), entry(alice, "active", id).get("ownerId").asText());
    assertEquals(null, entry(bob, "active", id));

    api.share(alice, id, bob.principal(), "viewer");
    assertEquals("viewer", entry(bob, "active", id).get("role").asText(), "given: in bob's list at once");
    ok(api.send("PATCH", "/v1/docs/" + id, alice, "{\"title\":\"Renamed\"}"), 200);
    assertEquals("Renamed", entry(bob, "active", id).get("title").asText());
    api.share(alice, id, bob.principal(), "editor");
    assertEquals("editor", entry(bob, "active", id).get("role").asText());
    ok(api.send("DELETE", "/v1/docs/" + id + "/permissions/" + bob.principal(), alice, null), 200);
    assertEquals(null, entry(bob, "active", id), "revoked: gone from bob's list at once");

    api.share(alice, id, bob.principal(), "editor");
    ok(api.send("DELETE", "/v1/docs/" + id, alice, null), 200);
    assertEquals(null, entry(alice, "active", id));
    assertEquals(null, entry(bob, "active", id));
    assertTrue(entry(alice, "trash", id).has("trashedAt"), "in the owner's trash");
    assertEquals(null, entry(bob, "trash", id), "only owners have it in their trash");
    ok(api.send("POST", "/v1/docs/" + id + "/restore", alice, null), 200);
    assertEquals(null, entry(alice, "trash", id));
    assertEquals("editor", entry(bob, "active", id).get("role").asText());

    problem(api.send("POST", "/v1/docs/" + id + "/transfer", alice, "{\"userId\":\"" + dave.id() + "\"}"), 409, "conflict");
    problem(api.send("POST", "/v1/docs/" + id + "/transfer", alice, "{\"userId\":\"" + alice.id() + "\"}"), 409, "conflict");
    problem(api.send("POST", "/v1/docs/" + id + "/transfer", alice, "{\"userId\":7}"), 400, "invalid_message");
    assertEquals("owner", entry(alice, "active", id).get("role").asText(), "refused transfers change nothing");
    ok(api.send("POST", "/v1/docs/" + id + "/transfer", alice, "{\"userId\":\"" + bob.id() + "\"}"), 200);
    assertEquals("owner", entry(bob, "active", id).get("role").asText());
    assertEquals("editor", entry(alice, "active", id).get("role").asText());

    String shared = api.create(alice, "Co-owned");
    api.share(alice, shared, dave.principal(), "owner");
    assertEquals(null, ok(api.send("DELETE", "/v1/docs/" + shared + "/permissions/" + dave.principal(), dave, null), 204),
        "a co-owner gives their own access away");
    assertEquals(null, entry(dave, "active", shared), "and it leaves their list at once");
    problem(api.send("GET", "/v1/docs/" + shared, dave, null), 404, "not_found");
  }

  @Test
  @Order(3)
  void badListRequestsAreProblems() throws Exception {
    problem(api.send("GET", "/v1/docs?cursor=not-a-cursor", alice, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs?cursor=MTp4Ong", alice, null), 400, "invalid_message"); // "1:x:x"
    problem(api.send("GET", "/v1/docs?limit=0", alice, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs?limit=101", alice, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs?limit=ten", alice, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs?shelf=bin", alice, null), 400, "invalid_message");
    problem(api.send("GET", "/v1/docs", (String) null, null), 401, "unauthorized");
  }

  /**
   * The read model is wiped (rows, the projection's memory and its offsets) and the node restarted:
   * the projection alone, replaying the tagged events from Cassandra, brings every list back.
   */
  @Test
  @Order(4)
  void theProjectionAloneRebuildsEveryList() throws Exception {
    var before = Map.of(alice, ids(all(alice, "active", 100)), bob, ids(all(bob, "active", 100)),
        dave, ids(all(dave, "active", 100)));
    node.close();
    node = null;
    var session = cassandra.session();
    for (String table : List.of("docs_by_principal", "docs", "offset_store", "trash_by_day")) {
      session.execute("TRUNCATE " + cassandra.keyspace() + "." + table);
    }
    node = Node.start(config);
    for (var user : before.keySet()) {
      List<String> now = List.of();
      for (int i = 0; i < 600 && !now.equals(before.get(user)); i++) { // until the projection has caught up
        Thread.sleep(100);
        now = ids(all(user, "active", 100));
      }
      assertEquals(before.get(user), now);
    }
    Set<String> aliceRoles = new HashSet<>();
    all(alice, "active", 100).forEach(i -> aliceRoles.add(i.get("role").asText()));
    assertEquals(Set.of("editor", "owner"), aliceRoles, "the transferred document with alice's role after it, and hers");
  }
}
