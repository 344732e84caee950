package io.tandem.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code schema apply} against a production cluster, one call:
 * <pre>
 * ./tandem schema apply --contact-points 10.0.0.1:9042,10.0.0.2:9042 --datacenter dc1 \
 *     --keyspace tandem --replication dc1:3,dc2:3 [--username U] (password from TANDEM_CASSANDRA_PASSWORD)
 * </pre>
 * Safe to run twice: it applies only what the keyspace has not had yet.
 */
public final class SchemaCli {

  private SchemaCli() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (IllegalArgumentException e) {
      System.err.println("schema apply: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
    }
  }

  static int run(String[] args) {
    Map<String, String> o = options(args);
    List<InetSocketAddress> contactPoints = new ArrayList<>();
    for (String hostPort : o.getOrDefault("contact-points", "127.0.0.1:9042").split(",")) {
      String[] hp = hostPort.strip().split(":");
      contactPoints.add(new InetSocketAddress(hp[0], hp.length > 1 ? Integer.parseInt(hp[1]) : 9042));
    }
    var builder = CqlSession.builder().addContactPoints(contactPoints)
        .withLocalDatacenter(o.getOrDefault("datacenter", "datacenter1"))
        .withConfigLoader(SchemaRunner.driverConfig());
    String user = o.get("username");
    if (user != null) {
      String password = o.getOrDefault("password", System.getenv("TANDEM_CASSANDRA_PASSWORD"));
      if (password == null) throw new IllegalArgumentException("--username needs TANDEM_CASSANDRA_PASSWORD (or --password)");
      builder.withAuthCredentials(user, password);
    }
    var replication = SchemaRunner.Replication.parse(o.getOrDefault("replication", "1"));
    String keyspace = o.getOrDefault("keyspace", "tandem");
    try (CqlSession session = builder.build()) {
      var result = SchemaRunner.apply(session, keyspace, replication);
      System.out.println("keyspace " + keyspace + ": applied " + result.applied() + ", already there "
          + result.alreadyApplied().size());
    }
    return 0;
  }

  private static Map<String, String> options(String[] args) {
    var out = new LinkedHashMap<String, String>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("unexpected " + a);
      String key = a.substring(2);
      if (!List.of("contact-points", "datacenter", "username", "password", "keyspace", "replication").contains(key)) {
        throw new IllegalArgumentException("unknown option --" + key);
      }
      out.put(key, args[++i]);
    }
    return out;
  }

  static String usage() {
    return "usage: schema apply [--contact-points host:port,…] [--datacenter DC] [--keyspace tandem]\n"
        + "                    [--replication N | dc:N,dc:N] [--username U] (password: TANDEM_CASSANDRA_PASSWORD)";
  }
}
