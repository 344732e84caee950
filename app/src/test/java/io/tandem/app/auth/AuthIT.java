package io.tandem.app.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Accounts and tokens over real HTTP on the real Cassandra, bad input included. */
class AuthIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final byte[] KEY = "the test key of thirty-two bytes".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of(
            "tandem.auth.jwt-secret", Base64.getEncoder().encodeToString(KEY),
            "tandem.auth.bcrypt-cost", 4))
        .withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(TestNode.base(node).resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> me(String authorization) throws Exception {
    var b = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me"));
    if (authorization != null) b.header("Authorization", authorization);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(code, body.get("code").asText(), r.body());
    assertEquals(status, body.get("status").asInt());
  }

  @Test
  void registerThenLoginGivesATokenForMeAndABrowserCookie() throws Exception {
    var r = post("/v1/auth/register", "{\"username\":\"Alice\",\"password\":\"correct horse\",\"displayName\":\"Alice A.\"}");
    assertEquals(201, r.statusCode(), r.body());
    JsonNode created = JSON.readTree(r.body());
    assertEquals("alice", created.get("username").asText());
    assertTrue(Instant.parse(created.get("expiresAt").asText()).isAfter(Instant.now()));
    String cookie = r.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(cookie.startsWith(AuthRoutes.COOKIE + "=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), cookie);

    var login = post("/v1/auth/login", "{\"username\":\"alice\",\"password\":\"correct horse\"}");
    assertEquals(200, login.statusCode(), login.body());
    String token = JSON.readTree(login.body()).get("token").asText();
    var me = me("Bearer " + token);
    assertEquals(200, me.statusCode(), me.body());
    assertEquals(created.get("userId").asText(), JSON.readTree(me.body()).get("userId").asText());
    assertEquals("Alice A.", JSON.readTree(me.body()).get("displayName").asText());

    var viaCookie = http.send(HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me"))
        .header("Cookie", cookie.split(";")[0]).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, viaCookie.statusCode(), viaCookie.body());

    var logout = post("/v1/auth/logout", "");
    assertEquals(204, logout.statusCode(), logout.body());
    String cleared = logout.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(cleared.startsWith(AuthRoutes.COOKIE + "=;") && cleared.contains("Max-Age=0"), cleared);
  }

  @Test
  void aTakenUsernameIsAConflictWhateverItsCase() throws Exception {
    assertEquals(201, post("/v1/auth/register", "{\"username\":\"bob\",\"password\":\"password1\"}").statusCode());
    assertProblem(post("/v1/auth/register", "{\"username\":\"BOB\",\"password\":\"password2\"}"), 409, "conflict");
    // The first account is untouched: its password still works, the second's does not.
    assertEquals(200, post("/v1/auth/login", "{\"username\":\"bob\",\"password\":\"password1\"}").statusCode());
    assertProblem(post("/v1/auth/login", "{\"username\":\"bob\",\"password\":\"password2\"}"), 401, "unauthorized");
  }

  @Test
  void aWrongPasswordOrAnUnknownUserIsUnauthorized() throws Exception {
    assertEquals(201, post("/v1/auth/register", "{\"username\":\"carol\",\"password\":\"password1\"}").statusCode());
    assertProblem(post("/v1/auth/login", "{\"username\":\"carol\",\"password\":\"password9\"}"), 401, "unauthorized");
    assertProblem(post("/v1/auth/login", "{\"username\":\"nobody\",\"password\":\"password1\"}"), 401, "unauthorized");
  }

  @Test
  void badBodiesAreInvalidMessagesAndCreateNothing() throws Exception {
    assertProblem(post("/v1/auth/register", "{\"username\":\"dave\""), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "[1,2]"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"dave\"}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":42,\"password\":\"password1\"}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"dave\",\"password\":[\"x\"]}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"dave\",\"password\":\"password1\",\"displayName\":7}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"d\",\"password\":\"password1\"}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"da ve\",\"password\":\"password1\"}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/register", "{\"username\":\"dave\",\"password\":\"short\"}"), 400, "invalid_message");
    assertProblem(post("/v1/auth/login", "not json"), 400, "invalid_message");
    // Nothing was created: the name is still free.
    assertEquals(201, post("/v1/auth/register", "{\"username\":\"dave\",\"password\":\"password1\"}").statusCode());
  }

  @Test
  void anOversizedBodyIsTooLarge() throws Exception {
    String huge = "{\"username\":\"erin\",\"password\":\"" + "x".repeat(200_000) + "\"}";
    assertProblem(post("/v1/auth/register", huge), 413, "too_large");
    assertProblem(post("/v1/auth/register", "{\"username\":\"erin\",\"password\":\"" + "x".repeat(2_000_000) + "\"}"), 413, "too_large");
    assertEquals(201, post("/v1/auth/register", "{\"username\":\"erin\",\"password\":\"password1\"}").statusCode());
  }

  @Test
  void meRefusesMissingExpiredUnsignedForeignAndReaddressedTokens() throws Exception {
    var r = post("/v1/auth/register", "{\"username\":\"frank\",\"password\":\"password1\"}");
    String userId = JSON.readTree(r.body()).get("userId").asText();
    assertProblem(me(null), 401, "unauthorized");
    assertTrue(me(null).headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
    var expired = new Tokens(KEY, Duration.ofMinutes(5), Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
    assertProblem(me("Bearer " + expired.issue(userId, "frank").token()), 401, "unauthorized");
    var claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(Tokens.ISSUER).subject(userId)
        .expirationTime(java.util.Date.from(Instant.now().plusSeconds(600))).build();
    assertProblem(me("Bearer " + new com.nimbusds.jwt.PlainJWT(claims).serialize()), 401, "unauthorized");
    var foreign = new Tokens("some other key of thirty-two byte".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1), Clock.systemUTC());
    assertProblem(me("Bearer " + foreign.issue(userId, "frank").token()), 401, "unauthorized");
    var valid = new Tokens(KEY, Duration.ofHours(1), Clock.systemUTC());
    String token = valid.issue(userId, "frank").token();
    assertEquals(200, me("Bearer " + token).statusCode());
    // frank's token with its subject changed to another user's, signature kept: refused.
    String[] parts = token.split("\\.");
    var other = post("/v1/auth/register", "{\"username\":\"grace\",\"password\":\"password1\"}");
    String graceId = JSON.readTree(other.body()).get("userId").asText();
    String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace(userId, graceId);
    String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertProblem(me("Bearer " + forged), 401, "unauthorized");
    assertNotEquals(200, me("Bearer " + valid.issue("no-such-user", "ghost").token()).statusCode());
  }

  @Test
  void aSignedInUserFindsAnotherByUsernameInAnyCaseOrByIdAndNobodyElseDoes() throws Exception {
    var api = new io.tandem.app.TestApi(() -> node);
    var finder = api.register("finder");
    var found = api.register("found.one");
    JsonNode byName = io.tandem.app.TestApi.ok(api.send("GET", "/v1/users?username=Found.One", finder, null), 200);
    assertEquals(found.id(), byName.get("userId").asText());
    assertEquals("found.one", byName.get("username").asText());
    JsonNode byId = io.tandem.app.TestApi.ok(api.send("GET", "/v1/users/" + found.id(), finder, null), 200);
    assertEquals("found.one", byId.get("username").asText());
    io.tandem.app.TestApi.problem(api.send("GET", "/v1/users?username=nobody-here", finder, null), 404, "not_found");
    io.tandem.app.TestApi.problem(api.send("GET", "/v1/users?username=%3Cscript%3E", finder, null), 404, "not_found");
    io.tandem.app.TestApi.problem(api.send("GET", "/v1/users/no-such-id", finder, null), 404, "not_found");
    io.tandem.app.TestApi.problem(api.send("GET", "/v1/users", finder, null), 400, "invalid_message");
    io.tandem.app.TestApi.problem(api.send("GET", "/v1/users?username=found.one", (String) null, null), 401, "unauthorized");
  }
}
