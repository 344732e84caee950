package io.tandem.app.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * External OpenID Connect issuers (configuration: {@code tandem.auth.oidc.issuers}): their
 * signed JWTs are accepted as Bearer tokens when the issuer is listed, the signature verifies
 * against a key of the issuer's JWKS (fetched from {@code jwks-uri}, cached, refetched when a
 * token names an unknown key), the audience is Tandem's, and the token has a subject and has not
 * expired. RSA and EC signatures only: never {@code none}, never an HMAC keyed by a public key.
 * An external subject is the Tandem user id {@link #userIdFor}: stable, and distinct per issuer.
 */
public final class ExternalIssuers {

  /** One issuer: its {@code iss}, where its keys are, the audience tokens must carry, the name claim. */
  public record Issuer(String issuer, String jwksUri, String audience, String usernameClaim) {}

  private static final Set<JWSAlgorithm> ALGORITHMS = new HashSet<>();

  static {
    ALGORITHMS.addAll(JWSAlgorithm.Family.RSA);
    ALGORITHMS.addAll(JWSAlgorithm.Family.EC);
  }

  private record Verifier(Issuer issuer, DefaultJWTProcessor<SecurityContext> processor) {}

  private final Map<String, Verifier> byIssuer = new HashMap<>();

  public ExternalIssuers(List<Issuer> issuers) {
    for (Issuer i : issuers) {
      var processor = new DefaultJWTProcessor<SecurityContext>();
      try {
        // Cached, refreshed ahead of expiry in the background, kept through an issuer's outage.
        var keys = JWKSourceBuilder.create(URI.create(i.jwksUri()).toURL())
            .retrying(true).refreshAheadCache(true).outageTolerantForever().build();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("jwks-uri of issuer " + i.issuer() + " is not a URL: " + i.jwksUri(), e);
      }
      // ID tokens (typ JWT or none) and RFC 9068 access tokens (typ at+jwt).
      processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
      processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(i.audience(),
          new JWTClaimsSet.Builder().issuer(i.issuer()).build(), Set.of("sub", "exp")));
      byIssuer.put(i.issuer(), new Verifier(i, processor));
    }
  }

  public boolean isEmpty() {
    return byIssuer.isEmpty();
  }

  /** The Tandem user id of an external subject. */
  public static String userIdFor(String issuer, String subject) {
    return UUID.nameUUIDFromBytes((issuer + "\n" + subject).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The principal of a valid token from a listed issuer, or empty: never an exception for a bad token. */
  public Optional<Tokens.Principal> verify(SignedJWT jwt) {
    try {
      Verifier v = byIssuer.get(jwt.getJWTClaimsSet().getIssuer());
      if (v == null) return Optional.empty();
      JWTClaimsSet claims = v.processor().process(jwt, null);
      Object name = claims.getClaim(v.issuer().usernameClaim());
      Object shown = claims.getClaim("name"); // OpenID Connect's display name
      return Optional.of(new Tokens.Principal(userIdFor(v.issuer().issuer(), claims.getSubject()),
          name instanceof String s ? s : "", v.issuer().issuer(), shown instanceof String n ? n : ""));
    } catch (Exception e) { // a bad token in any way, or its issuer's keys out of reach
      return Optional.empty();
    }
  }
}
