package io.tandem.app.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.tandem.app.http.JsonBody;
import io.tandem.app.http.Problems;
import io.tandem.ot.Delta;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Caller;
import io.tandem.projections.history.Checkpoints.Session;
import io.tandem.projections.history.DocHistory;
import io.tandem.protocol.DeltaJson;
import io.tandem.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A document's history over REST (PROTOCOL.md; issue #7), under {@code /v1/docs/{id}}:
 * <ul>
 *   <li>{@code GET history?cursor=&limit=}: the ops, oldest first, with version, author and time;</li>
 *   <li>{@code GET versions/{v}}: the content at version v;</li>
 *   <li>{@code GET versions}, {@code POST versions {name}}: the named versions; name the current one;</li>
 *   <li>{@code POST revert {version}}: the content of an old version restored as one new op,
 *       transformed like any other, so nothing after it is lost and it can itself be reverted;</li>
 *   <li>{@code GET changes?from=&to=}: what changed between two versions, as one delta;</li>
 *   <li>{@code GET activity?cursor=&limit=}: who edited, in sessions, newest first.</li>
 * </ul>
 * Viewers read; editors and owners name and revert. A document the caller may not see is 404.
 */
public final class HistoryRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private final ClusterSharding sharding;
  private final DocHistory history;
  private final Duration askTimeout;
  private final JsonBody body;
  private final long maxOpBytes;
  /** The widest span {@code changes} composes for a reader (a revert, by an editor, has no such bound). */
  public static final long MAX_CHANGES_SPAN = 50_000;

  public HistoryRoutes(ClusterSharding sharding, DocHistory history, Duration askTimeout, long maxBody, long maxOpBytes) {
    this.maxOpBytes = maxOpBytes;
    this.sharding = sharding;
    this.history = history;
    this.askTimeout = askTimeout;
    this.body = new JsonBody(maxBody);
  }

  /** The routes of one document, for a caller already authenticated. */
  public Route routes(Caller caller, String docId) {
    return concat(
        path("history", () -> get(() -> page(caller, docId))),
        pathPrefix("versions", () -> concat(
            pathEnd(() -> concat(
                get(() -> named(caller, docId)),
                post(() -> body.object(json -> name(caller, docId, json))))),
            path(v -> get(() -> version(caller, docId, v))))),
        path("revert", () -> post(() -> body.object(json -> revert(caller, docId, json)))),
        path("changes", () -> get(() -> changes(caller, docId))),
        path("activity", () -> get(() -> activity(caller, docId))));
  }

  /** The caller's role and the document's version, or the refusal. */
  private CompletionStage<DocumentEntity.Reply> access(Caller caller, String docId) {
    return ask(docId, r -> new DocumentEntity.CheckAccess(caller, r));
  }

  private Route withAccess(Caller caller, String docId, Role needed, Function<DocumentEntity.Summary, Route> then) {
    return onSuccess(access(caller, docId), reply -> {
      if (!(reply instanceof DocumentEntity.Summary s)) return rejected(reply);
      if (!s.role().atLeast(needed)) {
        return complete(Problems.of(ErrorCode.FORBIDDEN, "this needs the " + needed.wire() + " role; you are " + s.role().wire()));
      }
      return then.apply(s);
    });
  }

  /** {@code GET history?cursor=&limit=}: the ops after the cursor's version, oldest first. */
  private Route page(Caller caller, String docId) {
    return parameterOptional("cursor", cursor -> parameterOptional("limit", limitParam -> {
      Optional<Integer> limit = limit(limitParam);
      if (limit.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "limit is a whole number from 1 to " + MAX_LIMIT));
      Optional<Long> after = cursor.isEmpty() ? Optional.of(0L) : decode(cursor.get());
      if (after.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "not a cursor of this history"));
      return withAccess(caller, docId, Role.VIEWER, s -> onSuccess(history.ops(docId, after.get(), s.version(), limit.get()), ops -> {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (DocumentEntity.OpApplied op : ops) {
          ObjectNode o = items.addObject().put("version", op.version()).put("userId", op.userId()).put("ts", op.ts())
              .put("at", Instant.ofEpochMilli(op.ts()).toString());
          o.putRawValue("ops", new RawValue(op.ops()));
        }
        long last = ops.isEmpty() ? after.get() : ops.get(ops.size() - 1).version();
        if (ops.size() == limit.get() && last < s.version()) out.put("nextCursor", encode(last));
        return complete(StatusCodes.OK, JsonBody.entity(out));
      }));
    }));
  }

  /** {@code GET versions/{v}}: the content at version v (0, the empty document, to the current one). */
  private Route version(Caller caller, String docId, String v) {
    Optional<Long> version = number(v);
    if (version.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a version is a whole number"));
    return withAccess(caller, docId, Role.VIEWER, s -> {
      if (version.get() > s.version()) {
        return complete(Problems.of(ErrorCode.NOT_FOUND, "version " + version.get() + " does not exist: the document is at " + s.version()));
      }
      return onSuccess(history.contentAt(docId, version.get()), rope -> {
        ObjectNode out = JSON.createObjectNode().put("version", version.get()).put("current", s.version());
        out.putRawValue("content", new RawValue(DeltaJson.write(rope.toDelta())));
        return complete(StatusCodes.OK, JsonBody.entity(out));
      });
    });
  }

  private Route named(Caller caller, String docId) {
    return onSuccess(ask(docId, r -> new DocumentEntity.ListNamedVersions(caller, r)), reply -> reply instanceof DocumentEntity.NamedVersions n
        ? complete(StatusCodes.OK, JsonBody.entity(named(n))) : rejected(reply));
  }

  private Route name(Caller caller, String docId, JsonNode request) {
    JsonNode name = request.get("name");
    if (name == null || !name.isTextual()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"name\": string}"));
    return onSuccess(ask(docId, r -> new DocumentEntity.NameVersion(caller, name.asText(), r)), reply -> {
      if (!(reply instanceof DocumentEntity.NamedVersions n)) return rejected(reply);
      var last = n.items().get(n.items().size() - 1);
      return complete(StatusCodes.CREATED, JsonBody.entity(item(last)));
    });
  }

  /**
   * {@code POST revert {version}}: the change from the current content (at w) back to the
   * content at v is the ops in (v, w] composed and inverted on the content at v; it is submitted
   * as an op based on w, so the document transforms it past whatever came after w.
   */
  private Route revert(Caller caller, String docId, JsonNode request) {
    JsonNode v = request.get("version");
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"version\": a version number}"));
    }
    long to = v.asLong();
    return withAccess(caller, docId, Role.EDITOR, s -> {
      long at = s.version();
      if (to > at) return complete(Problems.of(ErrorCode.NOT_FOUND, "version " + to + " does not exist: the document is at " + at));
      CompletionStage<DocumentEntity.Reply> done = history.contentAt(docId, to)
          .thenCombine(history.change(docId, to, at), (old, change) -> change.invert(old.toDelta()))
          .thenCompose(undo -> {
            if (undo.isEmpty()) return CompletableFuture.completedFuture((DocumentEntity.Reply) new DocumentEntity.Acked("", 0, at));
            // as big as an op a client may send, no bigger: it travels and is journaled as one
            if (DeltaJson.write(undo).getBytes(StandardCharsets.UTF_8).length > maxOpBytes) {
              return CompletableFuture.completedFuture((DocumentEntity.Reply) new DocumentEntity.OpRefused("", 0, ErrorCode.TOO_LARGE,
                  "restoring version " + to + " would be one op over " + maxOpBytes + " bytes"));
            }
            return ask(docId, r -> new DocumentEntity.Submit(caller, "revert-" + UUID.randomUUID(), 1, at, undo, r));
          });
      return onSuccess(done, reply -> {
        if (reply instanceof DocumentEntity.OpRefused r) return complete(Problems.of(r.code(), r.message()));
        if (!(reply instanceof DocumentEntity.Acked a)) return rejected(reply);
        return complete(StatusCodes.OK, JsonBody.entity(JSON.createObjectNode().put("version", a.version())
            .put("revertedTo", to).put("changed", a.version() != at)));
      });
    });
  }

  /** {@code GET changes?from=&to=}: the ops in (from, to] as one delta on the content at from. */
  private Route changes(Caller caller, String docId) {
    return parameterOptional("from", fromParam -> parameterOptional("to", toParam -> {
      Optional<Long> from = fromParam.flatMap(HistoryRoutes::number);
      if (from.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "from is a version number"));
      Optional<Long> toGiven = toParam.flatMap(HistoryRoutes::number);
      if (toParam.isPresent() && toGiven.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "to is a version number"));
      return withAccess(caller, docId, Role.VIEWER, s -> {
        long to = toGiven.orElse(s.version());
        if (to > s.version()) {
          return complete(Problems.of(ErrorCode.NOT_FOUND, "version " + to + " does not exist: the document is at " + s.version()));
        }
        if (from.get() > to) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "from is at most to"));
        if (to - from.get() > MAX_CHANGES_SPAN) {
          return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "from and to are at most " + MAX_CHANGES_SPAN + " versions apart"));
        }
        return onSuccess(history.change(docId, from.get(), to), change -> {
          ObjectNode out = JSON.createObjectNode().put("from", from.get()).put("to", to);
          out.putRawValue("ops", new RawValue(DeltaJson.write(change)));
          return complete(StatusCodes.OK, JsonBody.entity(out));
        });
      });
    }));
  }

  /**
   * {@code GET activity?cursor=&limit=}: edit sessions newest first. Those the checkpoints cover
   * come from their table; the ops after the newest checkpoint are grouped as they are read.
   */
  private Route activity(Caller caller, String docId) {
    return parameterOptional("cursor", cursor -> parameterOptional("limit", limitParam -> {
      Optional<Integer> limit = limit(limitParam);
      if (limit.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "limit is a whole number from 1 to " + MAX_LIMIT));
      Optional<Long> before = cursor.isEmpty() ? Optional.of(Long.MAX_VALUE) : decode(cursor.get());
      if (before.isEmpty()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "not a cursor of this activity"));
      return withAccess(caller, docId, Role.VIEWER, s -> onSuccess(sessions(docId, s.version(), before.get(), limit.get()), list -> {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (Session x : list) {
          items.addObject().put("userId", x.userId()).put("fromVersion", x.fromVersion()).put("toVersion", x.toVersion())
              .put("from", x.fromTs().toString()).put("to", x.toTs().toString()).put("ops", x.ops())
              .put("added", x.added()).put("removed", x.removed());
        }
        if (list.size() == limit.get() && list.get(list.size() - 1).fromVersion() > 1) {
          out.put("nextCursor", encode(list.get(list.size() - 1).fromVersion()));
        }
        return complete(StatusCodes.OK, JsonBody.entity(out));
      }));
    }));
  }

  /** Up to {@code limit} whole sessions that start below {@code before}, newest first. */
  private CompletionStage<List<Session>> sessions(String docId, long current, long before, int limit) {
    long top = Math.min(before - 1, current);
    return history.checkpoints().latest(docId, top).thenCompose(cp -> {
      long covered = cp.map(c -> c.version()).orElse(0L);
      CompletionStage<List<Session>> tail = covered >= top ? CompletableFuture.completedFuture(List.of())
          : history.ops(docId, covered, top, Integer.MAX_VALUE).thenApply(ops -> reversed(DocHistory.sessions(ops)));
      return tail.thenCompose(t -> moreRows(docId, new ArrayList<>(t), covered + 1, limit));
    });
  }

  private static final int ROWS = 100;

  /**
   * Adds the stored session rows below {@code below} until more than {@code limit} sessions are
   * whole (a session goes on into older rows while they continue it) or the rows run out.
   */
  private CompletionStage<List<Session>> moreRows(String docId, List<Session> newestFirst, long below, int limit) {
    return history.checkpoints().sessionsBefore(docId, below, ROWS).thenCompose(rows -> {
      newestFirst.addAll(rows);
      List<Session> joined = DocHistory.joined(newestFirst);
      boolean exhausted = rows.size() < ROWS;
      if (exhausted) return CompletableFuture.completedFuture(List.copyOf(joined.subList(0, Math.min(limit, joined.size()))));
      if (joined.size() > limit) return CompletableFuture.completedFuture(List.copyOf(joined.subList(0, limit)));
      return moreRows(docId, newestFirst, rows.get(rows.size() - 1).fromVersion(), limit);
    });
  }

  private static List<Session> reversed(List<Session> s) {
    var out = new ArrayList<>(s);
    java.util.Collections.reverse(out);
    return out;
  }

  private static ObjectNode named(DocumentEntity.NamedVersions n) {
    ObjectNode out = JSON.createObjectNode().put("version", n.version()).put("role", n.role().wire());
    ArrayNode items = out.putArray("items");
    for (var x : n.items()) items.add(item(x));
    return out;
  }

  private static ObjectNode item(DocumentEntity.NamedVersion x) {
    return JSON.createObjectNode().put("version", x.version()).put("name", x.name()).put("by", x.by()).put("at", x.at().toString());
  }

  private static Optional<Integer> limit(Optional<String> param) {
    try {
      int n = param.map(Integer::parseInt).orElse(DEFAULT_LIMIT);
      return n >= 1 && n <= MAX_LIMIT ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> number(String s) {
    try {
      long n = Long.parseLong(s);
      return n >= 0 ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String encode(long version) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("v" + version).getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<Long> decode(String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      return s.startsWith("v") ? number(s.substring(1)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private CompletionStage<DocumentEntity.Reply> ask(String id, Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command) {
    return sharding.entityRefFor(DocumentEntity.TYPE_KEY, id).ask(command::apply, askTimeout);
  }

  private Route rejected(DocumentEntity.Reply reply) {
    var r = (DocumentEntity.Rejected) reply;
    return complete(Problems.of(r.code(), r.detail()));
  }

}
