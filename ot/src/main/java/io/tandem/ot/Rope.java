package io.tandem.ot;

import java.util.ArrayList;
import java.util.Map;

/**
 * A document held for the server: immutable, with edits in O(log n) that never copy the text.
 *
 * <p>Why a persistent B+ tree of formatted runs: the document entity applies every op to its
 * document and keeps the result as actor state that snapshots serialize in the background, and
 * history keeps many versions; so the document must be immutable, and an edit must cost what it
 * touches, not what the document holds. Path copying gives both: one small op copies one leaf
 * (at most {@value RopeNode#MAX_LEAF} units) and the branches above it (fan-out
 * {@value RopeNode#MAX_CHILDREN}, so 3 or 4 of them for 10 MiB), and old versions share the rest.
 * Leaves hold runs of text with their attributes, so formats cost nothing for plain text and
 * stay exact for rich text; a piece table would need its own index over formats, and a
 * plain-text rope would lose them.
 *
 * <p>{@link #apply(Delta)} has quill-delta's meaning of {@code document.compose(op)}, and
 * {@link #toDelta()} reads back exactly the canonical delta that compose would give. Ops are
 * expected to have passed {@link OpValidator} against this document; one that does not fit
 * throws {@link IllegalArgumentException}.
 */
public final class Rope {

  /** What {@link #charAt} reads for an embed: U+FFFC OBJECT REPLACEMENT CHARACTER. */
  public static final char EMBED_CHAR = '\uFFFC';

  public static final Rope EMPTY = new Rope(RopeNode.EMPTY);

  private final RopeNode root;

  private Rope(RopeNode root) {
    this.root = root;
  }

  /** The document {@code content}, a delta of inserts only. */
  public static Rope of(Delta content) {
    var runs = new ArrayList<Insert>(content.size());
    for (Op op : content) {
      if (!(op instanceof Insert insert)) throw new IllegalArgumentException("a document holds inserts only: " + op);
      runs.add(insert);
    }
    return new Rope(RopeNode.build(runs));
  }

  /** Length in UTF-16 code units; an embed counts 1. */
  public int length() {
    return root.length;
  }

  /** The unit at {@code index}; {@link #EMBED_CHAR} for an embed. */
  public char charAt(int index) {
    if (index < 0 || index >= root.length) throw new IndexOutOfBoundsException(index);
    return root.charAt(index);
  }

  /** This document with {@code op} applied: quill-delta's {@code toDelta().compose(op)}. */
  public Rope apply(Delta op) {
    RopeNode node = root;
    int pos = 0;
    for (int i = 0, n = op.size(); i < n; i++) {
      Op c = op.get(i);
      int length = c.length();
      switch (c.kind()) {
        case RETAIN -> {
          requireWithin(node, pos, length, c);
          if (!c.attributes().isEmpty()) node = node.format(pos, pos + length, c.attributes());
          pos += length;
        }
        case INSERT -> {
          requireWithin(node, pos, 0, c);
          node = RopeNode.root(node.insert(pos, (Insert) c));
          pos += length;
        }
        case DELETE -> {
          requireWithin(node, pos, length, c);
          node = pos == 0 && length == node.length ? RopeNode.EMPTY : node.delete(pos, pos + length);
          while (node instanceof RopeNode.Branch b && b.children.length == 1) node = b.children[0];
        }
      }
    }
    return node == root ? this : new Rope(node);
  }

  private static void requireWithin(RopeNode node, int pos, int length, Op c) {
    if (length > node.length - pos) {
      throw new IllegalArgumentException(c + " at " + pos + " reaches past the end " + node.length);
    }
  }

  /** The op that undoes {@code op}, which applied to this document: {@code op.invert(toDelta())}. */
  public Delta invert(Delta op) {
    return op.invert((from, to, action) -> root.forEach(from, Math.min(to, root.length), action::accept));
  }

  /** The document as a canonical delta of inserts. */
  public Delta toDelta() {
    return slice(0, root.length);
  }

  /** The content of {@code [from, to)} as a canonical delta of inserts. */
  public Delta slice(int from, int to) {
    if (from < 0 || to > root.length || from > to) {
      throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + root.length);
    }
    var out = Delta.builder();
    root.forEach(from, to, out::push);
    return out.build();
  }

  /** The text, with {@link #EMBED_CHAR} for each embed. */
  public String text() {
    var out = new StringBuilder(root.length);
    root.forEach(0, root.length, run -> {
      if (run.value() instanceof String s) out.append(s);
      else out.append(EMBED_CHAR);
    });
    return out.toString();
  }

  /** The attributes at {@code index}, for tests and tools. */
  public Map<String, Object> attributesAt(int index) {
    var found = new ArrayList<Map<String, Object>>(1);
    root.forEach(index, index + 1, run -> found.add(run.attributes()));
    if (found.isEmpty()) throw new IndexOutOfBoundsException(index);
    return found.get(0);
  }

  /** The tree itself, for the invariant checks of the tests. */
  RopeNode root() {
    return root;
  }

  /** Equal when the documents are: same text, same formats. O(n): it reads both documents. */
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Rope r && r.length() == length() && r.toDelta().equals(toDelta()));
  }

  /** O(n): it reads the document. */
  @Override
  public int hashCode() {
    return toDelta().hashCode();
  }

  @Override
  public String toString() {
    return root.length <= 200 ? toDelta().toString() : "Rope(" + root.length + " units)";
  }
}
