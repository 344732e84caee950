package io.tandem.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.ot.Delta;
import io.tandem.ot.Embed;
import io.tandem.ot.InvalidOpException;
import io.tandem.ot.InvalidOpException.Reason;
import io.tandem.ot.Retain;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeltaJsonTest {

  @Test
  void writesWhatQuillWrites() {
    var d = Delta.builder().insert("Hi", Map.of("bold", true)).retain(5).delete(3).build();
    assertEquals("[{\"insert\":\"Hi\",\"attributes\":{\"bold\":true}},{\"retain\":5},{\"delete\":3}]", DeltaJson.write(d));
    assertEquals("[]", DeltaJson.write(Delta.EMPTY));
  }

  @Test
  void readsEmbedsNullsAndNestedValues() throws Exception {
    var d = DeltaJson.parse("[{\"insert\":{\"image\":\"/v1/blobs/1\"},\"attributes\":{\"width\":\"20\"}},"
        + "{\"retain\":2,\"attributes\":{\"bold\":null,\"meta\":{\"a\":[1,2.5,true,null]}}}]");
    var expected = Delta.builder().insert(new Embed("image", "/v1/blobs/1"), Map.of("width", "20"))
        .push(new Retain(2, attributes("bold", null, "meta", Map.of("a", java.util.Arrays.asList(1L, 2.5, true, null)))))
        .build();
    assertEquals(expected, d);
    assertEquals(d, DeltaJson.parse(DeltaJson.write(d)));
  }

  @Test
  void normalizesWhatItReads() throws Exception {
    var d = DeltaJson.parse("[{\"insert\":\"a\"},{\"insert\":\"b\"},{\"delete\":1},{\"insert\":\"c\"},{\"retain\":4}]");
    assertEquals("[{\"insert\":\"abc\"},{\"delete\":1}]", DeltaJson.write(d));
  }

  @Test
  void ignoresUnknownFieldsAndReadsWholeFloatsAsCounts() throws Exception {
    var d = DeltaJson.parse("[{\"retain\":2.0,\"x\":{\"deep\":[1]}},{\"insert\":\"a\",\"attributes\":null}]");
    assertEquals(Delta.builder().retain(2).insert("a").build(), d);
  }

  @Test
  void nonBmpTextRoundTrips() throws Exception {
    var d = Delta.insert("a😀b𝄞");
    assertEquals(d, DeltaJson.parse(DeltaJson.write(d)));
    assertEquals(d, DeltaJson.parse("[{\"insert\":\"a\\ud83d\\ude00b\\ud834\\udd1e\"}]"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      zero retain                 | [{"retain":0}]                          | NON_POSITIVE_COUNT
      negative retain             | [{"retain":-3}]                         | NON_POSITIVE_COUNT
      zero delete                 | [{"delete":0}]                          | NON_POSITIVE_COUNT
      negative delete             | [{"delete":-1}]                         | NON_POSITIVE_COUNT
      empty insert                | [{"insert":""}]                         | NON_POSITIVE_COUNT
      huge negative count         | [{"retain":-99999999999999999999999}]   | NON_POSITIVE_COUNT
      huge count                  | [{"delete":99999999999999999999999}]    | OP_TOO_LARGE
      count past int              | [{"retain":2147483648}]                 | OP_TOO_LARGE
      counts summing past int     | [{"retain":2147483647},{"insert":"a"},{"retain":2147483647}] | OP_TOO_LARGE
      fractional count            | [{"retain":1.5}]                        | MALFORMED
      string count                | [{"retain":"5"}]                        | MALFORMED
      not json                    | [{"insert":"a"                          | MALFORMED
      trailing garbage            | [] []                                   | MALFORMED
      not an array                | {"ops":[]}                              | MALFORMED
      a bare string               | "hello"                                 | MALFORMED
      empty input                 | ''                                      | MALFORMED
      component not an object     | [1]                                     | MALFORMED
      no kind                     | [{"attributes":{"bold":true}}]          | MALFORMED
      two kinds                   | [{"insert":"a","delete":1}]             | MALFORMED
      duplicate field             | [{"retain":1,"retain":2}]               | MALFORMED
      insert of a number          | [{"insert":5}]                          | MALFORMED
      embed of two keys           | [{"insert":{"image":"a","video":"b"}}]  | MALFORMED
      embed of no key             | [{"insert":{}}]                         | MALFORMED
      attributes not an object    | [{"retain":1,"attributes":[1]}]         | MALFORMED
      attributes on a delete      | [{"delete":1,"attributes":{"bold":true}}] | MALFORMED
      lone high surrogate         | [{"insert":"a\\ud83d"}]                 | LONE_SURROGATE
      lone low surrogate          | [{"insert":"\\ude00b"}]                 | LONE_SURROGATE
      lone surrogate in a value   | [{"retain":1,"attributes":{"link":"\\ud800"}}] | LONE_SURROGATE
      lone surrogate in a key     | [{"retain":1,"attributes":{"\\udfff":true}}]   | LONE_SURROGATE
      infinite attribute value    | [{"insert":"a","attributes":{"x":1e400}}] | MALFORMED
      infinite embed value        | [{"insert":{"image":-1e400}}]           | MALFORMED
      object retain of quill 5    | [{"retain":{"image":1}}]                | MALFORMED
      """)
  void refusesBadShapesWithTheirReason(String name, String json, Reason reason) {
    var e = assertThrows(InvalidOpException.class, () -> DeltaJson.parse(json));
    assertEquals(reason, e.reason(), e::getMessage);
  }

  @Test
  void refusesAnIntegerTooLargeForADouble() {
    var e = assertThrows(InvalidOpException.class,
        () -> DeltaJson.parse("[{\"retain\":1,\"attributes\":{\"x\":1" + "0".repeat(400) + "}}]"));
    assertEquals(Reason.MALFORMED, e.reason());
  }

  @Test
  void writesWholeNumbersAsJavaScriptDoes() throws Exception {
    var d = DeltaJson.parse("[{\"retain\":1,\"attributes\":{\"a\":1e20,\"b\":2.0,\"c\":0.5,\"d\":9007199254740993}}]");
    assertEquals("[{\"retain\":1,\"attributes\":{\"a\":100000000000000000000,\"b\":2,\"c\":0.5,\"d\":9007199254740992}}]",
        DeltaJson.write(d));
  }

  @Test
  void refusesValuesNestedTooDeep() {
    String deep = "[".repeat(DeltaJson.MAX_VALUE_DEPTH + 1) + "]".repeat(DeltaJson.MAX_VALUE_DEPTH + 1);
    var e = assertThrows(InvalidOpException.class,
        () -> DeltaJson.parse("[{\"retain\":1,\"attributes\":{\"x\":" + deep + "}}]"));
    assertEquals(Reason.OP_TOO_LARGE, e.reason());
    var hostile = "[".repeat(100_000);
    assertEquals(Reason.MALFORMED, assertThrows(InvalidOpException.class, () -> DeltaJson.parse(hostile)).reason());
  }

  private static Map<String, Object> attributes(Object... kv) {
    var m = new java.util.LinkedHashMap<String, Object>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }
}
