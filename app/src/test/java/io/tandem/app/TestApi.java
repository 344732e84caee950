package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** The REST API of a running node as a test calls it: real HTTP, and assertions on the answers. */
public final class TestApi {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  /** A signed-in user. */
  public record User(String id, String token) {
    public String principal() {
      return "user:" + id;
    }
  }

  private final Supplier<URI> base;

  /** Calls whichever node {@code node} gives at the time of the call (tests restart nodes). */
  public TestApi(Supplier<Node> node) {
    this.base = () -> TestNode.base(node.get());
  }

  private TestApi(Supplier<URI> base, boolean direct) {
    this.base = base;
  }

  /** Calls the server at {@code base} (a node in another process). */
  public static TestApi at(URI base) {
    return new TestApi(() -> base, true);
  }

  public User register(String username) throws Exception {
    JsonNode u = ok(send("POST", "/v1/auth/register", (String) null,
        "{\"username\":\"" + username + "\",\"password\":\"password1\"}"), 201);
    return new User(u.get("userId").asText(), u.get("token").asText());
  }

  public HttpResponse<String> send(String method, String path, User user, String body) throws Exception {
    return send(method, path, user == null ? null : user.token(), body);
  }

  public HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    var b = HttpRequest.newBuilder(base.get().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    return r.body().isEmpty() ? null : JSON.readTree(r.body());
  }

  public static void problem(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
    assertEquals(code, JSON.readTree(r.body()).get("code").asText(), r.body());
  }

  /** Creates a document owned by {@code owner}; its id. */
  public String create(User owner, String title) throws Exception {
    return ok(send("POST", "/v1/docs", owner, "{\"title\":" + JSON.writeValueAsString(title) + "}"), 201).get("id").asText();
  }

  /** A document's version and plain text as {@code GET /v1/docs/{id}} gives them. */
  public record Converged(long version, String text) {}

  /**
   * Reads the document over REST, waits up to {@code wait} for every client to reach its version,
   * and asserts each holds exactly the server's text.
   */
  public Converged assertConverged(String docId, User reader, List<TandemClient> clients, Duration wait) throws Exception {
    JsonNode d = ok(send("GET", "/v1/docs/" + docId, reader, null), 200);
    long version = d.get("version").asLong();
    var text = new StringBuilder();
    for (JsonNode op : d.get("content")) text.append(op.get("insert").asText());
    for (var c : clients) {
      c.awaitVersion(version, wait);
      assertEquals(text.toString(), c.text(), "converged on the server's text");
    }
    return new Converged(version, text.toString());
  }

  public void share(User owner, String docId, String principal, String role) throws Exception {
    ok(send("PUT", "/v1/docs/" + docId + "/permissions/" + principal, owner, "{\"role\":\"" + role + "\"}"), 200);
  }
}
