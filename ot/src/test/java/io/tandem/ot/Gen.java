package io.tandem.ot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeded generators of documents and edits for the property tests: text with accents, CJK, emoji
 * outside the BMP and newlines; attributes with {@code null} removals and object values; embeds.
 * Every edit is valid on its document: it never reaches past the end nor cuts a surrogate pair.
 * A failing seed replays exactly.
 */
public final class Gen {

  /** The seeds of a property: {@code -Dtandem.seeds=N} (2,000 by default). */
  public static LongStream seeds() {
    return LongStream.range(0, Long.getLong("tandem.seeds", 2000L));
  }

  private static final String[] PIECES = {
    "a", "b", "c", "x", "y", "z", " ", " ", "e", "t", "\n", "é", "ß", "漢", "字", "😀", "👍🏽", "𝄞", "ab", "the ", "Hi"
  };
  private static final String[] KEYS = {"bold", "italic", "underline", "color", "link", "header", "size", "meta"};

  private final SplittableRandom random;

  public Gen(long seed) {
    this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
  }

  public SplittableRandom random() {
    return random;
  }

  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  public boolean chance(double p) {
    return random.nextDouble() < p;
  }

  /** Text of 1 to {@code maxPieces} pieces, each 1 or 2 code points. */
  public String text(int maxPieces) {
    var out = new StringBuilder();
    int n = 1 + random.nextInt(maxPieces);
    for (int i = 0; i < n; i++) out.append(PIECES[random.nextInt(PIECES.length)]);
    return out.toString();
  }

  public Object attributeValue(String key) {
    return switch (key) {
      case "color" -> random.nextBoolean() ? "#e00" : "#0a0";
      case "link" -> "https://example.com/" + random.nextInt(3);
      case "header" -> (long) (1 + random.nextInt(2));
      case "size" -> random.nextBoolean() ? "large" : "small";
      case "meta" -> random.nextBoolean() ? Map.of("a", 1L) : List.of(1L, "two");
      default -> Boolean.TRUE;
    };
  }

  /** 0 to 3 attributes; with {@code nulls}, some map to null (a removal). */
  public Map<String, Object> attributes(double nullChance) {
    var out = new LinkedHashMap<String, Object>();
    int n = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : random.nextInt(2);
    for (int i = 0; i < n; i++) {
      String key = KEYS[random.nextInt(KEYS.length)];
      out.put(key, chance(nullChance) ? null : attributeValue(key));
    }
    return out;
  }

  public Embed embed() {
    return switch (random.nextInt(3)) {
      case 0 -> new Embed("image", "https://example.com/i.png");
      case 1 -> new Embed("formula", "e=mc^2");
      default -> new Embed("video", Map.of("src", "v", "w", 3L));
    };
  }

  /** One run: text (mostly) or an embed, formatted or not. */
  public Insert run(int maxPieces, double nullChance) {
    var attributes = random.nextInt(3) == 0 ? attributes(nullChance) : Map.<String, Object>of();
    if (random.nextInt(12) == 0) return new Insert(embed(), attributes);
    return new Insert(text(maxPieces), attributes);
  }

  /** A document of 0 to about 60 units, or now and then a longer one. */
  public Delta document() {
    int runs = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(random.nextInt(8) == 0 ? 40 : 8);
    var b = Delta.builder();
    for (int i = 0; i < runs; i++) b.push(run(6, 0.03));
    return b.build();
  }

  /** A document of about {@code units} units in formatted runs, for the rope. */
  public Delta largeDocument(int units) {
    var b = Delta.builder();
    int n = 0;
    while (n < units) {
      Insert run = run(60, 0.01);
      b.push(run);
      n += run.length();
    }
    return b.build();
  }

  /** The positions of {@code doc} an op may start or end at: not inside a surrogate pair. */
  public static int[] boundaries(Delta doc) {
    String text = Rope.of(doc).text();
    var cuts = new int[text.length() + 1];
    int n = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i > 0 && i < text.length() && Character.isHighSurrogate(text.charAt(i - 1))
          && Character.isLowSurrogate(text.charAt(i))) {
        continue;
      }
      cuts[n++] = i;
    }
    return java.util.Arrays.copyOf(cuts, n);
  }

  /** A random cut of {@code doc}. */
  public int position(Delta doc) {
    int[] cuts = boundaries(doc);
    return cuts[random.nextInt(cuts.length)];
  }

  /** A random valid edit of {@code doc}: retains (some formatting), inserts and deletes. */
  public Delta editOf(Delta doc) {
    int[] cuts = boundaries(doc);
    var b = Delta.builder();
    int at = 0; // index into cuts
    int steps = 1 + random.nextInt(random.nextInt(6) == 0 ? 12 : 4);
    for (int s = 0; s < steps; s++) {
      int left = cuts.length - 1 - at;
      int action = random.nextInt(100);
      if (action < 30 || left == 0 && action < 60) {
        b.push(run(4, 0.15));
      } else if (left == 0) {
        break;
      } else {
        int span = 1 + random.nextInt(Math.min(left, random.nextInt(5) == 0 ? left : 4));
        int from = cuts[at];
        int to = cuts[at + span];
        at += span;
        if (action < 55) b.retain(to - from);
        else if (action < 75) b.retain(to - from, attributes(0.4));
        else b.delete(to - from);
      }
    }
    return b.build();
  }

  /** Components in any order and shape, empty-free but not canonical, for the normalization tests. */
  public List<Op> rawComponents() {
    var out = new ArrayList<Op>();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      var attributes = random.nextBoolean() ? Map.<String, Object>of() : Map.<String, Object>of("bold", true);
      switch (random.nextInt(3)) {
        case 0 -> out.add(random.nextInt(8) == 0 ? new Insert(embed(), attributes) : new Insert(text(2), attributes));
        case 1 -> out.add(new Retain(1 + random.nextInt(3), attributes));
        default -> out.add(new Delete(1 + random.nextInt(3)));
      }
    }
    return out;
  }
}
