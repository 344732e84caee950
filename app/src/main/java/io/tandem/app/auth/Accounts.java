package io.tandem.app.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Built-in accounts in Cassandra. The account is written, then its username claimed with a
 * lightweight transaction, so two nodes registering one name at once give it to one of them, and
 * a claim never points at an account that is not there (the loser's row is deleted).
 * Passwords are kept as bcrypt hashes (cost from {@code tandem.auth.bcrypt-cost}); hashing runs on
 * a blocking executor, never on an actor or HTTP thread.
 */
public final class Accounts {

  /** A username: 3 to 32 of a-z, 0-9, '.', '_', '-', compared case-insensitively. */
  public static final Pattern USERNAME = Pattern.compile("[a-z0-9._-]{3,32}");
  public static final int MIN_PASSWORD = 8;
  public static final int MAX_PASSWORD = 72; // bcrypt reads at most 72 bytes

  public record Account(String userId, String username, String displayName) {}

  /** The outcome of a registration: the new account, or the name was taken. */
  public sealed interface Registration {
    record Created(Account account) implements Registration {}
    record Taken() implements Registration {}
  }

  private final CqlSession session;
  private final int cost;
  private final Executor blocking;
  private final PreparedStatement claim;
  private final PreparedStatement insertUser;
  private final PreparedStatement byUsername;
  private final PreparedStatement byId;
  private final PreparedStatement deleteUser;
  private final byte[] dummyHash;

  public Accounts(CqlSession session, String keyspace, int cost, Executor blocking) {
    this.session = session;
    this.cost = cost;
    this.blocking = blocking;
    this.claim = session.prepare("INSERT INTO " + keyspace + ".usernames (username, user_id) VALUES (?, ?) IF NOT EXISTS");
    this.insertUser = session.prepare("INSERT INTO " + keyspace
        + ".users (user_id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)");
    this.byUsername = session.prepare("SELECT user_id FROM " + keyspace + ".usernames WHERE username = ?");
    this.byId = session.prepare("SELECT user_id, username, display_name, password_hash FROM " + keyspace
        + ".users WHERE user_id = ?");
    this.deleteUser = session.prepare("DELETE FROM " + keyspace + ".users WHERE user_id = ?");
    this.dummyHash = BCrypt.withDefaults().hash(cost, "no such user".getBytes(StandardCharsets.UTF_8));
  }

  public static String normalize(String username) {
    return username.strip().toLowerCase(Locale.ROOT);
  }

  public CompletionStage<Registration> register(String username, String password, String displayName) {
    String name = normalize(username);
    String userId = UUID.randomUUID().toString();
    return CompletableFuture
        .supplyAsync(() -> BCrypt.withDefaults().hashToString(cost, password.toCharArray()), blocking)
        // The account first, then the name: a name is never claimed for an account that is not there.
        .thenCompose(hash -> session.executeAsync(insertUser.bind(userId, name, displayName, hash, Instant.now())))
        .thenCompose(written -> session.executeAsync(claim.bind(name, userId)))
        .thenCompose(claimed -> {
          if (claimed.wasApplied()) {
            return CompletableFuture.completedFuture(new Registration.Created(new Account(userId, name, displayName)));
          }
          return session.executeAsync(deleteUser.bind(userId)).thenApply(rs -> new Registration.Taken());
        });
  }

  /** The account whose name and password these are, or empty; as slow for an unknown name. */
  public CompletionStage<Optional<Account>> login(String username, String password) {
    return session.executeAsync(byUsername.bind(normalize(username)))
        .thenCompose(rs -> {
          Row row = rs.one();
          if (row == null) return CompletableFuture.completedFuture((Row) null);
          return session.executeAsync(byId.bind(row.getString("user_id"))).thenApply(r -> r.one());
        })
        .thenApplyAsync(user -> {
          byte[] hash = user == null ? dummyHash : user.getString("password_hash").getBytes(StandardCharsets.UTF_8);
          boolean ok = BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
          if (!ok || user == null) return Optional.<Account>empty();
          return Optional.of(new Account(user.getString("user_id"), user.getString("username"), user.getString("display_name")));
        }, blocking);
  }

  public CompletionStage<Optional<Account>> find(String userId) {
    return session.executeAsync(byId.bind(userId)).thenApply(rs -> {
      Row user = rs.one();
      return user == null ? Optional.empty()
          : Optional.of(new Account(user.getString("user_id"), user.getString("username"), user.getString("display_name")));
    });
  }

  /** The account of a username (any case), for sharing by name. */
  public CompletionStage<Optional<Account>> findByUsername(String username) {
    String name = normalize(username);
    if (!USERNAME.matcher(name).matches()) return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    return session.executeAsync(byUsername.bind(name)).thenCompose(rs -> {
      Row claimed = rs.one();
      return claimed == null ? java.util.concurrent.CompletableFuture.completedFuture(Optional.<Account>empty())
          : find(claimed.getString("user_id"));
    });
  }
}
