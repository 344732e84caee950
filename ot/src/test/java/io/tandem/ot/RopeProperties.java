package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rope reads back exactly what Delta.compose gives, and keeps its tree balanced. */
class RopeProperties {

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void applyingEditsMatchesCompose(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var rope = Rope.of(doc);
    for (int i = 0; i < 20; i++) {
      var edit = g.editOf(doc);
      doc = doc.compose(edit);
      rope = rope.apply(edit);
      var expected = doc;
      var actual = rope;
      assertEquals(expected, actual.toDelta(), () -> "seed " + seed + " after " + edit);
      assertInvariants(rope);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seedsForLargeDocuments")
  void largeDocumentsStayExactAndBalanced(long seed) {
    var g = new Gen(seed);
    var doc = g.largeDocument(2_000 + g.nextInt(40_000));
    var rope = Rope.of(doc);
    assertEquals(doc, rope.toDelta());
    assertInvariants(rope);
    for (int i = 0; i < 60; i++) {
      Delta edit = switch (g.nextInt(5)) {
        case 0 -> bigDelete(g, doc);
        case 1 -> Delta.builder().retain(g.position(doc)).push(g.run(2_000, 0.05)).build(); // a paste
        default -> g.editOf(doc);
      };
      doc = doc.compose(edit);
      rope = rope.apply(edit);
      assertInvariants(rope);
    }
    assertEquals(doc, rope.toDelta(), () -> "seed " + seed);
    int from = g.position(doc);
    int to = Math.max(from, g.position(doc));
    assertEquals(doc.slice(from, to), rope.slice(from, to));
    assertEquals(Rope.of(doc).text(), rope.text());
  }

  static java.util.stream.LongStream seedsForLargeDocuments() {
    return Gen.seeds().limit(Math.max(20, Gen.seeds().count() / 20));
  }

  private static Delta bigDelete(Gen g, Delta doc) {
    int a = g.position(doc);
    int b = g.position(doc);
    return Delta.builder().retain(Math.min(a, b)).delete(Math.abs(a - b)).build();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void oldVersionsAreUntouched(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var rope = Rope.of(doc);
    rope.apply(g.editOf(doc));
    assertEquals(doc, rope.toDelta());
  }

  /** Every leaf at one depth, lengths consistent, leaves within bounds, no empty node but the root. */
  static void assertInvariants(Rope rope) {
    RopeNode root = rope.root();
    check(root, root.height(), true);
  }

  private static int check(RopeNode node, int height, boolean isRoot) {
    assertEquals(height, node.height(), "unbalanced");
    if (!isRoot) assertTrue(node.length > 0, "empty node");
    if (node instanceof RopeNode.Leaf leaf) {
      assertTrue(leaf.length <= RopeNode.MAX_LEAF, "leaf too long: " + leaf.length);
      int n = 0;
      Insert previous = null;
      for (Insert r : leaf.runs) {
        n += r.length();
        if (previous != null) assertTrue(!Runs.mergeable(previous, r), "unmerged runs in a leaf");
        previous = r;
      }
      assertEquals(leaf.length, n, "leaf length");
      return n;
    }
    var branch = (RopeNode.Branch) node;
    assertTrue(branch.children.length >= 1 && branch.children.length <= RopeNode.MAX_CHILDREN, "fan-out");
    if (isRoot) assertTrue(branch.children.length >= 2, "a root branch of one child");
    int n = 0;
    for (int i = 0; i < branch.children.length; i++) {
      int child = check(branch.children[i], height - 1, false);
      assertEquals(branch.lengths[i], child, "child length");
      n += child;
    }
    assertEquals(branch.length, n, "branch length");
    return n;
  }
}
