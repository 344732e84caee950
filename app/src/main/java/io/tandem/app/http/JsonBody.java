package io.tandem.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.protocol.ErrorCode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import scala.concurrent.duration.FiniteDuration;

/**
 * The request body as a JSON object of at most {@code maxBytes}, or the problem that says why
 * not: 400 invalid_message for what is not a JSON object, 413 too_large past the cap (through the
 * routes' exception handler), 408 for a body that does not arrive within 10 s.
 */
public final class JsonBody extends AllDirectives {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FiniteDuration ARRIVAL = FiniteDuration.create(10, TimeUnit.SECONDS);

  private final long maxBytes;

  public JsonBody(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** {@code node} as an application/json response entity. */
  public static ResponseEntity entity(JsonNode node) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON, node.toString());
  }

  public Route object(Function<JsonNode, Route> inner) {
    return extractStrictEntity(ARRIVAL, maxBytes, entity -> {
      JsonNode body;
      try {
        body = JSON.readTree(entity.getData().toArray());
      } catch (IOException e) {
        return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "the body is not JSON"));
      }
      if (body == null || !body.isObject()) return complete(Problems.of(ErrorCode.INVALID_MESSAGE, "the body is not a JSON object"));
      return inner.apply(body);
    });
  }
}
