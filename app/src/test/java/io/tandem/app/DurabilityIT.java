package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.cassandra.TestCassandra;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default end to end, on a Cassandra of its own: what a node acknowledged is there
 * after the node stops and starts again, and after Cassandra is killed with -9 and started again:
 * accounts, documents, their shares, groups, the trash and every list.
 */
class DurabilityIT {

  @TempDir
  static Path dir;

  private static Config config() {
    int remote = PORTS[3];
    return ConfigFactory.parseMap(Map.ofEntries(
            Map.entry("tandem.http.port", PORTS[2]),
            Map.entry("tandem.cassandra.embedded.enabled", true),
            Map.entry("tandem.cassandra.embedded.data-dir", dir.resolve("cassandra").toString()),
            Map.entry("tandem.cassandra.embedded.server-dir", System.getProperty("tandem.cassandra.server")),
            Map.entry("tandem.cassandra.embedded.cql-port", PORTS[0]),
            Map.entry("tandem.cassandra.embedded.storage-port", PORTS[1]),
            Map.entry("tandem.cassandra.embedded.heap-mb", 512),
            Map.entry("tandem.auth.secret-file", dir.resolve("jwt-secret").toString()),
            Map.entry("tandem.auth.bcrypt-cost", 4),
            Map.entry("pekko.remote.artery.canonical.port", remote),
            Map.entry("pekko.cluster.seed-nodes", java.util.List.of("pekko://tandem@127.0.0.1:" + remote))))
        .withFallback(ConfigFactory.load());
  }

  /** Cassandra's CQL and storage ports, the node's HTTP and remoting ports: distinct, kept across restarts. */
  private static final int[] PORTS = TestCassandra.freePorts(4);

  private static Node node;
  private static final TestApi api = new TestApi(() -> node);

  private static String account(String name) {
    return "{\"username\":\"" + name + "\",\"password\":\"password1\"}";
  }

  private static TestApi.User login(String name) throws Exception {
    JsonNode u = TestApi.ok(api.send("POST", "/v1/auth/login", (String) null, account(name)), 200);
    return new TestApi.User(u.get("userId").asText(), u.get("token").asText());
  }

  private static List<String> list(TestApi.User user, String shelf) throws Exception {
    var ids = new ArrayList<String>();
    TestApi.ok(api.send("GET", "/v1/docs?shelf=" + shelf, user, null), 200).get("items").forEach(i -> ids.add(i.get("id").asText()));
    return ids;
  }

  @Test
  void whatWasAcknowledgedSurvivesARestartOfTheNodeAndAKillOfCassandra() throws Exception {
    node = Node.start(config());
    try {
      api.register("alice");
    } finally {
      node.close(); // the node stops, and its Cassandra with SIGTERM
    }

    String doc;
    String trashed;
    String team;
    node = Node.start(config());
    try {
      TestApi.User alice = login("alice");
      TestApi.User bob = api.register("bob");
      TestApi.User carol = api.register("carol");
      doc = api.create(alice, "Durable");
      api.share(alice, doc, bob.principal(), "editor");
      TestApi.ok(api.send("PATCH", "/v1/docs/" + doc, bob, "{\"title\":\"Durable, renamed\"}"), 200);
      team = TestApi.ok(api.send("POST", "/v1/groups", alice, "{\"name\":\"Team\"}"), 201).get("id").asText();
      TestApi.ok(api.send("PUT", "/v1/groups/" + team + "/members/" + carol.id(), alice, null), 200);
      api.share(alice, doc, "group:" + team, "commenter");
      trashed = api.create(alice, "Binned");
      TestApi.ok(api.send("DELETE", "/v1/docs/" + trashed, alice, null), 200); // all acknowledged…
      ProcessHandle cassandra = node.embeddedCassandra().orElseThrow();
      cassandra.destroyForcibly(); // …then kill -9: no drain, no flush
      cassandra.onExit().get(30, TimeUnit.SECONDS);
    } finally {
      node.close();
    }

    node = Node.start(config());
    try {
      TestApi.User alice = login("alice");
      TestApi.User bob = login("bob");
      TestApi.User carol = login("carol");
      assertEquals(409, api.send("POST", "/v1/auth/register", (String) null, account("bob")).statusCode());
      JsonNode d = TestApi.ok(api.send("GET", "/v1/docs/" + doc, alice, null), 200);
      assertEquals("Durable, renamed", d.get("title").asText());
      assertEquals("editor", TestApi.ok(api.send("GET", "/v1/docs/" + doc, bob, null), 200).get("role").asText());
      assertEquals("commenter", TestApi.ok(api.send("GET", "/v1/docs/" + doc, carol, null), 200).get("role").asText());
      assertEquals(List.of(doc), list(alice, "active"));
      assertEquals(List.of(doc), list(bob, "active"));
      assertEquals(List.of(doc), list(carol, "active"));
      assertEquals(List.of(trashed), list(alice, "trash"));
      assertEquals(2, TestApi.ok(api.send("GET", "/v1/groups/" + team, alice, null), 200).get("members").size());
    } finally {
      node.close();
    }
  }
}
