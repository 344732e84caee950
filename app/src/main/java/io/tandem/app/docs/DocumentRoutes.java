package io.tandem.app.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.groups.Groups;
import io.tandem.app.http.JsonBody;
import io.tandem.app.http.Problems;
import io.tandem.persistence.access.Acl;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Caller;
import io.tandem.projections.docs.DocView;
import io.tandem.projections.docs.DocsIndex;
import io.tandem.protocol.ErrorCode;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Documents over REST (PROTOCOL.md): create, get, rename, delete to the trash, restore, and the
 * permissions of a document. Each request asks the document's sharded entity, which decides; its
 * refusals become problem+json. Anyone who names a document's id has its link, so link sharing
 * applies to every signed-in caller; the caller's groups are read for every request.
 *
 * <p>{@code GET /v1/docs} reads the docs-by-user read model ({@link DocsIndex}), which the
 * projection keeps; every change made here is also written through to it from the entity's reply,
 * so it shows in the caller's and the other principals' next list at once, not a projection lag
 * later.
 */
public final class DocumentRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final Logger log = LoggerFactory.getLogger(DocumentRoutes.class);
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 100;

  private final ClusterSharding sharding;
  private final AuthRoutes auth;
  private final Duration askTimeout;
  private final JsonBody body;
  private final Groups groups;
  private final DocsIndex index;
  private final HistoryRoutes history;

  public DocumentRoutes(ClusterSharding sharding, AuthRoutes auth, Groups groups, DocsIndex index, HistoryRoutes history,
      Duration askTimeout, long maxBody) {
    this.sharding = sharding;
    this.history = history;
    this.auth = auth;
    this.groups = groups;
    this.index = index;
    this.askTimeout = askTimeout;
    this.body = new JsonBody(maxBody);
  }

  public Route routes() {
    return pathPrefix("docs", () -> auth.authenticated(principal -> onSuccess(groups.of(principal.userId()), mine -> {
      Caller caller = new Caller(principal.userId(), mine, true);
      return concat(
          pathEnd(() -> concat(
              post(() -> body.object(json -> create(caller, json))),
              get(() -> list(caller)))),
          pathPrefix(segment -> {
            if (!DOC_ID.matcher(segment).matches()) return complete(Problems.of(ErrorCode.NOT_FOUND, "no document " + segment));
            return concat(
                pathEnd(() -> concat(
                    get(() -> answer(segment, r -> new DocumentEntity.Get(caller, r), StatusCodes.OK)),
                    patch(() -> body.object(json -> rename(caller, segment, json))),
                    delete(() -> change(segment, r -> new DocumentEntity.Delete(caller, r), Set.of())))),
                path("restore", () -> post(() -> change(segment, r -> new DocumentEntity.Restore(caller, r), Set.of()))),
                path("transfer", () -> post(() -> body.object(json -> transfer(caller, segment, json)))),
                pathPrefix("permissions", () -> concat(
                    pathEnd(() -> get(() -> permissions(segment, r -> new DocumentEntity.CheckAccess(caller, r), null))),
                    path(p -> concat(
                        put(() -> body.object(json -> share(caller, segment, p, json))),
                        delete(() -> unshare(caller, segment, p)))))),
                history.routes(caller, segment));
          }));
    })));
  }

  /** {@code GET /v1/docs?cursor=&limit=&shelf=active|trash}: a page of the caller's documents, newest first. */
  private Route list(Caller caller) {
    return parameterOptional("cursor", cursor -> parameterOptional("limit", limitParam -> parameterOptional("shelf", shelfParam -> {
      int limit;
      try {
        limit = limitParam.map(Integer::parseInt).orElse(DEFAULT_LIMIT);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "limit is a whole number from 1 to " + MAX_LIMIT));
      }
      DocsIndex.Shelf shelf = null;
      for (var s : DocsIndex.Shelf.values()) if (s.wire().equals(shelfParam.orElse("active"))) shelf = s;
      if (shelf == null) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "shelf is active or trash"));
      CompletionStage<DocsIndex.Page> page;
      try {
        page = index.list(caller.userId(), caller.groups(), shelf, cursor, limit);
      } catch (IllegalArgumentException e) {
        return complete(Problems.of(ErrorCode.INVALID_MESSAGE, e.getMessage()));
      }
      return onSuccess(page, p -> {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (DocsIndex.Entry e : p.items()) {
          ObjectNode o = items.addObject().put("id", e.docId()).put("title", e.title()).put("role", e.role().wire())
              .put("ownerId", e.ownerId()).put("createdAt", e.createdAt().toString()).put("updatedAt", e.updatedAt().toString());
          if (e.trashedAt() != null) o.put("trashedAt", e.trashedAt().toString());
        }
        p.nextCursor().ifPresent(c -> out.put("nextCursor", c));
        return complete(StatusCodes.OK, JsonBody.entity(out));
      });
    })));
  }

  private Route create(Caller caller, JsonNode request) {
    JsonNode title = request.get("title");
    if (title != null && !title.isNull() && !title.isTextual()) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"title\": string}"));
    }
    String id = UUID.randomUUID().toString();
    String t = title == null || title.isNull() ? "" : title.asText();
    return onSuccess(ask(id, r -> new DocumentEntity.Create(caller, t, r)).thenCompose(this::writeThrough), reply -> {
      if (reply instanceof DocumentEntity.Summary s) {
        return respondWithHeader(Location.create("/v1/docs/" + id), () -> complete(StatusCodes.CREATED, JsonBody.entity(summary(s))));
      }
      return rejected(reply);
    });
  }

  private Route rename(Caller caller, String id, JsonNode request) {
    JsonNode title = request.get("title");
    if (title == null || !title.isTextual()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"title\": string}"));
    return change(id, r -> new DocumentEntity.Rename(caller, title.asText(), r), Set.of());
  }

  private Route transfer(Caller caller, String id, JsonNode request) {
    JsonNode to = request.get("userId");
    if (to == null || !to.isTextual() || !DOC_ID.matcher(to.asText()).matches()) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"userId\": the new owner's id}"));
    }
    return change(id, r -> new DocumentEntity.TransferOwnership(caller, to.asText(), r), Set.of());
  }

  private Route share(Caller caller, String id, String who, JsonNode request) {
    Principal principal = Principal.parse(who);
    JsonNode roleNode = request.get("role");
    Role role = roleNode != null && roleNode.isTextual() ? Role.fromWire(roleNode.asText()) : null;
    if (principal == null) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a principal is user:<id>, group:<id> or anyone-with-link"));
    }
    if (role == null) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"role\": owner|editor|commenter|viewer}"));
    if (principal instanceof Principal.Group g) { // only into a group one is in: no pushing documents into strangers' lists
      return onSuccess(groups.find(g.groupId()), found -> found.filter(x -> x.members().contains(caller.userId())).isPresent()
          ? permissions(id, r -> new DocumentEntity.Share(caller, principal, role, r), Set.of())
          : complete(Problems.of(ErrorCode.NOT_FOUND, "no group " + g.groupId() + " that you are in")));
    }
    return permissions(id, r -> new DocumentEntity.Share(caller, principal, role, r), Set.of());
  }

  private Route unshare(Caller caller, String id, String who) {
    Principal principal = Principal.parse(who);
    if (principal == null) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a principal is user:<id>, group:<id> or anyone-with-link"));
    }
    return permissions(id, r -> new DocumentEntity.Unshare(caller, principal, r), Set.of(principal.wire()));
  }

  /** Answers with the access list; only those who may share see it whole, others see their own role. */
  private Route permissions(String id, Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command,
      Set<String> former) {
    var replied = ask(id, command);
    return onSuccess(former == null ? replied : replied.thenCompose(r -> writeThrough(r, former)), reply -> {
      if (!(reply instanceof DocumentEntity.Summary s)) return rejected(reply);
      if (s.role() == null) return complete(StatusCodes.NO_CONTENT); // the caller gave their own access away
      ArrayNode items = JSON.createArrayNode();
      if (s.role() == Role.OWNER) {
        for (Acl.Grant g : s.acl().grants()) items.addObject().put("principal", g.principal().wire()).put("role", g.role().wire());
      }
      ObjectNode out = JSON.createObjectNode();
      out.set("items", items);
      out.put("role", s.role().wire());
      return complete(StatusCodes.OK, JsonBody.entity(out));
    });
  }

  private Route answer(String id, Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command, StatusCode ok) {
    return onSuccess(ask(id, command), reply -> reply instanceof DocumentEntity.Summary s
        ? complete(ok, JsonBody.entity(summary(s))) : rejected(reply));
  }

  /** A command that changes the document: answered once its new state is in the lists too. */
  private Route change(String id, Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command,
      Set<String> former) {
    return onSuccess(ask(id, command).thenCompose(r -> writeThrough(r, former)), reply -> {
      if (!(reply instanceof DocumentEntity.Summary s)) return rejected(reply);
      return s.role() == null ? complete(StatusCodes.NO_CONTENT) : complete(StatusCodes.OK, JsonBody.entity(summary(s)));
    });
  }

  private CompletionStage<DocumentEntity.Reply> writeThrough(DocumentEntity.Reply reply) {
    return writeThrough(reply, Set.of());
  }

  /**
   * Writes the state in {@code reply} to the lists. A failure is logged, not answered: the change
   * is journaled, and the projection brings the lists to it within seconds.
   */
  private CompletionStage<DocumentEntity.Reply> writeThrough(DocumentEntity.Reply reply, Set<String> former) {
    if (!(reply instanceof DocumentEntity.Summary s)) return java.util.concurrent.CompletableFuture.completedFuture(reply);
    return index.write(DocView.of(s), former).handle((v, e) -> {
      if (e != null) log.warn("Writing document {} through to the lists failed; the projection will", s.docId(), e);
      return reply;
    });
  }

  private CompletionStage<DocumentEntity.Reply> ask(String id,
      Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command) {
    return sharding.entityRefFor(DocumentEntity.TYPE_KEY, id).ask(command::apply, askTimeout);
  }

  private Route rejected(DocumentEntity.Reply reply) {
    var r = (DocumentEntity.Rejected) reply;
    return complete(Problems.of(r.code(), r.detail()));
  }

  private static ObjectNode summary(DocumentEntity.Summary s) {
    ObjectNode o = JSON.createObjectNode()
        .put("id", s.docId())
        .put("title", s.title())
        .put("role", s.role().wire())
        .put("version", s.version())
        .put("createdAt", s.createdAt().toString())
        .put("updatedAt", s.updatedAt().toString());
    if (s.content() != null) o.putRawValue("content", new RawValue(s.content())); // canonical JSON from the entity
    ArrayNode owners = o.putArray("owners");
    s.acl().ownerIds().forEach(owners::add);
    if (s.trashedAt() != null) o.put("trashedAt", s.trashedAt().toString());
    return o;
  }


}
