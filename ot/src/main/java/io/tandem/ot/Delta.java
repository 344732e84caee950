package io.tandem.ot;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A rich-text change, or a document (a delta of inserts only), with quill-delta's exact semantics.
 *
 * <p>A {@code Delta} is immutable and always canonical, as quill-delta's {@code push} and
 * {@code chop} make it: no empty components, neighbours with equal attributes merged, an insert
 * before a delete at the same place, and no trailing plain retain. Every way to build one goes
 * through {@link Builder}, so two deltas that mean the same are {@code equals}.
 *
 * <p>Lengths and positions count UTF-16 code units, as {@code int}: a delta longer than
 * {@code 2^31 - 1} units is out of range and throws {@link ArithmeticException} (the wire codec and
 * the validator keep ops far below that). An incoming op is checked against its document
 * by {@link OpValidator} before any of these functions see it: they trust their input.
 */
public final class Delta implements Iterable<Op> {

  private static final Op[] NO_OPS = {};
  public static final Delta EMPTY = new Delta(NO_OPS);

  private final Op[] ops;
  private int hash;

  private Delta(Op[] ops) {
    this.ops = ops;
  }

  public static Builder builder() {
    return new Builder(8);
  }

  /** The canonical form of {@code ops}. */
  public static Delta of(List<? extends Op> ops) {
    var b = new Builder(ops.size());
    for (Op op : ops) b.push(op);
    return b.build();
  }

  public static Delta of(Op... ops) {
    return of(Arrays.asList(ops));
  }

  /** A document, or an insert at index 0, of plain text. */
  public static Delta insert(String text) {
    return builder().insert(text).build();
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(Arrays.asList(ops));
  }

  public int size() {
    return ops.length;
  }

  public Op get(int index) {
    return ops[index];
  }

  @Override
  public Iterator<Op> iterator() {
    return ops().iterator();
  }

  public boolean isEmpty() {
    return ops.length == 0;
  }

  /** True when every component is an insert: this delta is a document. */
  public boolean isDocument() {
    for (Op op : ops) if (op.kind() != Op.Kind.INSERT) return false;
    return true;
  }

  /** The sum of the lengths of all components (quill-delta's {@code length()}). */
  public int length() {
    long n = 0;
    for (Op op : ops) n += op.length();
    return Math.toIntExact(n);
  }

  /** How much longer the document becomes: inserted minus deleted units. */
  public int changeLength() {
    long n = 0;
    for (Op op : ops) {
      switch (op.kind()) {
        case INSERT -> n += op.length();
        case DELETE -> n -= op.length();
        case RETAIN -> { }
      }
    }
    return Math.toIntExact(n);
  }

  /** This change followed by {@code other}, as one change; on a document, {@code other} applied to it. */
  public Delta compose(Delta other) {
    var left = new OpIterator(ops);
    var right = new OpIterator(other.ops);
    var out = new Builder(ops.length + other.ops.length);
    if (other.ops.length > 0 && other.ops[0] instanceof Retain first && first.attributes().isEmpty()) {
      // A leading plain retain keeps this delta's inserts as they are: take them whole.
      int left0 = first.count();
      while (left.peekKind() == Op.Kind.INSERT && left.peekLength() <= left0) {
        left0 -= left.peekLength();
        out.push(left.next());
      }
      if (first.count() - left0 > 0) right.skip(first.count() - left0);
    }
    while (left.hasNext() || right.hasNext()) {
      if (right.peekKind() == Op.Kind.INSERT) {
        out.push(right.next());
      } else if (left.peekKind() == Op.Kind.DELETE) {
        out.push(left.next());
      } else if (!right.hasNext()) {
        // The rest of other is a plain retain: the rest of this stays as it is.
        for (Op op : left.rest()) out.push(op);
        break;
      } else {
        int length = Math.min(left.peekLength(), right.peekLength());
        Op a = left.next(length);
        Op b = right.next(length);
        if (b.kind() == Op.Kind.RETAIN) {
          if (a instanceof Insert insert) {
            out.push(insert.withAttributes(AttributeMap.compose(a.attributes(), b.attributes(), false)));
          } else {
            out.retain(length, AttributeMap.compose(a.attributes(), b.attributes(), true));
          }
        } else if (a.kind() == Op.Kind.RETAIN) {
          out.push(b); // a delete of what this retained; a delete of what this inserted cancels out
        }
      }
    }
    return out.build();
  }

  /**
   * {@code other} rewritten to apply after this delta, both made on the same document.
   * {@code priority} true means this delta happened first: where both insert at one index, this
   * delta's text stays first.
   */
  public Delta transform(Delta other, boolean priority) {
    var mine = new OpIterator(ops);
    var theirs = new OpIterator(other.ops);
    var out = new Builder(ops.length + other.ops.length);
    while (mine.hasNext() || theirs.hasNext()) {
      if (mine.peekKind() == Op.Kind.INSERT && (priority || theirs.peekKind() != Op.Kind.INSERT)) {
        int length = mine.peekLength();
        mine.skip(length);
        out.retain(length);
      } else if (theirs.peekKind() == Op.Kind.INSERT) {
        out.push(theirs.next());
      } else {
        int length = Math.min(mine.peekLength(), theirs.peekLength());
        Op.Kind myKind = mine.peekKind();
        Map<String, Object> myAttributes = mine.peekAttributes();
        mine.skip(length);
        Op b = theirs.next(length);
        if (myKind == Op.Kind.DELETE) continue; // their delete is redundant, their retain is gone
        if (b.kind() == Op.Kind.DELETE) {
          out.push(b);
        } else {
          out.retain(length, AttributeMap.transform(myAttributes, b.attributes(), priority));
        }
      }
    }
    return out.build();
  }

  /** Where {@code index} lands after this delta; with priority an insert at index leaves it. */
  public int transformPosition(int index, boolean priority) {
    var it = new OpIterator(ops);
    long at = index;
    long offset = 0;
    while (it.hasNext() && offset <= at) {
      int length = it.peekLength();
      Op.Kind kind = it.peekKind();
      it.skip(length);
      switch (kind) {
        case DELETE -> {
          at -= Math.min(length, at - offset);
          continue;
        }
        case INSERT -> {
          if (offset < at || !priority) at += length;
        }
        case RETAIN -> { }
      }
      offset += length;
    }
    return Math.toIntExact(at);
  }

  /** The change that undoes this one, made against the document {@code base} it applied to. */
  public Delta invert(Delta base) {
    var it = new OpIterator(base.ops);
    int[] walked = {0}; // how far it has gone over base; invert only asks for later ranges
    return invert((from, to, action) -> {
      it.skip(from - walked[0]);
      for (int left = to - from; left > 0 && it.hasNext(); ) {
        Op piece = it.next(left);
        left -= piece.length();
        action.accept(piece);
      }
      walked[0] = to;
    });
  }

  /** Reads the base document of {@link #invert(Base)}: its pieces covering {@code [from, to)}, in order. */
  interface Base {
    void forEach(int from, int to, java.util.function.Consumer<Op> action);
  }

  /** quill-delta's invert over any base; ranges are asked for in increasing order. */
  Delta invert(Base base) {
    int baseIndex = 0;
    var out = builder();
    for (Op op : ops) {
      int length = op.length();
      switch (op.kind()) {
        case INSERT -> out.delete(length);
        case RETAIN -> {
          if (op.attributes().isEmpty()) {
            out.retain(length);
          } else {
            base.forEach(baseIndex, baseIndex + length,
                piece -> out.retain(piece.length(), AttributeMap.invert(op.attributes(), piece.attributes())));
          }
          baseIndex += length;
        }
        case DELETE -> {
          base.forEach(baseIndex, baseIndex + length, out::push);
          baseIndex += length;
        }
      }
    }
    return out.build();
  }

  /** The components covering {@code [start, end)} of this delta. */
  public Delta slice(int start, int end) {
    var it = new OpIterator(ops);
    var out = builder();
    int index = 0;
    while (index < end && it.hasNext()) {
      if (index < start) {
        int length = Math.min(start - index, it.peekLength());
        it.skip(length);
        index += length;
      } else {
        Op piece = it.next(end - index);
        out.push(piece);
        index += piece.length();
      }
    }
    return out.build();
  }

  public Delta slice(int start) {
    return slice(start, OpIterator.ENDLESS);
  }

  /** This delta's components followed by {@code other}'s. */
  public Delta concat(Delta other) {
    if (other.ops.length == 0) return this;
    if (ops.length == 0) return other;
    var out = new Builder(ops.length + other.ops.length);
    for (Op op : ops) out.push(op);
    for (Op op : other.ops) out.push(op);
    return out.build();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Delta d && Arrays.equals(ops, d.ops));
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) hash = h = Arrays.hashCode(ops);
    return h;
  }

  /** The JSON Quill writes: {@code [{"insert":"Hi","attributes":{"bold":true}}]}. */
  @Override
  public String toString() {
    return Json.write(this);
  }

  /**
   * Builds a canonical delta exactly as quill-delta's {@code insert}, {@code retain},
   * {@code delete} and {@code push} do; {@link #build()} chops a trailing plain retain.
   * Empty or non-positive parts are dropped, as quill-delta drops them.
   */
  public static final class Builder {
    /** Below this length merged text is concatenated at once; above, its pieces are kept to join once. */
    private static final int SMALL_TEXT = 64;

    private Op[] ops;
    private int size;
    /**
     * The pieces of the text of {@code ops[textSlot]}, whose own text is stale while this is set:
     * merged text is joined once, at its exact length, however many pieces it gets.
     */
    private java.util.ArrayList<String> pieces;
    private int piecesLength;
    private int textSlot = -1;

    Builder(int capacity) {
      ops = new Op[Math.max(capacity, 4)];
    }

    public Builder insert(String text) {
      return insert(text, Map.of());
    }

    public Builder insert(String text, Map<String, ?> attributes) {
      if (text.isEmpty()) return this;
      return push(new Insert(text, AttributeMap.freeze(attributes)));
    }

    public Builder insert(Embed embed, Map<String, ?> attributes) {
      return push(new Insert(embed, AttributeMap.freeze(attributes)));
    }

    public Builder retain(int count) {
      return count <= 0 ? this : push(new Retain(count));
    }

    public Builder retain(int count, Map<String, ?> attributes) {
      return count <= 0 ? this : push(new Retain(count, AttributeMap.freeze(attributes)));
    }

    public Builder delete(int count) {
      return count <= 0 ? this : push(new Delete(count));
    }

    /** Appends {@code op}, merging it with its neighbour as quill-delta's {@code push} does. */
    public Builder push(Op op) {
      int index = size;
      if (index > 0) {
        Op last = ops[index - 1];
        if (op instanceof Delete d) {
          if (last instanceof Delete lastDelete) {
            ops[index - 1] = new Delete(Math.addExact(lastDelete.count(), d.count()));
            return this;
          }
        } else if (op instanceof Insert && last instanceof Delete) {
          // An insert and a delete at one index: either order is right, so inserts go first.
          index--;
          if (index == 0) {
            add(0, op);
            return this;
          }
          last = ops[index - 1];
        }
        if (op.attributes().equals(last.attributes())) {
          if (op instanceof Insert insert && insert.value() instanceof String s
              && last instanceof Insert lastInsert && lastInsert.value() instanceof String) {
            appendText(index - 1, s);
            return this;
          }
          if (op instanceof Retain r && last instanceof Retain lastRetain) {
            ops[index - 1] = new Retain(Math.addExact(lastRetain.count(), r.count()), lastRetain.attributes());
            return this;
          }
        }
      }
      add(index, op);
      return this;
    }

    public Delta build() {
      flushText();
      int n = size;
      if (n > 0 && ops[n - 1] instanceof Retain r && r.attributes().isEmpty()) n--; // chop
      return n == 0 ? EMPTY : new Delta(Arrays.copyOf(ops, n));
    }

    private void add(int index, Op op) {
      if (size == ops.length) ops = Arrays.copyOf(ops, size * 2);
      if (index < size) System.arraycopy(ops, index, ops, index + 1, size - index);
      ops[index] = op;
      size++;
      // Only an insert before a trailing delete lands before the end, and so after any buffered
      // text; the shift keeps the buffer's slot right without leaning on that.
      if (textSlot >= index) textSlot++;
    }

    private void appendText(int slot, String s) {
      if (slot == textSlot) {
        pieces.add(s);
        piecesLength += s.length();
        return;
      }
      Insert last = (Insert) ops[slot];
      String head = last.text();
      if (head.length() + s.length() <= SMALL_TEXT) {
        ops[slot] = new Insert(head.concat(s), last.attributes());
        return;
      }
      flushText();
      pieces = new java.util.ArrayList<>(4);
      pieces.add(head);
      pieces.add(s);
      piecesLength = head.length() + s.length();
      textSlot = slot;
    }

    private void flushText() {
      if (textSlot < 0) return;
      String text;
      if (pieces.size() == 2) {
        text = pieces.get(0).concat(pieces.get(1));
      } else {
        var joined = new StringBuilder(piecesLength);
        for (String piece : pieces) joined.append(piece);
        text = joined.toString();
      }
      ops[textSlot] = new Insert(text, ops[textSlot].attributes());
      pieces = null;
      textSlot = -1;
    }
  }
}
