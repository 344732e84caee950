package io.tandem.app.groups;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Groups over real HTTP, and documents shared with a group: membership acts at once. */
class GroupsIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static User alice;
  private static User bob;
  private static User carol;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)).withFallback(TestNode.config(cassandra)));
    alice = api.register("alice");
    bob = api.register("bob");
    carol = api.register("carol");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static List<String> ids(JsonNode list) {
    var out = new ArrayList<String>();
    list.get("items").forEach(i -> out.add(i.get("id").asText()));
    return out;
  }

  @Test
  void theOwnerManagesMembersAndOnlyMembersSeeTheGroup() throws Exception {
    JsonNode g = ok(api.send("POST", "/v1/groups", alice, "{\"name\":\" Writers \"}"), 201);
    String id = g.get("id").asText();
    assertEquals("Writers", g.get("name").asText());
    assertEquals(List.of(alice.id()), List.of(g.get("members").get(0).asText()));
    assertTrue(ids(ok(api.send("GET", "/v1/groups", alice, null), 200)).contains(id));
    problem(api.send("GET", "/v1/groups/" + id, bob, null), 404, "not_found");

    JsonNode added = ok(api.send("PUT", "/v1/groups/" + id + "/members/" + bob.id(), alice, null), 200);
    assertEquals(2, added.get("members").size());
    ok(api.send("PUT", "/v1/groups/" + id + "/members/" + bob.id(), alice, null), 200); // again: no change
    assertEquals(2, ok(api.send("GET", "/v1/groups/" + id, bob, null), 200).get("members").size());
    assertTrue(ids(ok(api.send("GET", "/v1/groups", bob, null), 200)).contains(id));

    problem(api.send("PUT", "/v1/groups/" + id + "/members/" + carol.id(), bob, null), 403, "forbidden");
    problem(api.send("DELETE", "/v1/groups/" + id + "/members/" + alice.id(), bob, null), 403, "forbidden");
    problem(api.send("PUT", "/v1/groups/" + id + "/members/no-such-user", alice, null), 404, "not_found");
    problem(api.send("DELETE", "/v1/groups/" + id + "/members/" + alice.id(), alice, null), 409, "conflict");
    problem(api.send("POST", "/v1/groups", alice, "{\"name\":\"\"}"), 400, "invalid_message");
    problem(api.send("POST", "/v1/groups", alice, "{\"name\":7}"), 400, "invalid_message");
    problem(api.send("POST", "/v1/groups", alice, "{\"name\":\"" + "n".repeat(101) + "\"}"), 400, "invalid_message");
    problem(api.send("GET", "/v1/groups/no-such-group", alice, null), 404, "not_found");
    problem(api.send("GET", "/v1/groups", (String) null, null), 401, "unauthorized");
    assertEquals(2, ok(api.send("GET", "/v1/groups/" + id, alice, null), 200).get("members").size(), "nothing changed");

    assertEquals(null, ok(api.send("DELETE", "/v1/groups/" + id + "/members/" + bob.id(), bob, null), 204), "bob leaves");
    problem(api.send("GET", "/v1/groups/" + id, bob, null), 404, "not_found");
  }

  @Test
  void aGroupsGrantReachesItsMembersAndLeavesWithThemAtOnce() throws Exception {
    String team = ok(api.send("POST", "/v1/groups", alice, "{\"name\":\"Team\"}"), 201).get("id").asText();
    ok(api.send("PUT", "/v1/groups/" + team + "/members/" + carol.id(), alice, null), 200);
    String doc = api.create(alice, "Team plan");
    problem(api.send("GET", "/v1/docs/" + doc, carol, null), 404, "not_found");

    String bobs = ok(api.send("POST", "/v1/groups", bob, "{\"name\":\"Bob's\"}"), 201).get("id").asText();
    problem(api.send("PUT", "/v1/docs/" + doc + "/permissions/group:" + bobs, alice, "{\"role\":\"viewer\"}"), 404, "not_found");
    problem(api.send("PUT", "/v1/docs/" + doc + "/permissions/group:no-such-group", alice, "{\"role\":\"viewer\"}"), 404, "not_found");
    assertEquals(1, ok(api.send("GET", "/v1/docs/" + doc + "/permissions", alice, null), 200).get("items").size(),
        "only into a group one is in");
    api.share(alice, doc, "group:" + team, "editor");
    assertEquals("editor", ok(api.send("GET", "/v1/docs/" + doc, carol, null), 200).get("role").asText());
    assertTrue(ids(ok(api.send("GET", "/v1/docs", carol, null), 200)).contains(doc), "in the member's list at once");
    ok(api.send("PATCH", "/v1/docs/" + doc, carol, "{\"title\":\"Carol's plan\"}"), 200);

    api.share(alice, doc, carol.principal(), "viewer");
    assertEquals("editor", ok(api.send("GET", "/v1/docs/" + doc, carol, null), 200).get("role").asText(),
        "the highest role any grant gives");
    JsonNode listed = ok(api.send("GET", "/v1/docs", carol, null), 200);
    assertEquals(1, ids(listed).stream().filter(doc::equals).count(), "listed once though given twice");
    assertEquals("editor", listed.get("items").get(0).get("role").asText());

    ok(api.send("DELETE", "/v1/groups/" + team + "/members/" + carol.id(), alice, null), 200);
    assertEquals("viewer", ok(api.send("GET", "/v1/docs/" + doc, carol, null), 200).get("role").asText(),
        "out of the group: her own grant is left");
    problem(api.send("PATCH", "/v1/docs/" + doc, carol, "{\"title\":\"x\"}"), 403, "forbidden");
    ok(api.send("DELETE", "/v1/docs/" + doc + "/permissions/" + carol.principal(), alice, null), 200);
    problem(api.send("GET", "/v1/docs/" + doc, carol, null), 404, "not_found");
    assertTrue(!ids(ok(api.send("GET", "/v1/docs", carol, null), 200)).contains(doc));
  }
}
