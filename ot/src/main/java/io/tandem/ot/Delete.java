package io.tandem.ot;

import java.util.Map;

/** Removes {@code count} units. */
public record Delete(int count) implements Op {

  public Delete {
    if (count <= 0) throw new IllegalArgumentException("delete count must be positive: " + count);
  }

  @Override
  public Kind kind() {
    return Kind.DELETE;
  }

  @Override
  public int length() {
    return count;
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of();
  }

  @Override
  public String toString() {
    return Json.write(this);
  }
}
