package io.tandem.app.history;

import static io.tandem.app.TestApi.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.NodeProcess;
import io.tandem.app.TestApi;
import io.tandem.cassandra.TestCassandra;
import io.tandem.ot.Rope;
import io.tandem.projections.history.Checkpoints;
import io.tandem.protocol.DeltaJson;
import io.tandem.protocol.client.TandemClient;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The checkpoint projection killed with -9 while it has checkpoints to write, and started again:
 * every checkpoint is then there once, each equal to the history's replay up to its version.
 */
class CheckpointKillIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  private static final int EVERY = 20;

  @Test
  void aNodeKilledInTheMiddleOfTheProjectionLeavesWholeCheckpointsOnceEachAfterItComesBack() throws Exception {
    int[] ports = TestCassandra.freePorts(2);
    String every = "-Dtandem.docs.checkpoint-every=" + EVERY;
    var checkpoints = new Checkpoints(cassandra.session(), cassandra.keyspace());
    String doc;
    TestApi.User alice;
    int writtenAtKill;
    try (var node = NodeProcess.start(cassandra, "checkpoints-1", ports[0], ports[1], ports[1], every)) {
      var api = TestApi.at(node.base());
      alice = api.register("alice");
      doc = api.create(alice, "Killed");
      try (var c = TandemClient.connect(http, node.base(), alice.token(), doc).toCompletableFuture().get(30, TimeUnit.SECONDS)) {
        for (int i = 0; i < 600; i++) {
          c.insert(c.text().length() * (i % 3) / 3, "k" + (i % 10));
          c.awaitSettled(Duration.ofSeconds(30));
        }
      }
      writtenAtKill = checkpoints.versions(doc).toCompletableFuture().get(10, TimeUnit.SECONDS).size();
      node.kill(); // right after the last ack: the projection is seconds behind the journal
    }
    System.out.println("checkpoints written when the node was killed: " + writtenAtKill + " of " + 600 / EVERY);

    try (var node = NodeProcess.start(cassandra, "checkpoints-2", ports[0], ports[1], ports[1], every)) {
      var api = TestApi.at(node.base());
      var want = new ArrayList<Long>();
      for (long v = 600; v >= EVERY; v -= EVERY) want.add(v);
      List<Long> written = List.of();
      for (int i = 0; i < 240 && !written.equals(want); i++) {
        written = checkpoints.versions(doc).toCompletableFuture().get(10, TimeUnit.SECONDS);
        if (!written.equals(want)) Thread.sleep(500);
      }
      assertEquals(want, written, "a checkpoint at every multiple of " + EVERY + ", once each");

      // each is the replay of the history up to its version
      Map<Long, String> replay = new HashMap<>();
      Rope r = Rope.EMPTY;
      String cursor = null;
      do {
        JsonNode page = ok(api.send("GET", "/v1/docs/" + doc + "/history?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor),
            alice, null), 200);
        for (JsonNode op : page.get("items")) {
          r = r.apply(DeltaJson.parse(op.get("ops").toString()));
          if (op.get("version").asLong() % EVERY == 0) replay.put(op.get("version").asLong(), DeltaJson.write(r.toDelta()));
        }
        cursor = page.has("nextCursor") ? page.get("nextCursor").asText() : null;
      } while (cursor != null);
      for (long v : want) {
        assertEquals(replay.get(v), checkpoints.latest(doc, v).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().content(),
            "checkpoint " + v);
      }
    }
  }
}
