package io.tandem.projections.docs;

import io.tandem.persistence.document.DocumentEntity;
import io.tandem.projections.ProjectionMetrics;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * The docs-by-user projection: folds the document entities' tagged metadata events, one
 * projection instance per tag spread over the cluster by a sharded daemon process, into
 * {@link DocsIndex}. At least once, offsets in Cassandra's {@code offset_store}; the handler is
 * idempotent (an event at or below the sequence number it last applied to a document is skipped,
 * and every write is a write of a whole state), so redelivery after a crash changes nothing.
 */
public final class DocsByUserProjection {

  public static final String NAME = "docs-by-user";

  private DocsByUserProjection() {}

  /** Starts the projection's instances on this node's share of the cluster. */
  public static void init(ActorSystem<?> system, DocsIndex index) {
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, DocumentEntity.TAGS,
        i -> ProjectionBehavior.create(projection(system, index, "docs-" + i)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static org.apache.pekko.projection.Projection<EventEnvelope<DocumentEntity.Event>> projection(
      ActorSystem<?> system, DocsIndex index, String tag) {
    SourceProvider<Offset, EventEnvelope<DocumentEntity.Event>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.atLeastOnce(ProjectionId.of(NAME, tag), source, () -> new Fold(index, tag));
  }

  /** Applies one event to the document's last known state and writes the result. */
  static final class Fold extends Handler<EventEnvelope<DocumentEntity.Event>> {
    private final DocsIndex index;
    private final ProjectionMetrics metrics;

    Fold(DocsIndex index, String tag) {
      this.index = index;
      this.metrics = new ProjectionMetrics(NAME, tag);
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<DocumentEntity.Event> envelope) {
      String docId = PersistenceId.extractEntityId(envelope.persistenceId());
      return apply(index, docId, envelope.event(), envelope.sequenceNr()).thenApply(d -> {
        metrics.handled(envelope.timestamp());
        return d;
      });
    }
  }

  /** The projection's step, public to tests: idempotent, ordered per document by the caller. */
  public static CompletionStage<Done> apply(DocsIndex index, String docId, DocumentEntity.Event event, long seqNr) {
    return index.load(docId).thenCompose(prior -> {
      if (prior.isPresent() && prior.get().seqNr() >= seqNr) return CompletableFuture.completedFuture(Done.getInstance());
      DocView next = DocView.apply(docId, prior.orElse(null), event, seqNr);
      if (next == null) return CompletableFuture.completedFuture(Done.getInstance());
      Set<String> former = prior.map(DocView::listed).orElse(Set.of());
      return index.write(next, former)
          .thenCompose(v -> index.trackTrash(prior, next))
          .thenCompose(v -> index.remember(next)) // last: a crash before it replays this event
          .thenApply(v -> Done.getInstance());
    });
  }
}
