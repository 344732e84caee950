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
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The browser client, bundled from {@code web/} into the classpath's {@code web/}: each asset
 * under {@code /assets/} has its content's hash in its name and is cached for a year
 * ({@code immutable}); the page ({@code /}, {@code /signin}, {@code /d/<id>}) is {@code index.html},
 * never cached, so a new build is picked up on the next load. Both are kept in memory, gzipped
 * once, and sent gzipped to a client that accepts it.
 */
public final class WebRoutes extends AllDirectives {

  private static final Pattern PAGE = Pattern.compile("/|/signin|/d/[A-Za-z0-9-]{1,64}");
  private static final HttpHeader IMMUTABLE = RawHeader.create("Cache-Control", "public, max-age=31536000, immutable");
  private static final HttpHeader NO_CACHE = RawHeader.create("Cache-Control", "no-cache");

  private record Asset(ContentType type, byte[] plain, byte[] gzipped) {}

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
    return new Asset(type, plain, out.toByteArray());
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
    return optionalHeaderValueByName("Accept-Encoding", accept -> {
      boolean gzip = accept.map(v -> v.contains("gzip")).orElse(false) && a.gzipped().length < a.plain().length;
      var headers = new java.util.ArrayList<HttpHeader>(List.of(cache, RawHeader.create("Vary", "Accept-Encoding")));
      if (gzip) headers.add(RawHeader.create("Content-Encoding", "gzip"));
      return complete(HttpResponse.create().withEntity(HttpEntities.create(a.type(), gzip ? a.gzipped() : a.plain()))
          .addHeaders(headers));
    });
  }
}
