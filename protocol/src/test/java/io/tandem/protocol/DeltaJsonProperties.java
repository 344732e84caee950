package io.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.ot.Gen;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeltaJsonProperties {

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("io.tandem.ot.Gen#seeds")
  void jsonRoundTripIsExact(long seed) throws Exception {
    var g = new Gen(seed);
    var doc = g.document();
    var edit = g.editOf(doc);
    assertEquals(doc, DeltaJson.parse(DeltaJson.write(doc)), () -> "seed " + seed);
    assertEquals(edit, DeltaJson.parse(DeltaJson.write(edit)), () -> "seed " + seed);
    String once = DeltaJson.write(edit);
    assertEquals(once, DeltaJson.write(DeltaJson.parse(once)), () -> "seed " + seed);
  }
}
