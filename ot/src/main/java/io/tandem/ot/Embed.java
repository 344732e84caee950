package io.tandem.ot;

import java.util.Objects;

/**
 * A non-text insert of length 1, such as an image: on the wire a JSON object with exactly one key,
 * {@code {"image": "/v1/blobs/…"}}. {@code value} is any JSON value, frozen like an attribute
 * value (strings, booleans, numbers, null, lists and maps). Embeds never merge with neighbours.
 */
public record Embed(String type, Object value) {

  public Embed {
    Objects.requireNonNull(type, "type");
    if (type.isEmpty()) throw new IllegalArgumentException("an embed needs a type");
    value = AttributeMap.freezeValue(value);
  }

  @Override
  public String toString() {
    return Json.write(this);
  }
}
