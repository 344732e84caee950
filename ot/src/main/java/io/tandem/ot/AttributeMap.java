package io.tandem.ot;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Quill's {@code AttributeMap}: compose, transform, invert and diff of format maps, with
 * quill-delta's exact meaning.
 *
 * <p>An empty map stands for JavaScript's {@code undefined} (no attributes); results that would be
 * empty are {@link Map#of()}. A key present with a {@code null} value is kept apart from an absent
 * key, as JavaScript keeps {@code null} apart from {@code undefined}.
 *
 * <p>Values are frozen JSON values: {@link String}, {@link Boolean}, {@link Long} (every integral
 * number, as JavaScript has one number type), {@link Double}, {@code null}, and unmodifiable lists
 * and maps of these. Frozen maps and lists are deep-equal like lodash's {@code isEqual}.
 */
public final class AttributeMap {

  private AttributeMap() {}

  /**
   * Formats {@code a} then {@code b}: {@code b}'s values win, {@code a}'s other keys stay; a
   * {@code null} in {@code b} removes the key unless {@code keepNull} (composing onto a retain,
   * where the removal must still reach the document).
   */
  public static Map<String, Object> compose(Map<String, Object> a, Map<String, Object> b, boolean keepNull) {
    if (b.isEmpty()) return a;
    if (a.isEmpty() && (keepNull || !b.containsValue(null))) return b;
    var out = new LinkedHashMap<String, Object>();
    for (var e : b.entrySet()) {
      if (keepNull || e.getValue() != null) out.put(e.getKey(), e.getValue());
    }
    for (var e : a.entrySet()) {
      if (!b.containsKey(e.getKey())) out.put(e.getKey(), e.getValue());
    }
    return wrap(out);
  }

  /**
   * {@code b}'s formats as they apply after {@code a}: without priority {@code b} wins whole; with
   * priority ({@code a} happened first) only the keys {@code a} did not set survive.
   */
  public static Map<String, Object> transform(Map<String, Object> a, Map<String, Object> b, boolean priority) {
    if (a.isEmpty() || b.isEmpty() || !priority) return b;
    LinkedHashMap<String, Object> out = null;
    for (var e : b.entrySet()) {
      if (!a.containsKey(e.getKey())) {
        if (out == null) out = new LinkedHashMap<>();
        out.put(e.getKey(), e.getValue());
      }
    }
    if (out == null) return Map.of();
    return out.size() == b.size() ? b : wrap(out);
  }

  /**
   * The formats that undo {@code attr} applied over {@code base}: each key {@code attr} changed
   * gets {@code base}'s value back, or {@code null} where {@code base} had none.
   *
   * <p>quill-delta compares values here with JavaScript's {@code !==}, under which two maps or
   * lists are never equal (they are distinct objects after every copy quill-delta makes); so do we.
   */
  public static Map<String, Object> invert(Map<String, Object> attr, Map<String, Object> base) {
    var out = new LinkedHashMap<String, Object>();
    for (var e : base.entrySet()) {
      if (attr.containsKey(e.getKey()) && !strictlyEqual(e.getValue(), attr.get(e.getKey()))) {
        out.put(e.getKey(), e.getValue());
      }
    }
    for (var e : attr.entrySet()) {
      if (!base.containsKey(e.getKey())) {
        out.put(e.getKey(), null);
      }
    }
    return wrap(out);
  }

  /** The formats that turn {@code a} into {@code b}: changed keys with {@code b}'s value or {@code null}. */
  public static Map<String, Object> diff(Map<String, Object> a, Map<String, Object> b) {
    var out = new LinkedHashMap<String, Object>();
    for (var e : a.entrySet()) {
      String key = e.getKey();
      if (!b.containsKey(key) || !Objects.equals(e.getValue(), b.get(key))) out.put(key, b.get(key));
    }
    for (var e : b.entrySet()) {
      if (!a.containsKey(e.getKey())) out.put(e.getKey(), e.getValue());
    }
    return wrap(out);
  }

  /**
   * An immutable deep copy of {@code attributes} ({@code null} reads as none); already frozen maps
   * are returned as they are, so freezing costs nothing on the hot path.
   */
  public static Map<String, Object> freeze(Map<String, ?> attributes) {
    if (attributes == null || attributes.isEmpty()) return Map.of();
    if (attributes instanceof Frozen) {
      @SuppressWarnings("unchecked") var frozen = (Map<String, Object>) attributes;
      return frozen;
    }
    var copy = new LinkedHashMap<String, Object>(attributes.size() * 2);
    for (var e : attributes.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "attribute key"), freezeValue(e.getValue()));
    }
    return new Frozen(copy);
  }

  /** An immutable deep copy of one JSON value, numbers normalized as JavaScript sees them. */
  public static Object freezeValue(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean) return value;
    if (value instanceof Number n) return normalize(n);
    if (value instanceof Map<?, ?> m) {
      if (m instanceof Frozen) return m;
      var copy = new LinkedHashMap<String, Object>(m.size() * 2);
      for (var e : m.entrySet()) {
        if (!(e.getKey() instanceof String key)) throw new IllegalArgumentException("a map key must be a String");
        copy.put(key, freezeValue(e.getValue()));
      }
      return new Frozen(copy);
    }
    if (value instanceof List<?> l) {
      if (l instanceof FrozenList) return l;
      var copy = new ArrayList<Object>(l.size());
      for (Object o : l) copy.add(freezeValue(o));
      return new FrozenList(copy.toArray());
    }
    throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
  }

  /** JavaScript has one number type, a double: integral values become Long, as exact as a double is. */
  private static Object normalize(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      long l = n.longValue();
      return Math.abs(l) <= 1L << 53 ? (Object) l : (Object) (long) (double) l;
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("not a JSON number: " + n);
    if (d == Math.rint(d) && Math.abs(d) < 0x1p63) return (long) d;
    return d;
  }

  /**
   * JavaScript's {@code ===} as quill-delta meets it: maps and lists are never equal, because
   * quill-delta deep-copies attributes on every {@code push}, so no two ops share one. (Here a
   * frozen map may well be shared; identity would make the answer depend on that.)
   */
  private static boolean strictlyEqual(Object x, Object y) {
    if (x instanceof Map || x instanceof List || y instanceof Map || y instanceof List) return false;
    return Objects.equals(x, y);
  }

  private static Map<String, Object> wrap(LinkedHashMap<String, Object> map) {
    return map.isEmpty() ? Map.of() : new Frozen(map);
  }

  /** An unmodifiable map over a private LinkedHashMap (which, unlike Map.of, allows null values). */
  private static final class Frozen extends AbstractMap<String, Object> {
    private final LinkedHashMap<String, Object> map;
    private final Set<Entry<String, Object>> entries;
    private int hash;

    Frozen(LinkedHashMap<String, Object> map) {
      this.map = map;
      this.entries = Collections.unmodifiableSet(map.entrySet());
    }

    @Override public Set<Entry<String, Object>> entrySet() { return entries; }
    @Override public int size() { return map.size(); }
    @Override public boolean isEmpty() { return map.isEmpty(); }
    @Override public boolean containsKey(Object key) { return map.containsKey(key); }
    @Override public boolean containsValue(Object value) { return map.containsValue(value); }
    @Override public Object get(Object key) { return map.get(key); }

    @Override
    public boolean equals(Object o) {
      return o == this || (o instanceof Map && super.equals(o));
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) hash = h = map.hashCode();
      return h;
    }
  }

  /** An unmodifiable list that, unlike List.of, allows null elements. */
  private static final class FrozenList extends AbstractList<Object> {
    private final Object[] items;

    FrozenList(Object[] items) {
      this.items = items;
    }

    @Override public Object get(int index) { return items[index]; }
    @Override public int size() { return items.length; }
  }
}
