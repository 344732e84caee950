package io.tandem.app.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The browser client, bundled from {@code web/} into the classpath's {@code web/}: each asset
 * under {@code /assets/} has its content's hash in its name and is cached for a year
 * ({@code immutable}); the page ({@code /}, {@code /signin}, {@code /d/<id>}) is {@code index.html},
 * never cached but revalidated by its {@code ETag}, so a new build is picked up on the next load.
 * Both are kept in memory, gzipped once, and sent gzipped to a client that accepts it. Every answer
 * carries a Content-Security-Policy that lets the page load and connect to its own origin only,
 * and may not be framed.
 */
public final class WebRoutes extends AllDirectives {

  private static final Pattern PAGE = Pattern.compile("/|/signin|/d/[A-Za-z0-9-]{1,64}");
  private static final HttpHeader IMMUTABLE = RawHeader.create("Cache-Control", "public, max-age=31536000, immutable");
  private static final HttpHeader NO_CACHE = RawHeader.create("Cache-Control", "no-cache");
  /**
   * Scripts, styles and connections from this origin only ({@code 'self'} covers its own ws: and
   * wss: in CSP 3); inline style attributes are allowed (the editor's cursors and avatars are
   * coloured per person), inline scripts are not.
   */
  private static final List<HttpHeader> SECURITY = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; connect-src 'self'; "
          + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
          + "form-action 'self'; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "same-origin"));

  private record Asset(ContentType type, byte[] plain, byte[] gzipped, String etag) {}

  private final Asset index;
  private final Map<String, Asset> assets;

  private WebRoutes(Asset index, Map<String, Asset> assets) {
    this.index = index;
    this.assets = assets;
  }

  /** The client found on the classpath; without one (a build that skipped it) the page says so. */
  public static WebRoutes fromClasspath() {
    var loader = WebRoutes.class.getClassLoader();
    try (InputStream html = loader.getResourceAsStream("web/index.html")) {
      if (html == null) {
        return new WebRoutes(asset(ContentTypes.TEXT_PLAIN_UTF8,
            "The web client is not in this build: build with Maven (./tandem run does).".getBytes(StandardCharsets.UTF_8)),
            Map.of());
      }
      Map<String, Asset> assets = new HashMap<>();
      var dir = loader.getResource("web/assets");
      if (dir != null) readAssets(dir.toURI(), assets);
      return new WebRoutes(asset(ContentTypes.TEXT_HTML_UTF8, html.readAllBytes()), Map.copyOf(assets));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void readAssets(URI dir, Map<String, Asset> into) throws IOException {
    FileSystem jar = dir.getScheme().equals("jar") ? FileSystems.newFileSystem(dir, Map.of()) : null;
    try (Stream<Path> files = Files.list(jar == null ? Path.of(dir) : jar.provider().getPath(dir))) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        into.put(name, asset(typeOf(name), Files.readAllBytes(f)));
      }
    } finally {
      if (jar != null) jar.close();
    }
  }

  private static ContentType typeOf(String name) {
    if (name.endsWith(".js")) return ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);
    if (name.endsWith(".css")) return ContentTypes.create(MediaTypes.TEXT_CSS, org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8);
    if (name.endsWith(".svg")) return ContentTypes.create(MediaTypes.IMAGE_SVG_XML);
    if (name.endsWith(".png")) return ContentTypes.create(MediaTypes.IMAGE_PNG);
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }

  private static Asset asset(ContentType type, byte[] plain) throws IOException {
    var out = new ByteArrayOutputStream(plain.length / 3 + 64);
    try (var gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return new Asset(type, plain, out.toByteArray(), etag(plain));
  }

  private static String etag(byte[] plain) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(plain);
      return "\"" + java.util.HexFormat.of().formatHex(hash, 0, 16) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether an Accept-Encoding value accepts gzip: named, or by {@code *}, with a q above 0. */
  static boolean acceptsGzip(String acceptEncoding) {
    boolean star = false;
    for (String part : acceptEncoding.split(",")) {
      String[] p = part.trim().split(";");
      String coding = p[0].trim().toLowerCase(java.util.Locale.ROOT);
      double q = 1;
      for (int i = 1; i < p.length; i++) {
        String param = p[i].trim();
        if (param.startsWith("q=") || param.startsWith("Q=")) {
          try {
            q = Double.parseDouble(param.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) return q > 0;
      if (coding.equals("*")) star = q > 0;
    }
    return star;
  }

  public Route routes() {
    return get(() -> concat(
        pathPrefix("assets", () -> path(name -> {
          Asset a = assets.get(name);
          return a == null ? reject() : send(a, IMMUTABLE);
        })),
        extractUnmatchedPath(path -> PAGE.matcher(path).matches() ? send(index, NO_CACHE) : reject())));
  }

  private Route send(Asset a, HttpHeader cache) {
    return optionalHeaderValueByName("If-None-Match", ifNoneMatch -> optionalHeaderValueByName("Accept-Encoding", accept -> {
      boolean gzip = accept.map(WebRoutes::acceptsGzip).orElse(false) && a.gzipped().length < a.plain().length;
      // each coding its own tag: a cache must not answer a plain request with the gzipped bytes
      String etag = gzip ? a.etag().substring(0, a.etag().length() - 1) + "-gz\"" : a.etag();
      var headers = new java.util.ArrayList<HttpHeader>(List.of(cache, RawHeader.create("Vary", "Accept-Encoding"),
          RawHeader.create("ETag", etag)));
      headers.addAll(SECURITY);
      if (ifNoneMatch.map(v -> matches(v, etag)).orElse(false)) {
        return complete(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers));
      }
      if (gzip) headers.add(RawHeader.create("Content-Encoding", "gzip"));
      return complete(HttpResponse.create().withEntity(HttpEntities.create(a.type(), gzip ? a.gzipped() : a.plain()))
          .addHeaders(headers));
    }));
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.startsWith("W/")) t = t.substring(2);
      if (t.equals(etag) || t.equals("*")) return true;
    }
    return false;
  }
}
