package io.tandem.ot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The editing traces of {@code ../shared/traces} (josephg/editing-traces): each a start text, an
 * end text, and patches {@code [pos, deleteCount, insertText]} to apply in order. Found through
 * {@code -Dtandem.traces} (the build sets it), never skipped: a missing trace fails the test.
 * This module has no JSON library, so a small reader for the traces' JSON lives here.
 */
public record Traces(String name, String startContent, String endContent, List<Patch> patches) {

  public record Patch(int pos, int delete, String insert) {
    /** The patch as a delta: quill's {@code retain(pos).delete(n).insert(text)}. */
    public Delta toDelta() {
      return Delta.builder().retain(pos).delete(delete).insert(insert).build();
    }
  }

  public static Path directory() {
    Path dir = Path.of(System.getProperty("tandem.traces", "../../shared/traces"));
    if (!Files.isDirectory(dir)) throw new IllegalStateException("no traces at " + dir.toAbsolutePath() + " (-Dtandem.traces)");
    return dir;
  }

  public static Stream<String> names() throws IOException {
    try (var files = Files.list(directory())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json.gz"))
          .map(n -> n.substring(0, n.length() - ".json.gz".length())).sorted().toList().stream();
    }
  }

  @SuppressWarnings("unchecked")
  public static Traces load(String name) throws IOException {
    String json;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(directory().resolve(name + ".json.gz")))) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    var root = (Map<String, Object>) new Reader(json).value();
    var patches = new ArrayList<Patch>();
    for (Object txn : (List<Object>) root.get("txns")) {
      for (Object p : (List<Object>) ((Map<String, Object>) txn).get("patches")) {
        var patch = (List<Object>) p;
        patches.add(new Patch(((Number) patch.get(0)).intValue(), ((Number) patch.get(1)).intValue(), (String) patch.get(2)));
      }
    }
    return new Traces(name, (String) root.get("startContent"), (String) root.get("endContent"), patches);
  }

  /** Just enough JSON for the traces: objects, arrays, strings with escapes, numbers, literals. */
  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    Object value() {
      skipSpace();
      char c = s.charAt(i);
      switch (c) {
        case '{' -> {
          var map = new LinkedHashMap<String, Object>();
          i++;
          skipSpace();
          if (s.charAt(i) == '}') { i++; return map; }
          while (true) {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (s.charAt(i++) == '}') return map;
          }
        }
        case '[' -> {
          var list = new ArrayList<Object>();
          i++;
          skipSpace();
          if (s.charAt(i) == ']') { i++; return list; }
          while (true) {
            list.add(value());
            skipSpace();
            if (s.charAt(i++) == ']') return list;
          }
        }
        case '"' -> {
          return string();
        }
        default -> {
          int start = i;
          while (i < s.length() && "+-0123456789.eEtruefalsn".indexOf(s.charAt(i)) >= 0) i++;
          String token = s.substring(start, i);
          return switch (token) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            default -> Double.parseDouble(token);
          };
        }
      }
    }

    private String string() {
      expect('"');
      var out = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return out.toString();
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> out.append(e); // \" \\ \/
        }
      }
    }

    private void expect(char c) {
      if (s.charAt(i++) != c) throw new IllegalStateException("expected " + c + " at " + (i - 1));
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }
  }
}
