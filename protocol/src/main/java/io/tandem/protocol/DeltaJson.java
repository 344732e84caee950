package io.tandem.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.tandem.ot.Delete;
import io.tandem.ot.Delta;
import io.tandem.ot.Embed;
import io.tandem.ot.Insert;
import io.tandem.ot.InvalidOpException;
import io.tandem.ot.InvalidOpException.Reason;
import io.tandem.ot.Op;
import io.tandem.ot.OpValidator;
import io.tandem.ot.Retain;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The wire form of a {@link Delta}: the JSON array Quill writes,
 * {@code [{"insert":"Hi","attributes":{"bold":true}},{"retain":5},{"delete":3}]}.
 *
 * <p>Reading is strict, as an edge must be: every refusal is an {@link InvalidOpException} with a
 * precise message, never an unchecked crash. A component is an object with exactly one of
 * {@code insert} (non-empty string, or an embed object of exactly one key), {@code retain} or
 * {@code delete} (positive integers; {@code 5.0} reads as 5, as in JavaScript); {@code attributes}
 * is an object or {@code null}, on inserts and retains only; unknown fields are ignored. Every
 * string must be well-formed UTF-16, so whatever was read can be written back as UTF-8. What is
 * read is normalized to canonical form; what is written is canonical.
 */
public final class DeltaJson {

  /** How deep an attribute or embed value may nest (a map in a list in a map is 3). */
  public static final int MAX_VALUE_DEPTH = 16;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_VALUE_DEPTH + 8).build())
      .build();

  private DeltaJson() {}

  /** The delta in {@code json}, a JSON array of components. */
  public static Delta parse(String json) throws InvalidOpException {
    try (JsonParser p = FACTORY.createParser(json)) {
      p.nextToken();
      Delta delta = read(p);
      if (p.nextToken() != null) throw malformed("unexpected content after the op's closing bracket");
      return delta;
    } catch (JsonProcessingException e) {
      throw malformed("not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  /**
   * Reads the delta at the parser's current token, which must start it ({@code START_ARRAY});
   * leaves the parser on the closing {@code END_ARRAY}. For codecs of messages that hold an op.
   */
  public static Delta read(JsonParser p) throws InvalidOpException, IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw malformed("an op is a JSON array of components, not " + describe(p.currentToken()));
    }
    var b = Delta.builder();
    long total = 0;
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      Op op = readComponent(p, index++);
      total += op.length();
      if (total > Integer.MAX_VALUE) throw new InvalidOpException(Reason.OP_TOO_LARGE, "the op is longer than 2^31 units");
      b.push(op);
    }
    return b.build();
  }

  private static Op readComponent(JsonParser p, int index) throws InvalidOpException, IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw malformed("component " + index + " is " + describe(p.currentToken()) + ", not an object");
    }
    Object insert = null;
    long retain = 0;
    long delete = 0;
    int kinds = 0;
    Map<String, Object> attributes = Map.of();
    boolean hasAttributes = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "insert" -> {
          kinds++;
          insert = readInsert(p, value, index);
        }
        case "retain" -> {
          kinds++;
          retain = readCount(p, value, index, "retain");
        }
        case "delete" -> {
          kinds++;
          delete = readCount(p, value, index, "delete");
        }
        case "attributes" -> {
          if (value == JsonToken.START_OBJECT) {
            attributes = readObject(p, 1, index);
            hasAttributes = !attributes.isEmpty();
          } else if (value != JsonToken.VALUE_NULL) {
            throw malformed("component " + index + ": attributes must be an object, not " + describe(value));
          }
        }
        default -> p.skipChildren(); // unknown fields are ignored (PROTOCOL.md)
      }
    }
    if (kinds != 1) {
      throw malformed("component " + index + " must have exactly one of insert, retain or delete; it has " + kinds);
    }
    if (insert != null) return insert instanceof String s ? new Insert(s, attributes) : new Insert((Embed) insert, attributes);
    if (retain > 0) return new Retain((int) retain, attributes);
    if (hasAttributes) throw malformed("component " + index + ": a delete carries no attributes");
    return new Delete((int) delete);
  }

  private static Object readInsert(JsonParser p, JsonToken value, int index) throws InvalidOpException, IOException {
    if (value == JsonToken.VALUE_STRING) {
      String text = p.getText();
      if (text.isEmpty()) throw new InvalidOpException(Reason.NON_POSITIVE_COUNT, "component " + index + " inserts no text");
      OpValidator.checkWellFormed(text, index);
      return text;
    }
    if (value == JsonToken.START_OBJECT) {
      Map<String, Object> embed = readObject(p, 1, index);
      if (embed.size() != 1) {
        throw malformed("component " + index + ": an embed is an object with exactly one key, not " + embed.size());
      }
      var e = embed.entrySet().iterator().next();
      if (e.getKey().isEmpty()) throw malformed("component " + index + ": an embed's key is its type and cannot be empty");
      return new Embed(e.getKey(), e.getValue());
    }
    throw malformed("component " + index + ": insert must be a string or an embed object, not " + describe(value));
  }

  private static long readCount(JsonParser p, JsonToken value, int index, String kind)
      throws InvalidOpException, IOException {
    double count;
    if (value == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        count = p.getBigIntegerValue().signum() > 0 ? Double.POSITIVE_INFINITY : -1;
      } else {
        count = p.getLongValue();
      }
    } else if (value == JsonToken.VALUE_NUMBER_FLOAT) {
      count = p.getDoubleValue();
      if (count != Math.rint(count)) throw malformed("component " + index + ": " + kind + " count must be a whole number");
    } else {
      throw malformed("component " + index + ": " + kind + " must be a number, not " + describe(value));
    }
    if (count <= 0) {
      throw new InvalidOpException(Reason.NON_POSITIVE_COUNT, "component " + index + ": " + kind + " count must be positive");
    }
    if (count > Integer.MAX_VALUE) {
      throw new InvalidOpException(Reason.OP_TOO_LARGE, "component " + index + ": " + kind + " count is too large");
    }
    return (long) count;
  }

  /** A JSON object's members, the parser on its START_OBJECT; leaves it on END_OBJECT. */
  private static Map<String, Object> readObject(JsonParser p, int depth, int index)
      throws InvalidOpException, IOException {
    var out = new LinkedHashMap<String, Object>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      OpValidator.checkWellFormed(key, index);
      out.put(key, readValue(p, p.nextToken(), depth, index));
    }
    return out;
  }

  private static Object readValue(JsonParser p, JsonToken token, int depth, int index)
      throws InvalidOpException, IOException {
    switch (token) {
      case VALUE_STRING -> {
        String s = p.getText();
        OpValidator.checkWellFormed(s, index);
        return s;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          return p.getLongValue();
        }
        double d = p.getDoubleValue();
        if (Double.isInfinite(d)) throw malformed("component " + index + ": a number too large for a double");
        return d;
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      case START_OBJECT, START_ARRAY -> {
        if (depth >= MAX_VALUE_DEPTH) {
          throw new InvalidOpException(Reason.OP_TOO_LARGE,
              "component " + index + ": attribute or embed values nest deeper than " + MAX_VALUE_DEPTH);
        }
        if (token == JsonToken.START_OBJECT) return readObject(p, depth + 1, index);
        var list = new ArrayList<Object>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) list.add(readValue(p, t, depth + 1, index));
        return list;
      }
      default -> throw malformed("component " + index + ": unexpected " + describe(token));
    }
  }

  /** The JSON Quill writes for {@code delta}. */
  public static String write(Delta delta) {
    var out = new StringWriter(16 + delta.size() * 24);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(delta, g);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a StringWriter does no I/O
    }
    return out.toString();
  }

  /** Writes {@code delta} as a JSON array at the generator's position. */
  public static void write(Delta delta, JsonGenerator g) throws IOException {
    g.writeStartArray();
    for (Op op : delta) {
      g.writeStartObject();
      switch (op.kind()) {
        case INSERT -> {
          g.writeFieldName("insert");
          if (((Insert) op).value() instanceof Embed e) {
            g.writeStartObject();
            g.writeFieldName(e.type());
            writeValue(e.value(), g);
            g.writeEndObject();
          } else {
            g.writeString(((Insert) op).text());
          }
        }
        case RETAIN -> g.writeNumberField("retain", op.length());
        case DELETE -> g.writeNumberField("delete", op.length());
      }
      if (!op.attributes().isEmpty()) {
        g.writeFieldName("attributes");
        writeValue(op.attributes(), g);
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void writeValue(Object value, JsonGenerator g) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Long l) {
      g.writeNumber(l);
    } else if (value instanceof Double d) {
      if (d == Math.rint(d) && Math.abs(d) < 1e21) {
        g.writeNumber(new java.math.BigDecimal(d).toPlainString()); // as JavaScript writes 1e20: digits
      } else {
        g.writeNumber(d);
      }
    } else if (value instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (var e : m.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeValue(e.getValue(), g);
      }
      g.writeEndObject();
    } else if (value instanceof List<?> l) {
      g.writeStartArray();
      for (Object o : l) writeValue(o, g);
      g.writeEndArray();
    } else {
      throw new IllegalStateException("not a frozen JSON value: " + value.getClass()); // AttributeMap.freeze admits none
    }
  }

  private static InvalidOpException malformed(String message) {
    return new InvalidOpException(Reason.MALFORMED, message);
  }

  private static String describe(JsonToken token) {
    if (token == null) return "nothing";
    return switch (token) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }
}
