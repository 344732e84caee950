package io.tandem.app.docs;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may do what, over real HTTP: each kind of caller (owner, editor, commenter, viewer, a group
 * member through the group's grant, a link holder, a stranger) tries each action (read, rename,
 * share, delete, restore) on a fresh document; every answer is checked, and a refused action is
 * checked to have changed nothing. A document the caller may not see is 404, one they see but may
 * not change is 403 (PROTOCOL.md); a trashed document is seen by its owners only.
 */
class AccessMatrixIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);
  private static User owner;
  private static Map<String, User> callers;
  private static String teamId;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)).withFallback(TestNode.config(cassandra)));
    owner = api.register("olivia");
    callers = Map.of(
        "owner", owner,
        "editor", api.register("eddie"),
        "commenter", api.register("cora"),
        "viewer", api.register("vic"),
        "group member", api.register("gina"),
        "link holder", api.register("lenny"),
        "stranger", api.register("sam"));
    JsonNode team = ok(api.send("POST", "/v1/groups", owner, "{\"name\":\"Team\"}"), 201);
    teamId = team.get("id").asText();
    ok(api.send("PUT", "/v1/groups/" + teamId + "/members/" + callers.get("group member").id(), owner, null), 200);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  /** The expected status of each action, per caller: read, rename, share, delete, restore. */
  static Stream<Arguments> matrix() {
    var expected = Map.of(
        "owner", List.of(200, 200, 200, 200, 200),
        "editor", List.of(200, 200, 403, 403, 404),
        "commenter", List.of(200, 403, 403, 403, 404),
        "viewer", List.of(200, 403, 403, 403, 404),
        "group member", List.of(200, 200, 403, 403, 404), // the group is an editor
        "link holder", List.of(200, 403, 403, 403, 404), // the link gives viewer
        "stranger", List.of(404, 404, 404, 404, 404));
    var actions = List.of("read", "rename", "share", "delete", "restore");
    return expected.entrySet().stream().flatMap(e -> actions.stream()
        .map(a -> Arguments.of(e.getKey(), a, e.getValue().get(actions.indexOf(a)))));
  }

  /** A document owned by {@code owner} on which {@code who} holds their role. */
  private static String documentFor(String who) throws Exception {
    String id = api.create(owner, "Matrix");
    switch (who) {
      case "editor", "commenter", "viewer" -> api.share(owner, id, callers.get(who).principal(), who);
      case "group member" -> api.share(owner, id, "group:" + teamId, "editor");
      case "link holder" -> api.share(owner, id, "anyone-with-link", "viewer");
      default -> { }
    }
    return id;
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("matrix")
  void eachCallerMayDoWhatTheirRoleAllows(String who, String action, int status) throws Exception {
    User caller = callers.get(who);
    String id = documentFor(who);
    String doc = "/v1/docs/" + id;
    if (action.equals("restore")) ok(api.send("DELETE", doc, owner, null), 200);
    JsonNode before = ok(api.send("GET", doc, owner, null), 200);
    JsonNode permsBefore = ok(api.send("GET", doc + "/permissions", owner, null), 200);

    HttpResponse<String> r = switch (action) {
      case "read" -> api.send("GET", doc, caller, null);
      case "rename" -> api.send("PATCH", doc, caller, "{\"title\":\"Changed\"}");
      case "share" -> api.send("PUT", doc + "/permissions/anyone-with-link", caller, "{\"role\":\"editor\"}");
      case "delete" -> api.send("DELETE", doc, caller, null);
      case "restore" -> api.send("POST", doc + "/restore", caller, null);
      default -> throw new IllegalArgumentException(action);
    };
    assertEquals(status, r.statusCode(), who + " " + action + ": " + r.body());
    if (status != 200) {
      String code = status == 404 ? "not_found" : "forbidden";
      assertEquals(code, TestApi.JSON.readTree(r.body()).get("code").asText());
      JsonNode after = ok(api.send("GET", doc, owner, null), 200);
      assertEquals(before.get("title"), after.get("title"), "refused: nothing changed");
      assertEquals(before.has("trashedAt"), after.has("trashedAt"), "refused: nothing changed");
      assertEquals(permsBefore, ok(api.send("GET", doc + "/permissions", owner, null), 200), "refused: nothing changed");
    } else if (action.equals("read")) {
      String role = switch (who) {
        case "group member" -> "editor";
        case "link holder" -> "viewer";
        default -> who;
      };
      assertEquals(role, TestApi.JSON.readTree(r.body()).get("role").asText());
    }
  }
}
