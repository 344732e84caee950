package io.tandem.app.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Documents and their permissions over real HTTP, journaled to the real Cassandra. */
class DocumentsIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Config config;
  private static Node node;
  private static String alice;
  private static String bob;
  private static String bobId;

  @BeforeAll
  static void start() throws Exception {
    config = ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)).withFallback(TestNode.config(cassandra));
    node = Node.start(config);
    alice = register("alice").get("token").asText();
    JsonNode b = register("bob");
    bob = b.get("token").asText();
    bobId = b.get("userId").asText();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static JsonNode register(String name) throws Exception {
    var r = send("POST", "/v1/auth/register", null, "{\"username\":\"" + name + "\",\"password\":\"password1\"}");
    assertEquals(201, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    var b = HttpRequest.newBuilder(TestNode.base(node).resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static void problem(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
    assertEquals(code, JSON.readTree(r.body()).get("code").asText(), r.body());
  }

  private static String create(String title) throws Exception {
    var r = send("POST", "/v1/docs", alice, "{\"title\":\"" + title + "\"}");
    JsonNode doc = ok(r, 201);
    assertEquals("/v1/docs/" + doc.get("id").asText(), r.headers().firstValue("location").orElse(""));
    return doc.get("id").asText();
  }

  @Test
  void theOwnerCreatesReadsAndRenamesAndAStrangerSeesNothing() throws Exception {
    String id = create("Notes");
    JsonNode doc = ok(send("GET", "/v1/docs/" + id, alice, null), 200);
    assertEquals("Notes", doc.get("title").asText());
    assertEquals("owner", doc.get("role").asText());
    assertEquals(0, doc.get("version").asInt());
    assertTrue(doc.get("content").isArray());
    problem(send("GET", "/v1/docs/" + id, bob, null), 404, "not_found");
    problem(send("GET", "/v1/docs/" + id, null, null), 401, "unauthorized");
    assertEquals("Plans", ok(send("PATCH", "/v1/docs/" + id, alice, "{\"title\":\"Plans\"}"), 200).get("title").asText());
    problem(send("PATCH", "/v1/docs/" + id, bob, "{\"title\":\"Mine\"}"), 404, "not_found");
    problem(send("GET", "/v1/docs/no-such-doc", alice, null), 404, "not_found");
  }

  @Test
  void sharingGivesRolesAndRevokingTakesThemAtOnce() throws Exception {
    String id = create("Shared");
    JsonNode perms = ok(send("PUT", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, "{\"role\":\"viewer\"}"), 200);
    assertEquals(2, perms.get("items").size());
    assertEquals("viewer", ok(send("GET", "/v1/docs/" + id, bob, null), 200).get("role").asText());
    problem(send("PATCH", "/v1/docs/" + id, bob, "{\"title\":\"x\"}"), 403, "forbidden");
    problem(send("DELETE", "/v1/docs/" + id, bob, null), 403, "forbidden");
    problem(send("PUT", "/v1/docs/" + id + "/permissions/anyone-with-link", bob, "{\"role\":\"viewer\"}"), 403, "forbidden");
    ok(send("PUT", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, "{\"role\":\"editor\"}"), 200);
    assertEquals("Bob's", ok(send("PATCH", "/v1/docs/" + id, bob, "{\"title\":\"Bob's\"}"), 200).get("title").asText());
    ok(send("DELETE", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, null), 200);
    problem(send("GET", "/v1/docs/" + id, bob, null), 404, "not_found");
    problem(send("DELETE", "/v1/docs/" + id + "/permissions/user:" + JSON.readTree(
        send("GET", "/v1/me", alice, null).body()).get("userId").asText(), alice, null), 409, "conflict");
  }

  @Test
  void linkSharingLetsAnySignedInUserIn() throws Exception {
    String id = create("Public");
    problem(send("GET", "/v1/docs/" + id, bob, null), 404, "not_found");
    ok(send("PUT", "/v1/docs/" + id + "/permissions/anyone-with-link", alice, "{\"role\":\"commenter\"}"), 200);
    assertEquals("commenter", ok(send("GET", "/v1/docs/" + id, bob, null), 200).get("role").asText());
    JsonNode seenByBob = ok(send("GET", "/v1/docs/" + id + "/permissions", bob, null), 200);
    assertEquals(0, seenByBob.get("items").size(), "only owners see the whole list");
  }

  @Test
  void deleteMovesToTheTrashAndRestoreBringsItBack() throws Exception {
    String id = create("Old");
    ok(send("PUT", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, "{\"role\":\"editor\"}"), 200);
    assertTrue(ok(send("DELETE", "/v1/docs/" + id, alice, null), 200).has("trashedAt"));
    problem(send("GET", "/v1/docs/" + id, bob, null), 404, "not_found");
    problem(send("PATCH", "/v1/docs/" + id, alice, "{\"title\":\"x\"}"), 403, "forbidden");
    assertTrue(!ok(send("POST", "/v1/docs/" + id + "/restore", alice, null), 200).has("trashedAt"));
    assertEquals("editor", ok(send("GET", "/v1/docs/" + id, bob, null), 200).get("role").asText());
    problem(send("POST", "/v1/docs/" + id + "/restore", bob, null), 403, "forbidden"); // sees it, may not
  }

  @Test
  void badRequestsAreProblemsAndChangeNothing() throws Exception {
    String id = create("Kept");
    problem(send("POST", "/v1/docs", alice, "{\"title\":5}"), 400, "invalid_message");
    problem(send("POST", "/v1/docs", alice, "not json"), 400, "invalid_message");
    problem(send("PATCH", "/v1/docs/" + id, alice, "{}"), 400, "invalid_message");
    problem(send("PATCH", "/v1/docs/" + id, alice, "{\"title\":\"" + "x".repeat(201) + "\"}"), 400, "invalid_message");
    problem(send("PUT", "/v1/docs/" + id + "/permissions/robot:x", alice, "{\"role\":\"viewer\"}"), 400, "invalid_message");
    problem(send("PUT", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, "{\"role\":\"admin\"}"), 400, "invalid_message");
    problem(send("PUT", "/v1/docs/" + id + "/permissions/anyone-with-link", alice, "{\"role\":\"owner\"}"), 409, "conflict");
    problem(send("PATCH", "/v1/docs/" + id, alice, "{\"title\":\"" + "y".repeat(70_000) + "\"}"), 413, "too_large");
    JsonNode doc = ok(send("GET", "/v1/docs/" + id, alice, null), 200);
    assertEquals("Kept", doc.get("title").asText());
    assertEquals(1, ok(send("GET", "/v1/docs/" + id + "/permissions", alice, null), 200).get("items").size());
  }

  @Test
  void documentsSurviveARestartOfTheNode() throws Exception {
    String id = create("Durable");
    ok(send("PUT", "/v1/docs/" + id + "/permissions/user:" + bobId, alice, "{\"role\":\"viewer\"}"), 200);
    node.close();
    node = Node.start(config.withFallback(ConfigFactory.empty()));
    assertEquals("Durable", ok(send("GET", "/v1/docs/" + id, alice, null), 200).get("title").asText());
    assertEquals("viewer", ok(send("GET", "/v1/docs/" + id, bob, null), 200).get("role").asText());
  }
}
