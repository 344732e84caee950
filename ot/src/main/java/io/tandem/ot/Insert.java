package io.tandem.ot;

import java.util.Map;
import java.util.Objects;

/**
 * Inserts text or one embed. {@code value} is a non-empty {@link String} or an {@link Embed}
 * (length 1). Attributes are frozen on construction; an insert may carry a {@code null}-valued
 * attribute, as quill-delta allows, and keeps it verbatim.
 */
public record Insert(Object value, Map<String, Object> attributes) implements Op {

  public Insert {
    Objects.requireNonNull(value, "value");
    if (value instanceof String s) {
      if (s.isEmpty()) throw new IllegalArgumentException("an insert of no text");
    } else if (!(value instanceof Embed)) {
      throw new IllegalArgumentException("an insert holds a String or an Embed, not " + value.getClass());
    }
    attributes = AttributeMap.freeze(attributes);
  }

  public Insert(String text) {
    this(text, Map.of());
  }

  public Insert(Embed embed) {
    this(embed, Map.of());
  }

  public boolean isEmbed() {
    return value instanceof Embed;
  }

  /** The inserted text; throws for an embed. */
  public String text() {
    if (value instanceof String s) return s;
    throw new IllegalStateException("an embed has no text: " + value);
  }

  /** The inserted embed; throws for text. */
  public Embed embed() {
    if (value instanceof Embed e) return e;
    throw new IllegalStateException("a text insert has no embed");
  }

  /** Other text with the same attributes. */
  Insert withText(String text) {
    return new Insert(text, attributes);
  }

  /** The same content with other attributes. */
  public Insert withAttributes(Map<String, Object> attributes) {
    return attributes == this.attributes ? this : new Insert(value, attributes);
  }

  @Override
  public Kind kind() {
    return Kind.INSERT;
  }

  @Override
  public int length() {
    return value instanceof String s ? s.length() : 1;
  }

  @Override
  public String toString() {
    return Json.write(this);
  }
}
