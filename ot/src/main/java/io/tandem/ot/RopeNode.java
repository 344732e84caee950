package io.tandem.ot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The nodes of {@link Rope}: a persistent B+ tree whose leaves hold formatted runs. Every function
 * here returns new nodes and never changes one: an edit copies one path, O(log n).
 *
 * <p>Invariants (checked by {@code RopeProperties}): every leaf is at the same depth; a leaf holds at
 * most {@link #MAX_LEAF} units and its neighbouring runs are not mergeable; a branch holds 1 to
 * {@link #MAX_CHILDREN} children, each non-empty, and their lengths; only the root may be empty.
 * Nodes below {@link #MIN_LEAF} units or {@link #MIN_CHILDREN} children are merged with a sibling
 * after a delete, so the tree stays shallow for what it holds.
 */
abstract sealed class RopeNode permits RopeNode.Leaf, RopeNode.Branch {
  static final int MAX_LEAF = 512;
  static final int MIN_LEAF = MAX_LEAF / 4;
  static final int MAX_CHILDREN = 32;
  static final int MIN_CHILDREN = MAX_CHILDREN / 4;

  static final Leaf EMPTY = new Leaf(new Insert[0], 0);

  final int length;

  RopeNode(int length) {
    this.length = length;
  }

  abstract int height();

  abstract boolean underfull();

  /** The nodes, all of this node's height, that hold this node's content with {@code run} inserted at {@code pos}. */
  abstract RopeNode[] insert(int pos, Insert run);

  /** This node without {@code [from, to)}, which is part of it but not all of it. */
  abstract RopeNode delete(int from, int to);

  /** This node with {@code [from, to)} formatted by {@code format}. */
  abstract RopeNode format(int from, int to, Map<String, Object> format);

  /** Calls {@code action} with the runs, or pieces of runs, covering {@code [from, to)}, in order. */
  abstract void forEach(int from, int to, Consumer<Insert> action);

  abstract char charAt(int index);

  /**
   * A tree holding {@code runs} (a document's inserts, in order), built bottom-up with nodes
   * three quarters full, so the first edits after loading do not split at once.
   */
  static RopeNode build(Iterable<Insert> runs) {
    final int leafFill = MAX_LEAF * 3 / 4;
    var leaves = new ArrayList<RopeNode>();
    var current = new Runs(8);
    for (Insert run : runs) {
      for (int from = 0; from < run.length(); ) {
        int take = Math.min(run.length() - from, leafFill - current.length());
        current.add(run, from, from + take);
        from += take;
        if (current.length() == leafFill) {
          leaves.add(new Leaf(current.toArray(), leafFill));
          current = new Runs(8);
        }
      }
    }
    if (current.length() > 0) leaves.add(new Leaf(current.toArray(), current.length()));
    RopeNode[] nodes = leaves.toArray(RopeNode[]::new);
    if (nodes.length == 0) return EMPTY;
    while (nodes.length > 1) nodes = branches(nodes, MAX_CHILDREN * 3 / 4);
    return nodes[0];
  }

  /** One node over {@code nodes}, all of one height: branches are added until one is left. */
  static RopeNode root(RopeNode[] nodes) {
    if (nodes.length == 0) return EMPTY;
    while (nodes.length > 1) nodes = branches(nodes);
    return nodes[0];
  }

  /** {@code nodes} grouped under as few branches as fit, evenly, so none is underfull but a lone one. */
  static RopeNode[] branches(RopeNode[] nodes) {
    return branches(nodes, MAX_CHILDREN);
  }

  private static RopeNode[] branches(RopeNode[] nodes, int fill) {
    int groups = (nodes.length + fill - 1) / fill;
    var out = new RopeNode[groups];
    int from = 0;
    for (int g = 0; g < groups; g++) {
      int to = from + (nodes.length - from) / (groups - g);
      out[g] = new Branch(Arrays.copyOfRange(nodes, from, to));
      from = to;
    }
    return out;
  }

  /** Two siblings as one node, or two balanced ones when they do not fit in one. */
  static RopeNode[] merge(RopeNode a, RopeNode b) {
    if (a instanceof Leaf x && b instanceof Leaf y) {
      var runs = new Runs(x.runs.length + y.runs.length);
      for (Insert r : x.runs) runs.add(r);
      for (Insert r : y.runs) runs.add(r);
      return Leaf.of(runs);
    }
    var x = (Branch) a;
    var y = (Branch) b;
    var kids = new ArrayList<RopeNode>(x.children.length + y.children.length);
    kids.addAll(Arrays.asList(x.children));
    int seam = kids.size();
    kids.addAll(Arrays.asList(y.children));
    if (kids.get(seam - 1).underfull() || kids.get(seam).underfull()) {
      RopeNode[] merged = merge(kids.get(seam - 1), kids.get(seam));
      kids.subList(seam - 1, seam + 1).clear();
      kids.addAll(seam - 1, Arrays.asList(merged));
    }
    return branches(kids.toArray(RopeNode[]::new));
  }

  static final class Leaf extends RopeNode {
    final Insert[] runs;

    Leaf(Insert[] runs, int length) {
      super(length);
      this.runs = runs;
    }

    /** Leaves of at most {@link #MAX_LEAF} units holding {@code runs}, cut evenly. */
    static RopeNode[] of(Runs runs) {
      int total = runs.length();
      Insert[] all = runs.toArray();
      if (total <= MAX_LEAF) return new RopeNode[] {new Leaf(all, total)};
      int pieces = (total + MAX_LEAF - 1) / MAX_LEAF;
      var out = new RopeNode[pieces];
      var current = new Runs(4);
      int made = 0;
      int target = total / pieces + (total % pieces > 0 ? 1 : 0);
      for (Insert run : all) {
        for (int from = 0; from < run.length(); ) {
          int take = Math.min(run.length() - from, target - current.length());
          current.add(run, from, from + take);
          from += take;
          if (current.length() == target) {
            out[made] = new Leaf(current.toArray(), target);
            current = new Runs(4);
            made++;
            if (made < pieces) target = total / pieces + (made < total % pieces ? 1 : 0);
          }
        }
      }
      return out;
    }

    private Leaf replace(int j, Insert run, int newLength) {
      Insert[] copy = runs.clone();
      copy[j] = run;
      return new Leaf(copy, newLength);
    }

    /** {@code s} with {@code count} units at {@code at} replaced by {@code insert}, in one copy. */
    private static String splice(String s, int at, int count, String insert) {
      return new StringBuilder(s.length() - count + insert.length())
          .append(s, 0, at).append(insert).append(s, at + count, s.length()).toString();
    }

    @Override int height() { return 0; }

    @Override boolean underfull() { return length < MIN_LEAF; }

    @Override
    RopeNode[] insert(int pos, Insert run) {
      if (length + run.length() <= MAX_LEAF && run.value() instanceof String text) {
        // Text typed into text of the same format: one new string, the other runs shared.
        int offset = 0;
        for (int j = 0; j < runs.length; j++) {
          Insert r = runs[j];
          int end = offset + r.length();
          if (pos <= end && Runs.mergeable(r, run)) {
            return new RopeNode[] {replace(j, r.withText(splice(r.text(), pos - offset, 0, text)), length + text.length())};
          }
          if (pos < end) break; // at a run's end, the next run may take it at its start
          offset = end;
        }
      }
      var out = new Runs(runs.length + 2);
      int offset = 0;
      boolean done = false;
      for (Insert r : runs) {
        int end = offset + r.length();
        if (!done && pos < end) {
          if (r.isEmbed() || pos == offset) {
            out.add(run);
            out.add(r);
          } else {
            out.add(r, 0, pos - offset);
            out.add(run);
            out.add(r, pos - offset, r.length());
          }
          done = true;
        } else {
          out.add(r);
        }
        offset = end;
      }
      if (!done) out.add(run);
      return Leaf.of(out);
    }

    @Override
    RopeNode delete(int from, int to) {
      int offset = 0;
      for (int j = 0; j < runs.length; j++) {
        Insert r = runs[j];
        int end = offset + r.length();
        if (from < end) {
          if (to < end || (to == end && from > offset)) {
            if (r.isEmbed()) break;
            // Within one run, which stays: one new string, the other runs shared.
            return replace(j, r.withText(splice(r.text(), from - offset, to - from, "")), length - (to - from));
          }
          break;
        }
        offset = end;
      }
      var out = new Runs(runs.length);
      offset = 0;
      for (Insert r : runs) {
        int end = offset + r.length();
        if (end <= from || offset >= to) {
          out.add(r);
        } else if (!r.isEmbed()) {
          out.add(r, 0, Math.max(from - offset, 0));
          out.add(r, Math.min(to - offset, r.length()), r.length());
        }
        offset = end;
      }
      return new Leaf(out.toArray(), out.length());
    }

    @Override
    RopeNode format(int from, int to, Map<String, Object> format) {
      var out = new Runs(runs.length + 2);
      int offset = 0;
      for (Insert r : runs) {
        int end = offset + r.length();
        if (end <= from || offset >= to) {
          out.add(r);
        } else if (r.isEmbed()) {
          out.add(r.withAttributes(AttributeMap.compose(r.attributes(), format, false)));
        } else {
          int a = Math.max(from - offset, 0);
          int b = Math.min(to - offset, r.length());
          out.add(r, 0, a);
          out.addFormatted(r, a, b, format);
          out.add(r, b, r.length());
        }
        offset = end;
      }
      return new Leaf(out.toArray(), length);
    }

    @Override
    void forEach(int from, int to, Consumer<Insert> action) {
      if (from >= to) return;
      int offset = 0;
      for (Insert r : runs) {
        int end = offset + r.length();
        if (end > from && offset < to) {
          if (offset >= from && end <= to) {
            action.accept(r);
          } else {
            int a = Math.max(from - offset, 0);
            int b = Math.min(to - offset, r.length());
            action.accept(new Insert(r.text().substring(a, b), r.attributes()));
          }
        }
        if (end >= to) return;
        offset = end;
      }
    }

    @Override
    char charAt(int index) {
      for (Insert r : runs) {
        if (index < r.length()) return r.value() instanceof String s ? s.charAt(index) : Rope.EMBED_CHAR;
        index -= r.length();
      }
      throw new IndexOutOfBoundsException();
    }
  }

  static final class Branch extends RopeNode {
    final RopeNode[] children;
    final int[] lengths;
    final int height;

    Branch(RopeNode[] children) {
      super(sum(children));
      this.children = children;
      this.lengths = new int[children.length];
      for (int i = 0; i < children.length; i++) lengths[i] = children[i].length;
      this.height = children[0].height() + 1;
    }

    private Branch(RopeNode[] children, int[] lengths, int length, int height) {
      super(length);
      this.children = children;
      this.lengths = lengths;
      this.height = height;
    }

    /** This branch with child {@code i} replaced by {@code child}: copies two small arrays, reads no other child. */
    private Branch with(int i, RopeNode child) {
      RopeNode[] kids = children.clone();
      kids[i] = child;
      int[] lens = lengths;
      if (child.length != lengths[i]) {
        lens = lengths.clone();
        lens[i] = child.length;
      }
      return new Branch(kids, lens, length - lengths[i] + child.length, height);
    }

    private static int sum(RopeNode[] children) {
      long n = 0;
      for (RopeNode c : children) n += c.length;
      return Math.toIntExact(n);
    }

    @Override int height() { return height; }

    @Override boolean underfull() { return children.length < MIN_CHILDREN; }

    @Override
    RopeNode[] insert(int pos, Insert run) {
      int i = 0;
      while (i < children.length - 1 && pos > lengths[i]) pos -= lengths[i++];
      RopeNode[] replaced = children[i].insert(pos, run);
      if (replaced.length == 1) return new RopeNode[] {with(i, replaced[0])};
      var kids = new RopeNode[children.length - 1 + replaced.length];
      System.arraycopy(children, 0, kids, 0, i);
      System.arraycopy(replaced, 0, kids, i, replaced.length);
      System.arraycopy(children, i + 1, kids, i + replaced.length, children.length - i - 1);
      return kids.length <= MAX_CHILDREN ? new RopeNode[] {new Branch(kids)} : branches(kids);
    }

    @Override
    RopeNode delete(int from, int to) {
      int k = 0;
      int offset = 0;
      while (offset + lengths[k] <= from) offset += lengths[k++];
      RopeNode within = null; // the common case: the range lies inside one child
      if (to <= offset + lengths[k] && (from > offset || to < offset + lengths[k])) {
        within = children[k].delete(from - offset, to - offset);
        if (!within.underfull() || children.length == 1) return with(k, within);
      }
      var kids = new ArrayList<RopeNode>(children.length);
      offset = 0;
      for (int i = 0; i < children.length; i++) {
        RopeNode c = children[i];
        int end = offset + c.length;
        if (end <= from || offset >= to) {
          kids.add(c);
        } else if (i == k && within != null) {
          kids.add(within);
        } else if (offset < from || end > to) {
          kids.add(c.delete(Math.max(from - offset, 0), Math.min(to - offset, c.length)));
        } // else wholly deleted
        offset = end;
      }
      for (int i = 0; kids.size() > 1 && i < kids.size(); ) {
        if (!kids.get(i).underfull()) {
          i++;
          continue;
        }
        int j = Math.min(i, kids.size() - 2); // with the right sibling, or the left one at the end
        RopeNode[] merged = merge(kids.get(j), kids.get(j + 1));
        kids.subList(j, j + 2).clear();
        kids.addAll(j, Arrays.asList(merged));
        // Two results are each at least half full; a lone one may still be small: look again.
        i = merged.length == 1 && merged[0].underfull() ? j : j + merged.length;
      }
      return new Branch(kids.toArray(RopeNode[]::new));
    }

    @Override
    RopeNode format(int from, int to, Map<String, Object> format) {
      RopeNode[] kids = children.clone();
      int offset = 0;
      for (int i = 0; i < kids.length && offset < to; i++) {
        int end = offset + lengths[i];
        if (end > from) {
          kids[i] = kids[i].format(Math.max(from - offset, 0), Math.min(to - offset, lengths[i]), format);
        }
        offset = end;
      }
      return new Branch(kids, lengths, length, height); // formats change no length
    }

    @Override
    void forEach(int from, int to, Consumer<Insert> action) {
      if (from >= to) return;
      int offset = 0;
      for (int i = 0; i < children.length && offset < to; i++) {
        int end = offset + lengths[i];
        if (end > from) {
          children[i].forEach(Math.max(from - offset, 0), Math.min(to - offset, lengths[i]), action);
        }
        offset = end;
      }
    }

    @Override
    char charAt(int index) {
      int i = 0;
      while (index >= lengths[i]) index -= lengths[i++];
      return children[i].charAt(index);
    }
  }
}
