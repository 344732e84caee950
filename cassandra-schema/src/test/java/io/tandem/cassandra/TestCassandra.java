package io.tandem.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real Cassandra for integration tests: one for the whole build, a fresh keyspace with the
 * whole schema per test class ({@code @RegisterExtension static final TestCassandra cassandra}).
 *
 * <p>The first test JVM of a build starts it with {@link EmbeddedCassandra} on free ports, owned by
 * the Maven process, and writes where it is to {@code -Dtandem.cassandra.test-dir}; later test
 * JVMs of the build (other modules) find it there and reuse it. It stops by itself when Maven
 * exits. Each test class gets its own keyspace, dropped afterwards.
 */
public final class TestCassandra implements BeforeAllCallback, AfterAllCallback {

  private static InetSocketAddress shared;

  private CqlSession session;
  private String keyspace;

  public CqlSession session() {
    return session;
  }

  public String keyspace() {
    return keyspace;
  }

  public InetSocketAddress contactPoint() {
    return shared;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    InetSocketAddress address = ensureRunning();
    session = CqlSession.builder().addContactPoint(address).withLocalDatacenter("datacenter1")
        .withConfigLoader(SchemaRunner.driverConfig()).build();
    String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    keyspace = ("t_" + name).substring(0, Math.min(30, name.length() + 2)) + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    SchemaRunner.apply(session, keyspace, SchemaRunner.Replication.simple(1));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (session == null) return;
    try {
      SchemaRunner.ddl(session, "DROP KEYSPACE IF EXISTS " + keyspace);
    } finally {
      session.close();
    }
  }

  /** The build's Cassandra, started now if no test JVM before has. */
  public static synchronized InetSocketAddress ensureRunning() throws Exception {
    if (shared != null) return shared;
    Path dir = Path.of(System.getProperty("tandem.cassandra.test-dir", "target/test-cassandra"));
    Files.createDirectories(dir);
    try (FileChannel lock = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         var held = lock.lock()) {
      Path where = dir.resolve("cassandra.properties");
      if (Files.exists(where)) {
        var p = new Properties();
        try (var in = Files.newInputStream(where)) {
          p.load(in);
        }
        var address = new InetSocketAddress(p.getProperty("host"), Integer.parseInt(p.getProperty("port")));
        var cassandra = ProcessHandle.of(Long.parseLong(p.getProperty("pid")));
        boolean alive = cassandra.map(ProcessHandle::isAlive).orElse(false);
        boolean ours = Long.toString(buildProcess().pid()).equals(p.getProperty("owner"));
        if (alive && ours && EmbeddedCassandra.answers(address)) return shared = address;
        boolean ownerGone = ProcessHandle.of(Long.parseLong(p.getProperty("owner"))).map(h -> !h.isAlive()).orElse(true);
        if (alive && !ours && ownerGone) { // the last build's, stopping by itself (its watchdog saw its owner go)
          cassandra.get().onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
          alive = false;
        }
        if (alive && !ours) {
          throw new IllegalStateException("another build's Cassandra (process " + p.getProperty("pid") + ") runs from "
              + dir + ": run one build at a time in a checkout");
        }
      }
      deleteRecursively(dir.resolve("node"));
      Path server = Path.of(System.getProperty("tandem.cassandra.server", "../cassandra-schema/server/target"));
      long owner = buildProcess().pid();
      int[] ports = freePorts(2);
      var settings = EmbeddedCassandra.Settings.defaults(server, dir.resolve("node"))
          .withPorts(ports[0], ports[1])
          .withOwner(owner);
      var cassandra = EmbeddedCassandra.start(settings);
      var p = new Properties();
      p.setProperty("host", settings.host());
      p.setProperty("port", Integer.toString(settings.cqlPort()));
      p.setProperty("pid", Long.toString(cassandra.pid()));
      p.setProperty("owner", Long.toString(owner));
      try (var out = Files.newOutputStream(where)) {
        p.store(out, "the build's Cassandra, owned by process " + owner);
      }
      return shared = cassandra.contactPoint();
    }
  }

  /**
   * The Maven JVM running this build: the nearest ancestor that is a Java process (surefire forks
   * its test JVMs through a shell), or this JVM when there is none.
   */
  static ProcessHandle buildProcess() {
    var p = ProcessHandle.current().parent();
    while (p.isPresent()) {
      boolean java = p.get().info().command().map(c -> c.endsWith("/java") || c.endsWith("\\java.exe")).orElse(false);
      if (java) return p.get();
      p = p.get().parent();
    }
    return ProcessHandle.current();
  }

  public static int freePort() {
    return freePorts(1)[0];
  }

  /** {@code n} distinct free ports: each socket is held until all are chosen, so none comes twice. */
  public static int[] freePorts(int n) {
    var sockets = new ServerSocket[n];
    try {
      var ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          if (s != null) s.close();
        } catch (IOException ignored) {
          // closing a probe socket: nothing to do
        }
      }
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
