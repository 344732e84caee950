package io.tandem.app.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.app.http.JsonBody;
import io.tandem.app.http.Problems;
import io.tandem.app.http.RateLimits;
import io.tandem.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code POST /v1/auth/register}, {@code POST /v1/auth/login}, {@code GET /v1/me}, and the
 * {@link #authenticated} directive every other route uses: a {@code Bearer} token, or for
 * browsers the HttpOnly, SameSite cookie that register and login set.
 */
public final class AuthRoutes extends AllDirectives {

  public static final String COOKIE = "tandem_session";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Accounts accounts;
  private final Tokens tokens;
  private final Duration lifetime;
  private final boolean secureCookie;
  private final JsonBody body;
  private final RateLimits perUser;
  private final RateLimits perAddress;
  private final RateLimits badTokens;
  private final Executor blocking;

  public AuthRoutes(Accounts accounts, Tokens tokens, Duration lifetime, boolean secureCookie, long maxBody,
      RateLimits perUser, RateLimits perAddress, RateLimits badTokens, Executor blocking) {
    this.badTokens = badTokens;
    this.blocking = blocking;
    this.accounts = accounts;
    this.tokens = tokens;
    this.lifetime = lifetime;
    this.secureCookie = secureCookie;
    this.body = new JsonBody(maxBody);
    this.perUser = perUser;
    this.perAddress = perAddress;
  }

  public Route routes() {
    return concat(
        pathPrefix("auth", () -> extractRequest(request -> limited(perAddress, "address:" + socketAddress(request),
            () -> concat(
                path("register", () -> post(() -> body.object(this::register))),
                path("login", () -> post(() -> body.object(this::login))),
                path("logout", () -> post(this::logout)))))),
        path("me", () -> get(() -> authenticated(this::me))),
        // A signed-in user finds another by username (to share with) or by id (to show a grant).
        pathPrefix("users", () -> get(() -> authenticated(p -> concat(
            pathEnd(() -> parameterOptional("username", name -> name
                .map(n -> account(accounts.findByUsername(n), "no user " + n))
                .orElseGet(() -> complete(Problems.of(ErrorCode.INVALID_MESSAGE, "give ?username="))))),
            path(id -> account(accounts.find(id), "no user " + id)))))));
  }

  private Route account(java.util.concurrent.CompletionStage<Optional<Accounts.Account>> found, String missing) {
    return onSuccess(found, a -> a
        .map(x -> (Route) complete(StatusCodes.OK, JsonBody.entity(JSON.createObjectNode().put("userId", x.userId())
            .put("username", x.username()).put("displayName", x.displayName()))))
        .orElseGet(() -> complete(Problems.of(ErrorCode.NOT_FOUND, missing))));
  }

  /** The caller's account; an external issuer's user is described by their token. */
  private Route me(Tokens.Principal p) {
    if (p.external()) {
      return complete(StatusCodes.OK, JsonBody.entity(JSON.createObjectNode().put("userId", p.userId())
          .put("username", p.username()).put("displayName", p.name().isBlank() ? p.username() : p.name()).put("issuer", p.issuer())));
    }
    return onSuccess(accounts.find(p.userId()), found -> found
        .map(a -> (Route) complete(StatusCodes.OK, JsonBody.entity(JSON.createObjectNode().put("userId", a.userId())
            .put("username", a.username()).put("displayName", a.displayName()))))
        .orElseGet(() -> complete(Problems.of(ErrorCode.UNAUTHORIZED, "the account no longer exists"))));
  }

  /**
   * The principal of the request's token, or a 401 problem; each user's calls are rate limited,
   * and so are an address's invalid tokens (a limiter of their own, with the sign-in settings),
   * so tokens cannot be guessed. Once an address is over, its external issuers' tokens, costly to
   * verify, are refused before verification; Tandem's own, cheap to check, still are checked, so a
   * valid one from a shared address is not locked out by someone else's flood.
   */
  public Route authenticated(Function<Tokens.Principal, Route> inner) {
    return authenticated(Optional.empty(), inner);
  }

  /**
   * As {@link #authenticated(Function)}, also taking the token from the {@code access_token} query
   * parameter, which PROTOCOL.md allows on the WebSocket handshake only (clients that cannot set
   * headers); a token in a URL ends up in logs, so nothing else reads it.
   */
  public Route authenticatedHandshake(Function<Tokens.Principal, Route> inner) {
    return parameterOptional("access_token", query -> authenticated(query, inner));
  }

  private Route authenticated(Optional<String> query, Function<Tokens.Principal, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> optionalCookie(COOKIE, cookie -> extractRequest(request -> {
      Optional<String> token = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip());
      if (token.isEmpty()) token = cookie.map(c -> c.value());
      if (token.isEmpty()) token = query;
      if (token.isEmpty()) return unauthorized("sign in: no Bearer token or session cookie");
      String address = "bad-token:" + socketAddress(request);
      Optional<RateLimits.Verdict> slowed = tokens.external(token.get()) ? badTokens.refusal(address) : Optional.empty();
      if (slowed.isPresent()) return tooMany(slowed.get());
      return onSuccess(tokens.verifyAsync(token.get(), blocking), principal -> {
        if (principal.isEmpty()) {
          RateLimits.Verdict verdict = badTokens.take(address);
          return verdict.allowed() ? unauthorized("the token is invalid or expired") : tooMany(verdict);
        }
        return limited(perUser, "user:" + principal.get().userId(), () -> inner.apply(principal.get()));
      });
    })));
  }

  private Route unauthorized(String detail) {
    return complete(Problems.of(ErrorCode.UNAUTHORIZED, detail)
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("WWW-Authenticate", "Bearer")));
  }

  /**
   * The peer's address from the socket, never from {@code X-Forwarded-For} or {@code X-Real-IP},
   * which a client could forge to get a fresh bucket for every guess.
   */
  private static String socketAddress(org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return request.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
        .flatMap(a -> a.getAddress()).map(java.net.InetAddress::getHostAddress).orElse("unknown");
  }

  /** Ends a browser session: the cookie is cleared (a token already handed out stays valid until it expires). */
  private Route logout() {
    HttpCookie gone = HttpCookie.create(COOKIE, "").withPath("/").withHttpOnly(true).withSecure(secureCookie)
        .withSameSite(SameSite.Lax).withMaxAge(0);
    return respondWithHeader(SetCookie.create(gone), () -> complete(StatusCodes.NO_CONTENT));
  }

  /** {@code inner} if {@code key}'s bucket has a token, else 429 rate_limited with Retry-After. */
  private Route limited(RateLimits limits, String key, Supplier<Route> inner) {
    RateLimits.Verdict verdict = limits.take(key);
    return verdict.allowed() ? inner.get() : tooMany(verdict);
  }

  private Route tooMany(RateLimits.Verdict verdict) {
    long seconds = Math.max(1, (verdict.retryAfter().toMillis() + 999) / 1000);
    return complete(Problems.of(ErrorCode.RATE_LIMITED, "too many requests; retry in " + seconds + " s")
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Retry-After", Long.toString(seconds))));
  }


  private Route register(JsonNode body) {
    String username = text(body, "username");
    String password = text(body, "password");
    JsonNode display = body.get("displayName");
    if (username == null || password == null || (display != null && !display.isNull() && !display.isTextual())) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE,
          "expected {\"username\": string, \"password\": string, \"displayName\"?: string}"));
    }
    String name = Accounts.normalize(username);
    if (!Accounts.USERNAME.matcher(name).matches()) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a username is 3 to 32 of a-z, 0-9, '.', '_' and '-'"));
    }
    int bytes = password.getBytes(StandardCharsets.UTF_8).length;
    if (password.length() < Accounts.MIN_PASSWORD || bytes > Accounts.MAX_PASSWORD) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE,
          "a password is at least " + Accounts.MIN_PASSWORD + " characters and at most " + Accounts.MAX_PASSWORD + " bytes"));
    }
    String displayName = display == null || display.isNull() || display.asText().isBlank() ? name : display.asText().strip();
    if (displayName.length() > 100) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "a display name is at most 100 characters"));
    return onSuccess(accounts.register(name, password, displayName), outcome -> {
      if (outcome instanceof Accounts.Registration.Created created) return signedIn(StatusCodes.CREATED, created.account());
      return complete(Problems.of(ErrorCode.CONFLICT, "the username " + name + " is taken"));
    });
  }

  private Route login(JsonNode body) {
    String username = text(body, "username");
    String password = text(body, "password");
    if (username == null || password == null) {
      return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "expected {\"username\": string, \"password\": string}"));
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > Accounts.MAX_PASSWORD) {
      return complete(Problems.of(ErrorCode.UNAUTHORIZED, "wrong username or password"));
    }
    // Guessing one account's password from many addresses is slowed per account too.
    return limited(perAddress, "login:" + Accounts.normalize(username), () -> onSuccess(accounts.login(username, password), account -> account
        .map(a -> (Route) signedIn(StatusCodes.OK, a))
        .orElseGet(() -> complete(Problems.of(ErrorCode.UNAUTHORIZED, "wrong username or password")))));
  }

  private Route signedIn(StatusCode status, Accounts.Account account) {
    Tokens.Issued issued = tokens.issue(account.userId(), account.username(), account.displayName());
    HttpCookie cookie = HttpCookie.create(COOKIE, issued.token()).withPath("/").withHttpOnly(true)
        .withSecure(secureCookie).withSameSite(SameSite.Lax).withMaxAge(lifetime.toSeconds());
    ObjectNode body = JSON.createObjectNode().put("userId", account.userId()).put("username", account.username())
        .put("displayName", account.displayName()).put("token", issued.token())
        .put("expiresAt", issued.expiresAt().toString());
    return respondWithHeader(SetCookie.create(cookie), () -> complete(status, JsonBody.entity(body)));
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }


}
