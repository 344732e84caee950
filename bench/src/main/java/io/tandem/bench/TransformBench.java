package io.tandem.bench;

import static java.util.concurrent.TimeUnit.SECONDS;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tandem.ot.Delta;
import io.tandem.ot.InvalidOpException;
import io.tandem.protocol.DeltaJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Transforms the 10,000 concurrent-edit pairs that {@code bench/quill/bench.mjs} generates and
 * times on quill-delta, both ways: {@code a.transform(b, true)} and {@code b.transform(a, false)}.
 * One invocation is the whole set; the score is pairs per second.
 *
 * <p>The pairs file (system property {@value #PAIRS_PROPERTY}, by default
 * {@code bench/target/ot-bench/transform-pairs.json} from the repository root) is
 * {@code {"description": "...", "pairs": [[aOps, bOps], ...]}}, each ops array in Quill's JSON,
 * read here with {@link DeltaJson}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class TransformBench {

  static final String PAIRS_PROPERTY = "tandem.pairs";
  static final int PAIRS = 10_000;

  private Delta[] a;
  private Delta[] b;

  @Setup(Level.Trial)
  public void load() throws IOException, InvalidOpException {
    Path file = Path.of(System.getProperty(PAIRS_PROPERTY, "bench/target/ot-bench/transform-pairs.json"));
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("no transform pairs at " + file.toAbsolutePath()
          + ": run bench/quill/bench.mjs first (bench/ot-bench.sh does), or set -D" + PAIRS_PROPERTY + "=FILE");
    }
    var as = new ArrayList<Delta>(PAIRS);
    var bs = new ArrayList<Delta>(PAIRS);
    try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        p.nextToken();
        if (p.currentName().equals("pairs")) readPairs(p, as, bs);
        else p.skipChildren();
      }
    }
    if (as.size() != PAIRS) {
      throw new IllegalStateException(file + " holds " + as.size() + " pairs; the benchmark counts " + PAIRS);
    }
    a = as.toArray(Delta[]::new);
    b = bs.toArray(Delta[]::new);
  }

  private static void readPairs(JsonParser p, List<Delta> as, List<Delta> bs) throws IOException, InvalidOpException {
    expect(p.currentToken(), JsonToken.START_ARRAY);
    while (p.nextToken() == JsonToken.START_ARRAY) {
      p.nextToken();
      as.add(DeltaJson.read(p));
      p.nextToken();
      bs.add(DeltaJson.read(p));
      expect(p.nextToken(), JsonToken.END_ARRAY);
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) {
    if (actual != expected) throw new IllegalStateException("transform pairs: expected " + expected + ", read " + actual);
  }

  @Benchmark
  @OperationsPerInvocation(PAIRS)
  public void transform(Blackhole bh) {
    Delta[] a = this.a;
    Delta[] b = this.b;
    for (int i = 0; i < a.length; i++) {
      bh.consume(a[i].transform(b[i], true));
      bh.consume(b[i].transform(a[i], false));
    }
  }
}
