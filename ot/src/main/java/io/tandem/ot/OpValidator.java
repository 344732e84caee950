package io.tandem.ot;

/**
 * Checks an incoming op against the document it is about to apply to; the edge calls it before
 * anything else touches the op, and the core trusts what passed.
 *
 * <p>Rules, each with its own {@link InvalidOpException.Reason}: no retain or delete past the end;
 * no boundary of the op (where a retain, insert or delete starts or ends) between the two halves
 * of a surrogate pair of the document; inserted text well-formed UTF-16; at most
 * {@code maxComponents} components; a resulting document of at most {@code maxDocumentLength}
 * units. Counts are positive by construction of {@link Op}; the wire codec refuses the others.
 */
public final class OpValidator {

  /** The protocol's defaults: documents up to 10 Mi UTF-16 units, ops up to 100,000 components. */
  public static final OpValidator DEFAULT = new OpValidator(10 * 1024 * 1024, 100_000);

  private final int maxDocumentLength;
  private final int maxComponents;

  public OpValidator(int maxDocumentLength, int maxComponents) {
    if (maxDocumentLength <= 0 || maxComponents <= 0) throw new IllegalArgumentException("limits must be positive");
    this.maxDocumentLength = maxDocumentLength;
    this.maxComponents = maxComponents;
  }

  public int maxDocumentLength() {
    return maxDocumentLength;
  }

  public int maxComponents() {
    return maxComponents;
  }

  /** Throws unless {@code op} applies cleanly to {@code document}. */
  public void check(Delta op, Rope document) throws InvalidOpException {
    if (op.size() > maxComponents) {
      throw new InvalidOpException(InvalidOpException.Reason.OP_TOO_LARGE,
          "the op has " + op.size() + " components, more than the limit of " + maxComponents);
    }
    int length = document.length();
    long pos = 0;
    for (int i = 0; i < op.size(); i++) {
      Op c = op.get(i);
      checkBoundary(document, (int) pos, i);
      switch (c.kind()) {
        case INSERT -> {
          if (c instanceof Insert insert && insert.value() instanceof String s) checkWellFormed(s, i);
        }
        case RETAIN, DELETE -> {
          if (pos + c.length() > length) {
            throw new InvalidOpException(InvalidOpException.Reason.PAST_END, "component " + i + " ("
                + c.kind().name().toLowerCase() + " " + c.length() + " at " + pos
                + ") reaches past the end of the document (length " + length + ")");
          }
          pos += c.length();
          checkBoundary(document, (int) pos, i);
        }
      }
    }
    long result = (long) length + op.changeLength();
    if (result > maxDocumentLength) {
      throw new InvalidOpException(InvalidOpException.Reason.DOCUMENT_TOO_LARGE,
          "the document would be " + result + " units long, more than the limit of " + maxDocumentLength);
    }
  }

  private static void checkBoundary(Rope document, int pos, int component) throws InvalidOpException {
    if (pos > 0 && pos < document.length()
        && Character.isHighSurrogate(document.charAt(pos - 1)) && Character.isLowSurrogate(document.charAt(pos))) {
      throw new InvalidOpException(InvalidOpException.Reason.SPLITS_SURROGATE_PAIR,
          "component " + component + " starts or ends at " + pos + ", inside a surrogate pair");
    }
  }

  /** Throws if {@code text} holds a lone surrogate. */
  public static void checkWellFormed(String text, int component) throws InvalidOpException {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      throw new InvalidOpException(InvalidOpException.Reason.LONE_SURROGATE,
          "component " + component + " inserts a lone surrogate at offset " + i);
    }
  }
}
