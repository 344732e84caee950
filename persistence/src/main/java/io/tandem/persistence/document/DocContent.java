package io.tandem.persistence.document;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import io.tandem.ot.OpValidator;
import io.tandem.ot.Rope;
import io.tandem.protocol.DeltaJson;
import io.tandem.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text of a document and what editing it needs: the rope, the version (ops applied), a window
 * of the latest ops to transform late ones against, and per client the last {@code seq} accepted
 * and the version it got. Mutable, owned by one {@link DocumentEntity}; changed only by its event
 * handler ({@link #apply}), so it is the same after recovery as it was live.
 *
 * <p>Submissions are checked by a {@link Stage}: a batch of ops is placed one after another on
 * top of the content and of the batch's earlier ops, without changing the content, which only the
 * events change once journaled (group commit).
 */
public final class DocContent {

  /** An op in the history: version, canonical JSON and the Delta, who sent it, when. */
  public record Applied(long version, String opsJson, Delta ops, String userId, String clientId, long seq, long ts) {}

  /** A client's last accepted op: its seq and the version it was given; and whose the client is. */
  public record ClientSeq(String userId, long seq, long version) {}

  /** How a submission turned out. */
  public sealed interface Outcome {}
  /** Placed: the op as transformed to the version it gets. */
  public record Accepted(Applied applied) implements Outcome {}
  /** Already applied: answer with its original ack. */
  public record Duplicate(long seq, long version) implements Outcome {}
  /** Refused with a protocol code; nothing changes and the seq is not used up. */
  public record Refused(ErrorCode code, String message) implements Outcome {}
  /**
   * Based before the window, within the journal's reach: submit it again with the ops in
   * ({@code after}, {@link #horizon()}] read from the journal.
   */
  public record NeedsOlder(long after) implements Outcome {}

  private Rope text;
  private long version;
  private final int windowSize;
  private final int maxClients;
  private final ArrayDeque<Applied> window = new ArrayDeque<>();
  private final LinkedHashMap<String, ClientSeq> clients;

  public DocContent(int windowSize, int maxClients) {
    this.text = Rope.EMPTY;
    this.windowSize = windowSize;
    this.maxClients = maxClients;
    this.clients = new LinkedHashMap<>(16, 0.75f, true) { // least recently used first
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, ClientSeq> eldest) {
        return size() > DocContent.this.maxClients;
      }
    };
  }

  public Rope text() {
    return text;
  }

  public long version() {
    return version;
  }

  /** The oldest version a client may base an op on and still be transformed: older ones resync. */
  public long horizon() {
    return window.isEmpty() ? version : window.peekFirst().version() - 1;
  }

  public ClientSeq client(String clientId) {
    return clients.get(clientId);
  }

  /** The ops with versions in ({@code after}, {@code upTo}], if the window still holds them all. */
  public List<Applied> opsAfter(long after, long upTo) {
    if (after < horizon()) return null;
    var out = new ArrayList<Applied>();
    for (Applied a : window) if (a.version() > after && a.version() <= upTo) out.add(a);
    return out;
  }

  /** The event handler's step: applies an op that was journaled. {@code parsed} may be null (replay). */
  public void apply(DocumentEntity.OpApplied e, Delta parsed) {
    Delta ops = parsed != null ? parsed : parse(e.ops());
    text = text.apply(ops);
    version = e.version();
    window.addLast(new Applied(e.version(), e.ops(), ops, e.userId(), e.clientId(), e.seq(), e.ts()));
    while (window.size() > windowSize) window.removeFirst();
    clients.put(e.clientId(), new ClientSeq(e.userId(), e.seq(), e.version()));
  }

  /** A journaled op as the history holds it. */
  public static Applied applied(DocumentEntity.OpApplied e) {
    return new Applied(e.version(), e.ops(), parse(e.ops()), e.userId(), e.clientId(), e.seq(), e.ts());
  }

  /**
   * Whether {@code older} holds every op in ({@code after}, {@link #horizon()}], the ones a client
   * that saw version {@code after} missed before the window: oldest first and without a gap.
   */
  public boolean bridges(long after, List<Applied> older) {
    if (after >= horizon()) return true;
    if (older == null || older.isEmpty() || older.get(0).version() != after + 1) return false;
    long last = older.get(older.size() - 1).version();
    return last >= horizon() && last - after == older.size();
  }

  /**
   * The ops in ({@code after}, {@code upTo}] from {@code older} (ops read from the journal, which
   * {@link #bridges} to the window) and the window; null if they do not bridge the gap.
   */
  public List<Applied> opsAfter(long after, long upTo, List<Applied> older) {
    if (!bridges(after, older)) return null;
    var out = new ArrayList<Applied>();
    long h = horizon();
    if (older != null) for (Applied a : older) if (a.version() > after && a.version() <= Math.min(h, upTo)) out.add(a);
    for (Applied a : window) if (a.version() > Math.max(after, h) && a.version() <= upTo) out.add(a);
    return out;
  }

  private static Delta parse(String json) {
    try {
      return DeltaJson.parse(json);
    } catch (InvalidOpException e) {
      throw new IllegalStateException("a journaled op does not parse: " + json, e);
    }
  }

  /** A stage for a batch; an op based up to {@code journalOps} versions back may be bridged from the journal. */
  public Stage stage(OpValidator validator, long journalOps) {
    return new Stage(validator, journalOps);
  }

  /** Places a batch of submissions on top of the content, without changing it. */
  public final class Stage {
    private final OpValidator validator;
    private Rope staged = text;
    private long stagedVersion = version;
    private final List<Applied> added = new ArrayList<>();
    private final Map<String, ClientSeq> stagedClients = new HashMap<>();
    private final long journalOps;

    private Stage(OpValidator validator, long journalOps) {
      this.validator = validator;
      this.journalOps = journalOps;
    }

    public List<Applied> added() {
      return added;
    }

    public Outcome submit(String userId, String clientId, long seq, long baseVersion, Delta op, long ts) {
      return submit(userId, clientId, seq, baseVersion, op, ts, null);
    }

    /**
     * Places an op: a duplicate gets its original version; an op based before the window is
     * transformed against {@code older}, the ops read from the journal since its base, or, if it
     * is within the journal's reach and they do not bridge the gap, {@link NeedsOlder}.
     */
    public Outcome submit(String userId, String clientId, long seq, long baseVersion, Delta op, long ts, List<Applied> older) {
      ClientSeq last = stagedClients.containsKey(clientId) ? stagedClients.get(clientId) : clients.get(clientId);
      if (last != null && !last.userId().equals(userId)) {
        return new Refused(ErrorCode.INVALID_MESSAGE, "the clientId belongs to another user");
      }
      long lastSeq = last == null ? 0 : last.seq();
      if (seq == lastSeq && last != null) return new Duplicate(seq, last.version());
      if (seq != lastSeq + 1) {
        return new Refused(ErrorCode.INVALID_MESSAGE, "seq " + seq + " does not follow " + lastSeq + ", the last accepted");
      }
      if (baseVersion > stagedVersion) {
        return new Refused(ErrorCode.VERSION_AHEAD, "baseVersion " + baseVersion + " is ahead of the document (" + stagedVersion + ")");
      }
      if (baseVersion < 0 || (last != null && baseVersion < last.version())) {
        return new Refused(ErrorCode.INVALID_OP, "baseVersion " + baseVersion + " is below the version of your last acked op ("
            + (last == null ? 0 : last.version()) + "): send one op at a time");
      }
      long h0 = horizon();
      if (baseVersion < h0 && baseVersion < version - journalOps) {
        return new Refused(ErrorCode.RESYNC, "baseVersion " + baseVersion + " is older than the server keeps ("
            + Math.min(h0, version - journalOps) + ")");
      }
      if (!bridges(baseVersion, older)) return new NeedsOlder(baseVersion);
      Delta transformed = op;
      if (baseVersion < h0) for (Applied h : older) if (h.version() <= h0) transformed = h.ops().transform(transformed, true);
      for (Applied h : window) if (h.version() > baseVersion) transformed = h.ops().transform(transformed, true);
      for (Applied h : added) if (h.version() > baseVersion) transformed = h.ops().transform(transformed, true);
      try {
        validator.check(transformed, staged);
      } catch (InvalidOpException e) {
        ErrorCode code = e.reason() == InvalidOpException.Reason.DOCUMENT_TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_OP;
        return new Refused(code, e.getMessage());
      }
      staged = staged.apply(transformed);
      stagedVersion++;
      var applied = new Applied(stagedVersion, DeltaJson.write(transformed), transformed, userId, clientId, seq, ts);
      added.add(applied);
      stagedClients.put(clientId, new ClientSeq(userId, seq, stagedVersion));
      return new Accepted(applied);
    }
  }

  // --- Snapshots: the content as plain data ---

  /** The content as a snapshot holds it. */
  public record Saved(@JsonProperty("text") String text, @JsonProperty("version") long version,
      @JsonProperty("window") List<SavedOp> window, @JsonProperty("clients") Map<String, ClientSeq> clients) {
    @JsonCreator
    public Saved {}
  }

  public record SavedOp(long version, String ops, String userId, String clientId, long seq, long ts) {}

  public Saved save() {
    var ops = new ArrayList<SavedOp>();
    for (Applied a : window) ops.add(new SavedOp(a.version(), a.opsJson(), a.userId(), a.clientId(), a.seq(), a.ts()));
    return new Saved(DeltaJson.write(text.toDelta()), version, ops, new LinkedHashMap<>(clients));
  }

  public static DocContent restore(Saved s, int windowSize, int maxClients) {
    var c = new DocContent(windowSize, maxClients);
    c.text = Rope.of(parse(s.text()));
    c.version = s.version();
    for (SavedOp o : s.window()) {
      c.window.addLast(new Applied(o.version(), o.ops(), parse(o.ops()), o.userId(), o.clientId(), o.seq(), o.ts()));
    }
    while (c.window.size() > windowSize) c.window.removeFirst();
    c.clients.putAll(s.clients());
    return c;
  }

  /** Iterates the window oldest first (tests). */
  Iterator<Applied> windowIterator() {
    return window.iterator();
  }
}
