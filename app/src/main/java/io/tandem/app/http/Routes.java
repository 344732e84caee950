package io.tandem.app.http;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tandem.app.auth.AuthRoutes;
import io.tandem.app.docs.DocumentRoutes;
import io.tandem.app.groups.GroupRoutes;
import io.tandem.app.ws.WebSocketRoutes;
import io.tandem.protocol.ErrorCode;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's HTTP routes; every error leaves as problem+json with a protocol code. */
public final class Routes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(Routes.class);

  private final CqlSession session;
  private final ActorSystem<?> system;
  private final AuthRoutes auth;
  private final WebSocketRoutes ws;
  private final DocumentRoutes docs;
  private final GroupRoutes groups;
  private final Origins origins;
  private final WebRoutes web = WebRoutes.fromClasspath();
  private final Supplier<String> metrics;

  public Routes(CqlSession session, ActorSystem<?> system, AuthRoutes auth, WebSocketRoutes ws, DocumentRoutes docs,
      GroupRoutes groups, Origins origins, Supplier<String> metrics) {
    this.metrics = metrics;
    this.ws = ws;
    this.session = session;
    this.system = system;
    this.auth = auth;
    this.docs = docs;
    this.groups = groups;
    this.origins = origins;
  }

  public Route routes() {
    return timed(() -> handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> origins.check(() ->
        concat(
            pathPrefix("v1", () -> concat(
                path("health", () -> get(this::health)),
                path("metrics", () -> get(this::metrics)),
                auth.routes(),
                ws.routes(),
                docs.routes(),
                groups.routes())),
            web.routes())))));
  }

  private static final kamon.metric.Metric.Timer REQUESTS =
      kamon.Kamon.timer("tandem.http.requests", "HTTP requests, from received to response ready, by method and status");

  /** Times every request to its response (a WebSocket's: to its upgrade), by method and status. */
  private Route timed(Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        REQUESTS.withTags(kamon.tag.TagSet.builder().add("method", request.method().value())
                .add("status", String.valueOf(response.status().intValue())).build())
            .record(System.nanoTime() - start);
        return response;
      }, inner);
    });
  }

  /**
   * {@code GET /v1/metrics}: this JVM's metrics in Prometheus' text format, as Kamon's reporter
   * last prepared them (every {@code kamon.metric.tick-interval}). docs/api.md lists them.
   */
  private Route metrics() {
    return complete(HttpResponse.create().withEntity(ContentTypes.create(PROMETHEUS_TEXT, HttpCharsets.UTF_8), metrics.get()));
  }

  /** Prometheus' text exposition format, version 0.0.4. */
  private static final MediaType.WithOpenCharset PROMETHEUS_TEXT =
      MediaTypes.customWithOpenCharset("text", "plain", java.util.Map.of("version", "0.0.4"), false);

  /** Ready when this node is an Up cluster member and Cassandra answers a query. */
  private Route health() {
    CompletionStage<HttpResponse> answer = session.executeAsync("SELECT release_version FROM system.local")
        .handle((rs, failure) -> {
          boolean up = Cluster.get(system).selfMember().status() == MemberStatus.up();
          if (failure != null || !up) {
            return Problems.of(ErrorCode.INTERNAL, failure != null ? "Cassandra does not answer" : "not an Up cluster member yet",
                StatusCodes.SERVICE_UNAVAILABLE.intValue());
          }
          return HttpResponse.create().withEntity(org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
              "{\"status\":\"ok\",\"cassandra\":\"" + rs.one().getString(0) + "\"}");
        });
    return completeWithFuture(answer);
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleNotFound(complete(Problems.of(ErrorCode.NOT_FOUND, "no such resource")))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(response -> {
          if (response.entity().getContentType().equals(Problems.PROBLEM_JSON)) return response;
          int status = response.status().intValue();
          ErrorCode code = status == 404 ? ErrorCode.NOT_FOUND
              : status == 401 ? ErrorCode.UNAUTHORIZED
              : status == 403 ? ErrorCode.FORBIDDEN
              : status == 413 ? ErrorCode.TOO_LARGE
              : status == 429 ? ErrorCode.RATE_LIMITED
              : ErrorCode.INVALID_MESSAGE;
          return Problems.of(code, response.status().reason(), status);
        });
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(org.apache.pekko.http.scaladsl.model.EntityStreamSizeException.class,
            e -> complete(Problems.of(ErrorCode.TOO_LARGE, "the body is larger than " + e.limit() + " bytes")))
        .match(org.apache.pekko.http.scaladsl.model.IllegalRequestException.class, e -> {
          // Pekko reports a body over toStrictEntity's limit as a 400 "Request too large".
          boolean tooLarge = e.status().intValue() == 413 || e.info().summary().startsWith("Request too large");
          if (tooLarge) return complete(Problems.of(ErrorCode.TOO_LARGE, e.info().formatPretty()));
          return complete(Problems.of(ErrorCode.INVALID_MESSAGE, e.info().summary(), e.status().intValue()));
        })
        .match(org.apache.pekko.pattern.AskTimeoutException.class, e -> {
          log.warn("An entity did not answer in time", e);
          return complete(Problems.of(ErrorCode.INTERNAL, "the document did not answer in time; try again", 503));
        })
        .match(java.util.concurrent.TimeoutException.class,
            e -> complete(Problems.of(ErrorCode.INVALID_MESSAGE, "the request body did not arrive in time", 408)))
        .matchAny(e -> {
          log.error("Request failed", e);
          return complete(Problems.of(ErrorCode.INTERNAL, "the server failed; it is logged"));
        })
        .build();
  }
}
