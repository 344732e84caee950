package io.tandem.projections.history;

import io.tandem.ot.Rope;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.OpApplied;
import io.tandem.protocol.DeltaJson;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * The history's checkpoints: the document entity tags every N-th op ({@code checkpoints-0} to
 * {@code -3}); for each, this projection reads the ops since the newest checkpoint below it from
 * the journal, applies them to that checkpoint's content, and writes the content at the op's
 * version, with the edit sessions of those ops. At least once, offsets in Cassandra's
 * {@code offset_store}, one instance per tag spread over the cluster. Idempotent: a checkpoint
 * that is there already is skipped, and a rewrite would write the same rows.
 */
public final class CheckpointProjection {

  public static final String NAME = "checkpoints";

  /** How long after it was journaled the last checkpoint op this node handled was written, in ms (-1: none yet). */
  private static final AtomicLong lastLag = new AtomicLong(-1);
  private static final AtomicLong handled = new AtomicLong();

  private CheckpointProjection() {}

  public static void init(ActorSystem<?> system, DocHistory history) {
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, DocumentEntity.CHECKPOINT_TAGS,
        i -> ProjectionBehavior.create(projection(system, history, "checkpoints-" + i)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  /**
   * The projection's lag on this node: from an op's journaling to its checkpoint written, for the
   * last one handled, in ms (-1 before the first). A metric (GET /metrics).
   */
  public static long lagMillis() {
    return lastLag.get();
  }

  /** Checkpoints this node's instances wrote or found written since it started. */
  public static long handled() {
    return handled.get();
  }

  private static org.apache.pekko.projection.Projection<EventEnvelope<DocumentEntity.Event>> projection(
      ActorSystem<?> system, DocHistory history, String tag) {
    SourceProvider<Offset, EventEnvelope<DocumentEntity.Event>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.atLeastOnce(ProjectionId.of(NAME, tag), source, () -> new Handler<>() {
      @Override
      public CompletionStage<Done> process(EventEnvelope<DocumentEntity.Event> envelope) {
        if (!(envelope.event() instanceof OpApplied op)) return CompletableFuture.completedFuture(Done.getInstance());
        return checkpoint(history, PersistenceId.extractEntityId(envelope.persistenceId()), op.version())
            .thenApply(d -> {
              lastLag.set(Math.max(0, System.currentTimeMillis() - envelope.timestamp()));
              handled.incrementAndGet();
              return d;
            });
      }
    });
  }

  /** The projection's step, public to tests: the checkpoint at {@code version}, unless it is there. */
  public static CompletionStage<Done> checkpoint(DocHistory history, String docId, long version) {
    Checkpoints cps = history.checkpoints();
    return cps.latest(docId, version).<Void>thenCompose(at -> {
      if (at.isPresent() && at.get().version() == version) return CompletableFuture.completedFuture(null);
      long from = at.map(Checkpoints.Checkpoint::version).orElse(0L);
      Rope start = at.map(c -> Rope.of(DocHistory.parse(c.content()))).orElse(Rope.EMPTY);
      return history.fromJournal(docId, from, version, Integer.MAX_VALUE).thenCompose(ops -> {
        if (ops.isEmpty() || ops.get(ops.size() - 1).version() != version) {
          throw new IllegalStateException("the journal of " + docId + " does not reach version " + version + " yet");
        }
        Rope r = start;
        for (OpApplied op : ops) r = r.apply(DocHistory.parse(op.ops()));
        String content = DeltaJson.write(r.toDelta());
        // the sessions and the block first: a crash before the checkpoint makes the next attempt write all again
        return cps.write(docId, DocHistory.sessions(ops))
            .thenCompose(v -> cps.writeBlock(docId, new Checkpoints.Block(from, version, DocHistory.writeBlock(ops))))
            .thenCompose(v -> cps.write(docId, version, content));
      });
    }).thenApply(v -> Done.getInstance());
  }
}
