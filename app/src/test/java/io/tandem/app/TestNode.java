package io.tandem.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.cassandra.TestCassandra;
import java.net.URI;
import java.util.Map;

/** A real node on free ports over the test class's keyspace of the build's Cassandra. */
public final class TestNode {

  private TestNode() {}

  public static Config config(TestCassandra cassandra) {
    int[] ports = TestCassandra.freePorts(2); // distinct: HTTP and the cluster's remoting
    int remote = ports[1];
    var address = cassandra.contactPoint();
    // Tests sign in from one address and call as one user many times a second; RateLimitIT sets
    // the limits it tests.
    return ConfigFactory.parseMap(Map.ofEntries(
            Map.entry("tandem.rate-limits.sign-in.tokens", 1000),
            Map.entry("tandem.rate-limits.sign-in.burst", 1000),
            Map.entry("tandem.rate-limits.rest.tokens", 10000),
            Map.entry("tandem.rate-limits.rest.burst", 10000),
            // Kamon is one per JVM, started by the first node: its metrics are up to date within a second
            Map.entry("kamon.metric.tick-interval", "1 second")))
        .withFallback(ConfigFactory.parseMap(Map.of(
            "tandem.http.port", ports[0],
            "tandem.cassandra.embedded.enabled", false,
            "tandem.cassandra.contact-points", address.getHostString() + ":" + address.getPort(),
            "tandem.cassandra.keyspace", cassandra.keyspace(),
            "tandem.auth.secret-file", "target/test-jwt-secret",
            "pekko.remote.artery.canonical.port", remote,
            "pekko.cluster.seed-nodes", java.util.List.of("pekko://tandem@127.0.0.1:" + remote))))
        .withFallback(ConfigFactory.load());
  }

  public static URI base(Node node) {
    return URI.create("http://127.0.0.1:" + node.httpAddress().getPort());
  }
}
