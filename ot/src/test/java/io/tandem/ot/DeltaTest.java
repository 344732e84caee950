package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Corners of quill-delta's semantics, one example each (the laws are in DeltaProperties). */
class DeltaTest {

  private static Map<String, Object> attrs(Object... kv) {
    var m = new HashMap<String, Object>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void builderMergesNeighboursAndPutsInsertsBeforeDeletes() {
    var d = Delta.builder().insert("a").insert("b").delete(1).insert("c").delete(2).retain(3).build();
    assertEquals("[{\"insert\":\"abc\"},{\"delete\":3}]", d.toString());
  }

  @Test
  void insertAfterADeleteAtTheStartGoesFirst() {
    assertEquals("[{\"insert\":\"x\"},{\"delete\":1}]", Delta.builder().delete(1).insert("x").build().toString());
  }

  @Test
  void builderDropsEmptyPartsAndChopsOnlyAPlainTrailingRetain() {
    var d = Delta.builder().insert("").retain(0).delete(-1).retain(2, attrs("bold", true)).retain(4).build();
    assertEquals("[{\"retain\":2,\"attributes\":{\"bold\":true}}]", d.toString());
  }

  @Test
  void embedsNeverMerge() {
    var e = new Embed("image", "x.png");
    var d = Delta.builder().insert(e, Map.of()).insert(e, Map.of()).build();
    assertEquals(2, d.size());
    assertEquals(2, d.length());
  }

  @Test
  void equalAttributesWithDifferentNumberTypesMerge() {
    var d = Delta.builder().insert("a", attrs("header", 1)).insert("b", attrs("header", 1L)).insert("c", attrs("header", 1.0)).build();
    assertEquals("[{\"insert\":\"abc\",\"attributes\":{\"header\":1}}]", d.toString());
  }

  @Test
  void nullInAnInsertIsKeptAndKeepsItApart() {
    var d = Delta.builder().insert("a", attrs("bold", null)).insert("b").build();
    assertEquals(2, d.size());
    assertNotEquals(Delta.insert("ab"), d);
  }

  @Test
  void composingARetainOntoAnInsertDropsTheRetainsNullsButKeepsTheInserts() {
    var doc = Delta.builder().insert("ab", attrs("bold", null)).build();
    var op = Delta.builder().retain(1, attrs("italic", true, "color", null)).build();
    assertEquals(Delta.builder().insert("a", attrs("italic", true, "bold", null)).insert("b", attrs("bold", null)).build(),
        doc.compose(op));
  }

  @Test
  void composingRetainsKeepsNullsSoTheRemovalStillReachesTheDocument() {
    var a = Delta.builder().retain(2, attrs("bold", true)).build();
    var b = Delta.builder().retain(2, attrs("bold", null)).build();
    assertEquals(b, a.compose(b));
  }

  @Test
  void invertOfAFormatOverANullValuedInsertDropsTheNull() {
    var doc = Delta.builder().insert("é", attrs("italic", null)).build();
    var format = Delta.builder().retain(1, attrs("italic", true)).build();
    var inverse = format.invert(doc);
    assertEquals(Delta.builder().retain(1, attrs("italic", null)).build(), inverse);
    assertEquals(Delta.insert("é"), doc.compose(format).compose(inverse)); // as quill-delta gives
  }

  @Test
  void invertNeverTakesTwoMapValuesForEqualEvenWhenShared() {
    var meta = AttributeMap.freeze(attrs("meta", Map.of("a", 1L)));
    var doc = Delta.insert("x").compose(Delta.builder().retain(1, meta).build());
    var op = Delta.builder().retain(1, meta).build();
    var expected = Delta.builder().retain(1, attrs("meta", Map.of("a", 1L))).build(); // as quill-delta gives
    assertEquals(expected, op.invert(doc));
    assertEquals(expected, Rope.of(doc).invert(op));
  }

  @Test
  void integersPastTwoToThe53AreTheDoublesJavaScriptReadsThemAs() {
    var d = Delta.builder().insert("a", attrs("x", 9007199254740993L)).insert("b", attrs("x", 9007199254740992L)).build();
    assertEquals(1, d.size());
  }

  @Test
  void lengthsPastIntAreOutOfRange() {
    assertThrows(ArithmeticException.class, () -> Delta.insert("abc").transformPosition(Integer.MAX_VALUE - 1, false));
    assertThrows(ArithmeticException.class,
        () -> Delta.builder().retain(Integer.MAX_VALUE).retain(1).build());
  }

  @Test
  void transformTiesFollowPriority() {
    var a = Delta.insert("A");
    var b = Delta.insert("B");
    assertEquals(Delta.builder().retain(1).insert("B").build(), a.transform(b, true));
    assertEquals(Delta.insert("B"), a.transform(b, false));
  }

  @Test
  void transformOfFormatsGivesTheFirstWriterItsKeys() {
    var a = Delta.builder().retain(3, attrs("bold", true, "color", "red")).build();
    var b = Delta.builder().retain(3, attrs("bold", false, "italic", true)).build();
    assertEquals(Delta.builder().retain(3, attrs("italic", true)).build(), a.transform(b, true));
    assertEquals(b, a.transform(b, false));
  }

  @Test
  void deleteAgainstDeleteVanishes() {
    var a = Delta.builder().retain(1).delete(3).build();
    var b = Delta.builder().retain(2).delete(3).build();
    assertEquals(Delta.builder().retain(1).delete(1).build(), a.transform(b, true));
  }

  @Test
  void transformPositionAtAnInsertDependsOnPriority() {
    var a = Delta.builder().retain(2).insert("xyz").build();
    assertEquals(5, a.transformPosition(2, false));
    assertEquals(2, a.transformPosition(2, true));
    assertEquals(1, a.transformPosition(1, false));
    var del = Delta.builder().retain(1).delete(3).build();
    assertEquals(1, del.transformPosition(3, false));
    assertEquals(2, del.transformPosition(5, false));
  }

  @Test
  void sliceCutsTextAndKeepsAttributes() {
    var d = Delta.builder().insert("ab", attrs("bold", true)).insert("cd").build();
    assertEquals(Delta.builder().insert("b", attrs("bold", true)).insert("c").build(), d.slice(1, 3));
  }

  @Test
  void composeOfAnEmptyOpIsTheDocument() {
    var doc = Delta.insert("hello");
    assertEquals(doc, doc.compose(Delta.EMPTY));
    assertEquals(doc, Delta.EMPTY.compose(doc));
  }

  @Test
  void attributesAreImmutableCopies() {
    var source = new HashMap<String, Object>(Map.of("bold", true));
    var op = new Retain(1, source);
    source.put("italic", true);
    assertEquals(Map.of("bold", true), op.attributes());
    assertThrows(UnsupportedOperationException.class, () -> op.attributes().put("x", 1));
  }

  @Test
  void recordsRefuseEmptyParts() {
    assertThrows(IllegalArgumentException.class, () -> new Retain(0));
    assertThrows(IllegalArgumentException.class, () -> new Delete(-2));
    assertThrows(IllegalArgumentException.class, () -> new Insert(""));
    assertThrows(IllegalArgumentException.class, () -> new Insert(42, Map.of()));
  }

  @Test
  void aLongMergedTextIsBuiltOnceNotQuadratically() {
    var b = Delta.builder();
    for (int i = 0; i < 200_000; i++) b.insert("x");
    assertEquals(200_000, b.build().length());
  }
}
