package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The laws of the delta algebra on random documents and edits; a failing seed prints its inputs. */
class DeltaProperties {

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void concurrentEditsConvergeWithEitherPriority(long seed) { // TP1
    var g = new Gen(seed);
    var doc = g.document();
    var a = g.editOf(doc);
    var b = g.editOf(doc);
    for (boolean priority : new boolean[] {true, false}) {
      var viaA = doc.compose(a).compose(a.transform(b, priority));
      var viaB = doc.compose(b).compose(b.transform(a, !priority));
      assertEquals(viaA, viaB, () -> "seed " + seed + " priority " + priority + ": doc=" + doc + " a=" + a + " b=" + b);
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void composeIsAssociativeAndEqualToSequentialApply(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var a = g.editOf(doc);
    var afterA = doc.compose(a);
    var b = g.editOf(afterA);
    var afterB = afterA.compose(b);
    var c = g.editOf(afterB);
    var sequential = afterB.compose(c);
    String inputs = "seed " + seed + ": doc=" + doc + " a=" + a + " b=" + b + " c=" + c;
    assertEquals(a.compose(b).compose(c), a.compose(b.compose(c)), inputs);
    assertEquals(sequential, doc.compose(a.compose(b).compose(c)), inputs);
    assertEquals(sequential, doc.compose(a).compose(b.compose(c)), inputs);
    assertTrue(sequential.isDocument(), inputs);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void invertUndoes(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var a = g.editOf(doc);
    var inverse = a.invert(doc);
    // Exact up to null-valued attributes of inserts: quill-delta's invert restores a format
    // removal as a removal, so {bold: null} on an insert comes back as no bold (DeltaTest shows it).
    assertEquals(withoutNulls(doc), withoutNulls(doc.compose(a).compose(inverse)),
        () -> "seed " + seed + ": doc=" + doc + " a=" + a);
    assertEquals(inverse, Rope.of(doc).invert(a), () -> "seed " + seed + ": rope invert, doc=" + doc + " a=" + a);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void transformPositionAgreesWithTransform(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var a = g.editOf(doc);
    int index = g.position(doc);
    var caret = Delta.builder().retain(index).insert("|").build();
    for (boolean priority : new boolean[] {true, false}) {
      // A position with priority stays before an insert at its index, as a caret typed first would.
      int expected = insertionIndex(a.transform(caret, !priority));
      assertEquals(expected, a.transformPosition(index, priority),
          () -> "seed " + seed + " priority " + priority + ": a=" + a + " index=" + index);
    }
  }

  /** {@code doc} with every null-valued attribute of its inserts dropped. */
  static Delta withoutNulls(Delta doc) {
    var b = Delta.builder();
    for (Op op : doc) {
      var attributes = new java.util.LinkedHashMap<>(op.attributes());
      attributes.values().removeIf(java.util.Objects::isNull);
      b.push(((Insert) op).withAttributes(AttributeMap.freeze(attributes)));
    }
    return b.build();
  }

  private static int insertionIndex(Delta oneInsert) {
    int index = 0;
    for (Op op : oneInsert) {
      if (op.kind() == Op.Kind.INSERT) return index;
      index += op.length();
    }
    throw new AssertionError("no insert in " + oneInsert);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void canonicalFormIsIdempotentAndCanonical(long seed) {
    var g = new Gen(seed);
    var raw = g.rawComponents();
    var once = Delta.of(raw);
    assertEquals(once, Delta.of(once.ops()), () -> "seed " + seed + ": " + raw);
    assertCanonical(once);
    var doc = g.document();
    var edit = g.editOf(doc);
    assertCanonical(doc);
    assertCanonical(edit);
    assertCanonical(doc.compose(edit));
    assertCanonical(edit.transform(g.editOf(doc), g.chance(0.5)));
    assertCanonical(edit.invert(doc));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void changeLengthIsWhatComposeAdds(long seed) {
    var g = new Gen(seed);
    var doc = g.document();
    var a = g.editOf(doc);
    assertEquals(doc.length() + a.changeLength(), doc.compose(a).length());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void attributeDiffThenComposeGivesTheTarget(long seed) {
    var g = new Gen(seed);
    Map<String, Object> a = AttributeMap.freeze(g.attributes(0));
    Map<String, Object> b = AttributeMap.freeze(g.attributes(0));
    assertEquals(b, AttributeMap.compose(a, AttributeMap.diff(a, b), false), () -> "seed " + seed);
    var inverted = AttributeMap.invert(AttributeMap.diff(a, b), a);
    assertEquals(a, AttributeMap.compose(b, inverted, false), () -> "seed " + seed);
  }

  /** No empty part, no mergeable neighbours, no insert right after a delete, no trailing plain retain. */
  static void assertCanonical(Delta d) {
    Op previous = null;
    for (Op op : d) {
      assertTrue(op.length() > 0, () -> "empty part in " + d);
      if (previous != null) {
        Op p = previous;
        assertTrue(!(p instanceof Delete && op instanceof Delete), () -> "two deletes in " + d);
        assertTrue(!(p instanceof Delete && op instanceof Insert), () -> "insert after delete in " + d);
        boolean sameAttributes = p.attributes().equals(op.attributes());
        assertTrue(!(sameAttributes && p instanceof Retain && op instanceof Retain), () -> "two retains in " + d);
        assertTrue(!(sameAttributes && p instanceof Insert x && op instanceof Insert y
            && !x.isEmbed() && !y.isEmbed()), () -> "two mergeable inserts in " + d);
      }
      previous = op;
    }
    if (previous instanceof Retain r) assertTrue(!r.attributes().isEmpty(), () -> "trailing plain retain in " + d);
  }
}
