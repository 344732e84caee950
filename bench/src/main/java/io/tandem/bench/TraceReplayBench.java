package io.tandem.bench;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.tandem.ot.Delta;
import io.tandem.ot.Insert;
import io.tandem.ot.Op;
import io.tandem.ot.Rope;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replays real editing traces patch by patch, as {@code bench/quill/bench.mjs} does on quill-delta:
 * each patch becomes {@code retain(pos).delete(del).insert(text)}, built inside the timed loop, and
 * is applied to a {@link Rope} ({@code rope*}) or composed into a document {@link Delta}
 * ({@code delta*}: quill-delta's own algorithm, which rebuilds the document's op array and text
 * around every edit, so it costs what the document holds).
 *
 * <p>One invocation is one whole replay, from {@code startContent}, and the score is per patch.
 * {@code @OperationsPerInvocation} is a compile-time constant and so cannot follow a {@code @Param}:
 * each trace has its own state class and its own pair of methods instead, and each state checks
 * that its file holds the patch count its methods claim. Select traces with a regex on the method
 * names, e.g. {@code TraceReplayBench.rope}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TraceReplayBench {

  static final int AUTOMERGE_PAPER = 259_778;
  static final int SEPH_BLOG1 = 137_993;
  static final int FRIENDSFOREVER_FLAT = 26_078;

  /** One trace, decoded and checked once per fork; nothing here is timed. */
  @State(Scope.Benchmark)
  public abstract static class Loaded {
    Trace trace;
    Rope startRope;
    Delta startDelta;

    abstract String name();

    abstract int patches();

    @Setup(Level.Trial)
    public void load() throws IOException {
      trace = Trace.load(name());
      if (trace.patches() != patches()) {
        throw new IllegalStateException(name() + " holds " + trace.patches() + " patches, but its benchmarks"
            + " count " + patches() + " per invocation: update the constant in TraceReplayBench");
      }
      startDelta = trace.startContent().isEmpty() ? Delta.EMPTY : Delta.insert(trace.startContent());
      startRope = Rope.of(startDelta);
      trace.checkEnd("rope", replay(trace, startRope).text());
      trace.checkEnd("delta", text(replay(trace, startDelta)));
    }
  }

  public static class AutomergePaper extends Loaded {
    @Override String name() { return "automerge-paper"; }
    @Override int patches() { return AUTOMERGE_PAPER; }
  }

  public static class SephBlog1 extends Loaded {
    @Override String name() { return "seph-blog1"; }
    @Override int patches() { return SEPH_BLOG1; }
  }

  public static class FriendsforeverFlat extends Loaded {
    @Override String name() { return "friendsforever_flat"; }
    @Override int patches() { return FRIENDSFOREVER_FLAT; }
  }

  @Benchmark
  @OperationsPerInvocation(AUTOMERGE_PAPER)
  public Rope ropeAutomergePaper(AutomergePaper t) {
    return replay(t.trace, t.startRope);
  }

  @Benchmark
  @OperationsPerInvocation(AUTOMERGE_PAPER)
  public Delta deltaAutomergePaper(AutomergePaper t) {
    return replay(t.trace, t.startDelta);
  }

  @Benchmark
  @OperationsPerInvocation(SEPH_BLOG1)
  public Rope ropeSephBlog1(SephBlog1 t) {
    return replay(t.trace, t.startRope);
  }

  @Benchmark
  @OperationsPerInvocation(SEPH_BLOG1)
  public Delta deltaSephBlog1(SephBlog1 t) {
    return replay(t.trace, t.startDelta);
  }

  @Benchmark
  @OperationsPerInvocation(FRIENDSFOREVER_FLAT)
  public Rope ropeFriendsforeverFlat(FriendsforeverFlat t) {
    return replay(t.trace, t.startRope);
  }

  @Benchmark
  @OperationsPerInvocation(FRIENDSFOREVER_FLAT)
  public Delta deltaFriendsforeverFlat(FriendsforeverFlat t) {
    return replay(t.trace, t.startDelta);
  }

  static Rope replay(Trace t, Rope doc) {
    int[] pos = t.pos();
    int[] del = t.del();
    String[] text = t.text();
    for (int i = 0; i < pos.length; i++) {
      doc = doc.apply(Delta.builder().retain(pos[i]).delete(del[i]).insert(text[i]).build());
    }
    return doc;
  }

  static Delta replay(Trace t, Delta doc) {
    int[] pos = t.pos();
    int[] del = t.del();
    String[] text = t.text();
    for (int i = 0; i < pos.length; i++) {
      doc = doc.compose(Delta.builder().retain(pos[i]).delete(del[i]).insert(text[i]).build());
    }
    return doc;
  }

  /** A document delta's text, as bench.mjs reads it: its inserts joined. */
  private static String text(Delta doc) {
    var out = new StringBuilder(doc.length());
    for (Op op : doc) out.append(((Insert) op).text());
    return out.toString();
  }
}
