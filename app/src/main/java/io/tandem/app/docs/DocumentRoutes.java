package io.tandem.app.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.http.JsonBody;
import io.tandem.app.http.Problems;
import io.tandem.persistence.access.Acl;
import io.tandem.persistence.access.Principal;
import io.tandem.persistence.access.Role;
import io.tandem.persistence.document.DocumentEntity;
import io.tandem.persistence.document.DocumentEntity.Caller;
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

/**
 * Documents over REST (PROTOCOL.md): create, get, rename, delete to the trash, restore, and the
 * permissions of a document. Each request asks the document's sharded entity, which decides; its
 * refusals become problem+json. Anyone who names a document's id has its link, so link sharing
 * applies to every signed-in caller; groups arrive with group management.
 */
public final class DocumentRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final ClusterSharding sharding;
  private final AuthRoutes auth;
  private final Duration askTimeout;
  private final JsonBody body;

  public DocumentRoutes(ClusterSharding sharding, AuthRoutes auth, Duration askTimeout, long maxBody) {
    this.sharding = sharding;
    this.auth = auth;
    this.askTimeout = askTimeout;
    this.body = new JsonBody(maxBody);
  }

  public Route routes() {
    return pathPrefix("docs", () -> auth.authenticated(principal -> {
      Caller caller = new Caller(principal.userId(), Set.of(), true);
      return concat(
          pathEnd(() -> post(() -> body.object(json -> create(caller, json)))),
          pathPrefix(segment -> {
            if (!DOC_ID.matcher(segment).matches()) return complete(Problems.of(ErrorCode.NOT_FOUND, "no document " + segment));
            return concat(
                pathEnd(() -> concat(
                    get(() -> answer(segment, r -> new DocumentEntity.Get(caller, r), StatusCodes.OK)),
                    patch(() -> body.object(json -> rename(caller, segment, json))),
                    delete(() -> answer(segment, r -> new DocumentEntity.Delete(caller, r), StatusCodes.OK)))),
                path("restore", () -> post(() -> answer(segment, r -> new DocumentEntity.Restore(caller, r), StatusCodes.OK))),
                pathPrefix("permissions", () -> concat(
                    pathEnd(() -> get(() -> permissions(segment, r -> new DocumentEntity.Get(caller, r)))),
                    path(p -> concat(
                        put(() -> body.object(json -> share(caller, segment, p, json))),
                        delete(() -> unshare(caller, segment, p)))))));
          }));
    }));
  }

  private Route create(Caller caller, JsonNode request) {
    JsonNode title = request.get("title");
    if (title != null && !title.isNull() && !title.isTextual()) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"title\": string}"));
    }
    String id = UUID.randomUUID().toString();
    String t = title == null || title.isNull() ? "" : title.asText();
    return onSuccess(ask(id, r -> new DocumentEntity.Create(caller, t, r)), reply -> {
      if (reply instanceof DocumentEntity.Summary s) {
        return respondWithHeader(Location.create("/v1/docs/" + id), () -> complete(StatusCodes.CREATED, JsonBody.entity(summary(s))));
      }
      return rejected(reply);
    });
  }

  private Route rename(Caller caller, String id, JsonNode request) {
    JsonNode title = request.get("title");
    if (title == null || !title.isTextual()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"title\": string}"));
    return answer(id, r -> new DocumentEntity.Rename(caller, title.asText(), r), StatusCodes.OK);
  }

  private Route share(Caller caller, String id, String who, JsonNode request) {
    Principal principal = Principal.parse(who);
    JsonNode roleNode = request.get("role");
    Role role = roleNode != null && roleNode.isTextual() ? Role.fromWire(roleNode.asText()) : null;
    if (principal == null) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a principal is user:<id>, group:<id> or anyone-with-link"));
    }
    if (role == null) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"role\": owner|editor|commenter|viewer}"));
    return permissions(id, r -> new DocumentEntity.Share(caller, principal, role, r));
  }

  private Route unshare(Caller caller, String id, String who) {
    Principal principal = Principal.parse(who);
    if (principal == null) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a principal is user:<id>, group:<id> or anyone-with-link"));
    }
    return permissions(id, r -> new DocumentEntity.Unshare(caller, principal, r));
  }

  /** Answers with the access list; only those who may share see it whole, others see their own role. */
  private Route permissions(String id, Function<ActorRef<DocumentEntity.Reply>, DocumentEntity.Command> command) {
    return onSuccess(ask(id, command), reply -> {
      if (!(reply instanceof DocumentEntity.Summary s)) return rejected(reply);
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
        .put("version", 0)
        .put("createdAt", s.createdAt().toString())
        .put("updatedAt", s.updatedAt().toString());
    o.putArray("content"); // the text arrives with real-time editing (issue #5): an empty document
    ArrayNode owners = o.putArray("owners");
    s.acl().ownerIds().forEach(owners::add);
    if (s.trashedAt() != null) o.put("trashedAt", s.trashedAt().toString());
    return o;
  }


}
