package io.tandem.projections.docs;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The docs-by-user read model in Cassandra (schema 005): which documents each user and group can
 * list, newest first, on the shelf {@code active} or, for owners, {@code trash}.
 *
 * <p>Two writers keep it: the projection, which folds every tagged event in journal order and is
 * the only one to remove principals that lost access, and the REST routes, which write the state
 * an entity just replied with so a change shows in the next list at once. Every row write carries
 * {@code USING TIMESTAMP seqNr}: Cassandra keeps the newest state's row whatever order the two
 * writers' statements land in, and a write is idempotent, so redelivery after a crash is harmless.
 */
public final class DocsIndex {

  /** Which list: the documents one can open, or an owner's trash. */
  public enum Shelf {
    ACTIVE("active"), TRASH("trash");

    private final String wire;

    Shelf(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** One document in a list, with the caller's highest role over all the principals they are. */
  public record Entry(String docId, String title, Role role, String ownerId, Instant createdAt, Instant updatedAt,
      Instant trashedAt) {}

  /** A page of a list and the opaque cursor of the next one, absent on the last page. */
  public record Page(List<Entry> items, Optional<String> nextCursor) {}

  private final CqlSession session;
  private final PreparedStatement upsert;
  private final PreparedStatement remove;
  private final PreparedStatement listFirst;
  private final PreparedStatement listAfter;
  private final PreparedStatement load;
  private final PreparedStatement remember;
  private final PreparedStatement markTrashed;
  private final PreparedStatement unmarkTrashed;
  private final PreparedStatement trashedOn;

  public DocsIndex(CqlSession session, String keyspace) {
    this.session = session;
    String t = keyspace + ".docs_by_principal";
    upsert = session.prepare("INSERT INTO " + t + " (principal, shelf, created_at, doc_id, title, role, owner_id, "
        + "updated_at, trashed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?");
    remove = session.prepare("DELETE FROM " + t + " USING TIMESTAMP ? WHERE principal = ? AND shelf = ? "
        + "AND created_at = ? AND doc_id = ?");
    String columns = "SELECT doc_id, title, role, owner_id, created_at, updated_at, trashed_at FROM " + t;
    listFirst = session.prepare(columns + " WHERE principal = ? AND shelf = ? LIMIT ?");
    listAfter = session.prepare(columns + " WHERE principal = ? AND shelf = ? AND (created_at, doc_id) < (?, ?) LIMIT ?");
    load = session.prepare("SELECT seq_nr, title, created_at, updated_at, trashed_at, purged, grants FROM "
        + keyspace + ".docs WHERE doc_id = ?");
    remember = session.prepare("INSERT INTO " + keyspace + ".docs (doc_id, seq_nr, title, created_at, updated_at, "
        + "trashed_at, purged, grants) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    markTrashed = session.prepare("INSERT INTO " + keyspace + ".trash_by_day (day, doc_id, trashed_at) VALUES (?, ?, ?)");
    unmarkTrashed = session.prepare("DELETE FROM " + keyspace + ".trash_by_day WHERE day = ? AND doc_id = ?");
    trashedOn = session.prepare("SELECT doc_id, trashed_at FROM " + keyspace + ".trash_by_day WHERE day = ?");
  }

  /**
   * Writes the rows of {@code view}: on the active shelf of everyone it is listed for, or on its
   * owners' trash shelf, or nowhere once purged; {@code former} principals not in the view lose
   * their rows.
   */
  public CompletionStage<Void> write(DocView view, Set<String> former) {
    var writes = new ArrayList<CompletableFuture<AsyncResultSet>>();
    long ts = view.seqNr();
    Set<String> listed = view.listed();
    for (String p : listed) {
      Shelf keep = shelfOf(view, p);
      for (Shelf shelf : Shelf.values()) {
        if (shelf == keep) {
          writes.add(run(upsert.bind(p, shelf.wire(), view.createdAt(), view.docId(), view.title(),
              view.grants().get(p).wire(), view.ownerId(), view.updatedAt(), view.trashedAt(), ts)));
        } else {
          writes.add(run(remove.bind(ts, p, shelf.wire(), view.createdAt(), view.docId())));
        }
      }
    }
    for (String p : former) {
      if (listed.contains(p)) continue;
      for (Shelf shelf : Shelf.values()) writes.add(run(remove.bind(ts, p, shelf.wire(), view.createdAt(), view.docId())));
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /** The shelf {@code principal} sees {@code view} on, or null. Only owners see the trash. */
  private static Shelf shelfOf(DocView view, String principal) {
    if (view.purged()) return null;
    if (!view.trashed()) return Shelf.ACTIVE;
    return view.grants().get(principal) == Role.OWNER ? Shelf.TRASH : null;
  }

  /**
   * A page of the documents {@code userId} can list on {@code shelf}, directly or through
   * {@code groups}, newest first, each once. Reads one partition per principal and merges them:
   * each partition's first {@code limit + 1} rows after the cursor hold every document of the
   * page, because a document in the page has fewer than {@code limit} documents before it.
   *
   * @throws IllegalArgumentException when {@code cursor} is not one this class made
   */
  public CompletionStage<Page> list(String userId, Set<String> groups, Shelf shelf, Optional<String> cursor, int limit) {
    Optional<Position> after = cursor.map(Position::decode);
    var principals = new ArrayList<String>();
    principals.add(new Principal.User(userId).wire());
    if (shelf == Shelf.ACTIVE) new TreeSet<>(groups).forEach(g -> principals.add(new Principal.Group(g).wire()));
    var reads = new ArrayList<CompletableFuture<List<Entry>>>();
    for (String p : principals) {
      BoundStatement s = after.isPresent()
          ? listAfter.bind(p, shelf.wire(), after.get().createdAt(), after.get().docId(), limit + 1)
          : listFirst.bind(p, shelf.wire(), limit + 1);
      reads.add(run(s).thenApply(DocsIndex::entries));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
      var byDoc = new LinkedHashMap<String, Entry>();
      for (var read : reads) {
        for (Entry e : read.join()) byDoc.merge(e.docId(), e, (a, b) -> a.role().atLeast(b.role()) ? a : b);
      }
      var merged = new ArrayList<>(byDoc.values());
      merged.sort(Comparator.comparing(Entry::createdAt).thenComparing(Entry::docId).reversed());
      if (merged.size() <= limit) return new Page(merged, Optional.empty());
      var page = List.copyOf(merged.subList(0, limit));
      Entry last = page.get(limit - 1);
      return new Page(page, Optional.of(new Position(last.createdAt(), last.docId()).encode()));
    });
  }

  private static List<Entry> entries(AsyncResultSet rs) {
    var out = new ArrayList<Entry>();
    for (Row r : rs.currentPage()) {
      out.add(new Entry(r.getString("doc_id"), r.getString("title"), Role.fromWire(r.getString("role")),
          r.getString("owner_id"), r.getInstant("created_at"), r.getInstant("updated_at"), r.getInstant("trashed_at")));
    }
    return out;
  }

  /** The projection's last state of a document, if it has seen one. */
  public CompletionStage<Optional<DocView>> load(String docId) {
    return run(load.bind(docId)).thenApply(rs -> {
      Row r = rs.one();
      if (r == null) return Optional.empty();
      var grants = new HashMap<String, Role>();
      r.getMap("grants", String.class, String.class).forEach((p, role) -> grants.put(p, Role.fromWire(role)));
      return Optional.of(new DocView(docId, r.getLong("seq_nr"), r.getString("title"), r.getInstant("created_at"),
          r.getInstant("updated_at"), r.getInstant("trashed_at"), r.getBoolean("purged"), grants));
    });
  }

  /** Records {@code view} as the projection's last state of its document. */
  public CompletionStage<Void> remember(DocView view) {
    var grants = new HashMap<String, String>();
    view.grants().forEach((p, role) -> grants.put(p, role.wire()));
    return run(remember.bind(view.docId(), view.seqNr(), view.title(), view.createdAt(), view.updatedAt(),
        view.trashedAt(), view.purged(), grants)).thenApply(rs -> null);
  }

  /**
   * Keeps the purger's index of trashed documents in step from {@code prior} to {@code next}. A
   * purged document stays in it: the purger takes it out once its data is erased
   * ({@link #erased}), so an erasure cut short is finished by the next pass.
   */
  public CompletionStage<Void> trackTrash(Optional<DocView> prior, DocView next) {
    Instant was = prior.map(DocView::trashedAt).orElse(null);
    Instant is = next.trashedAt();
    if (was != null && was.equals(is)) return CompletableFuture.completedFuture(null);
    CompletionStage<?> step = CompletableFuture.completedFuture(null);
    if (was != null) step = run(unmarkTrashed.bind(day(was), next.docId()));
    if (is != null) step = step.thenCompose(v -> run(markTrashed.bind(day(is), next.docId(), is)));
    return step.thenApply(v -> null);
  }

  /** A document in the purger's index: trashed at {@code trashedAt}. */
  public record Trashed(String docId, Instant trashedAt) {}

  /**
   * The documents trashed at or before {@code cutoff}, looking back {@code lookbackDays} days
   * from it (a document left over from before that is purged only once looked up).
   */
  public CompletionStage<List<Trashed>> trashedBefore(Instant cutoff, int lookbackDays) {
    LocalDate last = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
    CompletionStage<List<Trashed>> out = CompletableFuture.completedFuture(new ArrayList<>());
    for (LocalDate d = last.minusDays(lookbackDays); !d.isAfter(last); d = d.plusDays(1)) {
      String day = d.toString();
      out = out.thenCompose(found -> run(trashedOn.bind(day)).thenApply(rs -> {
        for (Row r : rs.currentPage()) {
          Instant at = r.getInstant("trashed_at");
          if (!at.isAfter(cutoff)) found.add(new Trashed(r.getString("doc_id"), at));
        }
        return found;
      }));
    }
    return out;
  }

  /** Takes a purged document whose data is erased out of the purger's index. */
  public CompletionStage<Void> erased(Trashed doc) {
    return run(unmarkTrashed.bind(day(doc.trashedAt()), doc.docId())).thenApply(rs -> null);
  }

  private static String day(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
  }

  private CompletableFuture<AsyncResultSet> run(BoundStatement s) {
    return session.executeAsync(s).toCompletableFuture();
  }

  /** Where a page ends: the cursor, opaque to clients (base64url of the last entry's sort key). */
  record Position(Instant createdAt, String docId) {
    String encode() {
      String raw = "1:" + createdAt.toEpochMilli() + ":" + docId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static Position decode(String cursor) {
      try {
        String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        String[] parts = raw.split(":", 3);
        if (parts.length != 3 || !parts[0].equals("1") || parts[2].isEmpty()) throw new IllegalArgumentException();
        return new Position(Instant.ofEpochMilli(Long.parseLong(parts[1])), parts[2]);
      } catch (IllegalArgumentException e) { // NumberFormatException is one
        throw new IllegalArgumentException("not a cursor this server made: " + cursor);
      }
    }
  }
}
