package io.tandem.app.ws;

import io.tandem.app.http.RateLimits;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Broadcast;
import io.tandem.persistence.document.DocumentEntity.Caller;
import io.tandem.persistence.document.DocumentEntity.OpMessage;
import io.tandem.protocol.ClientMessage;
import io.tandem.protocol.ErrorCode;
import io.tandem.protocol.ServerMessage;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * One WebSocket connection to one document: it subscribes to the document's topic, sends the
 * client every op in version order without a gap (a hole left by pub/sub, which may drop, is
 * filled from the entity), forwards the client's ops to the entity and answers with acks in the
 * same order as the op stream. Its outgoing queue is bounded: a client that stops reading is
 * failed, never buffered without end.
 */
public final class Connection extends AbstractBehavior<Connection.Msg> {

  public sealed interface Msg {}
  /** A text message from the client. */
  public record FromClient(String text) implements Msg {}
  /** A client message refused before it could be read (too large, binary): answered with the error. */
  public record Refuse(ErrorCode code, String message) implements Msg {}

  /** Tells the client why and closes: the connection cannot go on. */
  record Fail(ErrorCode code, String message) implements Msg {}
  /** The socket's outgoing queue, once its stream is materialised: sent first to a {@link #detached} connection. */
  public record Attach(ActorRef<String> out) implements Msg {}
  /** The client went away (its side of the stream ended or failed). */
  public enum ClientGone implements Msg { INSTANCE }
  private record FromEntity(DocumentEntity.Reply reply) implements Msg {}
  private record FromTopic(Broadcast broadcast) implements Msg {}
  private record AckOverdue(long seq) implements Msg {}
  private enum CatchUp implements Msg { INSTANCE }
  private enum FetchOverdue implements Msg { INSTANCE }

  /** What the connection was opened with. */
  public record Settings(Duration ackTimeout, RateLimits opLimits) {}

  /** Something to send once every version before it was sent: another's op, or my ack. */
  private sealed interface Pending {}
  private record PendingOp(OpMessage op) implements Pending {}
  private record PendingAck(long seq) implements Pending {}

  private final ActorContext<Msg> ctx;
  private final TimerScheduler<Msg> timers;
  private final ActorRef<String> out;
  private final EntityRef<DocumentEntity.Command> entity;
  private final ActorRef<Topic.Command<Broadcast>> topic;
  private final ActorRef<DocumentEntity.Reply> entityReplies;
  private final ActorRef<Broadcast> broadcasts;
  private final Caller caller;
  private final String name;
  /** Others' cursors at a version the client has not reached yet: sent when it has. */
  private final Map<String, DocumentEntity.PresenceMessage> heldPresence = new HashMap<>();
  private final String docId;
  private final String clientId;
  private final Settings settings;
  /** The last version the client has been sent (as an op, an ack, or in the snapshot). */
  private long version;
  private final TreeMap<Long, Pending> pending = new TreeMap<>();
  private boolean fetching;
  /** The seqs this connection submitted that are not acked yet. */
  private final Set<Long> inFlight = new HashSet<>();
  private int catchUps;
  /** Ops refused for the rate since the last one taken: past {@link #MAX_REFUSED_IN_A_ROW} the connection is closed. */
  private int refusedInARow;
  static final int MAX_REFUSED_IN_A_ROW = 100;
  private static final kamon.metric.Metric.Counter ERRORS =
      kamon.Kamon.counter("tandem.ws.errors", "Errors sent to WebSocket clients, by protocol error code");

  private Connection(ActorContext<Msg> ctx, TimerScheduler<Msg> timers, ActorRef<String> out,
      EntityRef<DocumentEntity.Command> entity, ActorRef<Topic.Command<Broadcast>> topic, Caller caller, String name,
      String docId, DocumentEntity.JoinAccepted joined, Settings settings) {
    super(ctx);
    this.name = name;
    this.ctx = ctx;
    this.timers = timers;
    this.out = out;
    this.entity = entity;
    this.topic = topic;
    this.caller = caller;
    this.docId = docId;
    this.clientId = joined.clientId();
    this.settings = settings;
    this.entityReplies = ctx.messageAdapter(DocumentEntity.Reply.class, FromEntity::new);
    this.broadcasts = ctx.messageAdapter(Broadcast.class, FromTopic::new);
    topic.tell(Topic.subscribe(broadcasts));
    var others = new StringBuilder("[");
    for (DocumentEntity.PresenceMessage p : joined.presence()) {
      if (p.clientId().equals(clientId)) continue;
      if (others.length() > 1) others.append(',');
      others.append(presenceObject(p));
    }
    out.tell(ServerMessage.joined(docId, clientId, joined.version(), joined.role().wire(), others.append(']').toString()));
    if (joined.content() != null) {
      out.tell(ServerMessage.snapshot(joined.version(), joined.content(), joined.title()));
    } else {
      for (OpMessage op : joined.ops()) send(op);
    }
    this.version = joined.version();
    // Ops published between the join and the subscription, or before a new topic instance is
    // known across the cluster, would be missed: catch up now and a few times in the first seconds.
    fetch(Long.MAX_VALUE);
    timers.startTimerWithFixedDelay(CatchUp.INSTANCE, Duration.ofSeconds(1));
  }

  public static Behavior<Msg> create(ActorRef<String> out, EntityRef<DocumentEntity.Command> entity,
      ActorRef<Topic.Command<Broadcast>> topic, Caller caller, String name, String docId,
      DocumentEntity.JoinAccepted joined, Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new Connection(ctx, timers, out, entity, topic, caller, name, docId, joined, settings)));
  }

  /**
   * A connection whose outgoing queue is not there yet: the socket's stream gives it with
   * {@link Attach} when it materialises, and what the client sent before is kept until then.
   */
  public static Behavior<Msg> detached(EntityRef<DocumentEntity.Command> entity,
      ActorRef<Topic.Command<Broadcast>> topic, Caller caller, String name, String docId,
      DocumentEntity.JoinAccepted joined, Settings settings) {
    return Behaviors.withStash(64, stash -> Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      // a socket whose stream never starts (the client left during the upgrade) is not waited for
      timers.startSingleTimer(ClientGone.INSTANCE, Duration.ofSeconds(30));
      boolean[] overflowed = {false};
      return Behaviors.receive(Msg.class)
          .onMessage(Attach.class, a -> {
            timers.cancel(ClientGone.INSTANCE);
            // more came than is kept: what was dropped (ops of others, or the client's) is not
            // made up for here; the client reloads and resends
            if (overflowed[0]) context.getSelf().tell(new Fail(ErrorCode.RESYNC, "the connection fell behind as it opened; reload"));
            return stash.unstashAll(create(a.out(), entity, topic, caller, name, docId, joined, settings));
          })
          .onMessageEquals(ClientGone.INSTANCE, () -> {
            entity.tell(new DocumentEntity.Leave(joined.clientId()));
            return Behaviors.stopped();
          })
          .onAnyMessage(m -> {
            if (!stash.isFull()) stash.stash(m);
            else overflowed[0] = true;
            return Behaviors.same();
          })
          .build();
    })));
  }

  @Override
  public Receive<Msg> createReceive() {
    return newReceiveBuilder()
        .onMessage(FromClient.class, m -> fromClient(m.text()))
        .onMessage(Refuse.class, m -> {
          out.tell(error(m.code(), m.message(), null));
          return this;
        })
        .onMessage(Fail.class, m -> fail(m.code(), m.message(), null))
        .onMessageEquals(ClientGone.INSTANCE, this::stop)
        .onMessage(FromEntity.class, m -> fromEntity(m.reply()))
        .onMessage(FromTopic.class, m -> fromTopic(m.broadcast()))
        .onMessage(AckOverdue.class, m -> {
          if (!inFlight.contains(m.seq())) return this;
          return fail(ErrorCode.INTERNAL, "op " + m.seq() + " was not journaled in time; reconnect and send it again", m.seq());
        })
        .onMessageEquals(FetchOverdue.INSTANCE, () -> {
          if (fetching) fetch(pending.isEmpty() ? Long.MAX_VALUE : pending.firstKey() - 1);
          return this;
        })
        .onMessageEquals(CatchUp.INSTANCE, () -> {
          if (++catchUps >= 5) timers.cancel(CatchUp.INSTANCE);
          if (!fetching) fetch(Long.MAX_VALUE);
          return this;
        })
        .build();
  }

  private Behavior<Msg> fromClient(String text) {
    ClientMessage m;
    try {
      m = ClientMessage.parse(text);
    } catch (ClientMessage.Invalid e) {
      out.tell(error(e.code(), e.getMessage(), e.seq()));
      return this;
    }
    if (m instanceof ClientMessage.Ping) {
      out.tell(ServerMessage.pong());
    } else if (m instanceof ClientMessage.Op op) {
      RateLimits.Verdict v = settings.opLimits().take(clientId);
      if (!v.allowed()) {
        // PROTOCOL.md: rate_limited, and a close if it continues (the client does not wait as told)
        if (++refusedInARow > MAX_REFUSED_IN_A_ROW) {
          return fail(ErrorCode.RATE_LIMITED, "still over the ops allowed per second after " + MAX_REFUSED_IN_A_ROW
              + " refusals; reconnect later", op.seq());
        }
        out.tell(error(ErrorCode.RATE_LIMITED,
            "over the ops allowed per second; send it again in " + v.retryAfter().toMillis() + " ms", op.seq()));
        return this;
      }
      refusedInARow = 0;
      inFlight.add(op.seq());
      timers.startSingleTimer("ack-" + op.seq(), new AckOverdue(op.seq()), settings.ackTimeout());
      entity.tell(new DocumentEntity.Submit(caller, clientId, op.seq(), op.baseVersion(), op.ops(), entityReplies));
    } else if (m instanceof ClientMessage.Presence p) {
      entity.tell(new DocumentEntity.UpdatePresence(clientId, caller.userId(), name, p.selection(), p.baseVersion()));
    }
    return this;
  }

  private Behavior<Msg> fromEntity(DocumentEntity.Reply reply) {
    if (reply instanceof DocumentEntity.Acked a) {
      if (!inFlight.contains(a.seq())) return this; // already acked through the op stream
      settle(a.seq());
      if (a.version() <= version) {
        out.tell(ServerMessage.ack(a.seq(), a.version())); // a duplicate's original ack: the stream is past it
      } else {
        pending.put(a.version(), new PendingAck(a.seq()));
        drain();
      }
    } else if (reply instanceof DocumentEntity.OpRefused r) {
      settle(r.seq());
      out.tell(error(r.code(), r.message(), r.seq()));
      // internal: the write failed; the client reconnects and sends it again (PROTOCOL.md: close 1011)
      if (r.code() == ErrorCode.NOT_FOUND || r.code() == ErrorCode.INTERNAL) return close();
    } else if (reply instanceof DocumentEntity.OpsPage page) {
      fetching = false;
      timers.cancel(FetchOverdue.INSTANCE);
      if (page.ops() == null) return fail(ErrorCode.RESYNC, "the server no longer keeps the ops you miss; reload", null);
      for (OpMessage op : page.ops()) enqueue(op);
      drain();
    } else if (reply instanceof DocumentEntity.Summary) {
      return this; // still has access
    } else if (reply instanceof DocumentEntity.Rejected r) {
      ErrorCode code = r.code() == ErrorCode.NOT_FOUND ? ErrorCode.FORBIDDEN : r.code();
      return fail(code, "your access to this document ended", null);
    }
    return this;
  }

  private Behavior<Msg> fromTopic(Broadcast b) {
    if (b instanceof DocumentEntity.OpsBroadcast ops) {
      for (OpMessage op : ops.ops()) enqueue(op);
      drain();
    } else if (b instanceof DocumentEntity.AccessBroadcast a) {
      if (a.trashed()) return fail(ErrorCode.NOT_FOUND, "the document was deleted", null);
      entity.tell(new DocumentEntity.CheckAccess(caller, entityReplies));
    } else if (b instanceof DocumentEntity.PresenceBroadcast pb) {
      var p = pb.presence();
      if (p.clientId().equals(clientId)) return this;
      if (p.version() <= version) out.tell(presence(p));
      else heldPresence.put(p.clientId(), p);
    } else if (b instanceof DocumentEntity.LeaveBroadcast l) {
      if (l.clientId().equals(clientId)) return this;
      heldPresence.remove(l.clientId());
      out.tell(ServerMessage.leave(l.clientId()));
    } else if (b instanceof DocumentEntity.TitleBroadcast t) {
      out.tell(ServerMessage.event("title", "{\"title\":" + ServerMessage.quote(t.title()) + "}"));
    } else if (b instanceof DocumentEntity.VersionNamedBroadcast v) {
      out.tell(ServerMessage.event("version_named", "{\"version\":" + v.version() + ",\"name\":" + ServerMessage.quote(v.name())
          + ",\"by\":" + ServerMessage.quote(v.by()) + "}"));
    }
    return this;
  }

  private void enqueue(OpMessage op) {
    if (op.version() <= version) return;
    // An op of my client id is acked only if this connection sent it; one sent by an earlier
    // connection of the same client is an op like any other (the client recognises its seq).
    boolean mine = clientId.equals(op.clientId()) && inFlight.contains(op.seq());
    // The entity's ack may have come first and be waiting here for earlier versions: it stays an ack.
    if (pending.get(op.version()) instanceof PendingAck) return;
    pending.put(op.version(), mine ? new PendingAck(op.seq()) : new PendingOp(op));
  }

  /** Sends what follows the last version sent; a gap before the next pending one is fetched. */
  private void drain() {
    while (!pending.isEmpty() && pending.firstKey() == version + 1) {
      Pending p = pending.pollFirstEntry().getValue();
      version++;
      if (p instanceof PendingOp o) send(o.op());
      else {
        long seq = ((PendingAck) p).seq();
        settle(seq);
        out.tell(ServerMessage.ack(seq, version));
      }
    }
    if (!pending.isEmpty() && !fetching) fetch(pending.firstKey() - 1);
    if (!heldPresence.isEmpty()) {
      for (var it = heldPresence.values().iterator(); it.hasNext(); ) {
        var p = it.next();
        if (p.version() <= version) {
          out.tell(presence(p));
          it.remove();
        }
      }
    }
  }

  private static String presence(DocumentEntity.PresenceMessage p) {
    var s = p.selection();
    return ServerMessage.presence(p.clientId(), p.userId(), p.name(), p.color(), s == null ? null : s.index(),
        s == null ? null : s.length(), p.version());
  }

  private static String presenceObject(DocumentEntity.PresenceMessage p) {
    var s = p.selection();
    return ServerMessage.presenceObject(p.clientId(), p.userId(), p.name(), p.color(), s == null ? null : s.index(),
        s == null ? null : s.length(), p.version());
  }

  private void fetch(long upTo) {
    fetching = true;
    entity.tell(new DocumentEntity.FetchOps(version, upTo, entityReplies));
    timers.startSingleTimer(FetchOverdue.INSTANCE, Duration.ofSeconds(5)); // a lost request or reply is asked again
  }

  private void send(OpMessage op) {
    out.tell(op.wire());
  }

  /** An {@code error} message to send, counted by its code. */
  private static String error(ErrorCode code, String message, Long seq) {
    ERRORS.withTag("code", code.wire()).increment();
    return ServerMessage.error(code, message, seq);
  }

  private void settle(long seq) {
    if (inFlight.remove(seq)) timers.cancel("ack-" + seq);
  }

  /** Tells the client why and closes the connection. */
  private Behavior<Msg> fail(ErrorCode code, String message, Long seq) {
    out.tell(error(code, message, seq));
    return close();
  }

  /**
   * Completes the outgoing stream once what is queued is sent, and waits for the socket to end
   * (which the coupled flow signals as {@link ClientGone}): stopping at once would cancel the
   * stream before the last messages, the error that says why, went out.
   */
  private Behavior<Msg> close() {
    out.tell(Outgoing.COMPLETE);
    topic.tell(Topic.unsubscribe(broadcasts));
    entity.tell(new DocumentEntity.Leave(clientId));
    timers.cancelAll();
    timers.startSingleTimer(ClientGone.INSTANCE, Duration.ofSeconds(10)); // a client that never acknowledges the close
    return Behaviors.receive(Msg.class)
        .onMessageEquals(ClientGone.INSTANCE, Behaviors::stopped)
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Msg> stop() {
    topic.tell(Topic.unsubscribe(broadcasts));
    entity.tell(new DocumentEntity.Leave(clientId));
    return Behaviors.stopped();
  }

  /** The marker that completes the outgoing stream (closes the WebSocket). */
  public static final class Outgoing {
    public static final String COMPLETE = new String("\u0000complete");

    private Outgoing() {}
  }
}
