package io.tandem.persistence.document;

import io.tandem.ot.Delta;
import io.tandem.ot.OpValidator;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.tandem.persistence.CborSerializable;
import io.tandem.persistence.DeltaCodec;
import io.tandem.persistence.access.Acl;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.protocol.ClientMessage;
import io.tandem.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import kamon.Kamon;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;

/**
 * One document, the single writer of its metadata and access list (content and ops join it in
 * the next issue): sharded by document id, event-sourced to the journal. Every command names its
 * caller and is answered; refusals are {@link Rejected} values with the protocol's code. A
 * document the caller may not see is {@code not_found}, never {@code forbidden}: its existence
 * is not revealed. A deleted document sits in its owners' trash until restored or purged; a
 * purged document is a tombstone that answers {@code not_found} to everyone, for ever.
 *
 * <p>Metadata events carry one of {@link #TAGS} tags, {@code docs-0} to {@code docs-3} by document
 * id, which the docs-by-user projection reads; they are rare, so the second write a tag costs
 * (ARCHITECTURE.md) does not slow editing. Replies carry the journal sequence number of the state
 * they describe, so read models written through from a reply are ordered with the projection's.
 */
public final class DocumentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<DocumentEntity.Command, DocumentEntity.Event, DocumentEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Document");
  public static final int MAX_TITLE = 200;
  /** How many tags the metadata events are spread over: one projection instance reads each. */
  public static final int TAGS = 4;
  /** How many tags the checkpoint ops are spread over (the history's projection). */
  public static final int CHECKPOINT_TAGS = 4;
  public static final int DEFAULT_CHECKPOINT_EVERY = 500;
  public static final int MAX_VERSION_NAME = 100;
  /** Named versions a document keeps (each reply lists them all: a bounded message). */
  public static final int MAX_NAMED_VERSIONS = 500;

  /**
   * How a document edits: the ops kept in memory to transform late ops against, how far behind
   * the document a base or a {@code since} may be and still be served from the journal (older
   * ones get {@code resync} or the snapshot), the clients remembered for deduplication (least
   * recently used beyond), the most ops journaled in one write (group commit), a snapshot every
   * so many events, the limits of an op and of the document, and every how many versions the op
   * is tagged for the checkpoint projection (history).
   */
  public record Settings(int windowOps, int journalOps, int maxClients, int maxBatch, int snapshotEvery, OpValidator validator,
      int checkpointEvery) {
    public Settings {
      if (checkpointEvery < 1) throw new IllegalArgumentException("checkpointEvery is 1 or more");
    }

    public Settings(int windowOps, int journalOps, int maxClients, int maxBatch, int snapshotEvery, OpValidator validator) {
      this(windowOps, journalOps, maxClients, maxBatch, snapshotEvery, validator, DEFAULT_CHECKPOINT_EVERY);
    }

    public static Settings defaults() {
      return new Settings(1000, 10_000, 10_000, 500, 1000, OpValidator.DEFAULT);
    }
  }

  /** Who asks: the user, the groups they are in, and whether they came by the document's link. */
  public record Caller(String userId, Set<String> groups, boolean viaLink) implements CborSerializable {
    public Caller {
      groups = Set.copyOf(groups);
    }

    public static Caller user(String userId) {
      return new Caller(userId, Set.of(), false);
    }
  }

  public sealed interface Command extends CborSerializable {}
  public record Create(Caller caller, String title, ActorRef<Reply> replyTo) implements Command {}
  public record Get(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  /** As {@link Get} without the content: who may see the document, and with which role. */
  public record CheckAccess(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  public record Rename(Caller caller, String title, ActorRef<Reply> replyTo) implements Command {}
  public record Delete(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  public record Restore(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  public record Share(Caller caller, Principal principal, Role role, ActorRef<Reply> replyTo) implements Command {}
  public record Unshare(Caller caller, Principal principal, ActorRef<Reply> replyTo) implements Command {}
  public record TransferOwnership(Caller caller, String toUserId, ActorRef<Reply> replyTo) implements Command {}
  /** Names the current version (editor and up): answered with {@link NamedVersions} holding the new one. */
  public record NameVersion(Caller caller, String name, ActorRef<Reply> replyTo) implements Command {}
  /** The named versions (viewer and up). */
  public record ListNamedVersions(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  /**
   * A connection opens: answered with {@link JoinAccepted}, the client id it is to use (the one
   * asked for if it is free or the caller's), and either the ops after {@code since} or the content.
   */
  public record Join(Caller caller, String clientId, Long since, ActorRef<Reply> replyTo) implements Command {}
  /** An op: answered with {@link Acked} once journaled, or {@link OpRefused}. */
  public record Submit(Caller caller, String clientId, long seq, long baseVersion,
      @JsonSerialize(using = DeltaCodec.Writer.class) @JsonDeserialize(using = DeltaCodec.Reader.class) Delta ops,
      ActorRef<Reply> replyTo) implements Command {}
  /** The ops with versions in ({@code after}, {@code upTo}]: {@link OpsPage}, whose ops are null past the window. */
  public record FetchOps(long after, long upTo, ActorRef<Reply> replyTo) implements Command {}
  /**
   * A cursor or selection moved ({@code selection} null: none), made at {@code baseVersion}: the
   * document moves it through the ops since, keeps it (in memory only) and tells the others.
   */
  public record UpdatePresence(String clientId, String userId, String name, ClientMessage.Selection selection,
      long baseVersion) implements Command {}
  /** A connection closed: its presence goes, and the others are told. */
  public record Leave(String clientId) implements Command {}
  /** Internal: forget presences not refreshed within the time to live. */
  private enum ExpirePresence implements Command { INSTANCE }
  /** Internal: journal the submissions buffered so far in one write. */
  private enum Flush implements Command { INSTANCE }
  /**
   * Internal: the ops older than the window that {@code command} (a {@link Submit}, {@link FetchOps}
   * or {@link Join}) needs, read from the journal; null if the read failed.
   */
  private record WithOlder(Command command, List<OpApplied> ops, int attempt) implements Command {}
  /** From the trash purger: erase the document if it has been in the trash since before {@code cutoff}. */
  public record Purge(Instant cutoff, ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Reply extends CborSerializable {}
  /** The document as the caller sees it, with the caller's role (null after they gave up their own access). */
  public record Summary(String docId, String title, Role role, Acl acl, Instant createdAt, Instant updatedAt,
      Instant trashedAt, long seqNr, long version, String content) implements Reply {}
  public record Rejected(ErrorCode code, String detail) implements Reply {}
  public record JoinAccepted(String clientId, Role role, long version, String title, String content, List<OpMessage> ops,
      List<PresenceMessage> presence) implements Reply {}
  public record Acked(String clientId, long seq, long version) implements Reply {}
  public record OpRefused(String clientId, long seq, ErrorCode code, String message) implements Reply {}
  public record OpsPage(List<OpMessage> ops) implements Reply {}
  /** The document's named versions, oldest first, with the caller's role and the current version. */
  public record NamedVersions(Role role, long version, List<NamedVersion> items) implements Reply {}
  /**
   * Answer to {@link Purge}: whether this command purged the document; and, once it is purged (by
   * this command or before), the sequence number and time of its {@link Purged} event, 0 and null
   * otherwise. Everything journaled before that event is then to be erased (the purger does).
   */
  public record PurgeResult(boolean purged, long purgedSeqNr, Instant purgedAt) implements Reply {
    static final PurgeResult KEPT = new PurgeResult(false, 0, null);
  }

  public sealed interface Event extends CborSerializable {}
  public record Created(String ownerId, String title, Instant at) implements Event {}
  public record Renamed(String title, String by, Instant at) implements Event {}
  public record Trashed(String by, Instant at) implements Event {}
  public record Restored(String by, Instant at) implements Event {}
  public record AccessChanged(Acl acl, String by, Instant at) implements Event {}
  public record Purged(Instant at) implements Event {}
  public record VersionNamed(NamedVersion named) implements Event {}
  /** A version someone named, and when. */
  public record NamedVersion(long version, String name, String by, Instant at) implements CborSerializable {}
  /**
   * An op, transformed to its version, as canonical JSON. Ops are many and not tagged (a tag
   * doubles the write), except every {@link Settings#checkpointEvery()}-th: the checkpoint
   * projection reads those and the ops before them from the journal.
   */
  public record OpApplied(long version, String ops, String userId, String clientId, long seq, long ts) implements Event {}

  /** What a document tells its connections through its topic. */
  public sealed interface Broadcast extends CborSerializable {}
  /** Ops journaled in one write, in version order. */
  public record OpsBroadcast(List<OpMessage> ops) implements Broadcast {}
  /** The access list changed, or the document was trashed: connections check their role again. */
  public record AccessBroadcast(boolean trashed) implements Broadcast {}
  public record TitleBroadcast(String title) implements Broadcast {}
  public record VersionNamedBroadcast(long version, String name, String by) implements Broadcast {}
  public record PresenceBroadcast(PresenceMessage presence) implements Broadcast {}
  public record LeaveBroadcast(String clientId) implements Broadcast {}
  /** Where someone's cursor is, at {@code version}. */
  public record PresenceMessage(String clientId, String userId, String name, String color, ClientMessage.Selection selection,
      long version) implements CborSerializable {}
  /** An op as connections send it: {@code wire} is the protocol's {@code op} message, written once for all of them. */
  public record OpMessage(long version, String ops, String userId, String clientId, long seq, long ts, String wire)
      implements CborSerializable {}

  public sealed interface State extends CborSerializable {}
  public record Empty() implements State {}
  /**
   * What is left of a purged document: that it existed, so its id is never reused, and when it
   * was purged (null in a snapshot from before this was kept).
   */
  public record Gone(Instant at) implements State {}
  public record Doc(String title, Acl acl, Instant createdAt, Instant updatedAt, Instant trashedAt, DocContent content,
      List<NamedVersion> named) implements State {
    boolean trashed() {
      return trashedAt != null;
    }

    Optional<Role> roleOf(Caller c) {
      return acl.roleOf(c.userId(), c.groups(), c.viaLink());
    }
  }

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final String docId;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final Set<String> tags;
  private final Set<String> checkpointTags;
  private final Settings settings;
  private final ActorRef<Topic.Command<Broadcast>> topic;
  /** Submissions waiting for the next write; and whether a Flush is on its way. */
  private final List<Submit> buffer = new ArrayList<>();
  private boolean flushing;
  /** The submissions of the write in flight, answered when it ends (or refused if the entity fails first). */
  private final List<Submit> writing = new ArrayList<>();
  /** Who is here and where their cursor is: not journaled, gone with the entity. */
  private final Map<String, PresenceMessage> presence = new java.util.LinkedHashMap<>();
  private final Map<String, Long> presenceSeen = new HashMap<>();
  private static final Duration PRESENCE_TTL = Duration.ofMinutes(2);
  /** Ops just journaled, parsed already: the event handler takes them instead of parsing again. */
  private final Map<Long, Delta> fresh = new HashMap<>();
  private final OlderOps olderOps;
  /** How far back the journal is read for a late op or a resuming connection (0: never). */
  private final long journalOps;
  /** Submissions based before the window, with the ops read for them, until their batch is written. */
  private final Map<Submit, List<DocContent.Applied>> older = new java.util.IdentityHashMap<>();
  /** Journal reads after a read whose ops no longer reached the window (it moved on meanwhile). */
  private static final int MAX_READS = 3;

  // Metrics (Kamon; the node reports them at GET /v1/metrics).
  private static final kamon.metric.Counter OPS_APPLIED =
      Kamon.counter("tandem.ops.applied", "Ops journaled and acknowledged").withoutTags();
  private static final kamon.metric.Metric.Counter OPS_REFUSED =
      Kamon.counter("tandem.ops.refused", "Ops refused, by protocol error code");
  private static final kamon.metric.Timer JOURNAL_WRITE = Kamon.timer("tandem.journal.write",
      "From a batch of ops placed to its journal write acknowledged by Cassandra; the ops are acked then").withoutTags();
  private static final kamon.metric.Histogram JOURNAL_BATCH =
      Kamon.histogram("tandem.journal.batch", "Ops journaled in one write (group commit)").withoutTags();
  private static final kamon.metric.Gauge DOCUMENTS_OPEN =
      Kamon.gauge("tandem.documents.open", "Document entities running on this node").withoutTags();
  private static final kamon.metric.Counter JOURNAL_FAILURES = Kamon.counter("tandem.journal.failures",
      "Journal writes of ops that failed (their ops were refused with internal; the clients resend them)").withoutTags();

  private DocumentEntity(String docId, Clock clock, ActorContext<Command> context, Settings settings,
      ActorRef<Topic.Command<Broadcast>> topic, OlderOps olderOps) {
    super(PersistenceId.of(TYPE_KEY.name(), docId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.docId = docId;
    this.clock = clock;
    this.context = context;
    this.tags = Set.of(tagOf(docId));
    this.checkpointTags = Set.of(checkpointTagOf(docId));
    this.settings = settings;
    this.topic = topic;
    this.olderOps = olderOps;
    this.journalOps = olderOps == OlderOps.NONE ? 0 : settings.journalOps();
  }

  /**
   * {@code entity} counted in {@code tandem_documents_open} while it runs: from outside its
   * supervision, which holds back the signals of an entity stopped while it waits to restart.
   */
  private static Behavior<Command> counted(Behavior<Command> entity) {
    return Behaviors.setup(ctx -> {
      DOCUMENTS_OPEN.increment();
      return Behaviors.intercept(() -> new BehaviorInterceptor<Command, Command>(Command.class) {
        @Override
        public Behavior<Command> aroundReceive(TypedActorContext<Command> c, Command msg, ReceiveTarget<Command> target) {
          return target.apply(c, msg);
        }

        @Override
        public Behavior<Command> aroundSignal(TypedActorContext<Command> c, Signal signal, SignalTarget<Command> target) {
          if (signal instanceof PostStop) DOCUMENTS_OPEN.decrement();
          return target.apply(c, signal);
        }
      }, entity);
    });
  }

  /** A document without connections to tell (tests of the metadata). */
  public static Behavior<Command> create(String docId, Clock clock) {
    return Behaviors.setup(ctx -> new DocumentEntity(docId, clock, ctx, Settings.defaults(),
        ctx.spawn(Topic.create(Broadcast.class, topicName(docId)), "topic"), OlderOps.NONE));
  }

  /**
   * A document that publishes to {@code topics.apply(docId)}, the node's topic of the document,
   * and reads ops older than its window with {@code olderOps}.
   */
  public static Behavior<Command> create(String docId, Clock clock, Settings settings,
      Function<String, ActorRef<Topic.Command<Broadcast>>> topics, OlderOps olderOps) {
    return counted(Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(ExpirePresence.INSTANCE, PRESENCE_TTL.dividedBy(4));
      return new DocumentEntity(docId, clock, ctx, settings, topics.apply(docId), olderOps);
    })));
  }

  /** The name of a document's topic. */
  public static String topicName(String docId) {
    return "doc-" + docId;
  }

  /**
   * A failed journal write stops the entity (and it starts again from the journal, with back-off):
   * what it had not written is refused with {@code internal}, which the connections pass on, so
   * clients resend at once instead of waiting for their ack timeout. Nothing of it was acked.
   */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(PreRestart.instance(), state -> refuseUnwritten())
        .onSignal(PostStop.instance(), state -> refuseUnwritten())
        .build();
  }

  private void refuseUnwritten() {
    if (!writing.isEmpty()) JOURNAL_FAILURES.increment();
    for (List<Submit> list : List.of(writing, buffer)) {
      for (Submit s : list) s.replyTo().tell(refused(s, ErrorCode.INTERNAL, "the op was not journaled (storage failed); send it again"));
      list.clear();
    }
    flushing = false;
    fresh.clear();
    older.clear();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  /** The tag of a document's metadata events. */
  public static String tagOf(String docId) {
    return "docs-" + Math.floorMod(docId.hashCode(), TAGS);
  }

  /** The tag of a document's every {@link Settings#checkpointEvery()}-th op. */
  public static String checkpointTagOf(String docId) {
    return "checkpoints-" + Math.floorMod(docId.hashCode(), CHECKPOINT_TAGS);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof OpApplied op) { // ops are many: a tag would double each write
      return op.version() % settings.checkpointEvery() == 0 ? checkpointTags : Set.of();
    }
    return tags;
  }

  @Override
  public State emptyState() {
    return new Empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    var b = newCommandHandlerWithReplyBuilder();
    b.forStateType(Empty.class)
        .onCommand(Create.class, this::create)
        .onCommand(Get.class, c -> notFound(c.replyTo()))
        .onCommand(CheckAccess.class, c -> notFound(c.replyTo()))
        .onCommand(Rename.class, c -> notFound(c.replyTo()))
        .onCommand(Delete.class, c -> notFound(c.replyTo()))
        .onCommand(Restore.class, c -> notFound(c.replyTo()))
        .onCommand(Share.class, c -> notFound(c.replyTo()))
        .onCommand(Unshare.class, c -> notFound(c.replyTo()))
        .onCommand(TransferOwnership.class, c -> notFound(c.replyTo()))
        .onCommand(NameVersion.class, c -> notFound(c.replyTo()))
        .onCommand(ListNamedVersions.class, c -> notFound(c.replyTo()))
        .onCommand(Purge.class, c -> Effect().reply(c.replyTo(), PurgeResult.KEPT))
        .onCommand(Join.class, c -> notFound(c.replyTo()))
        .onCommand(Submit.class, c -> Effect().reply(c.replyTo(), refused(c, ErrorCode.NOT_FOUND, "no document " + docId)))
        .onCommand(FetchOps.class, c -> Effect().reply(c.replyTo(), new OpsPage(null)))
        .onCommand(Flush.class, c -> Effect().noReply())
        .onCommand(WithOlder.class, c -> Effect().noReply())
        .onCommand(UpdatePresence.class, c -> Effect().noReply())
        .onCommand(Leave.class, c -> Effect().noReply())
        .onCommand(ExpirePresence.class, c -> Effect().noReply());
    b.forStateType(Gone.class)
        .onCommand(Submit.class, c -> Effect().reply(c.replyTo(), refused(c, ErrorCode.NOT_FOUND, "no document " + docId)))
        .onCommand(FetchOps.class, c -> Effect().reply(c.replyTo(), new OpsPage(null)))
        .onCommand(Flush.class, c -> Effect().noReply())
        .onCommand(WithOlder.class, c -> c.command() instanceof Submit s
            ? Effect().reply(s.replyTo(), refused(s, ErrorCode.NOT_FOUND, "no document " + docId))
            : c.command() instanceof FetchOps f ? Effect().reply(f.replyTo(), new OpsPage(null)) : notFound(c.command()))
        .onCommand(Create.class, c -> reject(c.replyTo(), ErrorCode.CONFLICT, "the document existed and was purged"))
        // purged before: the purger erases again (an erasure cut short is finished)
        .onCommand(Purge.class, (g, c) -> Effect().reply(c.replyTo(), new PurgeResult(false, lastSequenceNumber(context), g.at())))
        .onCommand(UpdatePresence.class, c -> Effect().noReply())
        .onCommand(Leave.class, c -> Effect().noReply())
        .onCommand(ExpirePresence.class, c -> Effect().noReply())
        .onAnyCommand(this::notFound);
    b.forStateType(Doc.class)
        .onCommand(Create.class, (d, c) -> reject(c.replyTo(), ErrorCode.CONFLICT, "the document exists"))
        .onCommand(Get.class, this::get)
        .onCommand(CheckAccess.class, (d, c) -> visibleRole(d, c.caller())
            .<ReplyEffect<Event, State>>map(role -> Effect().reply(c.replyTo(), summary(d, role)))
            .orElseGet(() -> notFound(c.replyTo())))
        .onCommand(Rename.class, this::rename)
        .onCommand(Delete.class, this::delete)
        .onCommand(Restore.class, this::restore)
        .onCommand(Share.class, (d, c) -> changeAccess(d, c.caller(), d.acl().grant(c.principal(), c.role()), c.replyTo()))
        .onCommand(Unshare.class, (d, c) -> changeAccess(d, c.caller(), d.acl().revoke(c.principal()), c.replyTo()))
        .onCommand(TransferOwnership.class,
            (d, c) -> changeAccess(d, c.caller(), d.acl().transferOwnership(c.caller().userId(), c.toUserId()), c.replyTo()))
        .onCommand(Purge.class, this::purge)
        .onCommand(NameVersion.class, this::nameVersion)
        .onCommand(ListNamedVersions.class, (d, c) -> visibleRole(d, c.caller())
            .<ReplyEffect<Event, State>>map(role -> Effect().reply(c.replyTo(), new NamedVersions(role, d.content().version(), d.named())))
            .orElseGet(() -> notFound(c.replyTo())))
        .onCommand(Join.class, this::join)
        .onCommand(Submit.class, this::submit)
        .onCommand(Flush.class, (d, c) -> flush(d))
        .onCommand(UpdatePresence.class, this::updatePresence)
        .onCommand(Leave.class, (d, c) -> {
          if (presence.remove(c.clientId()) != null) topic.tell(Topic.publish(new LeaveBroadcast(c.clientId())));
          presenceSeen.remove(c.clientId());
          return Effect().noReply();
        })
        .onCommand(ExpirePresence.class, (d, c) -> {
          long cutoff = clock.millis() - PRESENCE_TTL.toMillis();
          for (var it = presenceSeen.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() >= cutoff) continue;
            it.remove();
            if (presence.remove(e.getKey()) != null) topic.tell(Topic.publish(new LeaveBroadcast(e.getKey())));
          }
          return Effect().noReply();
        })
        .onCommand(FetchOps.class, (d, c) -> fetchOps(d, c, null, 0))
        .onCommand(WithOlder.class, this::withOlder);
    return b.build();
  }

  private ReplyEffect<Event, State> create(Empty empty, Create c) {
    String title = c.title() == null ? "" : c.title().strip();
    if (title.length() > MAX_TITLE) return reject(c.replyTo(), ErrorCode.INVALID_MESSAGE, "a title is at most " + MAX_TITLE + " characters");
    return Effect().persist(new Created(c.caller().userId(), title.isEmpty() ? "Untitled" : title, clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  /** The caller's role if they may see the document: a trashed one only its owners see. */
  private static Optional<Role> visibleRole(Doc d, Caller caller) {
    return d.roleOf(caller).filter(role -> !d.trashed() || role == Role.OWNER);
  }

  private ReplyEffect<Event, State> get(Doc d, Get c) {
    Optional<Role> role = visibleRole(d, c.caller());
    if (role.isEmpty()) return notFound(c.replyTo());
    Summary s = summary(d, role.get());
    String content = io.tandem.protocol.DeltaJson.write(d.content().text().toDelta());
    return Effect().reply(c.replyTo(), new Summary(s.docId(), s.title(), s.role(), s.acl(), s.createdAt(), s.updatedAt(),
        s.trashedAt(), s.seqNr(), s.version(), content));
  }

  private ReplyEffect<Event, State> rename(Doc d, Rename c) {
    var refusal = guard(d, c.caller(), Role.EDITOR);
    if (refusal.isPresent()) return Effect().reply(c.replyTo(), refusal.get());
    String title = c.title() == null ? "" : c.title().strip();
    if (title.isEmpty() || title.length() > MAX_TITLE) {
      return reject(c.replyTo(), ErrorCode.INVALID_MESSAGE, "a title is 1 to " + MAX_TITLE + " characters");
    }
    return Effect().persist(new Renamed(title, c.caller().userId(), clock.instant()))
        .thenRun(st -> topic.tell(Topic.publish(new TitleBroadcast(((Doc) st).title()))))
        .thenReply(c.replyTo(), s -> summary((Doc) s, d.roleOf(c.caller()).orElseThrow()));
  }

  private ReplyEffect<Event, State> delete(Doc d, Delete c) {
    var refusal = guard(d, c.caller(), Role.OWNER);
    if (refusal.isPresent()) return Effect().reply(c.replyTo(), refusal.get());
    return Effect().persist(new Trashed(c.caller().userId(), clock.instant()))
        .thenRun(st -> topic.tell(Topic.publish(new AccessBroadcast(true))))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  private ReplyEffect<Event, State> nameVersion(Doc d, NameVersion c) {
    var refusal = guard(d, c.caller(), Role.EDITOR);
    if (refusal.isPresent()) return Effect().reply(c.replyTo(), refusal.get());
    String name = c.name() == null ? "" : c.name().strip();
    if (name.isEmpty() || name.length() > MAX_VERSION_NAME) {
      return reject(c.replyTo(), ErrorCode.INVALID_MESSAGE, "a version's name is 1 to " + MAX_VERSION_NAME + " characters");
    }
    if (d.named().size() >= MAX_NAMED_VERSIONS) {
      return reject(c.replyTo(), ErrorCode.TOO_LARGE, "a document keeps at most " + MAX_NAMED_VERSIONS + " named versions");
    }
    long version = d.content().version();
    var named = new NamedVersion(version, name, c.caller().userId(), clock.instant());
    return Effect().persist(new VersionNamed(named))
        .thenRun(st -> topic.tell(Topic.publish(new VersionNamedBroadcast(version, name, c.caller().userId()))))
        .thenReply(c.replyTo(), st -> new NamedVersions(d.roleOf(c.caller()).orElseThrow(), version, List.of(named)));
  }

  private ReplyEffect<Event, State> restore(Doc d, Restore c) {
    Optional<Role> role = visibleRole(d, c.caller());
    if (role.isEmpty()) return notFound(c.replyTo()); // only owners see the trash
    if (role.get() != Role.OWNER) return reject(c.replyTo(), ErrorCode.FORBIDDEN, "only an owner restores a document");
    if (!d.trashed()) return Effect().reply(c.replyTo(), summary(d, Role.OWNER));
    return Effect().persist(new Restored(c.caller().userId(), clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  /** The ops a connection missed: from the window, and from the journal (read first) if they are older. */
  private ReplyEffect<Event, State> fetchOps(Doc d, FetchOps c, List<DocContent.Applied> read, int attempt) {
    DocContent content = d.content();
    List<DocContent.Applied> ops = content.opsAfter(c.after(), c.upTo(), read);
    if (ops == null && withinReach(content, c.after()) && attempt < MAX_READS) return readOlder(content, c, c.after(), attempt);
    return Effect().reply(c.replyTo(), new OpsPage(ops == null ? null : ops.stream().map(DocumentEntity::message).toList()));
  }

  /** Whether ops after {@code after}, older than the window, are to be read from the journal. */
  private boolean withinReach(DocContent content, long after) {
    return after >= 0 && after < content.horizon() && after >= content.version() - journalOps;
  }

  /** Reads the ops in ({@code after}, the window) from the journal; {@code command} is handled again with them. */
  private ReplyEffect<Event, State> readOlder(DocContent content, Command command, long after, int attempt) {
    context.pipeToSelf(olderOps.read(docId, after, content.horizon()),
        (ops, failure) -> new WithOlder(command, failure == null ? List.copyOf(ops) : null, attempt + 1));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> withOlder(Doc d, WithOlder w) {
    if (w.ops() == null) context.getLog().warn("Reading the ops older than the window of {} failed", docId);
    List<DocContent.Applied> read = w.ops() == null ? null : w.ops().stream().map(DocContent::applied).toList();
    if (w.command() instanceof Submit s) {
      if (read == null) {
        return Effect().reply(s.replyTo(), refused(s, ErrorCode.INTERNAL, "the ops your op is based on could not be read; send it again"));
      }
      older.put(s, read);
      ReplyEffect<Event, State> effect = submit(d, s);
      if (buffer.stream().noneMatch(b -> b == s)) older.remove(s); // refused at once (its role changed meanwhile)
      return effect;
    }
    if (w.command() instanceof FetchOps f) {
      return read == null ? Effect().reply(f.replyTo(), new OpsPage(null)) : fetchOps(d, f, read, w.attempt());
    }
    Join j = (Join) w.command();
    return join(d, j, read == null ? MAX_READS : w.attempt(), read);
  }

  private ReplyEffect<Event, State> join(Doc d, Join c) {
    return join(d, c, 0, null);
  }

  private ReplyEffect<Event, State> join(Doc d, Join c, int attempt, List<DocContent.Applied> read) {
    Optional<Role> role = visibleRole(d, c.caller());
    if (role.isEmpty()) return notFound(c.replyTo());
    DocContent content = d.content();
    String clientId = c.clientId();
    DocContent.ClientSeq known = clientId == null ? null : content.client(clientId);
    if (clientId == null || !CLIENT_ID.matcher(clientId).matches() || (known != null && !known.userId().equals(c.caller().userId()))) {
      clientId = UUID.randomUUID().toString(); // another user's client id is not given away
    }
    long version = content.version();
    List<DocContent.Applied> missed = c.since() == null || c.since() > version ? null : content.opsAfter(c.since(), version, read);
    if (missed == null && c.since() != null && withinReach(content, c.since()) && attempt < MAX_READS) {
      return readOlder(content, c, c.since(), attempt); // the ops the client missed, rather than the whole text
    }
    String snapshot = missed == null ? io.tandem.protocol.DeltaJson.write(content.text().toDelta()) : null;
    List<OpMessage> ops = missed == null ? List.of() : missed.stream().map(DocumentEntity::message).toList();
    return Effect().reply(c.replyTo(), new JoinAccepted(clientId, role.get(), version, d.title(), snapshot, ops,
        List.copyOf(presence.values())));
  }

  /** Checks the role and buffers the op for the next write; the answer comes from {@link #flush}. */
  private ReplyEffect<Event, State> submit(Doc d, Submit c) {
    Optional<Role> role = visibleRole(d, c.caller());
    if (role.isEmpty()) {
      return Effect().reply(c.replyTo(), refused(c, ErrorCode.NOT_FOUND, "no document " + docId));
    }
    if (d.trashed()) return Effect().reply(c.replyTo(), refused(c, ErrorCode.FORBIDDEN, "the document is in the trash"));
    if (!role.get().atLeast(Role.EDITOR)) {
      return Effect().reply(c.replyTo(), refused(c, ErrorCode.FORBIDDEN, "editing needs the editor role; you are " + role.get().wire()));
    }
    buffer.add(c);
    if (!flushing) {
      flushing = true;
      context.getSelf().tell(Flush.INSTANCE); // after every submission already waiting (group commit)
    }
    return Effect().noReply();
  }

  /**
   * Places the buffered ops one after another and journals the accepted ones in one write; each
   * is acked, and all are published, only once the write succeeded. A refused op is answered at
   * once; a duplicate gets its original ack, after the write (it may be in this very batch).
   */
  private ReplyEffect<Event, State> flush(Doc d) {
    flushing = false;
    int n = Math.min(buffer.size(), settings.maxBatch());
    List<Submit> batch = new ArrayList<>(buffer.subList(0, n));
    buffer.subList(0, n).clear();
    if (!buffer.isEmpty()) {
      flushing = true;
      context.getSelf().tell(Flush.INSTANCE);
    }
    DocContent.Stage stage = d.content().stage(settings.validator(), journalOps);
    long now = clock.millis();
    var events = new ArrayList<Event>();
    var acks = new ArrayList<Runnable>();
    var answered = new ArrayList<Submit>();
    for (Submit s : batch) {
      DocContent.Outcome o = stage.submit(s.caller().userId(), s.clientId(), s.seq(), s.baseVersion(), s.ops(), now, older.remove(s));
      if (o instanceof DocContent.NeedsOlder needs) {
        readOlder(d.content(), s, needs.after(), 0); // handled again once the ops are read
        continue;
      }
      if (!(o instanceof DocContent.Refused)) answered.add(s);
      if (o instanceof DocContent.Accepted a) {
        var ap = a.applied();
        events.add(new OpApplied(ap.version(), ap.opsJson(), ap.userId(), ap.clientId(), ap.seq(), ap.ts()));
        fresh.put(ap.version(), ap.ops());
        acks.add(() -> s.replyTo().tell(new Acked(s.clientId(), s.seq(), ap.version())));
      } else if (o instanceof DocContent.Duplicate dup) {
        acks.add(() -> s.replyTo().tell(new Acked(s.clientId(), dup.seq(), dup.version())));
      } else {
        var r = (DocContent.Refused) o;
        s.replyTo().tell(refused(s, r.code(), r.message()));
      }
    }
    if (events.isEmpty()) {
      acks.forEach(Runnable::run);
      return Effect().noReply();
    }
    List<OpMessage> published = stage.added().stream().map(DocumentEntity::message).toList();
    writing.addAll(answered); // refused ones were answered already
    var write = JOURNAL_WRITE.start();
    int written = events.size();
    return Effect().persist(events).thenRun(state -> {
      write.stop();
      JOURNAL_BATCH.record(written);
      OPS_APPLIED.increment(written);
      writing.clear();
      acks.forEach(Runnable::run);
      topic.tell(Topic.publish(new OpsBroadcast(published)));
    }).thenNoReply();
  }

  /** Moves the selection from its base version to the current one; one the window cannot move is dropped. */
  private ReplyEffect<Event, State> updatePresence(Doc d, UpdatePresence c) {
    DocContent content = d.content();
    List<DocContent.Applied> since = c.baseVersion() > content.version() ? null : content.opsAfter(c.baseVersion(), content.version());
    if (since == null) return Effect().noReply(); // the client sends it again with its next move
    ClientMessage.Selection sel = c.selection();
    if (sel != null) {
      int start = sel.index();
      int end = sel.index() + sel.length();
      for (DocContent.Applied a : since) {
        start = a.ops().transformPosition(start, false);
        end = a.ops().transformPosition(end, false);
      }
      int length = content.text().length();
      start = Math.min(start, length);
      end = Math.max(start, Math.min(end, length));
      sel = new ClientMessage.Selection(start, end - start);
    }
    var p = new PresenceMessage(c.clientId(), c.userId(), c.name(), colorOf(c.userId()), sel, content.version());
    presence.put(c.clientId(), p);
    presenceSeen.put(c.clientId(), clock.millis());
    topic.tell(Topic.publish(new PresenceBroadcast(p)));
    return Effect().noReply();
  }

  private static final String[] COLORS = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
      "#469990", "#9a6324", "#800000", "#808000", "#000075"};

  /** A user's colour: the same on every node and in every document. */
  public static String colorOf(String userId) {
    return COLORS[Math.floorMod(userId.hashCode(), COLORS.length)];
  }

  private static OpMessage message(DocContent.Applied a) {
    return new OpMessage(a.version(), a.opsJson(), a.userId(), a.clientId(), a.seq(), a.ts(),
        io.tandem.protocol.ServerMessage.op(a.version(), a.opsJson(), a.userId(), a.clientId(), a.seq(), a.ts()));
  }

  private static OpRefused refused(Submit s, ErrorCode code, String message) {
    OPS_REFUSED.withTag("code", code.wire()).increment();
    return new OpRefused(s.clientId(), s.seq(), code, message);
  }

  private ReplyEffect<Event, State> purge(Doc d, Purge c) {
    if (!d.trashed() || d.trashedAt().isAfter(c.cutoff())) return Effect().reply(c.replyTo(), PurgeResult.KEPT);
    Instant at = clock.instant();
    return Effect().persist(new Purged(at))
        .thenRun(st -> topic.tell(Topic.publish(new AccessBroadcast(true))))
        .thenReply(c.replyTo(), s -> new PurgeResult(true, lastSequenceNumber(context), at));
  }

  private ReplyEffect<Event, State> changeAccess(Doc d, Caller caller, Acl.Change change, ActorRef<Reply> replyTo) {
    var refusal = guard(d, caller, Role.OWNER);
    if (refusal.isPresent()) return Effect().reply(replyTo, refusal.get());
    if (change instanceof Acl.Refused r) {
      return reject(replyTo, ErrorCode.CONFLICT, switch (r.refusal()) {
        case LAST_OWNER -> "a document keeps at least one owner: transfer ownership first";
        case OWNER_NOT_A_USER -> "only a user can own a document";
        case NOT_A_TRANSFEREE -> "ownership goes to another user the document is shared with: share it with them first";
      });
    }
    Acl acl = ((Acl.Changed) change).acl();
    return Effect().persist(new AccessChanged(acl, caller.userId(), clock.instant()))
        .thenRun(st -> topic.tell(Topic.publish(new AccessBroadcast(false))))
        .thenReply(replyTo, s -> {
          Doc doc = (Doc) s;
          return summary(doc, doc.roleOf(caller).orElse(null)); // null: the caller gave their own access away
        });
  }

  /** A refusal unless {@code caller} may act with {@code needed}: not_found if they may not see it, forbidden if they see it. */
  private Optional<Reply> guard(Doc d, Caller caller, Role needed) {
    Optional<Role> role = visibleRole(d, caller);
    if (role.isEmpty()) return Optional.of(notFoundReply());
    if (d.trashed()) return Optional.of(new Rejected(ErrorCode.FORBIDDEN, "the document is in the trash: restore it first"));
    if (!role.get().atLeast(needed)) {
      return Optional.of(new Rejected(ErrorCode.FORBIDDEN, "this needs the " + needed.wire() + " role; you are " + role.get().wire()));
    }
    return Optional.empty();
  }

  private Summary summary(Doc d, Role role) {
    return new Summary(docId, d.title(), role, d.acl(), d.createdAt(), d.updatedAt(), d.trashedAt(),
        lastSequenceNumber(context), d.content().version(), null);
  }

  private Rejected notFoundReply() {
    return new Rejected(ErrorCode.NOT_FOUND, "no document " + docId);
  }

  private ReplyEffect<Event, State> notFound(ActorRef<Reply> replyTo) {
    return Effect().reply(replyTo, notFoundReply());
  }

  private ReplyEffect<Event, State> notFound(Command c) {
    if (c instanceof Get g) return notFound(g.replyTo());
    if (c instanceof Rename r) return notFound(r.replyTo());
    if (c instanceof Delete d) return notFound(d.replyTo());
    if (c instanceof Restore r) return notFound(r.replyTo());
    if (c instanceof Share s) return notFound(s.replyTo());
    if (c instanceof Unshare u) return notFound(u.replyTo());
    if (c instanceof TransferOwnership t) return notFound(t.replyTo());
    if (c instanceof Join j) return notFound(j.replyTo());
    if (c instanceof CheckAccess a) return notFound(a.replyTo());
    if (c instanceof NameVersion n) return notFound(n.replyTo());
    if (c instanceof ListNamedVersions l) return notFound(l.replyTo());
    throw new IllegalArgumentException("unexpected command " + c);
  }

  private ReplyEffect<Event, State> reject(ActorRef<Reply> replyTo, ErrorCode code, String detail) {
    return Effect().reply(replyTo, new Rejected(code, detail));
  }

  private DocContent newContent() {
    return new DocContent(settings.windowOps(), settings.maxClients());
  }

  /** A snapshot holds the content as plain data: its text as canonical JSON, the window, the clients. */
  public record SavedDoc(String title, Acl acl, Instant createdAt, Instant updatedAt, Instant trashedAt,
      DocContent.Saved content, List<NamedVersion> named) implements CborSerializable {}

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        if (state instanceof Doc d) {
          return new SavedDoc(d.title(), d.acl(), d.createdAt(), d.updatedAt(), d.trashedAt(), d.content().save(), d.named());
        }
        return state;
      }

      @Override
      public State fromJournal(Object from) {
        if (from instanceof SavedDoc s) {
          return new Doc(s.title(), s.acl(), s.createdAt(), s.updatedAt(), s.trashedAt(),
              DocContent.restore(s.content(), settings.windowOps(), settings.maxClients()),
              s.named() == null ? List.of() : s.named()); // a snapshot from before named versions
        }
        return (State) from;
      }
    };
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Empty.class)
        .onEvent(Created.class, (s, e) -> new Doc(e.title(), Acl.ownedBy(e.ownerId()), e.at(), e.at(), null, newContent(), List.of()))
        // an erased document: its journal holds only this event
        .onEvent(Purged.class, (s, e) -> new Gone(e.at()));
    b.forStateType(Doc.class)
        .onEvent(Renamed.class, (d, e) -> new Doc(e.title(), d.acl(), d.createdAt(), e.at(), d.trashedAt(), d.content(), d.named()))
        .onEvent(Trashed.class, (d, e) -> new Doc(d.title(), d.acl(), d.createdAt(), e.at(), e.at(), d.content(), d.named()))
        .onEvent(Restored.class, (d, e) -> new Doc(d.title(), d.acl(), d.createdAt(), e.at(), null, d.content(), d.named()))
        .onEvent(AccessChanged.class, (d, e) -> new Doc(d.title(), e.acl(), d.createdAt(), e.at(), d.trashedAt(), d.content(), d.named()))
        .onEvent(VersionNamed.class, (d, e) -> {
          var named = new ArrayList<>(d.named());
          named.add(e.named());
          return new Doc(d.title(), d.acl(), d.createdAt(), d.updatedAt(), d.trashedAt(), d.content(), List.copyOf(named));
        })
        .onEvent(OpApplied.class, (d, e) -> {
          d.content().apply(e, fresh.remove(e.version())); // the content is mutable: the same Doc goes on
          return d;
        })
        .onEvent(Purged.class, (d, e) -> new Gone(e.at()));
    return b.build();
  }
}
