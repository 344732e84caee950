package io.tandem.app.docs;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.projections.docs.DocsByUserProjection;
import io.tandem.projections.docs.DocsIndex;
import io.tandem.projections.history.Checkpoints;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.cleanup.Cleanup;
import org.apache.pekko.persistence.cassandra.cleanup.CleanupSettings;
import org.apache.pekko.persistence.typed.PersistenceId;
import scala.jdk.javaapi.FutureConverters;

/**
 * Erases what a purged document leaves behind, so purging from the trash deletes its text, its
 * history and its title for good. All but the {@link DocumentEntity.Purged} event go: its lists
 * rows, the tagged copies of its events, its snapshots, its journal before that event, and its
 * checkpoints, blocks and sessions. The one event left makes the entity recover as a tombstone,
 * so the id is never reused (and its tagged copy stays for the lists' projection). Each step can
 * run again: an erasure cut short is done again whole.
 * Cassandra drops the deleted cells at compaction after {@code gc_grace_seconds} (10 days by
 * default).
 */
public final class Eraser {

  private final Cleanup cleanup;
  private final Checkpoints history;
  private final DocsIndex index;
  private final CqlSession session;
  private final Executor blocking;
  private final PreparedStatement journalTags;
  private final PreparedStatement deleteTagged;
  private final long partitionSize;
  private final long bucketMillis;

  public Eraser(ActorSystem<?> system, CqlSession session, String keyspace, Executor blocking, Checkpoints history,
      DocsIndex index) {
    this.session = session;
    this.blocking = blocking;
    var plugin = system.settings().config().getConfig("pekko.persistence.cassandra");
    this.partitionSize = plugin.getLong("journal.target-partition-size");
    this.bucketMillis = switch (plugin.getString("events-by-tag.bucket-size")) {
      case "Day" -> 86_400_000L;
      case "Hour" -> 3_600_000L;
      case "Minute" -> 60_000L;
      case "Second" -> 1_000L;
      default -> throw new IllegalArgumentException("events-by-tag.bucket-size " + plugin.getString("events-by-tag.bucket-size"));
    };
    journalTags = session.prepare("SELECT sequence_nr, timestamp, tags FROM " + keyspace + ".messages"
        + " WHERE persistence_id = ? AND partition_nr = ?");
    deleteTagged = session.prepare("DELETE FROM " + keyspace + ".tag_views"
        + " WHERE tag_name = ? AND timebucket = ? AND timestamp = ? AND persistence_id = ?");
    // the plugin's cleanup tool, with its deletes done (its default is a dry run that only logs)
    var settings = system.settings().config().getConfig("pekko.persistence.cassandra.cleanup")
        .withValue("dry-run", com.typesafe.config.ConfigValueFactory.fromAnyRef(false))
        .withValue("log-progress-every", com.typesafe.config.ConfigValueFactory.fromAnyRef(100_000));
    this.cleanup = new Cleanup(system, new CleanupSettings(settings));
    this.history = history;
    this.index = index;
  }

  /** Erases document {@code docId}, purged by its event {@code purgedSeqNr} at {@code purgedAt}. */
  public CompletionStage<Void> erase(String docId, long purgedSeqNr, Instant purgedAt) {
    String pid = PersistenceId.of(DocumentEntity.TYPE_KEY.name(), docId).id();
    // Its lists rows go first, as the projection would from the Purged event: the tagged copy of
    // that event goes with the others next, and the projection may not have read it yet.
    return DocsByUserProjection.apply(index, docId, new DocumentEntity.Purged(purgedAt == null ? Instant.EPOCH : purgedAt), purgedSeqNr)
        // the tagged copies are found by reading the journal: before its events go
        .thenCompose(d -> deleteTaggedCopies(pid, purgedSeqNr))
        .thenCompose(d -> FutureConverters.asJava(cleanup.deleteAllSnapshots(pid)))
        .thenCompose(d -> purgedSeqNr > 1
            ? FutureConverters.asJava(cleanup.deleteEventsTo(pid, purgedSeqNr - 1)) : CompletableFuture.completedFuture(d))
        .thenCompose(d -> history.erase(docId));
  }

  /**
   * Deletes the copies in {@code tag_views} of the events before {@code purgedSeqNr}. Each is found
   * from its journal row: its tags, and its time, which is its key there. The plugin's own tool
   * for this walks a tag's whole history (every document's) per document, which is not done here.
   */
  private CompletionStage<Void> deleteTaggedCopies(String pid, long purgedSeqNr) {
    return CompletableFuture.runAsync(() -> {
      long last = (purgedSeqNr - 1) / partitionSize + 1; // one past: a write is not split over two
      for (long partition = 0; partition <= last; partition++) {
        for (Row r : session.execute(journalTags.bind(pid, partition))) {
          Set<String> tags = r.getSet(2, String.class);
          if (r.getLong(0) >= purgedSeqNr || tags == null || tags.isEmpty()) continue;
          UUID at = r.getUuid(1);
          long bucket = Uuids.unixTimestamp(at) / bucketMillis * bucketMillis;
          for (String tag : tags) session.execute(deleteTagged.bind(tag, bucket, at, pid));
        }
      }
    }, blocking);
  }
}
