package io.tandem.app.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestApi.User;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/metrics}, Kamon's Prometheus text, counts what happened over a real socket and
 * real HTTP: ops journaled and refused, journal writes, errors sent by code, open connections and
 * documents, HTTP requests by status, and the JVM's own. Kamon is one per JVM and other test
 * classes count too: the test compares before and after.
 */
class MetricsIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)).withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<String> scrape() throws Exception {
    URI uri = URI.create(TestNode.base(node) + "/v1/metrics");
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of the sample {@code name} with the labels {@code labels} (as {@code key="value"},
   * in any order), or 0 if it is not there.
   */
  private static double value(String text, String name, String... labels) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(name + (labels.length == 0 ? " " : "{"))) continue;
      String series = line.substring(0, line.lastIndexOf(' '));
      boolean all = true;
      for (String l : labels) all &= series.contains(l);
      if (all) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return 0;
  }

  /** Scrapes until {@code until} holds (the reporter's text is renewed every tick, a second here). */
  private static String scrapeUntil(Predicate<String> until) throws Exception {
    String text = "";
    for (int i = 0; i < 60; i++) {
      text = scrape().body();
      if (until.test(text)) return text;
      Thread.sleep(500);
    }
    throw new AssertionError("the metrics never got there:\n" + text);
  }

  private static String op(long seq, long base, String insert) {
    return "{\"type\":\"op\",\"seq\":" + seq + ",\"baseVersion\":" + base + ",\"ops\":[{\"insert\":\"" + insert + "\"}]}";
  }

  @Test
  void opsErrorsConnectionsDocumentsRequestsAndTheJvmAreCounted() throws Exception {
    var first = scrape();
    assertEquals(200, first.statusCode());
    assertTrue(first.headers().firstValue("Content-Type").orElse("").matches("text/plain; ?version=0\\.0\\.4; ?charset=UTF-8"),
        first.headers().toString());
    String before = scrapeUntil(t -> t.contains("jvm_memory")); // after the first tick
    double applied = value(before, "tandem_ops_applied_total");
    double writes = value(before, "tandem_journal_write_seconds_count");
    double invalid = value(before, "tandem_ws_errors_total", "code=\"invalid_message\"");
    double refused = value(before, "tandem_ops_refused_total", "code=\"invalid_op\"");
    double created = value(before, "tandem_http_requests_seconds_count", "method=\"POST\"", "status=\"201\"");
    double connections = value(before, "tandem_ws_connections");
    double batches = value(before, "tandem_journal_batch_count");

    var api = new TestApi(() -> node);
    User alice = api.register("metrics-alice");
    String doc = api.create(alice, "Counted");
    var raw = RawSocket.open(TestNode.base(node), alice.token(), doc, "");
    raw.next("joined");
    for (int seq = 1; seq <= 5; seq++) {
      raw.send(op(seq, seq - 1, "x"));
      raw.next("ack");
    }
    raw.send("{\"type\":\"op\""); // not JSON
    raw.next("error");
    raw.send("{\"type\":\"op\",\"seq\":6,\"baseVersion\":5,\"ops\":[{\"retain\":99},{\"insert\":\"z\"}]}"); // past the end
    assertEquals("invalid_op", raw.next("error").get("code").asText());

    String during = scrapeUntil(t -> value(t, "tandem_ops_applied_total") >= applied + 5
        && value(t, "tandem_ops_refused_total", "code=\"invalid_op\"") >= refused + 1);
    assertTrue(value(during, "tandem_journal_write_seconds_count") >= writes + 1, during);
    assertTrue(value(during, "tandem_journal_batch_count") >= batches + 1, during);
    assertTrue(value(during, "tandem_ws_errors_total", "code=\"invalid_message\"") >= invalid + 1, during);
    assertTrue(value(during, "tandem_ws_connections") >= connections + 1, during);
    assertTrue(value(during, "tandem_documents_open") >= 1, during);
    assertTrue(value(during, "tandem_http_requests_seconds_count", "method=\"POST\"", "status=\"201\"") >= created + 1, during);
    assertTrue(during.contains("\ntandem_journal_write_seconds_bucket{"), during);
    assertTrue(during.contains("\njvm_threads_total") && during.contains("\nprocess_cpu_usage_count"), during);
    assertTrue(during.contains("# TYPE tandem_ops_applied_total counter"), during);

    raw.ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
    scrapeUntil(t -> value(t, "tandem_ws_connections") <= connections);
  }
}
