package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Over its limit a user, or an address signing in, gets 429 with Retry-After; others do not. */
class RateLimitIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    // One token a minute after the burst: what is refused here is refused whatever the machine's speed.
    node = Node.start(ConfigFactory.parseMap(Map.of(
            "tandem.auth.bcrypt-cost", 4,
            "tandem.rate-limits.rest.tokens", 1, "tandem.rate-limits.rest.period", "1m",
            "tandem.rate-limits.rest.burst", 3,
            "tandem.rate-limits.sign-in.tokens", 1, "tandem.rate-limits.sign-in.period", "1m",
            "tandem.rate-limits.sign-in.burst", 3))
        .withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder post(String path, String body) {
    return HttpRequest.newBuilder(TestNode.base(node).resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  @Test
  void aUserOverTheLimitGets429WithRetryAfterAndOthersDoNot() throws Exception {
    String alice = JSON.readTree(send(post("/v1/auth/register", "{\"username\":\"alice\",\"password\":\"password1\"}")).body())
        .get("token").asText();
    String bob = JSON.readTree(send(post("/v1/auth/register", "{\"username\":\"bob\",\"password\":\"password1\"}")).body())
        .get("token").asText();
    var me = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me")).header("Authorization", "Bearer " + alice);
    for (int i = 0; i < 3; i++) assertEquals(200, send(me).statusCode());
    HttpResponse<String> refused = send(me);
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("\"code\":\"rate_limited\""), refused.body());
    assertTrue(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()) >= 1);
    var bobsMe = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me")).header("Authorization", "Bearer " + bob);
    assertEquals(200, send(bobsMe).statusCode(), "another user has a bucket of their own");

    // The address has spent 2 of its 3 sign-in tokens on the registrations above; a forged
    // X-Forwarded-For does not give it a fresh bucket.
    assertEquals(200, send(post("/v1/auth/login", "{\"username\":\"alice\",\"password\":\"password1\"}")
        .header("X-Forwarded-For", "203.0.113.7")).statusCode());
    HttpResponse<String> guessing = send(post("/v1/auth/login", "{\"username\":\"alice\",\"password\":\"guess\"}")
        .header("X-Forwarded-For", "198.51.100.9"));
    assertEquals(429, guessing.statusCode(), guessing.body());
    assertTrue(guessing.headers().firstValue("retry-after").isPresent());
  }

  @Test
  void anAddressSendingInvalidTokensIsSlowedDown() throws Exception {
    var forged = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me")).header("Authorization", "Bearer not.a.token");
    for (int i = 0; i < 3; i++) assertEquals(401, send(forged).statusCode());
    HttpResponse<String> refused = send(forged);
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("retry-after").isPresent());
    var none = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/me"));
    assertEquals(401, send(none).statusCode(), "no token at all is just unauthorized");
    // A valid token (minted with the node's key: the address's sign-in allowance belongs to the other test).
    var tokens = new io.tandem.app.auth.Tokens(io.tandem.app.auth.Tokens.secret("", java.nio.file.Path.of("target/test-jwt-secret")),
        java.time.Duration.ofMinutes(5), java.time.Clock.systemUTC());
    var valid = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/groups"))
        .header("Authorization", "Bearer " + tokens.issue("carol-id", "carol").token());
    assertEquals(200, send(valid).statusCode(), "a valid token from the same address still works");
  }
}
