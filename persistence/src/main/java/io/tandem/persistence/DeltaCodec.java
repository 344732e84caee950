package io.tandem.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import io.tandem.protocol.DeltaJson;
import java.io.IOException;

/**
 * A {@link Delta} inside a message between nodes (CBOR): written and read by the protocol's own
 * codec, so it crosses the wire in the exact shape clients send it, with the same strict checks.
 */
public final class DeltaCodec {

  private DeltaCodec() {}

  public static final class Writer extends JsonSerializer<Delta> {
    @Override
    public void serialize(Delta value, JsonGenerator g, SerializerProvider provider) throws IOException {
      DeltaJson.write(value, g);
    }
  }

  public static final class Reader extends JsonDeserializer<Delta> {
    @Override
    public Delta deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return DeltaJson.read(p);
      } catch (InvalidOpException e) {
        throw new IOException("a Delta between nodes does not read: " + e.getMessage(), e);
      }
    }
  }
}
