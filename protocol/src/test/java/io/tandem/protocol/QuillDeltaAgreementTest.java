package io.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.ot.AttributeMap;
import io.tandem.ot.Delta;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Replays the vectors recorded from quill-delta 5.1.0 (and checked equal on 4.2.2) by
 * {@code bench/quill/vectors.mjs}: compose, transform with both priorities, transformPosition,
 * invert, and the four attribute functions. Each result must equal quill-delta's, as a Delta and
 * as the JSON we write.
 *
 * <p>One convention differs in form only: quill-delta answers some attribute functions with
 * {@code {}} where others give {@code undefined}; we have one "no attributes", the empty map.
 */
class QuillDeltaAgreementTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyRecordedCaseAgreesWithQuillDelta() throws Exception {
    var counts = new TreeMap<String, Integer>();
    var failures = new ArrayList<String>();
    int line = 0;
    try (var in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        getClass().getResourceAsStream("/quill-vectors/vectors.jsonl.gz")), StandardCharsets.UTF_8))) {
      for (String text; (text = in.readLine()) != null; ) {
        line++;
        JsonNode v = JSON.readTree(text);
        String op = v.get("op").asText();
        counts.merge(op, 1, Integer::sum);
        try {
          check(op, v);
        } catch (AssertionError | Exception e) {
          if (failures.size() < 10) failures.add("line " + line + " " + op + ": " + e.getMessage() + "\n  " + text);
          else failures.set(9, "… and more");
        }
      }
    }
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    if (!failures.isEmpty()) fail(String.join("\n", failures));
    assertTrue(total >= 10_000, "only " + total + " vectors");
    assertTrue(counts.keySet().containsAll(List.of("compose", "transform", "transformPosition", "invert")), counts::toString);
  }

  private static void check(String op, JsonNode v) throws Exception {
    switch (op) {
      case "compose" -> expectDelta(v, delta(v, "a").compose(delta(v, "b")));
      case "transform" -> expectDelta(v, delta(v, "a").transform(delta(v, "b"), v.get("priority").asBoolean()));
      case "transformPosition" -> assertEquals(v.get("expected").asInt(),
          delta(v, "a").transformPosition(v.get("index").asInt(), v.get("priority").asBoolean()));
      case "invert" -> expectDelta(v, delta(v, "a").invert(delta(v, "base")));
      case "attrCompose" -> expectAttributes(v,
          AttributeMap.compose(attributes(v, "a"), attributes(v, "b"), v.get("keepNull").asBoolean()));
      case "attrTransform" -> expectAttributes(v,
          AttributeMap.transform(attributes(v, "a"), attributes(v, "b"), v.get("priority").asBoolean()));
      case "attrInvert" -> expectAttributes(v, AttributeMap.invert(attributes(v, "a"), attributes(v, "base")));
      case "attrDiff" -> expectAttributes(v, AttributeMap.diff(attributes(v, "a"), attributes(v, "b")));
      default -> throw new AssertionError("unknown vector kind " + op);
    }
  }

  private static Delta delta(JsonNode v, String field) throws Exception {
    return DeltaJson.parse(v.get(field).toString());
  }

  private static void expectDelta(JsonNode v, Delta actual) throws Exception {
    JsonNode expected = v.get("expected");
    assertEquals(DeltaJson.parse(expected.toString()), actual, "as a Delta");
    assertEquals(expected, JSON.readTree(DeltaJson.write(actual)), "as JSON");
  }

  private static Map<String, Object> attributes(JsonNode v, String field) throws Exception {
    JsonNode node = v.get(field);
    if (node == null || node.isNull()) return Map.of();
    // Read through the codec, so values are frozen exactly as on the wire.
    Delta carrier = DeltaJson.parse("[{\"retain\":1,\"attributes\":" + node + "}]");
    return carrier.isEmpty() ? Map.of() : carrier.get(0).attributes();
  }

  private static void expectAttributes(JsonNode v, Map<String, Object> actual) throws Exception {
    JsonNode expected = v.get("expected");
    if (expected == null || expected.isNull() || expected.isEmpty()) {
      assertEquals(Map.of(), actual);
      return;
    }
    assertEquals(attributes(v, "expected"), actual);
  }
}
