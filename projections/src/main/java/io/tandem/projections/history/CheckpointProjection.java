package io.tandem.projections.history;

import io.tandem.ot.Rope;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.OpApplied;
import io.tandem.projections.ProjectionMetrics;
import io.tandem.protocol.DeltaJson;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.projection.HandlerRecoveryStrategy;
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

  private CheckpointProjection() {}

  /**
   * Starts the instances on this node's share of the cluster; {@code every} is the entity's
   * checkpoint interval, which a catch-up walks in.
   */
  public static void init(ActorSystem<?> system, DocHistory history, int every) {
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, DocumentEntity.CHECKPOINT_TAGS,
        i -> ProjectionBehavior.create(projection(system, history, "checkpoints-" + i, every)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static org.apache.pekko.projection.Projection<EventEnvelope<DocumentEntity.Event>> projection(
      ActorSystem<?> system, DocHistory history, String tag, int every) {
    SourceProvider<Offset, EventEnvelope<DocumentEntity.Event>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    // A step that fails (Cassandra away, the journal not readable yet) is tried again; one that
    // keeps failing is skipped: the next checkpoint of the document catches up over it.
    var metrics = new ProjectionMetrics(NAME, tag);
    return CassandraProjection.atLeastOnce(ProjectionId.of(NAME, tag), source, () -> new Handler<>() {
      @Override
      public CompletionStage<Done> process(EventEnvelope<DocumentEntity.Event> envelope) {
        if (!(envelope.event() instanceof OpApplied op)) return CompletableFuture.completedFuture(Done.getInstance());
        return checkpoint(history, PersistenceId.extractEntityId(envelope.persistenceId()), op.version(), every)
            .thenApply(d -> {
              metrics.handled(envelope.timestamp());
              return d;
            });
      }
    }).withRecoveryStrategy(HandlerRecoveryStrategy.retryAndSkip(5, java.time.Duration.ofSeconds(2)));
  }

  /** A block of ops bigger than this (JSON) is not written: its versions are read from the journal. */
  static final int MAX_BLOCK_CHARS = 8 * 1024 * 1024;

  /**
   * The projection's step, public to tests: the checkpoint at {@code version}, unless it is there.
   * From the newest checkpoint below, it walks the journal {@code every} versions at a time,
   * writing a checkpoint and a block at each multiple of {@code every} on the way: a document
   * whose earlier checkpoints are missing (written before there were checkpoints, or skipped) is
   * caught up without holding its whole history in memory or in one row.
   */
  public static CompletionStage<Done> checkpoint(DocHistory history, String docId, long version, int every) {
    Checkpoints cps = history.checkpoints();
    return cps.latest(docId, version).<Void>thenCompose(at -> {
      if (at.isPresent() && at.get().version() == version) return CompletableFuture.completedFuture(null);
      long from = at.map(Checkpoints.Checkpoint::version).orElse(0L);
      Rope start = at.map(c -> Rope.of(DocHistory.parse(c.content()))).orElse(Rope.EMPTY);
      return walk(history, docId, from, start, version, Math.max(1, every));
    }).thenApply(v -> Done.getInstance());
  }

  private static CompletionStage<Void> walk(DocHistory history, String docId, long from, Rope start, long version, int every) {
    Checkpoints cps = history.checkpoints();
    long to = Math.min(version, (from / every + 1) * every);
    return history.fromJournal(docId, from, to, Integer.MAX_VALUE).thenCompose(ops -> {
      if (ops.isEmpty() || ops.get(ops.size() - 1).version() != to) {
        throw new IllegalStateException("the journal of " + docId + " does not reach version " + to + " yet");
      }
      Rope r = start;
      var deltas = new java.util.ArrayList<io.tandem.ot.Delta>(ops.size());
      for (OpApplied op : ops) {
        var delta = DocHistory.parse(op.ops());
        deltas.add(delta);
        r = r.apply(delta);
      }
      Rope end = r;
      String block = DocHistory.writeBlock(ops);
      String change = DeltaJson.write(DocHistory.composeAll(deltas));
      // the sessions, the block and its change first: a crash before the checkpoint makes the next attempt write all again
      boolean blockFits = block.length() <= MAX_BLOCK_CHARS;
      CompletionStage<Void> done = cps.write(docId, DocHistory.sessions(ops))
          .thenCompose(v -> blockFits ? cps.writeBlock(docId, new Checkpoints.Block(from, to, block)) : CompletableFuture.<Void>completedFuture(null))
          .thenCompose(v -> blockFits && change.length() <= MAX_BLOCK_CHARS
              ? cps.writeChange(docId, new Checkpoints.BlockChange(from, to, change)) : CompletableFuture.<Void>completedFuture(null))
          .thenCompose(v -> cps.write(docId, to, DeltaJson.write(end.toDelta())));
      return to >= version ? done : done.thenCompose(v -> walk(history, docId, to, end, version, every));
    });
  }
}
