package io.tandem.app.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  private final Tokens tokens = new Tokens(KEY, Duration.ofHours(1), Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aTokenItIssuedNamesItsUser() {
    var issued = tokens.issue("u-1", "alice");
    assertEquals(new Tokens.Principal("u-1", "alice", Tokens.ISSUER), tokens.verify(issued.token()).orElseThrow());
    assertEquals(NOW.plus(Duration.ofHours(1)), issued.expiresAt());
  }

  @Test
  void aTokenCarriesTheDisplayNameThatOthersSeeOnTheCursor() {
    var named = tokens.verify(tokens.issue("u-1", "ada", "Ada Lovelace").token()).orElseThrow();
    assertEquals("Ada Lovelace", named.name());
    assertEquals("Ada Lovelace", named.shownAs());
    assertEquals("ada", tokens.verify(tokens.issue("u-1", "ada", " ").token()).orElseThrow().shownAs());
    assertEquals("u-2", new Tokens.Principal("u-2", "", Tokens.ISSUER).shownAs());
  }

  @Test
  void anExpiredTokenIsRefused() {
    var old = new Tokens(KEY, Duration.ofHours(1), Clock.fixed(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC));
    assertTrue(tokens.verify(old.issue("u-1", "alice").token()).isEmpty());
  }

  @Test
  void anUnsignedTokenIsRefused() {
    var claims = new JWTClaimsSet.Builder().issuer(Tokens.ISSUER).subject("u-1")
        .expirationTime(Date.from(NOW.plusSeconds(600))).build();
    assertTrue(tokens.verify(new PlainJWT(claims).serialize()).isEmpty());
  }

  @Test
  void aTokenSignedWithAnotherKeyIsRefused() {
    var other = new Tokens("another key, also thirty-two bytes".getBytes(StandardCharsets.UTF_8), Duration.ofHours(1),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertTrue(tokens.verify(other.issue("u-1", "alice").token()).isEmpty());
  }

  @Test
  void aTamperedTokenIsRefused() {
    String[] parts = tokens.issue("u-1", "alice").token().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("u-1", "u-2");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "." + parts[2];
    assertTrue(tokens.verify(forged).isEmpty());
    assertTrue(tokens.verify("not a token").isEmpty());
    assertTrue(tokens.verify("").isEmpty());
  }

  @Test
  void theSecretIsMadeOnceAndKeptForItsOwnerOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data/jwt-secret");
    byte[] first = Tokens.secret("", file);
    assertEquals(32, first.length);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(Base64.getEncoder().encodeToString(first), Base64.getEncoder().encodeToString(Tokens.secret(null, file)));
    byte[] given = Tokens.secret(Base64.getEncoder().encodeToString(KEY), file);
    assertEquals(new String(KEY, StandardCharsets.UTF_8), new String(given, StandardCharsets.UTF_8));
  }
}
