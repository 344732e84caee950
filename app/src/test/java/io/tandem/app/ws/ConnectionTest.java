package io.tandem.app.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.http.RateLimits;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Broadcast;
import io.tandem.persistence.document.DocumentEntity.FetchOps;
import io.tandem.persistence.document.DocumentEntity.OpMessage;
import io.tandem.protocol.ServerMessage;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The connection actor alone, its entity and topic replaced by probes: what pub/sub may do to it
 * (drop a message, deliver the op after the entity's ack) never reaches the client as a hole, a
 * reordering, or one's own op in place of its ack.
 */
class ConnectionTest {

  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** One connection at version 0 of "doc", with probes for its socket, entity and topic. */
  private static final class Rig {
    final TestProbe<String> out = kit.createTestProbe();
    final TestProbe<DocumentEntity.Command> entity = kit.createTestProbe();
    final TestProbe<Topic.Command<Broadcast>> topic = kit.createTestProbe();
    final ActorRef<Connection.Msg> connection;
    final ActorRef<Broadcast> broadcasts;

    @SuppressWarnings("unchecked")
    Rig() {
      var joined = new DocumentEntity.JoinAccepted("me", Role.EDITOR, 0, "Doc", "[]", List.of(), List.of());
      connection = kit.spawn(Connection.create(out.ref(), TestEntityRef.of(DocumentEntity.TYPE_KEY, "doc", entity.ref()),
          topic.ref(), new DocumentEntity.Caller("u1", Set.of(), false), "Me", "doc", joined,
          new Connection.Settings(Duration.ofSeconds(30), new RateLimits(1000, Duration.ofSeconds(1), 1000, 100))));
      broadcasts = ((org.apache.pekko.actor.typed.internal.pubsub.TopicImpl.Subscribe<Broadcast>) topic.receiveMessage()).subscriber(); // the subscription
      assertTrue(out.receiveMessage().contains("\"type\":\"joined\""));
      assertTrue(out.receiveMessage().contains("\"type\":\"snapshot\""));
    }

    /** The next fetch for a hole (upTo below "everything"); catch-up fetches meanwhile are answered "nothing new". */
    FetchOps holeFetch() {
      while (true) {
        var m = entity.receiveMessage(Duration.ofSeconds(10));
        if (m instanceof FetchOps f) {
          if (f.upTo() != Long.MAX_VALUE) return f;
          f.replyTo().tell(new DocumentEntity.OpsPage(List.of()));
        }
      }
    }

    /** The next message to the client, skipping nothing. */
    String sent() {
      return out.receiveMessage(Duration.ofSeconds(10));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void moreMessagesThanAreKeptBeforeTheSocketAttachesMakeTheClientReloadInsteadOfMissingThem() {
    var out = kit.<String>createTestProbe();
    var entity = kit.<DocumentEntity.Command>createTestProbe();
    var topic = kit.<Topic.Command<Broadcast>>createTestProbe();
    var joined = new DocumentEntity.JoinAccepted("me", Role.EDITOR, 0, "Doc", "[]", List.of(), List.of());
    var connection = kit.spawn(Connection.detached(TestEntityRef.of(DocumentEntity.TYPE_KEY, "doc", entity.ref()),
        topic.ref(), new DocumentEntity.Caller("u1", Set.of(), false), "Me", "doc", joined,
        new Connection.Settings(Duration.ofSeconds(30), new RateLimits(1000, Duration.ofSeconds(1), 1000, 100))));
    for (int i = 0; i < 100; i++) connection.tell(new Connection.FromClient("{\"type\":\"ping\"}"));
    connection.tell(new Connection.Attach(out.ref()));
    assertTrue(out.receiveMessage().contains("\"type\":\"joined\""));
    String m;
    int pongs = 0;
    while (!(m = out.receiveMessage(Duration.ofSeconds(10))).contains("\"type\":\"error\"")) {
      if (m.contains("pong")) pongs++;
    }
    assertTrue(m.contains("\"code\":\"resync\""), m);
    assertEquals(64, pongs, "the kept pings are answered, then the client is told to reload");
    assertTrue(out.receiveMessage() == Connection.Outgoing.COMPLETE, "and the socket is closed");
  }

  private static OpMessage op(long version, String clientId, long seq) {
    String ops = "[{\"insert\":\"" + version + "\"}]";
    return new OpMessage(version, ops, "u-" + clientId, clientId, seq, 1L,
        ServerMessage.op(version, ops, "u-" + clientId, clientId, seq, 1L));
  }

  @Test
  void aBroadcastThatPubSubDroppedIsFetchedAndTheClientSeesNoHole() {
    var rig = new Rig();
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(1, "other", 1))));
    assertEquals(op(1, "other", 1).wire(), rig.sent());
    // version 2 is lost on the way; 3 arrives
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(3, "other", 3))));
    FetchOps f = rig.holeFetch();
    assertEquals(1, f.after());
    assertEquals(2, f.upTo());
    rig.out.expectNoMessage(Duration.ofMillis(200)); // 3 waits for 2
    f.replyTo().tell(new DocumentEntity.OpsPage(List.of(op(2, "other", 2))));
    assertEquals(op(2, "other", 2).wire(), rig.sent());
    assertEquals(op(3, "other", 3).wire(), rig.sent());
    // a late duplicate of what was filled is not sent again
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(2, "other", 2), op(3, "other", 3), op(4, "other", 4))));
    assertEquals(op(4, "other", 4).wire(), rig.sent());
  }

  @Test
  void anAckThatArrivesBeforeEarlierVersionsWaitsForThemAndStaysAnAck() {
    var rig = new Rig();
    rig.connection.tell(new Connection.FromClient("{\"type\":\"op\",\"seq\":1,\"baseVersion\":0,\"ops\":[{\"insert\":\"m\"}]}"));
    DocumentEntity.Submit submit;
    while (true) {
      var m = rig.entity.receiveMessage(Duration.ofSeconds(10));
      if (m instanceof DocumentEntity.Submit s) {
        submit = s;
        break;
      }
      if (m instanceof FetchOps f) f.replyTo().tell(new DocumentEntity.OpsPage(List.of()));
    }
    // the entity put another client's op first (version 1) and mine at 2; its reply comes first
    submit.replyTo().tell(new DocumentEntity.Acked("me", 1, 2));
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(2, "me", 1)))); // mine, through the topic
    rig.out.expectNoMessage(Duration.ofMillis(200)); // both wait for version 1
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(1, "other", 1))));
    assertEquals(op(1, "other", 1).wire(), rig.sent());
    assertEquals(ServerMessage.ack(1, 2), rig.sent(), "my op comes back as its ack, in version order");
    rig.broadcasts.tell(new DocumentEntity.OpsBroadcast(List.of(op(3, "other", 2))));
    assertEquals(op(3, "other", 2).wire(), rig.sent());
  }
}
