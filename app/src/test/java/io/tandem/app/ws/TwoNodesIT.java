package io.tandem.app.ws;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.NodeProcess;
import io.tandem.app.TestApi;
import io.tandem.cassandra.TestCassandra;
import io.tandem.protocol.client.TandemClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two cluster nodes, two JVMs on loopback ports, one Cassandra: each document's entity lives on
 * one of them, sockets are open on both, and clients editing through either converge with every
 * version in order and no hole (ops cross nodes by distributed pub/sub; a hole is fetched).
 */
class TwoNodesIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<NodeProcess> nodes = new ArrayList<>();

  @AfterAll
  static void stop() throws Exception {
    for (var n : nodes) n.close();
  }

  @Test
  void clientsOnTwoNodesEditingOneDocumentConverge() throws Exception {
    int[] ports = TestCassandra.freePorts(4);
    var a = NodeProcess.start(cassandra, "cluster-a", ports[0], ports[2], ports[2]);
    nodes.add(a);
    var b = NodeProcess.start(cassandra, "cluster-b", ports[1], ports[3], ports[2]);
    nodes.add(b);
    var apiA = TestApi.at(a.base());
    var apiB = TestApi.at(b.base());
    TestApi.User alice = apiA.register("alice");
    // several documents, so that entities land on both nodes: each is edited through both
    for (int d = 0; d < 4; d++) {
      String doc = apiA.create(alice, "Across nodes " + d);
      var clients = new ArrayList<TandemClient>();
      for (int i = 0; i < 4; i++) {
        var base = i % 2 == 0 ? a.base() : b.base();
        clients.add(TandemClient.connect(http, base, alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS));
      }
      CoEditingIT.editTogether(clients, 60, 7 + d);
      for (var c : clients) c.awaitSettled(WAIT);
      JsonNode fromA = ok(apiA.send("GET", "/v1/docs/" + doc, alice, null), 200);
      JsonNode fromB = ok(apiB.send("GET", "/v1/docs/" + doc, alice, null), 200);
      assertEquals(fromA, fromB, "both nodes answer the same document");
      apiA.assertConverged(doc, alice, clients, WAIT);
      for (var c : clients) {
        assertEquals(List.of(), c.errors());
        List<Long> seen = c.versionsSeen();
        for (int i = 1; i < seen.size(); i++) assertEquals(seen.get(i - 1) + 1, seen.get(i), "versions gapless and in order");
      }
      clients.forEach(TandemClient::close);
    }
  }
}
