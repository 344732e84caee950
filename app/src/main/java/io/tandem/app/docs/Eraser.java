package io.tandem.app.docs;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.projections.docs.DocsByUserProjection;
import io.tandem.projections.docs.DocsIndex;
import io.tandem.projections.history.Checkpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Erases what a purged document leaves behind, so purging from the trash deletes its text, its
 * history and its title for good. All but the {@link DocumentEntity.Purged} event go: its lists
 * rows, the tagged copies of its events, its snapshots, its journal before that event, and its
 * checkpoints, blocks and sessions. The one event left makes the entity recover as a tombstone,
 * so the id is never reused (and its tagged copy stays for the lists' projection). Every step
 * can run again, and {@link #leftOver} says whether one is needed. Cassandra drops the deleted
 * cells at compaction after {@code gc_grace_seconds} (10 days by default).
 */
public final class Eraser {

  private static final String PLUGIN = "pekko.persistence.cassandra";

  private final org.apache.pekko.actor.ActorRef journal;
  private final Checkpoints history;
  private final DocsIndex index;
  private final CqlSession session;
  private final Executor blocking;
  private final PreparedStatement journalTags;
  private final PreparedStatement deleteJournal;
  private final PreparedStatement journalBefore;
  private final PreparedStatement snapshotsBefore;
  private final PreparedStatement deleteSnapshots;
  private final PreparedStatement deleteTagged;
  private final long partitionSize;
  private final long bucketMillis;

  public Eraser(ActorSystem<?> system, CqlSession session, String keyspace, Executor blocking, Checkpoints history,
      DocsIndex index) {
    var persistence = Persistence.get(Adapter.toClassic(system));
    this.journal = persistence.journalFor(PLUGIN + ".journal", com.typesafe.config.ConfigFactory.empty());
    this.session = session;
    this.blocking = blocking;
    this.history = history;
    this.index = index;
    var plugin = system.settings().config().getConfig(PLUGIN);
    this.partitionSize = plugin.getLong("journal.target-partition-size");
    String bucketSize = plugin.getString("events-by-tag.bucket-size");
    this.bucketMillis = switch (bucketSize.toLowerCase(Locale.ROOT)) { // as the plugin reads it
      case "day" -> 86_400_000L;
      case "hour" -> 3_600_000L;
      case "minute" -> 60_000L;
      case "second" -> 1_000L;
      default -> throw new IllegalArgumentException("events-by-tag.bucket-size " + bucketSize);
    };
    String messages = keyspace + "." + plugin.getString("journal.table");
    String tagViews = keyspace + "." + plugin.getString("events-by-tag.table");
    String snapshots = keyspace + "." + plugin.getString("snapshot.table");
    journalTags = session.prepare("SELECT sequence_nr, timestamp, tags FROM " + messages + " WHERE persistence_id = ? AND partition_nr = ?");
    deleteJournal = session.prepare("DELETE FROM " + messages + " WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr < ?");
    journalBefore = session.prepare("SELECT sequence_nr FROM " + messages
        + " WHERE persistence_id = ? AND partition_nr = ? AND sequence_nr < ? LIMIT 1");
    snapshotsBefore = session.prepare("SELECT sequence_nr FROM " + snapshots + " WHERE persistence_id = ? AND sequence_nr < ? LIMIT 1");
    deleteSnapshots = session.prepare("DELETE FROM " + snapshots + " WHERE persistence_id = ? AND sequence_nr < ?");
    deleteTagged = session.prepare("DELETE FROM " + tagViews + " WHERE tag_name = ? AND timebucket = ? AND timestamp = ? AND persistence_id = ?");
  }

  private static String pid(String docId) {
    return PersistenceId.of(DocumentEntity.TYPE_KEY.name(), docId).id();
  }

  /** The journal partitions that can hold events before {@code seqNr}, and one past (a write is not split over two). */
  private long lastPartition(long seqNr) {
    return Math.max(0, seqNr - 1) / partitionSize + 1;
  }

  /** Erases document {@code docId}, purged by its event {@code purgedSeqNr} at {@code purgedAt}. */
  public CompletionStage<Void> erase(String docId, long purgedSeqNr, Instant purgedAt) {
    String pid = pid(docId);
    // Its lists rows go first, as the projection would from the Purged event: if the projection
    // is behind, the events it would have read before that one are about to go.
    return DocsByUserProjection.apply(index, docId, new DocumentEntity.Purged(purgedAt == null ? Instant.EPOCH : purgedAt), purgedSeqNr)
        // the tagged copies are found by reading the journal: before its events go
        .thenCompose(d -> deleteTaggedCopies(pid, purgedSeqNr))
        .thenCompose(v -> deleteJournal(pid, purgedSeqNr))
        .thenCompose(v -> CompletableFuture.runAsync(() -> session.execute(deleteSnapshots.bind(pid, purgedSeqNr)), blocking))
        .thenCompose(v -> history.erase(docId));
  }

  /**
   * Whether anything of {@code docId} before its Purged event {@code purgedSeqNr} is still there
   * (an erasure cut short, or a history row written back by work that was under way): journal
   * events, snapshots or history rows. The tagged copies cannot be looked up by document; an
   * erasure done again deletes them again.
   */
  public CompletionStage<Boolean> leftOver(String docId, long purgedSeqNr) {
    String pid = pid(docId);
    return CompletableFuture.supplyAsync(() -> {
      for (long p = 0; p <= lastPartition(purgedSeqNr); p++) {
        if (session.execute(journalBefore.bind(pid, p, purgedSeqNr)).one() != null) return true;
      }
      return session.execute(snapshotsBefore.bind(pid, purgedSeqNr)).one() != null;
    }, blocking).thenCompose(left -> left ? CompletableFuture.completedFuture(true) : history.anyOf(docId));
  }

  /**
   * The journal before {@code purgedSeqNr}: through the journal first (it records what it deleted,
   * so the entity's recovery starts at the Purged event), checking its answer, then by a range
   * delete of each partition, which a pass cut short completes (the journal's own delete starts
   * after what it recorded).
   */
  private CompletionStage<Void> deleteJournal(String pid, long purgedSeqNr) {
    if (purgedSeqNr <= 1) return CompletableFuture.completedFuture(null);
    return Patterns.askWithReplyTo(journal, replyTo -> new JournalProtocol.DeleteMessagesTo(pid, purgedSeqNr - 1, replyTo),
            Duration.ofSeconds(60))
        .thenAccept(reply -> {
          if (!(reply instanceof DeleteMessagesSuccess)) {
            throw new IllegalStateException("the journal did not delete the events of " + pid + ": " + reply);
          }
        })
        .thenCompose(v -> CompletableFuture.runAsync(() -> {
          for (long p = 0; p <= lastPartition(purgedSeqNr); p++) session.execute(deleteJournal.bind(pid, p, purgedSeqNr));
        }, blocking));
  }

  /**
   * Deletes the copies in {@code tag_views} of the events before {@code purgedSeqNr}. Each is found
   * from its journal row: its tags, and its time, which is its key there. The plugin's own tool
   * for this walks a tag's whole history (every document's) per document, which is not done here.
   */
  private CompletionStage<Void> deleteTaggedCopies(String pid, long purgedSeqNr) {
    return CompletableFuture.runAsync(() -> {
      for (long partition = 0; partition <= lastPartition(purgedSeqNr); partition++) {
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
