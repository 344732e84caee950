package io.tandem.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Tandem's own JWTs: HS256 with a secret of at least 256 bits, issuer {@code tandem}, subject the
 * user id, a {@code username} claim, the display name as {@code name} (when there is one), and an expiry. Verification accepts nothing else: no
 * {@code alg: none}, no other algorithm, no other key, nothing expired (30 s of clock skew).
 * A token whose issuer is not {@code tandem} goes to the configured {@link ExternalIssuers}.
 */
public final class Tokens {

  public static final String ISSUER = "tandem";
  private static final Duration SKEW = Duration.ofSeconds(30);

  /**
   * Who a valid token speaks for, and who issued it: {@link #ISSUER} or an external issuer; {@code
   * name} is the person's display name (the {@code name} claim), empty when the token has none.
   */
  public record Principal(String userId, String username, String issuer, String name) {
    public Principal(String userId, String username, String issuer) {
      this(userId, username, issuer, "");
    }

    public boolean external() {
      return !ISSUER.equals(issuer);
    }

    /** What others see this person as (on a cursor): the display name, else the username, else the id. */
    public String shownAs() {
      return !name.isBlank() ? name : !username.isEmpty() ? username : userId;
    }
  }

  /** A token and when it stops being valid. */
  public record Issued(String token, Instant expiresAt) {}

  private final byte[] secret;
  private final Duration lifetime;
  private final Clock clock;
  private final MACSigner signer;
  private final MACVerifier verifier;
  private final ExternalIssuers external;

  public Tokens(byte[] secret, Duration lifetime, Clock clock) {
    this(secret, lifetime, clock, new ExternalIssuers(List.of()));
  }

  public Tokens(byte[] secret, Duration lifetime, Clock clock, ExternalIssuers external) {
    this.external = external;
    if (secret.length < 32) throw new IllegalArgumentException("an HS256 secret needs at least 32 bytes");
    this.secret = secret.clone();
    this.lifetime = lifetime;
    this.clock = clock;
    try {
      this.signer = new MACSigner(this.secret);
      this.verifier = new MACVerifier(this.secret);
    } catch (JOSEException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * The operator's secret ({@code base64}, when set), or the one kept in {@code file}, made on
   * first run: 32 random bytes, readable by the owner only (0600).
   */
  public static byte[] secret(String base64, Path file) throws IOException {
    if (base64 != null && !base64.isBlank()) return Base64.getDecoder().decode(base64.strip());
    if (Files.exists(file)) return Base64.getDecoder().decode(Files.readString(file).strip());
    Files.createDirectories(file.toAbsolutePath().getParent());
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.writeString(tmp, Base64.getEncoder().encodeToString(secret));
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return secret;
  }

  public Issued issue(String userId, String username) {
    return issue(userId, username, null);
  }

  public Issued issue(String userId, String username, String displayName) {
    Instant now = clock.instant();
    Instant expires = now.plus(lifetime);
    var builder = new JWTClaimsSet.Builder();
    if (displayName != null && !displayName.isBlank()) builder.claim("name", displayName);
    var claims = builder
        .issuer(ISSUER)
        .subject(userId)
        .claim("username", username)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expires))
        .jwtID(UUID.randomUUID().toString())
        .build();
    var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return new Issued(jwt.serialize(), expires);
  }

  /**
   * {@link #verify}, with an external issuer's token verified on {@code blocking}: checking it may
   * fetch the issuer's keys over the network. Tandem's own tokens are checked at once.
   */
  public CompletionStage<Optional<Principal>> verifyAsync(String token, Executor blocking) {
    return external(token) ? CompletableFuture.supplyAsync(() -> verify(token), blocking)
        : CompletableFuture.completedFuture(verify(token));
  }

  /** Whether {@code token} names an external issuer (when any is configured): costly to verify. */
  public boolean external(String token) {
    if (external.isEmpty()) return false;
    try {
      return !ISSUER.equals(SignedJWT.parse(token).getJWTClaimsSet().getIssuer());
    } catch (ParseException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The principal of a valid token, Tandem's own or an external issuer's, or empty: never an
   * exception for a bad token.
   */
  public Optional<Principal> verify(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!ISSUER.equals(jwt.getJWTClaimsSet().getIssuer())) return external.verify(jwt);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) return Optional.empty();
      if (!jwt.verify(verifier)) return Optional.empty();
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (!ISSUER.equals(claims.getIssuer()) || claims.getExpirationTime() == null
          || claims.getExpirationTime().toInstant().plus(SKEW).isBefore(now)
          || claims.getSubject() == null) {
        return Optional.empty();
      }
      Object username = claims.getClaim("username");
      Object name = claims.getClaim("name");
      return Optional.of(new Principal(claims.getSubject(), username instanceof String s ? s : "", ISSUER,
          name instanceof String n ? n : ""));
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
