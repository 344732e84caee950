package io.tandem.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.protocol.ErrorCode;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * REST errors as {@code application/problem+json} (RFC 9457): {@code type}, {@code title},
 * {@code status}, {@code detail}, and the protocol's {@code code}, the vocabulary WebSocket
 * errors use too.
 */
public final class Problems {

  private static final ObjectMapper JSON = new ObjectMapper();
  public static final ContentType.WithFixedCharset PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", org.apache.pekko.http.javadsl.model.HttpCharsets.UTF_8)
          .toContentType();

  private Problems() {}

  public static HttpResponse of(ErrorCode code, String detail) {
    return of(code, detail, code.httpStatus());
  }

  /** A problem whose HTTP status is not its code's usual one (405, 408, 503…); the body says the same status. */
  public static HttpResponse of(ErrorCode code, String detail, int status) {
    ObjectNode body = JSON.createObjectNode()
        .put("type", "https://tandem.dev/problems/" + code.wire())
        .put("title", title(code))
        .put("status", status)
        .put("detail", detail)
        .put("code", code.wire());
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(PROBLEM_JSON, body.toString());
  }

  private static String title(ErrorCode code) {
    return switch (code) {
      case UNAUTHORIZED -> "Sign in first";
      case FORBIDDEN -> "Not allowed";
      case NOT_FOUND -> "Not found";
      case INVALID_OP -> "Invalid op";
      case INVALID_MESSAGE -> "Invalid request";
      case TOO_LARGE -> "Too large";
      case VERSION_AHEAD -> "Version ahead";
      case RATE_LIMITED -> "Too many requests";
      case RESYNC -> "Reload the document";
      case CONFLICT -> "Conflict";
      case INTERNAL -> "Internal error";
    };
  }
}
