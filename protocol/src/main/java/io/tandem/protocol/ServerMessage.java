package io.tandem.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The messages a server sends over the WebSocket (PROTOCOL.md, "Server → client"), written as
 * JSON text. Ops and content arrive as canonical JSON already and are written as they are.
 */
public final class ServerMessage {

  private static final JsonFactory JSON = new JsonFactory();

  private ServerMessage() {}

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String object(String type, Body body) {
    var out = new StringWriter(64);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("type", type);
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static String joined(String docId, String clientId, long version, String role, String presenceJson) {
    return object("joined", g -> {
      g.writeStringField("docId", docId);
      g.writeStringField("clientId", clientId);
      g.writeNumberField("version", version);
      g.writeStringField("role", role);
      g.writeFieldName("presence");
      g.writeRawValue(presenceJson);
    });
  }

  public static String snapshot(long version, String contentJson, String title) {
    return object("snapshot", g -> {
      g.writeNumberField("version", version);
      g.writeFieldName("content");
      g.writeRawValue(contentJson);
      g.writeStringField("title", title);
    });
  }

  public static String op(long version, String opsJson, String userId, String clientId, long seq, long ts) {
    return object("op", g -> {
      g.writeNumberField("version", version);
      g.writeFieldName("ops");
      g.writeRawValue(opsJson);
      g.writeStringField("userId", userId);
      g.writeStringField("clientId", clientId);
      g.writeNumberField("seq", seq);
      g.writeNumberField("ts", ts);
    });
  }

  public static String ack(long seq, long version) {
    return object("ack", g -> {
      g.writeNumberField("seq", seq);
      g.writeNumberField("version", version);
    });
  }

  public static String error(ErrorCode code, String message, Long seq) {
    return object("error", g -> {
      g.writeStringField("code", code.wire());
      g.writeStringField("message", message);
      if (seq != null) g.writeNumberField("seq", seq);
    });
  }

  /** One presence as a JSON object (also an element of {@code joined.presence}). */
  public static String presenceObject(String clientId, String userId, String name, String color, Integer index,
      Integer length, long version) {
    var out = new StringWriter(96);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      presenceFields(g, clientId, userId, name, color, index, length, version);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  public static String presence(String clientId, String userId, String name, String color, Integer index, Integer length,
      long version) {
    return object("presence", g -> presenceFields(g, clientId, userId, name, color, index, length, version));
  }

  private static void presenceFields(JsonGenerator g, String clientId, String userId, String name, String color,
      Integer index, Integer length, long version) throws IOException {
    g.writeStringField("clientId", clientId);
    g.writeStringField("userId", userId);
    g.writeStringField("name", name);
    g.writeStringField("color", color);
    if (index == null) {
      g.writeNullField("selection");
    } else {
      g.writeObjectFieldStart("selection");
      g.writeNumberField("index", index);
      g.writeNumberField("length", length);
      g.writeEndObject();
    }
    g.writeNumberField("version", version);
  }

  public static String leave(String clientId) {
    return object("leave", g -> g.writeStringField("clientId", clientId));
  }

  public static String pong() {
    return object("pong", g -> { });
  }

  public static String event(String kind, String dataJson) {
    return object("event", g -> {
      g.writeStringField("kind", kind);
      g.writeFieldName("data");
      g.writeRawValue(dataJson);
    });
  }

  /** A JSON string literal of {@code s}, for building small {@code data} objects. */
  public static String quote(String s) {
    var out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
