package io.tandem.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's Cassandra: {@code org.apache.cassandra:cassandra-all} started as its own
 * JVM, with its own classpath (the {@code cassandra-server} module's: its Netty, Jackson and Logback
 * never meet ours), a generated {@code cassandra.yaml} on loopback, its own {@code logback.xml},
 * the JPMS flags of Cassandra's {@code conf/jvm17-server.options}, and data under
 * {@link Settings#dataDir()}, which a second start reuses.
 *
 * <p>Ready means a CQL query answered, not a log line. {@link #close()} stops it with SIGTERM, so
 * Cassandra drains and closes its commit log; and it stops by itself when its owner process
 * exits, even killed with -9 ({@code OwnedCassandra}), so it never outlives what started it.
 */
public final class EmbeddedCassandra implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /**
   * How to run it. {@code serverDir} is {@code cassandra-schema/server/target} (its
   * {@code classes} and {@code cassandra.classpath}); {@code commitlogSync} is Cassandra's
   * {@code group} (an ack is fsynced, at the cost of the window's latency) or {@code periodic}
   * (an ack survives a process crash, not a power cut).
   */
  public record Settings(Path serverDir, Path dataDir, String host, int cqlPort, int storagePort, int heapMb,
      String commitlogSync, Duration commitlogWindow, Duration startTimeout, long ownerPid) {

    public Settings {
      if (heapMb < 256) throw new IllegalArgumentException("a heap under 256 MiB will not start Cassandra");
      if (!commitlogSync.equals("group") && !commitlogSync.equals("periodic")) {
        throw new IllegalArgumentException("commitlog sync is group or periodic, not " + commitlogSync);
      }
    }

    /** Loopback, CQL on 9042, storage on 7000, 768 MiB of heap, group commit every 5 ms, owned by this process. */
    public static Settings defaults(Path serverDir, Path dataDir) {
      return new Settings(serverDir, dataDir, "127.0.0.1", 9042, 7000, 768, "group", Duration.ofMillis(5),
          Duration.ofMinutes(3), ProcessHandle.current().pid());
    }

    public Settings withPorts(int cqlPort, int storagePort) {
      return new Settings(serverDir, dataDir, host, cqlPort, storagePort, heapMb, commitlogSync, commitlogWindow,
          startTimeout, ownerPid);
    }

    public Settings withOwner(long pid) {
      return new Settings(serverDir, dataDir, host, cqlPort, storagePort, heapMb, commitlogSync, commitlogWindow,
          startTimeout, pid);
    }
  }

  private final Settings settings;
  private final Process process;

  private EmbeddedCassandra(Settings settings, Process process) {
    this.settings = settings;
    this.process = process;
  }

  /** Starts Cassandra and returns once it answers CQL; refuses clearly if its ports are taken. */
  public static EmbeddedCassandra start(Settings s) throws IOException, InterruptedException, TimeoutException {
    for (int port : new int[] {s.cqlPort(), s.storagePort()}) {
      if (listening(s.host(), port)) {
        throw new IllegalStateException("something already listens on " + s.host() + ":" + port
            + ": another Cassandra, or a second Tandem? Stop it, or choose other ports"
            + " (TANDEM_CASSANDRA_PORT, TANDEM_CASSANDRA_STORAGE_PORT).");
      }
    }
    Path conf = s.dataDir().resolve("conf");
    Path logs = s.dataDir().resolve("logs");
    for (String dir : new String[] {"data", "commitlog", "saved_caches", "hints", "cdc_raw"}) {
      Files.createDirectories(s.dataDir().resolve(dir));
    }
    Files.createDirectories(conf);
    Files.createDirectories(logs);
    Files.writeString(conf.resolve("cassandra.yaml"), yaml(s));
    Files.writeString(conf.resolve("logback.xml"), logback(logs));

    var command = command(s, conf, logs);
    log.info("Starting Cassandra on {}:{} with data in {}", s.host(), s.cqlPort(), s.dataDir().toAbsolutePath());
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("stdout.log").toFile()))
        .start();
    var cassandra = new EmbeddedCassandra(s, process);
    try {
      cassandra.awaitReady();
    } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
      cassandra.close();
      throw e;
    }
    return cassandra;
  }

  public Settings settings() {
    return settings;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(settings.host(), settings.cqlPort());
  }

  /** SIGTERM, then up to a minute for Cassandra to drain; then SIGKILL. */
  @Override
  public void close() {
    if (!process.isAlive()) return;
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        log.warn("Cassandra did not stop within 60 s of SIGTERM; killing it");
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady() throws IOException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Cassandra exited with " + process.exitValue() + " while starting:\n" + logTail(settings));
      }
      if (listening(settings.host(), settings.cqlPort()) && answers(contactPoint())) return;
      Thread.sleep(250);
    }
    throw new TimeoutException("Cassandra did not answer CQL within " + settings.startTimeout() + ":\n" + logTail(settings));
  }

  /** True when a CQL query answers at {@code address}. */
  public static boolean answers(InetSocketAddress address) {
    try (CqlSession session = CqlSession.builder().addContactPoint(address).withLocalDatacenter("datacenter1").build()) {
      return session.execute("SELECT release_version FROM system.local").one() != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  static boolean listening(String host, int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> command(Settings s, Path conf, Path logs) throws IOException {
    Path classpathFile = s.serverDir().resolve("cassandra.classpath");
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException("no " + classpathFile.toAbsolutePath()
          + ": build the project first (mvn -B package -DskipTests, or ./tandem run)");
    }
    String classpath = s.serverDir().resolve("classes") + java.io.File.pathSeparator
        + Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
    var c = new ArrayList<String>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.add("-Xms" + s.heapMb() + "m");
    c.add("-Xmx" + s.heapMb() + "m");
    c.add("-Xss512k");
    // From Cassandra's conf/jvm17-server.options (GC and JPMS) and conf/jvm-server.options.
    c.addAll(List.of("-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
        "-XX:G1RSetUpdatingPauseTimePercent=5", "-XX:MaxGCPauseMillis=300",
        "-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=" + logs, "-XX:+ExitOnOutOfMemoryError",
        "-Djdk.attach.allowAttachSelf=true",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
        "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
        "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
        "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
        "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
        "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
        "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.base/java.io=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/java.util=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11",
        "-Djava.net.preferIPv4Stack=true"));
    c.add("-Dcassandra.config=" + conf.resolve("cassandra.yaml").toUri());
    c.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml").toUri());
    c.add("-Dcassandra.logdir=" + logs);
    c.add("-Dcassandra.storagedir=" + s.dataDir());
    c.add("-Dcassandra-foreground=yes");
    // One node, no peers to wait for: skip the gossip settling a cluster needs.
    c.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    c.add("-Dcassandra.ring_delay_ms=0");
    c.add("-cp");
    c.add(classpath);
    c.add("io.tandem.cassandra.server.OwnedCassandra");
    c.add(Long.toString(s.ownerPid()));
    return c;
  }

  private static String yaml(Settings s) {
    Path d = s.dataDir().toAbsolutePath();
    String sync = s.commitlogSync().equals("group")
        ? "commitlog_sync: group\ncommitlog_sync_group_window: " + s.commitlogWindow().toMillis() + "ms\n"
        : "commitlog_sync: periodic\ncommitlog_sync_period: 10000ms\n";
    return """
        # Generated by Tandem's EmbeddedCassandra on every start; edits are overwritten.
        cluster_name: tandem
        num_tokens: 16
        allocate_tokens_for_local_replication_factor: 1
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        listen_address: %1$s
        rpc_address: %1$s
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "%1$s:%2$d"
        storage_port: %2$d
        native_transport_port: %3$d
        start_native_transport: true
        data_file_directories:
          - %4$s/data
        commitlog_directory: %4$s/commitlog
        saved_caches_directory: %4$s/saved_caches
        hints_directory: %4$s/hints
        cdc_raw_directory: %4$s/cdc_raw
        %5$s
        # Dropped keyspaces (one per test class) need no snapshot.
        auto_snapshot: false
        concurrent_compactors: 1
        key_cache_size: 16MiB
        # A write held up (a stall, a burst) waits up to 4 s before Cassandra gives up on it (default 2 s),
        # within the journal's 5 s: an op is acked late rather than refused.
        write_request_timeout: 4000ms
        """.formatted(s.host(), s.storagePort(), s.cqlPort(), d, sync.strip());
  }

  private static String logback(Path logs) {
    return """
        <configuration>
          <!-- Cassandra's own log, apart from Tandem's. -->
          <appender name="FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
            <file>%1$s/system.log</file>
            <rollingPolicy class="ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy">
              <fileNamePattern>%1$s/system.log.%%d{yyyy-MM-dd}.%%i.zip</fileNamePattern>
              <maxFileSize>20MB</maxFileSize>
              <maxHistory>3</maxHistory>
              <totalSizeCap>100MB</totalSizeCap>
            </rollingPolicy>
            <encoder><pattern>%%-5level [%%thread] %%date{ISO8601} %%F:%%L - %%msg%%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """.formatted(logs.toAbsolutePath());
  }

  private static String logTail(Settings s) {
    try {
      Path stdout = s.dataDir().resolve("logs").resolve("stdout.log");
      Path system = s.dataDir().resolve("logs").resolve("system.log");
      var lines = new ArrayList<String>();
      for (Path p : new Path[] {system, stdout}) {
        if (Files.exists(p)) {
          List<String> all = Files.readAllLines(p, StandardCharsets.UTF_8);
          lines.add("--- " + p);
          lines.addAll(all.subList(Math.max(0, all.size() - 30), all.size()));
        }
      }
      return String.join("\n", lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
