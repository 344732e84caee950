package io.tandem.bench;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.tandem.ot.AttributeMap;
import io.tandem.ot.Delta;
import io.tandem.ot.Rope;
import java.io.IOException;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One single-character insert into a big formatted document, the workload of
 * {@code bench/quill/bench.mjs}: automerge-paper's end text repeated and cut to {@code size} units,
 * in 64-unit runs of which every fourth ({@code i % 4 == 1}) is bold; each op is
 * {@code retain(p).insert("x")} with {@code p} from a fixed LCG, 1,024 of them, taken in turn.
 *
 * <p>Every invocation edits the same, unchanged document: a {@link Rope} is persistent and a
 * {@link Delta} immutable, so the original survives each edit and no reset is needed. {@code delta}
 * is quill-delta's algorithm on our {@link Delta}; like quill-delta it copies the document's op
 * array on every compose, so it is here for comparison, not as a way to hold a document.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class InsertBench {

  private static final int OPS = 1024; // a power of two: the next one is (next + 1) & (OPS - 1)
  private static final int RUN = 64;
  private static final Map<String, Object> BOLD = AttributeMap.freeze(Map.of("bold", true));

  @Param({"1048576", "10485760"})
  public int size;

  private Rope rope;
  private Delta doc;
  private Delta[] inserts;
  private int next;

  @Setup(Level.Trial)
  public void build() throws IOException {
    doc = document(Trace.load("automerge-paper").endContent(), size);
    rope = Rope.of(doc);
    if (doc.length() != size || rope.length() != size) {
      throw new IllegalStateException("a document of " + size + " units has " + doc.length() + " as a delta, "
          + rope.length() + " as a rope");
    }
    inserts = inserts(size);
    // The two must mean the same, or the comparison is not of one workload.
    for (int k = 0; k < OPS; k += OPS / 8) {
      if (!rope.apply(inserts[k]).toDelta().equals(doc.compose(inserts[k]))) {
        throw new IllegalStateException("Rope.apply and Delta.compose differ on insert " + k + ": " + inserts[k]);
      }
    }
  }

  /** {@code source} repeated and cut to {@code n} units, in runs of {@value #RUN}, every fourth bold. */
  static Delta document(String source, int n) {
    String text = source.repeat((n + source.length() - 1) / source.length()).substring(0, n);
    var b = Delta.builder();
    for (int i = 0; i * RUN < n; i++) {
      b.insert(text.substring(i * RUN, Math.min(n, i * RUN + RUN)), i % 4 == 1 ? BOLD : Map.of());
    }
    return b.build();
  }

  /** {@code retain(p).insert("x")}, {@code p = x(k) mod (n + 1)}, {@code x(k+1) = (x(k) * 1103515245 + 12345) mod 2^31}, {@code x(0) = 42}. */
  static Delta[] inserts(int n) {
    var out = new Delta[OPS];
    long x = 42;
    for (int k = 0; k < OPS; k++) {
      x = (x * 1103515245L + 12345L) % (1L << 31); // x < 2^31, so the product stays below 2^62
      out[k] = Delta.builder().retain((int) (x % (n + 1))).insert("x").build();
    }
    return out;
  }

  @Benchmark
  public Rope rope() {
    Delta op = inserts[next];
    next = (next + 1) & (OPS - 1);
    return rope.apply(op);
  }

  @Benchmark
  public Delta delta() {
    Delta op = inserts[next];
    next = (next + 1) & (OPS - 1);
    return doc.compose(op);
  }
}
