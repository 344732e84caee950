package io.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shared trace, replayed patch by patch, reproduces its end content exactly. */
class TraceReplayTest {

  static Stream<String> traces() throws IOException {
    var names = Traces.names().toList();
    assertTrue(names.size() >= 3, "expected the three shared traces, found " + names);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("traces")
  void ropeReplayReachesTheEndContent(String name) throws IOException {
    var trace = Traces.load(name);
    var rope = Rope.of(Delta.insert(trace.startContent()));
    var validator = OpValidator.DEFAULT;
    int n = 0;
    for (var patch : trace.patches()) {
      var op = patch.toDelta();
      if (n++ % 97 == 0) assertValid(validator, op, rope);
      rope = rope.apply(op);
    }
    assertEquals(trace.endContent(), rope.text());
    assertEquals(Delta.insert(trace.endContent()), rope.toDelta());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("traces")
  void deltaReplayAgreesWithTheRope(String name) throws IOException {
    var trace = Traces.load(name);
    // Composing onto a Delta copies the document each time, as quill-delta does: replay a prefix.
    var doc = Delta.insert(trace.startContent());
    var rope = Rope.of(doc);
    var patches = trace.patches().subList(0, Math.min(trace.patches().size(), 20_000));
    for (var patch : patches) {
      doc = doc.compose(patch.toDelta());
      rope = rope.apply(patch.toDelta());
    }
    assertEquals(doc, rope.toDelta());
  }

  private static void assertValid(OpValidator validator, Delta op, Rope doc) {
    try {
      validator.check(op, doc);
    } catch (InvalidOpException e) {
      throw new AssertionError(e);
    }
  }
}
