package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.tandem.cassandra.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Browsers' Origin: the server's own and listed ones pass (the latter with CORS), others get 403. */
class OriginIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final String LISTED = "https://docs.example.com";
  private static final HttpClient http = HttpClient.newHttpClient();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.empty()
        .withValue("tandem.http.allowed-origins", ConfigValueFactory.fromIterable(List.of(LISTED)))
        .withValue("tandem.auth.bcrypt-cost", ConfigValueFactory.fromAnyRef(4))
        .withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<String> login(String origin) throws Exception {
    var b = HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"nobody\",\"password\":\"password1\"}"));
    if (origin != null) b.header("Origin", origin);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anotherSitesPageIsForbidden() throws Exception {
    var r = login("https://evil.example");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"code\":\"forbidden\""), r.body());
    assertTrue(r.headers().firstValue("access-control-allow-origin").isEmpty());
  }

  @Test
  void noOriginAndTheServersOwnPass() throws Exception {
    assertEquals(401, login(null).statusCode()); // reaches the route: wrong password
    assertEquals(401, login("http://127.0.0.1:" + node.httpAddress().getPort()).statusCode());
  }

  @Test
  void aListedOriginPassesWithCorsAndItsPreflightIsAnswered() throws Exception {
    var r = login(LISTED);
    assertEquals(401, r.statusCode());
    assertEquals(LISTED, r.headers().firstValue("access-control-allow-origin").orElse(""));
    assertEquals("true", r.headers().firstValue("access-control-allow-credentials").orElse(""));
    var preflight = http.send(HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/auth/login"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", LISTED).header("Access-Control-Request-Method", "POST").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, preflight.statusCode());
    assertTrue(preflight.headers().firstValue("access-control-allow-methods").orElse("").contains("POST"));
    var refused = http.send(HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/auth/login"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, refused.statusCode());
  }

  @Test
  void aPageOfTheServerItselfOpensItsWebSocketAndAnotherSitesCannot() throws Exception {
    var api = new TestApi(() -> node);
    var user = api.register("origin-ws");
    String doc = api.create(user, "Origin");
    String own = "http://127.0.0.1:" + node.httpAddress().getPort();
    URI ws = URI.create("ws://127.0.0.1:" + node.httpAddress().getPort() + "/v1/docs/" + doc + "/ws?access_token=" + user.token());
    var first = new java.util.concurrent.CompletableFuture<String>();
    var socket = http.newWebSocketBuilder().header("Origin", own).buildAsync(ws, new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        first.complete(data.toString());
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    assertTrue(first.get(10, TimeUnit.SECONDS).contains("\"type\":\"joined\""));
    socket.abort();
    var refused = assertThrows(ExecutionException.class, () -> http.newWebSocketBuilder().header("Origin", "https://evil.example")
        .buildAsync(ws, new WebSocket.Listener() {}).get(10, TimeUnit.SECONDS));
    assertTrue(refused.getCause() instanceof WebSocketHandshakeException, refused.toString());
    assertEquals(403, ((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode());
  }
}
