package io.tandem.ot;

import java.util.Map;

/** Keeps {@code count} units; with attributes, formats them (a {@code null} value removes one). */
public record Retain(int count, Map<String, Object> attributes) implements Op {

  public Retain {
    if (count <= 0) throw new IllegalArgumentException("retain count must be positive: " + count);
    attributes = AttributeMap.freeze(attributes);
  }

  public Retain(int count) {
    this(count, Map.of());
  }

  @Override
  public Kind kind() {
    return Kind.RETAIN;
  }

  @Override
  public int length() {
    return count;
  }

  @Override
  public String toString() {
    return Json.write(this);
  }
}
