package io.tandem.projections.history;

import io.tandem.ot.Delete;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import io.tandem.ot.Op;
import io.tandem.ot.Rope;
import io.tandem.persistence.document.DocumentEntity.OpApplied;
import io.tandem.persistence.document.OlderOps;
import io.tandem.projections.history.Checkpoints.Session;
import io.tandem.protocol.DeltaJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
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

  /**
   * Up to {@code limit} ops with versions in ({@code after}, {@code upTo}], oldest first: from the
   * blocks the checkpoint projection wrote, then, past the newest block, from the journal.
   */
  public CompletionStage<List<OpApplied>> ops(String docId, long after, long upTo, int limit) {
    if (after >= upTo || limit <= 0) return CompletableFuture.completedFuture(List.of());
    // a block is N ops (500 by default): a short page reads one, a long range up to eight at a time
    int reading = (int) Math.max(1, Math.min(BLOCKS_PER_READ, Math.min(limit, upTo - after) / 500 + 1));
    return checkpoints.blocksFrom(docId, after + 1, reading).thenCompose(blocks -> {
      var out = new ArrayList<OpApplied>();
      long next = after; // the ops up to here are in out
      boolean gap = false;
      for (Checkpoints.Block b : blocks) {
        if (b.fromVersion() > next) { // a block is missing (the projection is behind there): the journal has it
          gap = true;
          break;
        }
        for (OpApplied op : readBlock(docId, b.ops())) {
          if (op.version() <= next || op.version() > upTo || out.size() >= limit) continue;
          out.add(op);
          next = op.version();
        }
        if (out.size() >= limit || next >= upTo) return CompletableFuture.completedFuture(List.copyOf(out));
      }
      if (!gap && blocks.size() == reading && next > after) {
        long from = next; // more blocks than one read brings: the next read goes on from there
        return ops(docId, from, upTo, limit - out.size()).thenApply(rest -> concat(out, rest));
      }
      long from = next;
      return fromJournal(docId, from, upTo, limit - out.size()).thenApply(rest -> concat(out, rest));
    });
  }

  private static final int BLOCKS_PER_READ = 8;

  private static List<OpApplied> concat(List<OpApplied> a, List<OpApplied> b) {
    if (a.isEmpty()) return b;
    var out = new ArrayList<OpApplied>(a.size() + b.size());
    out.addAll(a);
    out.addAll(b);
    return out;
  }

  /** The ops of a block row, as the projection wrote them ({@link #writeBlock}). */
  public static List<OpApplied> readBlock(String docId, String json) {
    try {
      var out = new ArrayList<OpApplied>();
      for (JsonNode o : BLOCKS.readTree(json)) {
        out.add(new OpApplied(o.get("v").asLong(), o.get("o").toString(), o.get("u").asText(), o.get("c").asText(),
            o.get("s").asLong(), o.get("t").asLong()));
      }
      return out;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the ops block of " + docId + " does not parse", e);
    }
  }

  /** A block row's JSON: the ops as they are journaled, one object each. */
  static String writeBlock(List<OpApplied> ops) {
    var b = new StringBuilder(64 * ops.size()).append('[');
    for (OpApplied op : ops) {
      if (b.length() > 1) b.append(',');
      b.append("{\"v\":").append(op.version()).append(",\"u\":").append(quote(op.userId())).append(",\"c\":")
          .append(quote(op.clientId())).append(",\"s\":").append(op.seq()).append(",\"t\":").append(op.ts())
          .append(",\"o\":").append(op.ops()).append('}');
    }
    return b.append(']').toString();
  }

  private static String quote(String s) {
    try {
      return BLOCKS.writeValueAsString(s);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ObjectMapper BLOCKS = new ObjectMapper();

  /** Up to {@code limit} ops with versions in ({@code after}, {@code upTo}], oldest first, from the journal alone. */
  public CompletionStage<List<OpApplied>> fromJournal(String docId, long after, long upTo, int limit) {
    if (after >= upTo || limit <= 0) return CompletableFuture.completedFuture(List.of());
    return OlderOps.ops(journal, docId, after, upTo).take(limit).runWith(Sink.seq(), system);
  }

  /** The content at {@code version}: the newest checkpoint at or below it, and the ops since. */
  public CompletionStage<Rope> contentAt(String docId, long version) {
    // the checkpoint and the block that holds the version, read at once
    var block = checkpoints.blocksFrom(docId, version, 1);
    return checkpoints.latest(docId, version).thenCombine(block, (cp, b) -> new Object[] {cp, b}).thenCompose(both -> {
      @SuppressWarnings("unchecked")
      var cp = (java.util.Optional<Checkpoints.Checkpoint>) both[0];
      @SuppressWarnings("unchecked")
      var blocks = (List<Checkpoints.Block>) both[1];
      long from = cp.map(Checkpoints.Checkpoint::version).orElse(0L);
      Rope start = cp.map(c -> Rope.of(parse(c.content()))).orElse(Rope.EMPTY);
      CompletionStage<List<OpApplied>> since = from == version ? CompletableFuture.completedFuture(List.of())
          : !blocks.isEmpty() && blocks.get(0).fromVersion() == from
              ? CompletableFuture.completedFuture(readBlock(docId, blocks.get(0).ops()).stream().filter(o -> o.version() <= version).toList())
              : ops(docId, from, version, Integer.MAX_VALUE);
      return since.thenApply(ops -> {
        Rope r = start;
        for (OpApplied op : ops) r = r.apply(parse(op.ops()));
        return r;
      });
    });
  }

  /**
   * The ops in ({@code from}, {@code to}] composed into one delta: what changed between the two
   * versions. Whole blocks inside the span come composed already ({@code doc_block_changes}, one
   * delta per block), so a span of n versions composes about n / 500 deltas plus the ops of the
   * two partial blocks at its ends and of the versions past the newest block.
   */
  public CompletionStage<Delta> change(String docId, long from, long to) {
    // parsing and composing run on the actor system's dispatcher, not on the driver's I/O threads
    return changeParts(docId, from, to, new ArrayList<>()).thenApplyAsync(DocHistory::composeAll, system.executionContext());
  }

  /** Block changes read at once: small rows (a block's net change), so many per read. */
  private static final int CHANGES_PER_READ = 64;

  /** Appends to {@code parts} the deltas that make up ({@code at}, {@code to}], in order. */
  private CompletionStage<List<Delta>> changeParts(String docId, long at, long to, List<Delta> parts) {
    if (at >= to) return CompletableFuture.completedFuture(parts);
    return checkpoints.changesFrom(docId, at + 1, CHANGES_PER_READ).thenComposeAsync(changes -> {
      long next = at;
      int used = 0;
      for (Checkpoints.BlockChange c : changes) {
        if (c.fromVersion() != next || c.toVersion() > to) break; // a partial block, a missing one, or past the span
        parts.add(parse(c.delta()));
        next = c.toVersion();
        used++;
      }
      if (next >= to) return CompletableFuture.completedFuture(parts);
      if (used == CHANGES_PER_READ) return changeParts(docId, next, to, parts);
      return opsPart(docId, next, to, parts);
    }, system.executionContext());
  }

  /**
   * The next part after {@code at} from ops: the rest of the block that holds version
   * {@code at + 1} (a block whose change is not stored yet is composed, and its change written),
   * or, where no block holds it, the journal's ops up to the next block or {@code to}.
   */
  private CompletionStage<List<Delta>> opsPart(String docId, long at, long to, List<Delta> parts) {
    return checkpoints.blocksFrom(docId, at + 1, 1).thenComposeAsync(blocks -> {
      Checkpoints.Block b = blocks.isEmpty() ? null : blocks.get(0);
      if (b == null || b.fromVersion() > at) { // past the newest block, or a block missing: the journal
        long end = b == null ? to : Math.min(to, b.fromVersion());
        // no block holds (at, end]: straight to the journal, without ops()' read of the blocks again
        return fromJournal(docId, at, end, Integer.MAX_VALUE).thenComposeAsync(ops -> {
          if (ops.isEmpty() || ops.get(ops.size() - 1).version() != end) {
            throw new IllegalStateException("the history of " + docId + " does not reach version " + end);
          }
          parts.add(composeAll(ops.stream().map(o -> parse(o.ops())).toList()));
          return changeParts(docId, end, to, parts);
        }, system.executionContext());
      }
      long end = Math.min(to, b.toVersion());
      List<OpApplied> ops = readBlock(docId, b.ops());
      Delta part = composeAll(ops.stream().filter(o -> o.version() > at && o.version() <= end).map(o -> parse(o.ops())).toList());
      parts.add(part);
      CompletionStage<Void> filled = CompletableFuture.completedFuture(null);
      if (b.fromVersion() == at && end == b.toVersion()) { // the whole block: its change is missing (written before there were changes)
        String json = DeltaJson.write(part);
        if (json.length() <= CheckpointProjection.MAX_BLOCK_CHARS) {
          filled = checkpoints.writeChange(docId, new Checkpoints.BlockChange(b.fromVersion(), b.toVersion(), json))
              .exceptionally(e -> null); // only a shortcut: a failed write costs nothing
        }
      }
      return filled.thenCompose(v -> changeParts(docId, end, to, parts));
    }, system.executionContext());
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
