package io.tandem.app.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.Node;
import io.tandem.app.TestNode;
import io.tandem.cassandra.TestCassandra;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pages and assets as a browser and a CDN in front see them: caching, compression, paths. */
class WebRoutesIT {

  @RegisterExtension
  static final TestCassandra cassandra = new TestCassandra();

  private static final HttpClient http = HttpClient.newHttpClient();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(TestNode.config(cassandra));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) node.close();
  }

  private static HttpResponse<byte[]> get(String path, boolean gzip) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(TestNode.base(node) + path));
    if (gzip) b.header("Accept-Encoding", "gzip");
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void thePageIsNeverCachedAndNamesHashedAssetsThatAreCachedForAYearAndSentGzipped() throws Exception {
    for (String page : new String[] {"/", "/signin", "/d/0f6c4a1e-1111-2222-3333-444455556666"}) {
      var r = get(page, false);
      assertEquals(200, r.statusCode(), page);
      assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(""), page);
      assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/html"), page);
    }
    String html = new String(get("/", false).body());
    var js = Pattern.compile("/assets/app-[A-Z0-9]+\\.js").matcher(html);
    var css = Pattern.compile("/assets/app-[A-Z0-9]+\\.css").matcher(html);
    assertTrue(js.find() && css.find(), html);

    var plain = get(js.group(), false);
    assertEquals(200, plain.statusCode());
    assertEquals("public, max-age=31536000, immutable", plain.headers().firstValue("cache-control").orElse(""));
    assertTrue(plain.headers().firstValue("content-type").orElse("").startsWith("application/javascript"));
    assertTrue(plain.headers().firstValue("content-encoding").isEmpty());

    var zipped = get(js.group(), true);
    assertEquals("gzip", zipped.headers().firstValue("content-encoding").orElse(""));
    assertTrue(zipped.headers().firstValue("vary").orElse("").contains("Accept-Encoding"));
    assertTrue(zipped.body().length < plain.body().length / 2, zipped.body().length + " of " + plain.body().length);
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(zipped.body())).readAllBytes();
    assertEquals(plain.body().length, unzipped.length);

    var style = get(css.group(), true);
    assertEquals(200, style.statusCode());
    assertTrue(style.headers().firstValue("content-type").orElse("").startsWith("text/css"));
  }

  @Test
  void thePageIsRevalidatedByItsETagAndEveryAnswerLimitsWhatThePageMayLoadAndWhoMayFrameIt() throws Exception {
    var first = get("/", true);
    String etag = first.headers().firstValue("etag").orElseThrow();
    var again = http.send(HttpRequest.newBuilder(URI.create(TestNode.base(node) + "/d/abc"))
        .header("Accept-Encoding", "gzip").header("If-None-Match", "\"other\", " + etag).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(304, again.statusCode());
    assertEquals(0, again.body().length);
    assertEquals(etag, again.headers().firstValue("etag").orElse(""));
    var changed = http.send(HttpRequest.newBuilder(URI.create(TestNode.base(node) + "/"))
        .header("If-None-Match", "\"other\"").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, changed.statusCode());
    // the gzipped page has a tag of its own: a plain request with it gets the plain page
    assertTrue(etag.endsWith("-gz\""), etag);
    var plain = http.send(HttpRequest.newBuilder(URI.create(TestNode.base(node) + "/")).header("If-None-Match", etag).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, plain.statusCode());
    assertTrue(plain.headers().firstValue("content-encoding").isEmpty());

    for (var r : new HttpResponse<?>[] {first, again}) {
      String csp = r.headers().firstValue("content-security-policy").orElse("");
      assertTrue(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
      assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""));
      assertEquals("DENY", r.headers().firstValue("x-frame-options").orElse(""));
    }
  }

  @Test
  void gzipIsSentOnlyToAClientThatAcceptsItWithAQualityAboveZero() throws Exception {
    String[][] cases = {{"gzip;q=0", ""}, {"br, gzip;q=0.000", ""}, {"identity", ""}, {"*;q=0.5", "gzip"},
        {"deflate, GZIP;q=0.8", "gzip"}, {"gzip;q=0, *", ""}, {"x-gzip", "gzip"}};
    for (String[] c : cases) {
      var r = http.send(HttpRequest.newBuilder(URI.create(TestNode.base(node) + "/")).header("Accept-Encoding", c[0]).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(c[1], r.headers().firstValue("content-encoding").orElse(""), c[0]);
    }
  }

  @Test
  void anUnknownAssetOrPathIsNotFoundAsProblemJson() throws Exception {
    for (String path : new String[] {"/assets/app-NOPE.js", "/wp-admin", "/d/../etc/passwd", "/assets/../index.html"}) {
      var r = get(path, false);
      assertEquals(404, r.statusCode(), path);
      assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""), path);
    }
  }
}
