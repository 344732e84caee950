package io.tandem.app;

import io.tandem.cassandra.TestCassandra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as a process of its own, the {@code Main} of {@code ./tandem run}, on the build's
 * Cassandra: for tests that kill it with -9 or run several nodes as a cluster.
 */
public final class NodeProcess implements AutoCloseable {

  private static final HttpClient http = HttpClient.newHttpClient();

  private final Process process;
  private final int httpPort;

  private NodeProcess(Process process, int httpPort) {
    this.process = process;
    this.httpPort = httpPort;
  }

  /**
   * Starts a node on {@code httpPort} and remoting {@code remotePort}, joining the cluster whose
   * first seed is {@code seedPort} (its own port for the first node), and waits until it is healthy.
   */
  public static NodeProcess start(TestCassandra cassandra, String name, int httpPort, int remotePort, int seedPort,
      String... systemProperties) throws Exception {
    var address = cassandra.contactPoint();
    Path log = Path.of("target", "node-" + name + ".log");
    var cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m",
        "-Dtandem.http.port=" + httpPort,
        "-Dtandem.cassandra.embedded.enabled=false",
        "-Dtandem.cassandra.contact-points=" + address.getHostString() + ":" + address.getPort(),
        "-Dtandem.cassandra.keyspace=" + cassandra.keyspace(),
        "-Dtandem.auth.secret-file=target/test-jwt-secret",
        "-Dtandem.auth.bcrypt-cost=4",
        "-Dtandem.ws.ops-per-second=100000", "-Dtandem.ws.ops-burst=100000",
        "-Dpekko.remote.artery.canonical.port=" + remotePort,
        "-Dpekko.cluster.seed-nodes.0=pekko://tandem@127.0.0.1:" + seedPort));
    cmd.addAll(List.of(systemProperties));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tandem.app.Main"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    var node = new NodeProcess(p, httpPort);
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < end) {
      if (!p.isAlive()) throw new IllegalStateException("the node exited: " + Files.readString(log));
      try {
        var r = http.send(HttpRequest.newBuilder(node.base().resolve("/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return node;
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    p.destroyForcibly();
    throw new IllegalStateException("the node did not become healthy: " + Files.readString(log));
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  /** Sends the process a signal ({@code kill -NAME}). */
  public void signal(String name) throws Exception {
    var kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " failed");
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** kill -9: no shutdown of any kind. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, as an operator stops it; kill -9 if it has not ended in 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
