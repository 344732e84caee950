package io.tandem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.protocol.client.TandemClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server's part of keystroke to remote screen, with no browser on the machine's cores: one
 * client types a character every {@code gapMs} into a new document, one op at a time, and a second
 * connection to it receives each op. For each op, the time from the send to its ack and from the
 * send to its arrival at the other connection (both include the journal write to Cassandra, which
 * comes before either). The first {@code warm} ops are not counted.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.tandem.bench.OpLatency
 * http://127.0.0.1:8080 [ops 1000] [gapMs 50] [warm 200]}
 */
public final class OpLatency {

  private static final HttpClient http = HttpClient.newHttpClient();

  private OpLatency() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int gapMs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int warm = args.length > 3 ? Integer.parseInt(args[3]) : 200;

    var json = new ObjectMapper();
    String user = "oplatency" + System.currentTimeMillis() % 1_000_000;
    String token = json.readTree(post(base, "/v1/auth/register", null,
        "{\"username\":\"" + user + "\",\"password\":\"password1\"}")).get("token").asText();
    String doc = json.readTree(post(base, "/v1/docs", token, "{\"title\":\"OpLatency\"}")).get("id").asText();

    var acked = new SynchronousQueue<Long>();
    var arrived = new SynchronousQueue<Long>();
    try (TandemClient typist = TandemClient.connect(http, base, token, doc).toCompletableFuture().get(30, TimeUnit.SECONDS);
        TandemClient reader = TandemClient.connect(http, base, token, doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
      typist.onAck(v -> put(acked, System.nanoTime()));
      reader.onRemoteOp(d -> put(arrived, System.nanoTime()));
      double[] ack = new double[ops];
      double[] arrival = new double[ops];
      for (int i = 0; i < warm + ops; i++) {
        long sent = System.nanoTime();
        typist.insert(i, "x");
        long a = acked.poll(30, TimeUnit.SECONDS);
        long r = arrived.poll(30, TimeUnit.SECONDS);
        if (i >= warm) {
          ack[i - warm] = (a - sent) / 1e6;
          arrival[i - warm] = (r - sent) / 1e6;
        }
        Thread.sleep(gapMs);
      }
      System.out.printf("%d ops, one every %d ms, after %d not counted%n", ops, gapMs, warm);
      report("send to ack", ack);
      report("send to arrival at the other connection", arrival);
    }
  }

  private static void put(SynchronousQueue<Long> q, long t) {
    try {
      q.put(t);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void report(String what, double[] ms) {
    Arrays.sort(ms);
    int n = ms.length;
    System.out.printf("  %-40s p50 %6.2f  p90 %6.2f  p99 %6.2f  max %6.2f ms%n", what,
        ms[n / 2], ms[(int) (n * 0.9)], ms[(int) (n * 0.99)], ms[n - 1]);
  }

  private static String post(URI base, String path, String token, String body) throws Exception {
    var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body());
    return r.body();
  }
}
