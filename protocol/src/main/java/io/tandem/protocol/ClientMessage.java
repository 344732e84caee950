package io.tandem.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import java.io.IOException;

/**
 * A message from a client over the WebSocket (PROTOCOL.md, "Client → server"), read strictly:
 * {@link #parse} answers a message or throws {@link Invalid} with the protocol's code
 * ({@code invalid_message}, or {@code invalid_op} for a malformed op) and, when it could be read,
 * the {@code seq} of the op. Unknown fields are ignored, unknown types refused.
 */
public sealed interface ClientMessage {

  /** {@code {"type":"op","seq","baseVersion","ops"}}. */
  record Op(long seq, long baseVersion, Delta ops) implements ClientMessage {}

  /** {@code {"type":"presence","selection":{index,length}|null,"baseVersion"}}. */
  record Presence(Selection selection, long baseVersion) implements ClientMessage {}

  /** {@code {"type":"ping"}}. */
  record Ping() implements ClientMessage {}

  /** A cursor or selection: {@code length} 0 for a caret. */
  record Selection(int index, int length) {}

  /** Why a message was refused. */
  final class Invalid extends Exception {
    private final ErrorCode code;
    private final Long seq;

    public Invalid(ErrorCode code, Long seq, String message) {
      super(message);
      this.code = code;
      this.seq = seq;
    }

    public ErrorCode code() {
      return code;
    }

    /** The op's seq when the message got as far as naming it. */
    public Long seq() {
      return seq;
    }
  }

  JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
      .build();

  static ClientMessage parse(String text) throws Invalid {
    String type = null;
    Long seq = null;
    Long baseVersion = null;
    Delta ops = null;
    Selection selection = null;
    boolean hasSelection = false;
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "a message is a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "type" -> type = t == JsonToken.VALUE_STRING ? p.getText() : "";
          case "seq" -> seq = whole(p, t, "seq", null);
          case "baseVersion" -> baseVersion = whole(p, t, "baseVersion", seq);
          case "ops" -> {
            try {
              ops = DeltaJson.read(p);
            } catch (InvalidOpException e) {
              throw badOp(text, e); // the parser is somewhere inside the op: stop reading here
            }
          }
          case "selection" -> {
            hasSelection = true;
            selection = t == JsonToken.VALUE_NULL ? null : selection(p, t);
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "a message is one JSON object");
      }
    } catch (IOException e) {
      throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "not JSON: " + e.getMessage());
    }
    if (type == null) throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "a message has a \"type\"");
    switch (type) {
      case "op" -> {
        if (seq == null || seq < 1) throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "an op has a \"seq\" of 1 or more");
        if (baseVersion == null || baseVersion < 0) {
          throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "an op has a \"baseVersion\" of 0 or more");
        }
        if (ops == null) throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "an op has \"ops\"");
        return new Op(seq, baseVersion, ops);
      }
      case "presence" -> {
        if (!hasSelection) throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "presence has a \"selection\" (or null)");
        if (baseVersion == null || baseVersion < 0) {
          throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "presence has a \"baseVersion\" of 0 or more");
        }
        return new Presence(selection, baseVersion);
      }
      case "ping" -> {
        return new Ping();
      }
      default -> throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "unknown message type \"" + type + "\"");
    }
  }

  /**
   * The refusal of a message whose op is malformed: {@code invalid_op} with the message's seq if
   * it is an op message that reads as JSON (read again whole: this is the rare path), else
   * {@code invalid_message}.
   */
  private static Invalid badOp(String text, InvalidOpException e) {
    try {
      var tree = new com.fasterxml.jackson.databind.ObjectMapper(JSON).readTree(text);
      var seq = tree.get("seq");
      Long s = seq != null && seq.canConvertToLong() && seq.isIntegralNumber() ? seq.asLong() : null;
      if ("op".equals(tree.path("type").asText())) return new Invalid(ErrorCode.INVALID_OP, s, e.getMessage());
      return new Invalid(ErrorCode.INVALID_MESSAGE, s, "\"ops\" only belong in an op: " + e.getMessage());
    } catch (IOException notJson) {
      return new Invalid(ErrorCode.INVALID_MESSAGE, null, "not JSON: " + notJson.getMessage());
    }
  }

  private static long whole(JsonParser p, JsonToken t, String field, Long seq) throws IOException, Invalid {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new Invalid(ErrorCode.INVALID_MESSAGE, seq, "\"" + field + "\" is a whole number");
    }
    return p.getLongValue();
  }

  private static Selection selection(JsonParser p, JsonToken t) throws IOException, Invalid {
    if (t != JsonToken.START_OBJECT) throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "a selection is {index, length} or null");
    Long index = null;
    Long length = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      JsonToken v = p.nextToken();
      if (f.equals("index")) index = whole(p, v, "index", null);
      else if (f.equals("length")) length = whole(p, v, "length", null);
      else p.skipChildren();
    }
    if (index == null || length == null || index < 0 || length < 0 || index + length > Integer.MAX_VALUE) {
      throw new Invalid(ErrorCode.INVALID_MESSAGE, null, "a selection is {index, length}, both 0 or more");
    }
    return new Selection(index.intValue(), length.intValue());
  }
}
