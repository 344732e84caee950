package io.tandem.app.http;

import io.tandem.protocol.ErrorCode;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Origin rules for browsers. A request without {@code Origin} (API clients) passes. One whose
 * {@code Origin} is the server's own passes. One from a listed origin passes with CORS headers
 * (credentials allowed, so the session cookie works), and its preflight is answered. Any other
 * origin gets 403 {@code forbidden}: a page elsewhere cannot act with a user's cookie.
 */
public final class Origins extends AllDirectives {

  private static final String METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
  private static final String HEADERS = "Authorization, Content-Type";

  private final Set<String> allowed;

  public Origins(List<String> allowed) {
    this.allowed = Set.copyOf(allowed.stream().map(Origins::normalize).toList());
  }

  public Route check(Supplier<Route> inner) {
    return optionalHeaderValueByName("Origin", origin -> {
      if (origin.isEmpty()) return inner.get();
      return extractUri(uri -> headerValueByName("Host", host -> {
        String o = normalize(origin.get());
        // a WebSocket upgrade's URI has the scheme ws or wss; the page that opens it, http or https
        String scheme = switch (uri.scheme()) {
          case "ws" -> "http";
          case "wss" -> "https";
          default -> uri.scheme();
        };
        String own = normalize(scheme + "://" + host);
        if (o.equals(own)) return inner.get();
        if (!allowed.contains(o)) {
          return complete(Problems.of(ErrorCode.FORBIDDEN, "requests from " + origin.get() + " are not allowed"));
        }
        var cors = List.of(
            RawHeader.create("Access-Control-Allow-Origin", origin.get()),
            RawHeader.create("Access-Control-Allow-Credentials", "true"),
            RawHeader.create("Vary", "Origin"));
        return extractMethod(method -> {
          if (method.equals(HttpMethods.OPTIONS)) {
            return complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeaders(List.of(
                cors.get(0), cors.get(1), cors.get(2),
                RawHeader.create("Access-Control-Allow-Methods", METHODS),
                RawHeader.create("Access-Control-Allow-Headers", HEADERS),
                RawHeader.create("Access-Control-Max-Age", "600"))));
          }
          return respondWithHeaders(cors.stream().map(h -> (org.apache.pekko.http.javadsl.model.HttpHeader) h).toList(),
              inner);
        });
      }));
    });
  }

  private static String normalize(String origin) {
    String o = origin.strip().toLowerCase(java.util.Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }

}
