package io.tandem.ot;

import java.util.List;
import java.util.Map;

/**
 * Renders ops and deltas as the JSON Quill writes, for {@code toString} and test messages only.
 * The wire codec is {@code io.tandem.protocol.DeltaJson}; this module has no JSON library.
 */
final class Json {

  private Json() {}

  static String write(Object value) {
    var out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  static void append(StringBuilder out, Object value) {
    if (value instanceof Insert i) {
      out.append("{\"insert\":");
      append(out, i.value());
      attributes(out, i.attributes());
    } else if (value instanceof Retain r) {
      out.append("{\"retain\":").append(r.count());
      attributes(out, r.attributes());
    } else if (value instanceof Delete d) {
      out.append("{\"delete\":").append(d.count()).append('}');
    } else if (value instanceof Embed e) {
      out.append('{');
      string(out, e.type());
      out.append(':');
      append(out, e.value());
      out.append('}');
    } else if (value instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (var e : m.entrySet()) {
        if (!first) out.append(',');
        first = false;
        string(out, (String) e.getKey());
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof List<?> l || value instanceof Delta) {
      Iterable<?> items = value instanceof Delta d ? d.ops() : (List<?>) value;
      out.append('[');
      boolean first = true;
      for (Object o : items) {
        if (!first) out.append(',');
        first = false;
        append(out, o);
      }
      out.append(']');
    } else if (value instanceof String s) {
      string(out, s);
    } else {
      out.append(value); // null, Boolean, Long, Double
    }
  }

  private static void attributes(StringBuilder out, Map<String, Object> attributes) {
    if (!attributes.isEmpty()) {
      out.append(",\"attributes\":");
      append(out, attributes);
    }
    out.append('}');
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    out.append('"');
  }
}
