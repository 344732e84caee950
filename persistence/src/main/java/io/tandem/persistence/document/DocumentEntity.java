package io.tandem.persistence.document;

import io.tandem.persistence.CborSerializable;
import io.tandem.persistence.access.Acl;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.protocol.ErrorCode;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

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
  public record Rename(Caller caller, String title, ActorRef<Reply> replyTo) implements Command {}
  public record Delete(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  public record Restore(Caller caller, ActorRef<Reply> replyTo) implements Command {}
  public record Share(Caller caller, Principal principal, Role role, ActorRef<Reply> replyTo) implements Command {}
  public record Unshare(Caller caller, Principal principal, ActorRef<Reply> replyTo) implements Command {}
  public record TransferOwnership(Caller caller, String toUserId, ActorRef<Reply> replyTo) implements Command {}
  /** From the trash purger: erase the document if it has been in the trash since before {@code cutoff}. */
  public record Purge(Instant cutoff, ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Reply extends CborSerializable {}
  /** The document as the caller sees it, with the caller's role (null after they gave up their own access). */
  public record Summary(String docId, String title, Role role, Acl acl, Instant createdAt, Instant updatedAt,
      Instant trashedAt, long seqNr) implements Reply {}
  public record Rejected(ErrorCode code, String detail) implements Reply {}
  /** Answer to {@link Purge}: whether this command purged the document. */
  public record PurgeResult(boolean purged) implements Reply {}

  public sealed interface Event extends CborSerializable {}
  public record Created(String ownerId, String title, Instant at) implements Event {}
  public record Renamed(String title, String by, Instant at) implements Event {}
  public record Trashed(String by, Instant at) implements Event {}
  public record Restored(String by, Instant at) implements Event {}
  public record AccessChanged(Acl acl, String by, Instant at) implements Event {}
  public record Purged(Instant at) implements Event {}

  public sealed interface State extends CborSerializable {}
  public record Empty() implements State {}
  /** What is left of a purged document: that it existed, so its id is never reused. */
  public record Gone() implements State {}
  public record Doc(String title, Acl acl, Instant createdAt, Instant updatedAt, Instant trashedAt) implements State {
    boolean trashed() {
      return trashedAt != null;
    }

    Optional<Role> roleOf(Caller c) {
      return acl.roleOf(c.userId(), c.groups(), c.viaLink());
    }
  }

  private final String docId;
  private final Clock clock;
  private final ActorContext<Command> context;
  private final Set<String> tags;

  private DocumentEntity(String docId, Clock clock, ActorContext<Command> context) {
    super(PersistenceId.of(TYPE_KEY.name(), docId));
    this.docId = docId;
    this.clock = clock;
    this.context = context;
    this.tags = Set.of(tagOf(docId));
  }

  public static Behavior<Command> create(String docId, Clock clock) {
    return Behaviors.setup(ctx -> new DocumentEntity(docId, clock, ctx));
  }

  /** The tag of a document's metadata events. */
  public static String tagOf(String docId) {
    return "docs-" + Math.floorMod(docId.hashCode(), TAGS);
  }

  @Override
  public Set<String> tagsFor(Event event) {
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
        .onCommand(Rename.class, c -> notFound(c.replyTo()))
        .onCommand(Delete.class, c -> notFound(c.replyTo()))
        .onCommand(Restore.class, c -> notFound(c.replyTo()))
        .onCommand(Share.class, c -> notFound(c.replyTo()))
        .onCommand(Unshare.class, c -> notFound(c.replyTo()))
        .onCommand(TransferOwnership.class, c -> notFound(c.replyTo()))
        .onCommand(Purge.class, c -> Effect().reply(c.replyTo(), new PurgeResult(false)));
    b.forStateType(Gone.class)
        .onCommand(Create.class, c -> reject(c.replyTo(), ErrorCode.CONFLICT, "the document existed and was purged"))
        .onCommand(Purge.class, c -> Effect().reply(c.replyTo(), new PurgeResult(false))) // purged before
        .onAnyCommand(this::notFound);
    b.forStateType(Doc.class)
        .onCommand(Create.class, (d, c) -> reject(c.replyTo(), ErrorCode.CONFLICT, "the document exists"))
        .onCommand(Get.class, this::get)
        .onCommand(Rename.class, this::rename)
        .onCommand(Delete.class, this::delete)
        .onCommand(Restore.class, this::restore)
        .onCommand(Share.class, (d, c) -> changeAccess(d, c.caller(), d.acl().grant(c.principal(), c.role()), c.replyTo()))
        .onCommand(Unshare.class, (d, c) -> changeAccess(d, c.caller(), d.acl().revoke(c.principal()), c.replyTo()))
        .onCommand(TransferOwnership.class,
            (d, c) -> changeAccess(d, c.caller(), d.acl().transferOwnership(c.caller().userId(), c.toUserId()), c.replyTo()))
        .onCommand(Purge.class, this::purge);
    return b.build();
  }

  private ReplyEffect<Event, State> create(Empty empty, Create c) {
    String title = c.title() == null ? "" : c.title().strip();
    if (title.length() > MAX_TITLE) return reject(c.replyTo(), ErrorCode.INVALID_MESSAGE, "a title is at most " + MAX_TITLE + " characters");
    return Effect().persist(new Created(c.caller().userId(), title.isEmpty() ? "Untitled" : title, clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  private ReplyEffect<Event, State> get(Doc d, Get c) {
    Optional<Role> role = d.roleOf(c.caller());
    if (role.isEmpty() || (d.trashed() && role.get() != Role.OWNER)) return notFound(c.replyTo());
    return Effect().reply(c.replyTo(), summary(d, role.get()));
  }

  private ReplyEffect<Event, State> rename(Doc d, Rename c) {
    var refusal = guard(d, c.caller(), Role.EDITOR);
    if (refusal.isPresent()) return Effect().reply(c.replyTo(), refusal.get());
    String title = c.title() == null ? "" : c.title().strip();
    if (title.isEmpty() || title.length() > MAX_TITLE) {
      return reject(c.replyTo(), ErrorCode.INVALID_MESSAGE, "a title is 1 to " + MAX_TITLE + " characters");
    }
    return Effect().persist(new Renamed(title, c.caller().userId(), clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, d.roleOf(c.caller()).orElseThrow()));
  }

  private ReplyEffect<Event, State> delete(Doc d, Delete c) {
    var refusal = guard(d, c.caller(), Role.OWNER);
    if (refusal.isPresent()) return Effect().reply(c.replyTo(), refusal.get());
    return Effect().persist(new Trashed(c.caller().userId(), clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  private ReplyEffect<Event, State> restore(Doc d, Restore c) {
    Optional<Role> role = d.roleOf(c.caller());
    if (role.isEmpty() || (d.trashed() && role.get() != Role.OWNER)) return notFound(c.replyTo()); // only owners see the trash
    if (role.get() != Role.OWNER) return reject(c.replyTo(), ErrorCode.FORBIDDEN, "only an owner restores a document");
    if (!d.trashed()) return Effect().reply(c.replyTo(), summary(d, Role.OWNER));
    return Effect().persist(new Restored(c.caller().userId(), clock.instant()))
        .thenReply(c.replyTo(), s -> summary((Doc) s, Role.OWNER));
  }

  private ReplyEffect<Event, State> purge(Doc d, Purge c) {
    if (!d.trashed() || d.trashedAt().isAfter(c.cutoff())) return Effect().reply(c.replyTo(), new PurgeResult(false));
    return Effect().persist(new Purged(clock.instant())).thenReply(c.replyTo(), s -> new PurgeResult(true));
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
        .thenReply(replyTo, s -> {
          Doc doc = (Doc) s;
          return summary(doc, doc.roleOf(caller).orElse(null)); // null: the caller gave their own access away
        });
  }

  /** A refusal unless {@code caller} may act with {@code needed}: not_found if they may not see it, forbidden if they see it. */
  private Optional<Reply> guard(Doc d, Caller caller, Role needed) {
    Optional<Role> role = d.roleOf(caller);
    if (role.isEmpty() || (d.trashed() && role.get() != Role.OWNER)) return Optional.of(notFoundReply());
    if (d.trashed()) return Optional.of(new Rejected(ErrorCode.FORBIDDEN, "the document is in the trash: restore it first"));
    if (!role.get().atLeast(needed)) {
      return Optional.of(new Rejected(ErrorCode.FORBIDDEN, "this needs the " + needed.wire() + " role; you are " + role.get().wire()));
    }
    return Optional.empty();
  }

  private Summary summary(Doc d, Role role) {
    return new Summary(docId, d.title(), role, d.acl(), d.createdAt(), d.updatedAt(), d.trashedAt(),
        lastSequenceNumber(context));
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
    throw new IllegalArgumentException("unexpected command " + c);
  }

  private ReplyEffect<Event, State> reject(ActorRef<Reply> replyTo, ErrorCode code, String detail) {
    return Effect().reply(replyTo, new Rejected(code, detail));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    var b = newEventHandlerBuilder();
    b.forStateType(Empty.class)
        .onEvent(Created.class, (s, e) -> new Doc(e.title(), Acl.ownedBy(e.ownerId()), e.at(), e.at(), null));
    b.forStateType(Doc.class)
        .onEvent(Renamed.class, (d, e) -> new Doc(e.title(), d.acl(), d.createdAt(), e.at(), d.trashedAt()))
        .onEvent(Trashed.class, (d, e) -> new Doc(d.title(), d.acl(), d.createdAt(), e.at(), e.at()))
        .onEvent(Restored.class, (d, e) -> new Doc(d.title(), d.acl(), d.createdAt(), e.at(), null))
        .onEvent(AccessChanged.class, (d, e) -> new Doc(d.title(), e.acl(), d.createdAt(), e.at(), d.trashedAt()))
        .onEvent(Purged.class, (d, e) -> new Gone());
    return b.build();
  }
}
