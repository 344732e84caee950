package io.tandem.app.auth;

import static io.tandem.app.TestApi.ok;
import static io.tandem.app.TestApi.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Node;
import io.tandem.app.TestApi;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external OpenID Connect issuer, configured by its JWKS address: its tokens sign a user in,
 * and every forged, foreign, expired or mis-addressed one is refused with 401.
 */
class OidcIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final String ISSUER = "https://login.example.test";
  private static HttpServer jwks;
  private static RSAKey key;
  private static Node node;
  private static final TestApi api = new TestApi(() -> node);

  @BeforeAll
  static void start() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    byte[] published = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, published.length);
      exchange.getResponseBody().write(published);
      exchange.close();
    });
    jwks.start();
    String uri = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks";
    node = Node.start(ConfigFactory.parseString("tandem.auth.oidc.issuers = [{issuer = \"" + ISSUER + "\", jwks-uri = \""
            + uri + "\", audience = tandem, username-claim = preferred_username}]")
        .withFallback(ConfigFactory.parseMap(Map.of("tandem.auth.bcrypt-cost", 4)))
        .withFallback(TestNode.config(cassandra)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
    if (jwks != null) jwks.stop(0);
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer(ISSUER).subject("ext-42").audience("tandem")
        .claim("preferred_username", "erin").issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(600)));
  }

  private static String sign(JWTClaimsSet claims, RSAKey with) throws Exception {
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(with));
    return jwt.serialize();
  }

  @Test
  void aTokenOfTheIssuerSignsTheUserIn() throws Exception {
    String token = sign(claims().build(), key);
    JsonNode me = ok(api.send("GET", "/v1/me", token, null), 200);
    assertEquals(ExternalIssuers.userIdFor(ISSUER, "ext-42"), me.get("userId").asText());
    assertEquals("erin", me.get("username").asText());
    String doc = ok(api.send("POST", "/v1/docs", token, "{\"title\":\"From outside\"}"), 201).get("id").asText();
    assertEquals("owner", ok(api.send("GET", "/v1/docs/" + doc, token, null), 200).get("role").asText());
    assertEquals(doc, ok(api.send("GET", "/v1/docs", token, null), 200).get("items").get(0).get("id").asText());

    var accessToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(new JOSEObjectType("at+jwt"))
        .build(), claims().build()); // an RFC 9068 access token
    accessToken.sign(new RSASSASigner(key));
    assertEquals("erin", ok(api.send("GET", "/v1/me", accessToken.serialize(), null), 200).get("username").asText());
  }

  @Test
  void forgedForeignExpiredAndMisaddressedTokensAreRefused() throws Exception {
    RSAKey other = new RSAKeyGenerator(2048).keyID("k1").generate(); // same key id, another key
    var refused = List.of(
        sign(claims().build(), other),
        sign(claims().audience("someone-else").build(), key),
        sign(claims().issuer("https://evil.example.test").build(), key),
        sign(claims().expirationTime(Date.from(Instant.now().minusSeconds(3600))).build(), key),
        sign(claims().subject(null).build(), key),
        new PlainJWT(claims().build()).serialize(), // alg: none
        hmacWithThePublicKey()); // the classic confusion: HS256 keyed by the RSA public key
    for (String token : refused) problem(api.send("GET", "/v1/me", token, null), 401, "unauthorized");
  }

  private static String hmacWithThePublicKey() throws Exception {
    var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
    jwt.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
    return jwt.serialize();
  }
}
