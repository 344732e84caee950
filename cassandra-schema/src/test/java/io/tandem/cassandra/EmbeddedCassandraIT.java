package io.tandem.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Cassandra of its own (not the build's shared one): its data survives a clean stop and a
 * kill -9, and a second start on taken ports is refused with a clear message.
 */
class EmbeddedCassandraIT {

  @TempDir
  static Path dir;

  private static EmbeddedCassandra.Settings settings(Path data, int cql, int storage) {
    Path server = Path.of(System.getProperty("tandem.cassandra.server", "server/target"));
    var d = EmbeddedCassandra.Settings.defaults(server, data);
    return new EmbeddedCassandra.Settings(d.serverDir(), d.dataDir(), d.host(), cql, storage, 512,
        d.commitlogSync(), d.commitlogWindow(), d.startTimeout(), d.ownerPid());
  }

  private static CqlSession connect(EmbeddedCassandra c) {
    return CqlSession.builder().addContactPoint(c.contactPoint()).withLocalDatacenter("datacenter1").build();
  }

  @Test
  void dataSurvivesAStopAndAKillAndTakenPortsAreRefused() throws Exception {
    int[] ports = TestCassandra.freePorts(2);
    var s = settings(dir.resolve("node"), ports[0], ports[1]);
    try (var first = EmbeddedCassandra.start(s); var session = connect(first)) {
      session.execute("CREATE KEYSPACE survival WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      session.execute("CREATE TABLE survival.kv (k text PRIMARY KEY, v text)");
      session.execute("INSERT INTO survival.kv (k, v) VALUES ('stopped', 'yes')");

      var e = assertThrows(IllegalStateException.class, () -> EmbeddedCassandra.start(s));
      assertTrue(e.getMessage().contains("already listens on 127.0.0.1:" + s.cqlPort()), e.getMessage());
    } // SIGTERM: Cassandra drains

    long pid;
    try (var second = EmbeddedCassandra.start(s); var session = connect(second)) {
      assertEquals("yes", session.execute("SELECT v FROM survival.kv WHERE k = 'stopped'").one().getString("v"));
      session.execute("INSERT INTO survival.kv (k, v) VALUES ('killed', 'yes')"); // acked: in the commit log
      pid = second.pid();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // kill -9, no drain, no flush
      ProcessHandle.of(pid).orElseThrow().onExit().get(30, TimeUnit.SECONDS);
      assertFalse(second.isAlive());
    }

    try (var third = EmbeddedCassandra.start(s); var session = connect(third)) {
      assertEquals("yes", session.execute("SELECT v FROM survival.kv WHERE k = 'stopped'").one().getString("v"));
      assertEquals("yes", session.execute("SELECT v FROM survival.kv WHERE k = 'killed'").one().getString("v"));
    }
    assertTrue(Files.exists(dir.resolve("node/logs/system.log")));
  }
}
