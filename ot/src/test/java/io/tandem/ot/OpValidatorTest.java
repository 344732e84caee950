package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.ot.InvalidOpException.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpValidatorTest {

  private static final Rope DOC = Rope.of(Delta.insert("ab😀cd")); // 😀 is units 2 and 3

  private static Reason refusal(Delta op) {
    return refusal(OpValidator.DEFAULT, op, DOC);
  }

  private static Reason refusal(OpValidator validator, Delta op, Rope doc) {
    return assertThrows(InvalidOpException.class, () -> validator.check(op, doc)).reason();
  }

  @Test
  void acceptsOpsThatFit() {
    assertDoesNotThrow(() -> OpValidator.DEFAULT.check(Delta.builder().retain(2).delete(2).insert("x").build(), DOC));
    assertDoesNotThrow(() -> OpValidator.DEFAULT.check(Delta.builder().retain(6, Map.of("bold", true)).insert("!").build(), DOC));
    assertDoesNotThrow(() -> OpValidator.DEFAULT.check(Delta.builder().retain(4).insert("🎉").build(), DOC));
    assertDoesNotThrow(() -> OpValidator.DEFAULT.check(Delta.EMPTY, Rope.EMPTY));
  }

  @Test
  void refusesARetainPastTheEnd() {
    assertEquals(Reason.PAST_END, refusal(Delta.builder().retain(7, Map.of("bold", true)).build()));
    assertEquals(Reason.PAST_END, refusal(Delta.builder().retain(6).insert("x").retain(1, Map.of("bold", true)).build()));
  }

  @Test
  void refusesADeletePastTheEnd() {
    assertEquals(Reason.PAST_END, refusal(Delta.builder().retain(5).delete(2).build()));
    assertEquals(Reason.PAST_END, refusal(OpValidator.DEFAULT, Delta.builder().delete(1).build(), Rope.EMPTY));
  }

  @Test
  void refusesAnyBoundaryInsideASurrogatePair() {
    assertEquals(Reason.SPLITS_SURROGATE_PAIR, refusal(Delta.builder().retain(3).insert("x").build()));
    assertEquals(Reason.SPLITS_SURROGATE_PAIR, refusal(Delta.builder().retain(2).delete(1).build()));
    assertEquals(Reason.SPLITS_SURROGATE_PAIR, refusal(Delta.builder().retain(3).delete(1).build()));
    assertEquals(Reason.SPLITS_SURROGATE_PAIR, refusal(Delta.builder().retain(3, Map.of("bold", true)).build()));
  }

  @Test
  void refusesInsertedLoneSurrogates() {
    assertEquals(Reason.LONE_SURROGATE, refusal(Delta.insert("x\uD83D")));
    assertEquals(Reason.LONE_SURROGATE, refusal(Delta.insert("\uDE00x")));
    assertEquals(Reason.LONE_SURROGATE, refusal(Delta.insert("\uDE00\uD83D")));
  }

  @Test
  void refusesADocumentOverTheLimit() {
    var small = new OpValidator(8, 100);
    assertEquals(Reason.DOCUMENT_TOO_LARGE, refusal(small, Delta.builder().retain(6).insert("xyz").build(), DOC));
    assertDoesNotThrow(() -> small.check(Delta.builder().delete(1).insert("xyz").build(), DOC));
  }

  @Test
  void refusesTooManyComponents() {
    var small = new OpValidator(1000, 3);
    var op = Delta.builder().insert("a", Map.of("bold", true)).retain(1).insert("b").delete(1).build();
    assertEquals(Reason.OP_TOO_LARGE, refusal(small, op, DOC));
  }

  @Test
  void aRefusedOpLeavesTheDocumentAsItWas() {
    var before = DOC.toDelta();
    refusal(Delta.builder().retain(3).insert("x").build());
    assertEquals(before, DOC.toDelta());
  }
}
