package io.tandem.ot;

import java.util.Map;

/**
 * One component of a {@link Delta}: an {@link Insert}, a {@link Retain} or a {@link Delete}.
 *
 * <p>Lengths count UTF-16 code units, as Java strings and browsers do. {@link #attributes()} is
 * never null: an empty map means "no attributes" (Quill's {@code undefined}); a key mapped to
 * {@code null} removes that format when composed.
 */
public sealed interface Op permits Insert, Retain, Delete {

  /** The component's kind, for exhaustive {@code switch} expressions (Java 17 checks enums). */
  enum Kind { INSERT, RETAIN, DELETE }

  Kind kind();

  /** Length in UTF-16 code units; an embed counts 1. Always positive. */
  int length();

  /** The formats this component carries; empty for none, always empty for a delete. */
  Map<String, Object> attributes();
}
