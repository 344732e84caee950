package io.tandem.cassandra.server;

import java.util.Arrays;
import java.util.Optional;

/**
 * Runs Cassandra for as long as the process that started it lives: {@code OwnedCassandra <pid>}
 * watches process {@code pid} and, once it is gone, exits, which runs Cassandra's own shutdown
 * (flush, close the commit log). So a Cassandra started for a build or by {@code ./tandem run}
 * never outlives them, even when they are killed with -9. It ignores SIGINT, which a terminal's
 * Ctrl-C sends to the whole process group: its owner decides when it stops.
 */
public final class OwnedCassandra {

  private OwnedCassandra() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) throw new IllegalArgumentException("usage: OwnedCassandra <owner pid> [cassandra args]");
    long owner = Long.parseLong(args[0]);
    Optional<ProcessHandle> handle = ProcessHandle.of(owner);
    if (handle.isEmpty()) {
      System.err.println("owner process " + owner + " is already gone; not starting");
      System.exit(1);
    }
    // Ctrl-C in a terminal reaches the whole process group: Cassandra must not stop before its
    // owner has finished with it. The owner stops it with SIGTERM, or by exiting.
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    var watchdog = new Thread(() -> {
      handle.get().onExit().join();
      System.err.println("owner process " + owner + " exited; stopping Cassandra");
      System.exit(0);
    }, "owner-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName("org.apache.cassandra.service.CassandraDaemon")
        .getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
