package io.tandem.projections.history;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The history's tables (schema 007): a document's content every N versions, and who edited in
 * which sessions. The checkpoint projection writes them; the history's reads start from them.
 */
public final class Checkpoints {

  /** A document's content (canonical delta JSON) at a version. */
  public record Checkpoint(long version, String content) {}

  /** The ops of versions ({@code fromVersion}, {@code toVersion}], as the JSON the projection wrote. */
  public record Block(long fromVersion, long toVersion, String ops) {}

  /** What the versions ({@code fromVersion}, {@code toVersion}] of a block changed: its ops composed (delta JSON). */
  public record BlockChange(long fromVersion, long toVersion, String delta) {}

  /** Consecutive ops of one author: versions, times, and what they added and removed (UTF-16 units). */
  public record Session(long fromVersion, long toVersion, String userId, Instant fromTs, Instant toTs, int ops, int added,
      int removed) {}

  private final CqlSession session;
  private final PreparedStatement latest;
  private final PreparedStatement write;
  private final PreparedStatement versions;
  private final PreparedStatement writeSession;
  private final PreparedStatement sessionsBefore;
  private final PreparedStatement writeBlock;
  private final PreparedStatement blocksFrom;
  private final PreparedStatement writeChange;
  private final PreparedStatement changesFrom;
  private final List<PreparedStatement> erase;
  private final List<PreparedStatement> any;

  public Checkpoints(CqlSession session, String keyspace) {
    this.session = session;
    String t = keyspace + ".doc_checkpoints";
    latest = session.prepare("SELECT version, content FROM " + t + " WHERE doc_id = ? AND version <= ? LIMIT 1");
    write = session.prepare("INSERT INTO " + t + " (doc_id, version, content, written_at) VALUES (?, ?, ?, ?)");
    versions = session.prepare("SELECT version FROM " + t + " WHERE doc_id = ?");
    String s = keyspace + ".doc_sessions";
    writeSession = session.prepare("INSERT INTO " + s + " (doc_id, from_version, to_version, user_id, from_ts, to_ts, ops, "
        + "added, removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sessionsBefore = session.prepare("SELECT from_version, to_version, user_id, from_ts, to_ts, ops, added, removed FROM " + s
        + " WHERE doc_id = ? AND from_version < ? LIMIT ?");
    String b = keyspace + ".doc_op_blocks";
    writeBlock = session.prepare("INSERT INTO " + b + " (doc_id, to_version, from_version, ops) VALUES (?, ?, ?, ?)");
    blocksFrom = session.prepare("SELECT from_version, to_version, ops FROM " + b
        + " WHERE doc_id = ? AND to_version >= ? ORDER BY to_version ASC LIMIT ?");
    String c = keyspace + ".doc_block_changes";
    erase = List.of(t, s, b, c).stream().map(table -> session.prepare("DELETE FROM " + table + " WHERE doc_id = ?")).toList();
    any = List.of(t, s, b, c).stream().map(table -> session.prepare("SELECT doc_id FROM " + table + " WHERE doc_id = ? LIMIT 1")).toList();
    writeChange = session.prepare("INSERT INTO " + c + " (doc_id, to_version, from_version, delta) VALUES (?, ?, ?, ?)");
    changesFrom = session.prepare("SELECT from_version, to_version, delta FROM " + c
        + " WHERE doc_id = ? AND to_version >= ? ORDER BY to_version ASC LIMIT ?");
  }

  /** Whether any history row of {@code docId} is there (checkpoints, blocks, block changes, sessions). */
  public CompletionStage<Boolean> anyOf(String docId) {
    var reads = new ArrayList<CompletableFuture<AsyncResultSet>>();
    for (PreparedStatement a : any) reads.add(session.executeAsync(a.bind(docId)).toCompletableFuture());
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(v -> reads.stream().anyMatch(r -> r.join().one() != null));
  }

  /** Deletes every history row of a purged document: checkpoints, blocks, block changes, sessions. */
  public CompletionStage<Void> erase(String docId) {
    var deletes = new ArrayList<CompletableFuture<?>>();
    for (PreparedStatement d : erase) deletes.add(session.executeAsync(d.bind(docId)).toCompletableFuture());
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
  }

  public CompletionStage<Void> writeChange(String docId, BlockChange change) {
    return session.executeAsync(writeChange.bind(docId, change.toVersion(), change.fromVersion(), change.delta()))
        .thenApply(rs -> null);
  }

  /** Up to {@code limit} block changes that end at or after {@code version}, oldest first. */
  public CompletionStage<List<BlockChange>> changesFrom(String docId, long version, int limit) {
    return session.executeAsync(changesFrom.bind(docId, version, limit)).thenApply(rs -> {
      var out = new ArrayList<BlockChange>();
      for (Row r : rs.currentPage()) out.add(new BlockChange(r.getLong(0), r.getLong(1), r.getString(2)));
      return out;
    });
  }

  public CompletionStage<Void> writeBlock(String docId, Block block) {
    return session.executeAsync(writeBlock.bind(docId, block.toVersion(), block.fromVersion(), block.ops())).thenApply(rs -> null);
  }

  /** Up to {@code limit} blocks that end at or after {@code version}, oldest first: the first holds it, if any does. */
  public CompletionStage<List<Block>> blocksFrom(String docId, long version, int limit) {
    return session.executeAsync(blocksFrom.bind(docId, version, limit)).thenApply(rs -> {
      var out = new ArrayList<Block>();
      for (Row r : rs.currentPage()) out.add(new Block(r.getLong(0), r.getLong(1), r.getString(2)));
      return out;
    });
  }

  /** The newest checkpoint at or below {@code version}, if any. */
  public CompletionStage<Optional<Checkpoint>> latest(String docId, long version) {
    return session.executeAsync(latest.bind(docId, version)).thenApply(rs -> {
      Row r = rs.one();
      return r == null ? Optional.empty() : Optional.of(new Checkpoint(r.getLong(0), decode(r.getString(1))));
    });
  }

  /** A checkpoint's content compressed beyond this is not written: the one before serves. */
  static final int MAX_STORED_CHARS = 8 * 1024 * 1024;

  /** Writes the content (canonical delta JSON) at {@code version}, gzipped. */
  public CompletionStage<Void> write(String docId, long version, String content) {
    String stored = encode(content);
    if (stored.length() > MAX_STORED_CHARS) return CompletableFuture.completedFuture(null);
    return session.executeAsync(write.bind(docId, version, stored, Instant.now())).thenApply(rs -> null);
  }

  private static final String GZIP = "gz:";

  /** The content as stored: {@code gz:} and the gzipped JSON in base64 (a text is 3 to 5 times smaller). */
  static String encode(String json) {
    var out = new java.io.ByteArrayOutputStream(json.length() / 4 + 64);
    try (var gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return GZIP + java.util.Base64.getEncoder().encodeToString(out.toByteArray());
  }

  static String decode(String stored) {
    if (!stored.startsWith(GZIP)) return stored; // written plain, before compression
    byte[] zipped = java.util.Base64.getDecoder().decode(stored.substring(GZIP.length()));
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every checkpoint's version, newest first (tests and tools). */
  public CompletionStage<List<Long>> versions(String docId) {
    return all(session.executeAsync(versions.bind(docId)), new ArrayList<>(), r -> r.getLong(0));
  }

  public CompletionStage<Void> write(String docId, List<Session> sessions) {
    CompletionStage<Void> done = CompletableFuture.completedFuture(null);
    for (Session x : sessions) {
      done = done.thenCompose(v -> session.executeAsync(writeSession.bind(docId, x.fromVersion(), x.toVersion(), x.userId(),
          x.fromTs(), x.toTs(), x.ops(), x.added(), x.removed())).thenApply(rs -> null));
    }
    return done;
  }

  /** Up to {@code limit} session rows that start below {@code before}, newest first. */
  public CompletionStage<List<Session>> sessionsBefore(String docId, long before, int limit) {
    return all(session.executeAsync(sessionsBefore.bind(docId, before, limit)), new ArrayList<>(), r -> new Session(r.getLong(0),
        r.getLong(1), r.getString(2), r.getInstant(3), r.getInstant(4), r.getInt(5), r.getInt(6), r.getInt(7)));
  }

  private static <T> CompletionStage<List<T>> all(CompletionStage<AsyncResultSet> page, List<T> into,
      java.util.function.Function<Row, T> read) {
    return page.thenCompose(rs -> {
      for (Row r : rs.currentPage()) into.add(read.apply(r));
      return rs.hasMorePages() ? all(rs.fetchNextPage(), into, read) : CompletableFuture.completedFuture(into);
    });
  }
}
