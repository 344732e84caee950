package io.tandem.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.ot.Delta;
import io.tandem.ot.Rope;
import io.tandem.protocol.DeltaJson;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A client of protocol v1 (PROTOCOL.md) in Java: the Jupiter discipline (one op in flight, later
 * edits composed into one pending op, incoming ops transformed against both), reconnection with
 * the same {@code clientId} and {@code since}, and the resend of an unacked op with its original
 * {@code seq} and {@code baseVersion}. Thread-safe: edits may come from any thread.
 */
public final class TandemClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** An error the server sent. */
  public record ServerError(String code, String message, Long seq) {}

  /**
   * The op in flight: {@code ops} as it stands now, transformed past every op received since it
   * was sent (for the transform arithmetic), and {@code wire}, the message as first sent, which a
   * resend repeats exactly: the server places it from its original base.
   */
  private record Sent(long seq, long baseVersion, Delta ops, String wire) {
    Sent(long seq, long baseVersion, Delta ops) {
      this(seq, baseVersion, ops, "{\"type\":\"op\",\"seq\":" + seq + ",\"baseVersion\":" + baseVersion + ",\"ops\":"
          + DeltaJson.write(ops) + "}");
    }
  }

  /** Someone else's cursor, kept on the same text as ops arrive ({@code index} -1: no selection). */
  public record Cursor(String clientId, String userId, String name, String color, int index, int length) {}

  private final HttpClient http;
  private final URI base;
  private final String token;
  private final String docId;
  private final Object lock = new Object();
  private WebSocket socket;
  private String clientId;
  private long version = -1;
  private Rope doc = Rope.EMPTY;
  private Sent inflight;
  private Delta pending;
  private long nextSeq = 1;
  private String role;
  /** Whether this connection resumes from a version (since) rather than starting from a snapshot. */
  private boolean resuming;
  private final List<ServerError> errors = new ArrayList<>();
  private final List<Long> versionsSeen = new ArrayList<>();
  private volatile java.util.function.LongConsumer onAck;
  /** The document's version in the last {@code joined}: own ops up to it are replayed as ops. */
  private long joinedVersion = Long.MAX_VALUE;
  private final java.util.Map<String, Cursor> cursors = new java.util.LinkedHashMap<>();
  private volatile Consumer<Delta> onRemote = d -> { };
  private CompletableFuture<TandemClient> joined = new CompletableFuture<>();

  private TandemClient(HttpClient http, URI base, String token, String docId, String clientId) {
    this.http = http;
    this.base = base;
    this.token = token;
    this.docId = docId;
    this.clientId = clientId;
  }

  /** Connects to {@code docId} on the server at {@code base} (http://host:port) as the token's user. */
  public static CompletionStage<TandemClient> connect(HttpClient http, URI base, String token, String docId) {
    var c = new TandemClient(http, base, token, docId, null);
    return c.open();
  }

  private CompletionStage<TandemClient> open() {
    CompletableFuture<TandemClient> ready;
    String query;
    synchronized (lock) {
      CompletableFuture<TandemClient> previous = joined;
      joined = new CompletableFuture<>();
      ready = joined;
      if (!previous.isDone()) { // a restart while someone waits: they wait for this connection
        ready.whenComplete((c, e) -> {
          if (e != null) previous.completeExceptionally(e);
          else previous.complete(c);
        });
      }
      resuming = version >= 0;
      query = (clientId == null ? "" : "clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&")
          + (version < 0 ? "" : "since=" + version);
    }
    URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "/v1/docs/" + docId + "/ws?" + query);
    http.newWebSocketBuilder().header("Authorization", "Bearer " + token).connectTimeout(Duration.ofSeconds(10))
        .buildAsync(uri, new Listener(ready))
        .whenComplete((ws, e) -> {
          if (e != null) ready.completeExceptionally(e);
        });
    return ready;
  }

  /** Reconnects with the same client id, from the last version seen; an unacked op is sent again. */
  public CompletionStage<TandemClient> reconnect() {
    synchronized (lock) {
      if (socket != null) socket.abort();
      socket = null;
    }
    return open();
  }

  /** Drops the connection at once, as a network failure would (for tests). */
  public void drop() {
    synchronized (lock) {
      if (socket != null) socket.abort();
      socket = null;
    }
  }

  /** Applies a local edit and sends it (or composes it into the pending op). */
  public void submit(Delta op) {
    synchronized (lock) {
      doc = doc.apply(op);
      moveCursors(op);
      if (inflight == null) {
        inflight = new Sent(nextSeq++, version, op);
        send(inflight);
      } else {
        pending = pending == null ? op : pending.compose(op);
      }
    }
  }

  /**
   * Makes an edit from the text as it is at this instant: {@code edit} sees the text and answers
   * the op (or null), with no incoming op applied in between.
   */
  public void edit(java.util.function.Function<String, Delta> edit) {
    synchronized (lock) {
      Delta op = edit.apply(doc.text());
      if (op != null && !op.ops().isEmpty()) submit(op);
    }
  }

  /** Inserts {@code text} at {@code index}. */
  public void insert(int index, String text) {
    var b = Delta.builder();
    if (index > 0) b.retain(index);
    submit(b.insert(text).build());
  }

  /** Called with the version of each own op the server acked (on the client's receiving thread). */
  public void onAck(java.util.function.LongConsumer listener) {
    this.onAck = listener;
  }

  public void onRemoteOp(Consumer<Delta> listener) {
    this.onRemote = listener;
  }

  public String text() {
    synchronized (lock) {
      return doc.text();
    }
  }

  public Delta content() {
    synchronized (lock) {
      return doc.toDelta();
    }
  }

  public long version() {
    synchronized (lock) {
      return version;
    }
  }

  public String clientId() {
    synchronized (lock) {
      return clientId;
    }
  }

  public String role() {
    synchronized (lock) {
      return role;
    }
  }

  public List<ServerError> errors() {
    synchronized (lock) {
      return List.copyOf(errors);
    }
  }

  /** Every version this client learnt of, in order (ops of others, acks of its own). */
  public List<Long> versionsSeen() {
    synchronized (lock) {
      return List.copyOf(versionsSeen);
    }
  }

  public boolean settled() {
    synchronized (lock) {
      return inflight == null && pending == null;
    }
  }

  /** Waits until every own op is acked. */
  public void awaitSettled(Duration timeout) throws InterruptedException, TimeoutException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!settled()) {
      if (System.nanoTime() > end) {
        synchronized (lock) {
          throw new TimeoutException("ops still unacked (" + clientId + " at " + version + ", errors " + errors + "): "
              + inflight + " / " + pending);
        }
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  /** Waits until this client has seen {@code v}. */
  public void awaitVersion(long v, Duration timeout) throws InterruptedException, TimeoutException {
    long end = System.nanoTime() + timeout.toNanos();
    while (version() < v) {
      if (System.nanoTime() > end) throw new TimeoutException("at version " + version() + ", waiting for " + v);
      TimeUnit.MILLISECONDS.sleep(5);
    }
  }

  /** Tells the others where my cursor is ({@code index} -1: nowhere), at the version I have seen. */
  public void presence(int index, int length) {
    synchronized (lock) {
      if (socket == null) return;
      String sel = index < 0 ? "null" : "{\"index\":" + index + ",\"length\":" + length + "}";
      socket.sendText("{\"type\":\"presence\",\"selection\":" + sel + ",\"baseVersion\":" + Math.max(0, version) + "}", true)
          .join();
    }
  }

  /** The others' cursors, on my text as it is now. */
  public java.util.Map<String, Cursor> cursors() {
    synchronized (lock) {
      return java.util.Map.copyOf(cursors);
    }
  }

  /** Sends a raw text message (tests of what the server refuses). */
  public void sendRaw(String text) {
    synchronized (lock) {
      socket.sendText(text, true).join();
    }
  }

  private void send(Sent s) {
    if (socket == null) return; // sent again on reconnect
    socket.sendText(s.wire(), true).join();
  }

  private void onMessage(String text) throws Exception {
    JsonNode m = JSON.readTree(text);
    Delta remote = null;
    synchronized (lock) {
      switch (m.path("type").asText()) {
        case "joined" -> {
          clientId = m.get("clientId").asText();
          role = m.get("role").asText();
          joinedVersion = m.get("version").asLong();
          cursors.clear();
          for (JsonNode p : m.path("presence")) cursor(p);
          if (resuming) { // the missed ops follow; an unacked op goes again, the server dedupes it
            if (inflight != null) send(inflight);
            ready();
          }
        }
        case "snapshot" -> {
          doc = Rope.of(DeltaJson.parse(m.get("content").toString()));
          version = m.get("version").asLong();
          if (inflight != null || pending != null) {
            // A snapshot instead of a resume: whether the op in flight was applied is unknown, so
            // what was not acked is given up and the client starts again under a new client id.
            inflight = null;
            pending = null;
            restart(true);
          }
          ready();
        }
        case "op" -> {
          long v = m.get("version").asLong();
          if (v != version + 1) throw new IllegalStateException("op " + v + " after " + version + ": a gap or a repeat");
          boolean mine = clientId.equals(m.get("clientId").asText());
          if (mine && v > joinedVersion) {
            // PROTOCOL.md: a live op of one's own comes as an ack; only the since replay sends it as an op.
            errors.add(new ServerError("protocol", "own op " + v + " (seq " + m.get("seq").asLong() + ") came as an op, not an ack", null));
          }
          if (mine && inflight != null && m.get("seq").asLong() == inflight.seq()) {
            acked(v); // the since replay tells us our op was applied
          } else {
            remote = incoming(DeltaJson.parse(m.get("ops").toString()));
            version = v;
            versionsSeen.add(v);
          }
        }
        case "ack" -> {
          if (inflight != null && m.get("seq").asLong() == inflight.seq()) acked(m.get("version").asLong());
        }
        case "presence" -> cursor(m);
        case "leave" -> cursors.remove(m.get("clientId").asText());
        case "error" -> {
          Long seq = m.has("seq") ? m.get("seq").asLong() : null;
          String code = m.get("code").asText();
          errors.add(new ServerError(code, m.get("message").asText(), seq));
          if (seq != null && inflight != null && seq == inflight.seq()) {
            switch (code) {
              case "rate_limited" -> { // the same op, the same seq, a little later
                Sent again = inflight;
                CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS).execute(() -> {
                  synchronized (lock) {
                    if (inflight == again) send(again);
                  }
                });
              }
              case "invalid_op", "forbidden", "too_large" -> { // dropped: its seq is free, the text resyncs
                nextSeq = inflight.seq();
                inflight = null;
                pending = null;
                restart(false);
              }
              default -> { }
            }
          } else if (code.equals("resync")) {
            restart(true);
          }
        }
        default -> { }
      }
    }
    if (remote != null) onRemote.accept(remote);
  }

  /** Starts again from a snapshot, with a new client id when {@code fresh} (called holding the lock). */
  private void restart(boolean fresh) {
    version = -1;
    if (fresh) {
      clientId = null;
      nextSeq = 1;
    }
    CompletableFuture.runAsync(this::reconnect);
  }

  private void ready() {
    joined.complete(this);
  }

  /** Transforms a server op against the in-flight and pending ops and applies it. */
  private Delta incoming(Delta s) {
    if (inflight != null) {
      Delta s1 = inflight.ops().transform(s, false);
      inflight = new Sent(inflight.seq(), inflight.baseVersion(), s.transform(inflight.ops(), true), inflight.wire());
      s = s1;
    }
    if (pending != null) {
      Delta s2 = pending.transform(s, false);
      pending = s.transform(pending, true);
      s = s2;
    }
    doc = doc.apply(s);
    moveCursors(s);
    return s;
  }

  /** Others' cursors stay on the same text through an op applied here. */
  private void moveCursors(Delta op) {
    for (var e : cursors.entrySet()) {
      Cursor c = e.getValue();
      if (c.index() < 0) continue;
      int start = op.transformPosition(c.index(), false);
      int end = op.transformPosition(c.index() + c.length(), false);
      e.setValue(new Cursor(c.clientId(), c.userId(), c.name(), c.color(), start, end - start));
    }
  }

  /**
   * A presence from the server is at its {@code version}, which is this client's version when it
   * arrives (the server sends it in order); moved through my unacked ops so it sits on my text.
   */
  private void cursor(JsonNode p) {
    JsonNode sel = p.get("selection");
    int index = -1;
    int length = 0;
    if (sel != null && !sel.isNull()) {
      index = sel.get("index").asInt();
      length = sel.get("length").asInt();
      for (Delta mine : new Delta[] {inflight == null ? null : inflight.ops(), pending}) {
        if (mine == null) continue;
        int end = mine.transformPosition(index + length, false);
        index = mine.transformPosition(index, false);
        length = end - index;
      }
    }
    String id = p.get("clientId").asText();
    cursors.put(id, new Cursor(id, p.get("userId").asText(), p.get("name").asText(), p.get("color").asText(), index, length));
  }

  private void acked(long v) {
    if (onAck != null) onAck.accept(v);
    version = v;
    versionsSeen.add(v);
    inflight = null;
    if (pending != null) {
      inflight = new Sent(nextSeq++, version, pending);
      pending = null;
      send(inflight);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (socket != null) socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    /** The join of this socket: a socket closing fails its own join, not a later one's. */
    private final CompletableFuture<TandemClient> join;

    Listener(CompletableFuture<TandemClient> join) {
      this.join = join;
    }

    @Override
    public void onOpen(WebSocket ws) {
      synchronized (lock) {
        socket = ws;
      }
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          onMessage(text);
        } catch (Exception e) {
          synchronized (lock) {
            errors.add(new ServerError("client", e.toString(), null));
          }
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      synchronized (lock) {
        if (socket == ws) socket = null;
        join.completeExceptionally(new IllegalStateException("closed " + status + " " + reason));
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      synchronized (lock) {
        if (socket == ws) socket = null;
        join.completeExceptionally(error);
      }
    }
  }
}
