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
  void anUnknownAssetOrPathIsNotFoundAsProblemJson() throws Exception {
    for (String path : new String[] {"/assets/app-NOPE.js", "/wp-admin", "/d/../etc/passwd", "/assets/../index.html"}) {
      var r = get(path, false);
      assertEquals(404, r.statusCode(), path);
      assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""), path);
    }
  }
}
