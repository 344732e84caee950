package io.tandem.ot;

import java.util.Arrays;
import java.util.Map;

/**
 * Walks a delta's components, cutting them into pieces of a requested length. Past its end it
 * yields an endless plain retain, so that compose, transform and invert are each one loop.
 */
final class OpIterator {

  /** The length of the endless retain past the end: JavaScript's {@code Infinity} in quill-delta. */
  static final int ENDLESS = Integer.MAX_VALUE;
  private static final Retain ENDLESS_RETAIN = new Retain(ENDLESS);

  private final Op[] ops;
  private int index;
  private int offset;

  OpIterator(Op[] ops) {
    this.ops = ops;
  }

  boolean hasNext() {
    return index < ops.length;
  }

  int peekLength() {
    return index < ops.length ? ops[index].length() - offset : ENDLESS;
  }

  Op.Kind peekKind() {
    return index < ops.length ? ops[index].kind() : Op.Kind.RETAIN;
  }

  Map<String, Object> peekAttributes() {
    return index < ops.length ? ops[index].attributes() : Map.of();
  }

  /** The rest of the current component. */
  Op next() {
    return next(ENDLESS);
  }

  /** At most {@code length} units of the current component; a whole component is returned as is. */
  Op next(int length) {
    if (index >= ops.length) return ENDLESS_RETAIN;
    Op op = ops[index];
    int start = offset;
    int available = op.length() - start;
    int take;
    if (length >= available) {
      take = available;
      index++;
      offset = 0;
      if (start == 0) return op;
    } else {
      take = length;
      offset += length;
    }
    return switch (op.kind()) {
      case DELETE -> new Delete(take);
      case RETAIN -> new Retain(take, op.attributes());
      case INSERT -> {
        Insert insert = (Insert) op;
        yield insert.isEmbed() ? insert
            : new Insert(insert.text().substring(start, start + take), insert.attributes());
      }
    };
  }

  /** Moves past {@code length} units without making a piece. */
  void skip(int length) {
    while (length > 0 && index < ops.length) {
      int available = ops[index].length() - offset;
      if (length >= available) {
        length -= available;
        index++;
        offset = 0;
      } else {
        offset += length;
        length = 0;
      }
    }
  }

  /** Everything not yet taken, the current component's remainder first. */
  Op[] rest() {
    if (index >= ops.length) return new Op[0];
    if (offset == 0) return Arrays.copyOfRange(ops, index, ops.length);
    int savedIndex = index;
    int savedOffset = offset;
    Op head = next();
    Op[] rest = new Op[ops.length - savedIndex];
    rest[0] = head;
    System.arraycopy(ops, savedIndex + 1, rest, 1, rest.length - 1);
    index = savedIndex;
    offset = savedOffset;
    return rest;
  }
}
