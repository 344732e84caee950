package io.tandem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.ot.Delta;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * History at the scale of a real document, against a running node ({@code ./tandem run}): a
 * trace (by default automerge-paper, 259,778 patches) is typed into a new document through the
 * WebSocket by {@code clients} connections, each with one op in flight, so every patch is one
 * version; then, once the checkpoints have caught up, the latencies a user meets are sampled:
 * {@code versions/{v}} at random v, a history page at a random place, opening the document
 * (REST and WebSocket), and the first page of activity.
 *
 * <p>With more than one client the patches are applied where each client's text is at the time
 * (clamped), so the text is the trace's in size and shape but not letter for letter.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.tandem.bench.HistoryBench
 * http://127.0.0.1:8080 [clients 32] [samples 300] [trace automerge-paper] [checkpoint-every 500]}
 */
public final class HistoryBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient http = HttpClient.newHttpClient();

  private HistoryBench() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    Trace trace = Trace.load(args.length > 3 ? args[3] : "automerge-paper");
    int every = args.length > 4 ? Integer.parseInt(args[4]) : 500;

    // REUSE=user/docId measures a document ingested before (its user's password is password1)
    String reuse = System.getenv("REUSE");
    String user = reuse != null ? reuse.split("/")[0] : "historybench" + System.currentTimeMillis() % 1_000_000;
    String token = send(base, "POST", "/v1/auth/" + (reuse != null ? "login" : "register"), null,
        "{\"username\":\"" + user + "\",\"password\":\"password1\"}").get("token").asText();
    String doc = reuse != null ? reuse.split("/")[1]
        : send(base, "POST", "/v1/docs", token, "{\"title\":\"" + trace.name() + "\"}").get("id").asText();
    System.out.printf("document %s of user %s: %,d patches of %s, typed by %d clients%n", doc, user, trace.patches(), trace.name(), clients);
    if (reuse == null) ingest(base, token, doc, trace, clients);
    measure(base, token, doc, samples, every);
  }

  private static void ingest(URI base, String token, String doc, Trace trace, int clients) throws Exception {

    long started = System.nanoTime();
    var next = new AtomicInteger();
    var threads = new ArrayList<Thread>();
    var failures = new ArrayList<Throwable>();
    for (int k = 0; k < clients; k++) {
      TandemClient c = TandemClient.connect(http, base, token, doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Thread t = new Thread(() -> {
        try (c) {
          for (int i; (i = next.getAndIncrement()) < trace.patches(); ) {
            int p = i;
            c.edit(text -> {
              int pos = Math.min(trace.pos()[p], text.length());
              int del = Math.min(trace.del()[p], text.length() - pos);
              var b = Delta.builder();
              if (pos > 0) b.retain(pos);
              if (del > 0) b.delete(del);
              if (!trace.text()[p].isEmpty()) b.insert(trace.text()[p]);
              return b.build();
            });
            c.awaitSettled(Duration.ofMinutes(2));
            if (p % 20_000 == 0) System.out.printf("  %,d patches in %.0f s%n", p, (System.nanoTime() - started) / 1e9);
          }
        } catch (Throwable e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    if (!failures.isEmpty()) throw new IllegalStateException("a client failed", failures.get(0));
    double secs = (System.nanoTime() - started) / 1e9;
    JsonNode d = send(base, "GET", "/v1/docs/" + doc, token, null);
    long versions = d.get("version").asLong();
    int length = 0;
    for (JsonNode op : d.get("content")) length += op.get("insert").asText().length();
    System.out.printf("ingest: %,d versions in %.1f s = %,.0f ops/s; the text is %,d characters%n", versions, secs, versions / secs, length);
  }

  private static void measure(URI base, String token, String doc, int samples, int every) throws Exception {
    long versions = send(base, "GET", "/v1/docs/" + doc, token, null).get("version").asLong();

    // the checkpoints catch up (the projection reads each block of ops back from the journal)
    long want = versions / every;
    long t0 = System.nanoTime();
    while (checkpointsHandled(base) < want && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(15)) Thread.sleep(1000);
    System.out.printf("checkpoints: %,d of %,d written %.0f s after the last op%n", checkpointsHandled(base), want, (System.nanoTime() - t0) / 1e9);

    var rnd = new Random(42);
    report("GET versions/{v}, random v", time(samples, () -> send(base, "GET", "/v1/docs/" + doc + "/versions/" + rnd.nextLong(versions + 1), token, null)));
    report("GET history, 1 op at a random place", time(samples, () -> send(base, "GET", "/v1/docs/" + doc + "/history?limit=1&cursor="
        + cursor(rnd.nextLong(versions)), token, null)));
    report("GET history, 100 ops at a random place", time(samples, () -> send(base, "GET", "/v1/docs/" + doc + "/history?limit=100&cursor="
        + cursor(rnd.nextLong(versions)), token, null)));
    report("GET the document (REST)", time(samples / 3, () -> send(base, "GET", "/v1/docs/" + doc, token, null)));
    report("open over WebSocket (joined, snapshot)", time(Math.max(10, samples / 10), () -> {
      TandemClient.connect(http, base, token, doc).toCompletableFuture().get(30, TimeUnit.SECONDS).close();
      return null;
    }));
    report("GET activity, first page", time(Math.max(10, samples / 10), () -> send(base, "GET", "/v1/docs/" + doc + "/activity?limit=30", token, null)));
  }

  interface Call {
    Object run() throws Exception;
  }

  private static double[] time(int n, Call call) throws Exception {
    for (int i = 0; i < Math.min(10, n); i++) { // warm
      call.run();
      Thread.sleep(25);
    }
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      call.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
      Thread.sleep(25); // under the REST rate limit of one user (50 a second)
    }
    Arrays.sort(ms);
    return ms;
  }

  private static void report(String what, double[] ms) {
    System.out.printf("%-42s n=%d p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n", what, ms.length, q(ms, .5), q(ms, .9), q(ms, .99),
        ms[ms.length - 1]);
  }

  private static double q(double[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
  }

  private static String cursor(long afterVersion) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("v" + afterVersion).getBytes(StandardCharsets.UTF_8));
  }

  private static long checkpointsHandled(URI base) throws Exception {
    String body = http.send(HttpRequest.newBuilder(base.resolve("/v1/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0; // over the projection's tags
    for (String line : body.split("\n")) {
      if (line.startsWith("tandem_projection_events_total{") && line.contains("projection=\"checkpoints\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  private static JsonNode send(URI base, String method, String path, String token, String body) throws Exception {
    var b = HttpRequest.newBuilder(base.resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }
}
