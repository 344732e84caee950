package io.tandem.projections.history;

import io.tandem.ot.Delete;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import io.tandem.ot.Op;
import io.tandem.ot.Rope;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.OpApplied;
import io.tandem.projections.history.Checkpoints.Session;
import io.tandem.protocol.DeltaJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * A document's history, read from the journal and the checkpoints: its ops page by page, its
 * content at any version (the newest checkpoint at or below it, plus at most N ops), and the
 * change between two versions as one delta.
 *
 * <p>Version {@code v} is the {@code v}-th op event of the document and every event has a
 * sequence number of its own, so an op's sequence number is at least its version: a read of the
 * ops after {@code v} starts at sequence number {@code v + 1} and skips the few metadata events.
 */
public final class DocHistory {

  /** Consecutive ops of one author further apart than this are two sessions. */
  public static final Duration SESSION_GAP = Duration.ofMinutes(5);

  private final CurrentEventsByPersistenceIdQuery journal;
  private final ActorSystem<?> system;
  private final Checkpoints checkpoints;

  public DocHistory(CurrentEventsByPersistenceIdQuery journal, ActorSystem<?> system, Checkpoints checkpoints) {
    this.journal = journal;
    this.system = system;
    this.checkpoints = checkpoints;
  }

  public Checkpoints checkpoints() {
    return checkpoints;
  }

  /** Up to {@code limit} ops with versions in ({@code after}, {@code upTo}], oldest first. */
  public CompletionStage<List<OpApplied>> ops(String docId, long after, long upTo, int limit) {
    return journal
        .currentEventsByPersistenceId(PersistenceId.of(DocumentEntity.TYPE_KEY.name(), docId).id(), after + 1, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .filter(OpApplied.class::isInstance)
        .map(OpApplied.class::cast)
        .dropWhile(e -> e.version() <= after)
        .takeWhile(e -> e.version() <= upTo)
        .take(limit)
        .runWith(Sink.seq(), system);
  }

  /** The content at {@code version}: the newest checkpoint at or below it, and the ops since. */
  public CompletionStage<Rope> contentAt(String docId, long version) {
    return checkpoints.latest(docId, version).thenCompose(cp -> {
      long from = cp.map(Checkpoints.Checkpoint::version).orElse(0L);
      Rope start = cp.map(c -> Rope.of(parse(c.content()))).orElse(Rope.EMPTY);
      return ops(docId, from, version, Integer.MAX_VALUE).thenApply(ops -> {
        Rope r = start;
        for (OpApplied op : ops) r = r.apply(parse(op.ops()));
        return r;
      });
    });
  }

  /** The ops in ({@code from}, {@code to}] composed into one delta: what changed between the two versions. */
  public CompletionStage<Delta> change(String docId, long from, long to) {
    return ops(docId, from, to, Integer.MAX_VALUE).thenApply(ops -> composeAll(ops.stream().map(o -> parse(o.ops())).toList()));
  }

  /**
   * The deltas composed in order, pairwise as a balanced tree: each level costs the size of the
   * deltas in it, so n small ops cost O(n log n) instead of O(n^2) for a left fold.
   */
  public static Delta composeAll(List<Delta> deltas) {
    if (deltas.isEmpty()) return Delta.EMPTY;
    List<Delta> level = deltas;
    while (level.size() > 1) {
      var next = new ArrayList<Delta>((level.size() + 1) / 2);
      for (int i = 0; i < level.size(); i += 2) next.add(i + 1 < level.size() ? level.get(i).compose(level.get(i + 1)) : level.get(i));
      level = next;
    }
    return level.get(0);
  }

  /** The ops grouped into sessions: consecutive ops of one author at most {@link #SESSION_GAP} apart. */
  public static List<Session> sessions(List<OpApplied> ops) {
    var out = new ArrayList<Session>();
    Session cur = null;
    for (OpApplied op : ops) {
      int added = 0;
      int removed = 0;
      for (Op o : parse(op.ops()).ops()) {
        if (o instanceof Delete d) removed += d.count();
        else if (o instanceof io.tandem.ot.Insert i) added += i.length();
      }
      Instant at = Instant.ofEpochMilli(op.ts());
      if (cur != null && cur.userId().equals(op.userId()) && cur.toVersion() + 1 == op.version()
          && !at.isAfter(cur.toTs().plus(SESSION_GAP))) {
        cur = new Session(cur.fromVersion(), op.version(), cur.userId(), cur.fromTs(), at, cur.ops() + 1, cur.added() + added,
            cur.removed() + removed);
        out.set(out.size() - 1, cur);
      } else {
        cur = new Session(op.version(), op.version(), op.userId(), at, at, 1, added, removed);
        out.add(cur);
      }
    }
    return out;
  }

  /** Joins, newest first, a session row with the older one it continues (rows split at a checkpoint). */
  public static List<Session> joined(List<Session> newestFirst) {
    var out = new ArrayList<Session>();
    for (Session s : newestFirst) {
      Session last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.userId().equals(s.userId()) && s.toVersion() + 1 == last.fromVersion()
          && !last.fromTs().isAfter(s.toTs().plus(SESSION_GAP))) {
        out.set(out.size() - 1, new Session(s.fromVersion(), last.toVersion(), s.userId(), s.fromTs(), last.toTs(),
            s.ops() + last.ops(), s.added() + last.added(), s.removed() + last.removed()));
      } else {
        out.add(s);
      }
    }
    return out;
  }

  static Delta parse(String json) {
    try {
      return DeltaJson.parse(json);
    } catch (InvalidOpException e) {
      throw new IllegalStateException("a journaled op does not parse", e); // it was checked before it was journaled
    }
  }
}
