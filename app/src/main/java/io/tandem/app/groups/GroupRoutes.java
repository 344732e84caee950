package io.tandem.app.groups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.app.auth.Accounts;
import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.http.JsonBody;
import io.tandem.app.http.Problems;
import io.tandem.protocol.ErrorCode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Groups over REST: {@code POST /v1/groups {name}}, {@code GET /v1/groups} (mine),
 * {@code GET /v1/groups/{id}}, {@code PUT|DELETE /v1/groups/{id}/members/{userId}}. A group is
 * seen by its members only (others get 404); its owner adds and removes; a member may leave.
 */
public final class GroupRoutes extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final Groups groups;
  private final Accounts accounts;
  private final AuthRoutes auth;
  private final JsonBody body;

  public GroupRoutes(Groups groups, Accounts accounts, AuthRoutes auth, long maxBody) {
    this.groups = groups;
    this.accounts = accounts;
    this.auth = auth;
    this.body = new JsonBody(maxBody);
  }

  public Route routes() {
    return pathPrefix("groups", () -> auth.authenticated(p -> {
      String me = p.userId();
      return concat(
          pathEnd(() -> concat(
              post(() -> body.object(json -> create(me, json))),
              get(() -> onSuccess(groups.memberships(me), ms -> {
                ObjectNode out = JSON.createObjectNode();
                var items = out.putArray("items");
                ms.forEach(m -> items.addObject().put("id", m.groupId()).put("name", m.name()));
                return complete(StatusCodes.OK, JsonBody.entity(out));
              })))),
          pathPrefix(id -> withGroup(me, id, g -> concat(
              pathEnd(() -> get(() -> complete(StatusCodes.OK, JsonBody.entity(json(g))))),
              pathPrefix("members", () -> path(member -> concat(
                  put(() -> add(me, g, member)),
                  delete(() -> remove(me, g, member)))))))));
    }));
  }

  private Route create(String me, JsonNode request) {
    JsonNode name = request.get("name");
    if (name == null || !name.isTextual() || name.asText().isBlank() || name.asText().strip().length() > Groups.MAX_NAME) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"name\": string of 1 to " + Groups.MAX_NAME + " characters}"));
    }
    return onSuccess(groups.of(me), mine -> {
      if (mine.size() >= Groups.MAX_GROUPS) {
        return complete(Problems.of(ErrorCode.CONFLICT, "a user is in at most " + Groups.MAX_GROUPS + " groups"));
      }
      return onSuccess(groups.create(me, name.asText().strip()), g -> respondWithHeader(
          Location.create("/v1/groups/" + g.groupId()), () -> complete(StatusCodes.CREATED, JsonBody.entity(json(g)))));
    });
  }

  /** {@code inner} with the group if the caller is a member of it, else 404. */
  private Route withGroup(String me, String id, Function<Groups.Group, Route> inner) {
    CompletionStage<Optional<Groups.Group>> found = ID.matcher(id).matches()
        ? groups.find(id) : CompletableFuture.completedFuture(Optional.empty());
    return onSuccess(found, g -> g.filter(x -> x.members().contains(me)).map(inner)
        .orElseGet(() -> complete(Problems.of(ErrorCode.NOT_FOUND, "no group " + id))));
  }

  private Route add(String me, Groups.Group g, String member) {
    if (!g.ownerId().equals(me)) return complete(Problems.of(ErrorCode.FORBIDDEN, "only the group's owner adds members"));
    if (g.members().contains(member)) return complete(StatusCodes.OK, JsonBody.entity(json(g)));
    if (g.members().size() >= Groups.MAX_MEMBERS) {
      return complete(Problems.of(ErrorCode.CONFLICT, "a group has at most " + Groups.MAX_MEMBERS + " members"));
    }
    CompletionStage<Optional<Accounts.Account>> user = ID.matcher(member).matches()
        ? accounts.find(member) : CompletableFuture.completedFuture(Optional.empty());
    return onSuccess(user, account -> {
      if (account.isEmpty()) return complete(Problems.of(ErrorCode.NOT_FOUND, "no user " + member));
      return onSuccess(groups.of(member), theirs -> {
        if (theirs.size() >= Groups.MAX_GROUPS) {
          return complete(Problems.of(ErrorCode.CONFLICT, "a user is in at most " + Groups.MAX_GROUPS + " groups"));
        }
        return onSuccess(groups.add(g, member).thenCompose(v -> groups.find(g.groupId())),
            after -> complete(StatusCodes.OK, JsonBody.entity(json(after.orElse(g)))));
      });
    });
  }

  private Route remove(String me, Groups.Group g, String member) {
    boolean owner = g.ownerId().equals(me);
    if (!owner && !member.equals(me)) return complete(Problems.of(ErrorCode.FORBIDDEN, "only the group's owner removes others"));
    if (member.equals(g.ownerId())) return complete(Problems.of(ErrorCode.CONFLICT, "the group's owner cannot leave it"));
    if (!g.members().contains(member)) return complete(Problems.of(ErrorCode.NOT_FOUND, "no member " + member));
    return onSuccess(groups.remove(g, member).thenCompose(v -> groups.find(g.groupId())), after -> {
      if (!owner) return complete(StatusCodes.NO_CONTENT); // who left no longer sees the group
      return complete(StatusCodes.OK, JsonBody.entity(json(after.orElse(g))));
    });
  }

  private static ObjectNode json(Groups.Group g) {
    ObjectNode o = JSON.createObjectNode()
        .put("id", g.groupId())
        .put("name", g.name())
        .put("ownerId", g.ownerId())
        .put("createdAt", g.createdAt().toString());
    var members = o.putArray("members");
    g.members().forEach(members::add);
    return o;
  }
}
