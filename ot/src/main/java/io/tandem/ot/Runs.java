package io.tandem.ot;

import java.util.Arrays;
import java.util.Map;

/**
 * A growing list of formatted runs (inserts) that merges a run into the previous one when both
 * are text with equal attributes, as quill-delta's {@code push} merges inserts. The rope builds
 * every changed leaf with it.
 */
final class Runs {
  private Insert[] runs;
  private int size;
  private int length;

  Runs(int capacity) {
    runs = new Insert[Math.max(capacity, 2)];
  }

  static boolean mergeable(Insert a, Insert b) {
    return a.value() instanceof String && b.value() instanceof String && a.attributes().equals(b.attributes());
  }

  void add(Insert run) {
    length += run.length();
    if (size > 0 && mergeable(runs[size - 1], run)) {
      Insert last = runs[size - 1];
      runs[size - 1] = new Insert(last.text().concat(run.text()), last.attributes());
      return;
    }
    if (size == runs.length) runs = Arrays.copyOf(runs, size * 2);
    runs[size++] = run;
  }

  /** Adds {@code run}'s units {@code [from, to)}. */
  void add(Insert run, int from, int to) {
    if (from >= to) return;
    if (from == 0 && to == run.length()) add(run);
    else add(new Insert(run.text().substring(from, to), run.attributes()));
  }

  /** Adds {@code run}'s units {@code [from, to)} formatted with {@code format} (quill's compose onto an insert). */
  void addFormatted(Insert run, int from, int to, Map<String, Object> format) {
    if (from >= to) return;
    Map<String, Object> attributes = AttributeMap.compose(run.attributes(), format, false);
    if (from == 0 && to == run.length()) add(run.withAttributes(attributes));
    else add(new Insert(run.text().substring(from, to), attributes));
  }

  int length() {
    return length;
  }

  Insert[] toArray() {
    return size == runs.length ? runs : Arrays.copyOf(runs, size);
  }
}
