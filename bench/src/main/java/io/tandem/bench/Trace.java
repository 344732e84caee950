package io.tandem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A recorded editing trace, decoded for replay: patch {@code i} deletes {@code del[i]} units at
 * {@code pos[i]}, then inserts {@code text[i]} there (possibly empty).
 *
 * <p>The file, {@code DIR/NAME.json.gz} (josephg/editing-traces, sequential form), is gzipped JSON:
 * {@code {"startContent": "...", "endContent": "...", "txns": [{"patches": [[pos, del, text], ...]}]}}.
 * Positions count code points; these traces hold nothing above U+FFFF, so they are UTF-16 units
 * too, which every replay's check against {@code endContent} confirms. {@code DIR} is the system
 * property {@value #DIR_PROPERTY}, by default {@code ../shared/traces} from the working directory
 * (the repository root).
 */
record Trace(String name, String startContent, String endContent, int[] pos, int[] del, String[] text) {

  static final String DIR_PROPERTY = "tandem.traces";

  Trace {
    if (del.length != pos.length || text.length != pos.length) throw new IllegalArgumentException("ragged patches");
  }

  static Trace load(String name) throws IOException {
    Path file = Path.of(System.getProperty(DIR_PROPERTY, "../shared/traces"), name + ".json.gz");
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no trace " + file.toAbsolutePath() + "; set -D" + DIR_PROPERTY + "=DIR");
    }
    JsonNode root;
    try (var in = new GZIPInputStream(Files.newInputStream(file))) {
      root = new ObjectMapper().readTree(in);
    }
    int count = 0;
    for (JsonNode txn : root.get("txns")) count += txn.get("patches").size();
    var pos = new int[count];
    var del = new int[count];
    var text = new String[count];
    int i = 0;
    for (JsonNode txn : root.get("txns")) {
      for (JsonNode patch : txn.get("patches")) {
        pos[i] = patch.get(0).intValue();
        del[i] = patch.get(1).intValue();
        text[i] = patch.get(2).textValue();
        i++;
      }
    }
    return new Trace(name, root.path("startContent").asText(""), root.get("endContent").textValue(), pos, del, text);
  }

  int patches() {
    return pos.length;
  }

  /** Throws unless {@code replayed}, what a replay of this trace gave, is the recorded end. */
  void checkEnd(String how, String replayed) {
    if (!replayed.equals(endContent)) {
      int at = 0;
      while (at < Math.min(replayed.length(), endContent.length()) && replayed.charAt(at) == endContent.charAt(at)) at++;
      throw new IllegalStateException(name + ": the " + how + " replay ends with " + replayed.length()
          + " units, expected " + endContent.length() + "; first difference at " + at);
    }
  }
}
