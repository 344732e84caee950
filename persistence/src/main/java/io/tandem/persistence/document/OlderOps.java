package io.tandem.persistence.document;

import io.tandem.persistence.document.DocumentEntity.OpApplied;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A document's ops older than the window it keeps in memory, read back from the journal: a late
 * op is transformed against them, and a connection that missed them is sent them, instead of
 * {@code resync} (up to the entity's journal horizon).
 */
@FunctionalInterface
public interface OlderOps {

  /** The ops with versions in ({@code after}, {@code upTo}], oldest first. */
  CompletionStage<List<OpApplied>> read(String docId, long after, long upTo);

  /** No journal to read: every op older than the window is out of reach ({@code resync}). */
  OlderOps NONE = (docId, after, upTo) -> CompletableFuture.failedFuture(new IllegalStateException("no journal to read"));

  /**
   * From the journal's query side. Version {@code v} is the {@code v}-th op event of the document,
   * and every event has a sequence number of its own, so its sequence number is at least
   * {@code v}: the read starts at {@code after + 1} and stops at the first op past {@code upTo}.
   */
  static OlderOps fromJournal(CurrentEventsByPersistenceIdQuery journal, ActorSystem<?> system) {
    return (docId, after, upTo) -> ops(journal, docId, after, upTo).runWith(Sink.seq(), system);
  }

  /** The document's ops with versions in ({@code after}, {@code upTo}] as the journal holds them, oldest first. */
  static Source<OpApplied, NotUsed> ops(CurrentEventsByPersistenceIdQuery journal, String docId, long after, long upTo) {
    return journal
        .currentEventsByPersistenceId(PersistenceId.of(DocumentEntity.TYPE_KEY.name(), docId).id(), after + 1, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .filter(OpApplied.class::isInstance)
        .map(OpApplied.class::cast)
        .dropWhile(e -> e.version() <= after)
        .takeWhile(e -> e.version() <= upTo);
  }
}
