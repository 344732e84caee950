package io.tandem.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code ./tandem run}: starts one node and keeps it until Ctrl-C or SIGTERM. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    fullGcOnSigusr2();
    Config config = withEnvironment(ConfigFactory.load());
    long started = System.nanoTime();
    Node node = Node.start(config);
    var stopped = new CountDownLatch(1);
    var shuttingDown = new java.util.concurrent.atomic.AtomicBoolean();
    // A node the cluster downed, or that could not join, has nothing left to serve: exit, so the
    // embedded Cassandra stops with it and a supervisor can start it again.
    node.system().getWhenTerminated().thenRun(() -> {
      if (!shuttingDown.get()) {
        System.err.println("The actor system stopped by itself; exiting.");
        System.exit(3);
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shuttingDown.set(true);
      try {
        node.close();
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }, "tandem-shutdown"));
    var address = node.httpAddress();
    System.out.printf("%nTandem is ready on http://%s:%d (in %.1f s). Ctrl-C stops it.%n%n",
        address.getHostString().equals("0.0.0.0") ? "localhost" : address.getHostString().replace("127.0.0.1", "localhost"),
        address.getPort(), (System.nanoTime() - started) / 1e9);
    stopped.await();
  }

  /** Settings HOCON cannot take from the environment by itself: lists. */
  static Config withEnvironment(Config config) {
    String seeds = System.getenv("TANDEM_SEED_NODES");
    if (seeds != null && !seeds.isBlank()) {
      config = config.withValue("pekko.cluster.seed-nodes",
          ConfigValueFactory.fromIterable(Arrays.stream(seeds.split(",")).map(String::strip).toList()));
    }
    String origins = System.getenv("TANDEM_ALLOWED_ORIGINS");
    if (origins != null && !origins.isBlank()) {
      config = config.withValue("tandem.http.allowed-origins",
          ConfigValueFactory.fromIterable(Arrays.stream(origins.split(",")).map(String::strip).toList()));
    }
    String issuers = System.getenv("TANDEM_OIDC_ISSUERS");
    if (issuers != null && !issuers.isBlank()) {
      config = ConfigFactory.parseString("tandem.auth.oidc.issuers = " + issuers).withFallback(config);
    }
    return config;
  }

  /**
   * {@code kill -USR2 <pid>} runs a full GC, for measuring the memory a node holds (the load
   * generator's S4 does so with every server). Without a handler of its own the JVM is killed by
   * a SIGUSR2 from outside: HotSpot's suspend/resume handler crashes on the launcher's thread.
   */
  @SuppressWarnings("removal")
  private static void fullGcOnSigusr2() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("USR2"), signal -> System.gc());
    } catch (IllegalArgumentException taken) {
      System.err.println("SIGUSR2 is the JVM's own here: no full-GC hook (" + taken.getMessage() + ")");
    }
  }
}
