package io.tandem.ot;

/**
 * An op that cannot be applied, with the rule it broke. The server answers it with the protocol's
 * {@code invalid_op}, or {@code too_large} for {@link Reason#DOCUMENT_TOO_LARGE} and
 * {@link Reason#OP_TOO_LARGE}; either way nothing is applied.
 */
public final class InvalidOpException extends Exception {

  /** Which rule an op broke. */
  public enum Reason {
    /** Not an op at all: not a JSON array of components, or a component of no known shape. */
    MALFORMED,
    /** A retain or delete count, or an insert, of zero or less. */
    NON_POSITIVE_COUNT,
    /** A retain or delete that reaches past the end of the document. */
    PAST_END,
    /** A boundary of the op falls between the two halves of a surrogate pair. */
    SPLITS_SURROGATE_PAIR,
    /** Inserted text holds a lone surrogate (not well-formed UTF-16). */
    LONE_SURROGATE,
    /** More components, or deeper attribute values, than the limits allow. */
    OP_TOO_LARGE,
    /** The document would be longer than the limit. */
    DOCUMENT_TOO_LARGE
  }

  private final Reason reason;

  public InvalidOpException(Reason reason, String message) {
    super(message, null, false, false); // a refusal, not a bug: no stack trace to fill
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "InvalidOpException(" + reason + "): " + getMessage();
  }
}
