package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cassandra.TestCassandra;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node on the real Cassandra answers over real HTTP, and errors are problem+json. */
class NodeIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static Node node;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(TestNode.config(cassandra));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(TestNode.base(node).resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAnswersOnceTheNodeIsUpAndCassandraAnswers() throws Exception {
    HttpResponse<String> r = get("/v1/health");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (r.statusCode() != 200 && System.nanoTime() < deadline) { // joining a cluster of one takes a moment
      assertTrue(r.body().contains("\"status\":503"), r.body());
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
      r = get("/v1/health");
    }
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"status\":\"ok\""), r.body());
    assertTrue(r.body().contains("\"cassandra\":\"5.0.9\""), r.body());
  }

  @Test
  void anUnknownPathIsANotFoundProblem() throws Exception {
    HttpResponse<String> r = get("/v1/nothing-here");
    assertEquals(404, r.statusCode());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
    assertTrue(r.body().contains("\"code\":\"not_found\""), r.body());
    assertTrue(r.body().contains("\"status\":404"), r.body());
  }

  @Test
  void aWrongMethodIsAProblemToo() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(TestNode.base(node).resolve("/v1/health"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
    assertTrue(r.body().contains("\"code\":\"invalid_message\""), r.body());
    assertTrue(r.body().contains("\"status\":405"), r.body());
  }
}
