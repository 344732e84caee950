/**
 * Puts Tandem's JMH results beside quill-delta's as one Markdown table, on stdout.
 *
 *   node report.mjs QUILL_RESULTS.json JMH_RESULTS.json
 *
 * QUILL_RESULTS.json is what bench.mjs writes; JMH_RESULTS.json is JMH's `-rf json` output of
 * io.tandem.bench (an array of runs, each with `benchmark`, `params` and a `primaryMetric` of
 * `score`, `scoreError` and `scoreUnit`). A workload missing on one side reads "n/a" rather than
 * failing, so a run filtered to some benchmarks still reports. Ratio is how many times faster
 * Tandem is: its throughput over quill-delta's, or quill-delta's time over its time.
 */
import { readFileSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

const TRACES = [
  ['automerge-paper', 'AutomergePaper'],
  ['seph-blog1', 'SephBlog1'],
  ['friendsforever_flat', 'FriendsforeverFlat'],
];
const SIZES = [['1MiB', '1 MiB', 1 << 20], ['10MiB', '10 MiB', 10 << 20]];
const BENCH = 'io.tandem.bench.';

function main() {
  const [quillFile, jmhFile] = process.argv.slice(2);
  if (!quillFile || !jmhFile) throw new Error('usage: node report.mjs QUILL_RESULTS.json JMH_RESULTS.json');
  const quill = JSON.parse(readFileSync(quillFile, 'utf8'));
  const jmh = JSON.parse(readFileSync(jmhFile, 'utf8'));
  const ran = statSync(jmhFile).mtime; // when JMH finished, however late this runs
  const lines = [...header(quill, jmh, ran), '', ...table(rows(quill, jmh)), '', ...notes()];
  console.log(lines.join('\n'));
}

// ---- rows ----------------------------------------------------------------------------------

/** Each row: a workload, Tandem's figure (with JMH's error), quill-delta's, and which way is better. */
function rows(quill, jmh) {
  const out = [];
  for (const [trace, method] of TRACES) {
    const q = quill.replay?.[trace];
    const patches = q ? ` (${q.ops.toLocaleString('en-US')} patches)` : '';
    out.push(row(`replay ${trace}${patches}: Rope.apply, ops/s`,
      throughput(find(jmh, `TraceReplayBench.rope${method}`)), q?.opsPerSec, 'higher'));
    out.push(row(`replay ${trace}: Delta.compose, ops/s`,
      throughput(find(jmh, `TraceReplayBench.delta${method}`)), q?.opsPerSec, 'higher'));
  }
  out.push(row(`transform ${(quill.transform?.pairs ?? 10000).toLocaleString('en-US')} pairs, both ways, pairs/s`,
    throughput(find(jmh, 'TransformBench.transform')), quill.transform?.pairsPerSec, 'higher'));
  for (const [key, label, size] of SIZES) {
    const q = quill.insert?.[key]?.nsPerOp;
    out.push(row(`insert 1 char into ${label}: Rope.apply, ns/op`,
      time(find(jmh, 'InsertBench.rope', { size: String(size) })), q, 'lower'));
    out.push(row(`insert 1 char into ${label}: Delta.compose, ns/op`,
      time(find(jmh, 'InsertBench.delta', { size: String(size) })), q, 'lower'));
  }
  return out;
}

function row(workload, java, quillScore, better) {
  const tandem = java ? `${fmt(java.score)} ± ${Number.isFinite(java.error) ? fmt(java.error) : '?'}` : 'n/a';
  const quillCell = quillScore === undefined ? 'n/a' : fmt(quillScore);
  let ratio = 'n/a';
  if (java && quillScore !== undefined) {
    ratio = times(better === 'higher' ? java.score / quillScore : quillScore / java.score);
  }
  return [workload, tandem, quillCell, ratio];
}

function find(jmh, name, params = {}) {
  return jmh.find((run) => run.benchmark === BENCH + name
    && Object.entries(params).every(([k, v]) => run.params?.[k] === v));
}

const PER_SECOND = { 'ops/s': 1, 'ops/ms': 1e3, 'ops/us': 1e6, 'ops/ns': 1e9 };
const NANOS = { 'ns/op': 1, 'us/op': 1e3, 'ms/op': 1e6, 's/op': 1e9 };

/** A JMH run's score in ops/s, whatever -tu it ran with. */
function throughput(run) {
  return run && convert(run, PER_SECOND, 'thrpt');
}

/** A JMH run's score in ns/op, whatever -tu it ran with. */
function time(run) {
  return run && convert(run, NANOS, 'avgt');
}

function convert(run, factors, mode) {
  const m = run.primaryMetric;
  const factor = factors[m.scoreUnit];
  if (run.mode !== mode || factor === undefined) {
    throw new Error(`${run.benchmark}: expected mode ${mode}, got ${run.mode} in ${m.scoreUnit}`);
  }
  return { score: m.score * factor, error: Number(m.scoreError) * factor };
}

// ---- header and notes ----------------------------------------------------------------------

function header(quill, jmh, ran) {
  const quick = quill.quick || jmh.some((r) => r.measurementIterations < 3);
  return [
    `## Tandem OT core vs quill-delta ${quill.version}${quick ? ' (quick smoke run: not for comparison)' : ''}`,
    '',
    `- date: ${ran.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- machine: ${cpuModel()}, nproc ${nproc()}; shared and noisy, nothing pinned (no taskset); `
      + 'bench/ot-bench.sh runs the two sides one after the other, never at once',
    `- java -version: ${javaVersion(jmh)}`,
    `- JMH ${jmh[0]?.jmhVersion ?? '?'}: ${settings(jmh)}; ± is JMH's 99.9% confidence interval`,
    `- node ${quill.node}, quill-delta ${quill.version}: median of ${quill.quick ? '1 replay' : '3 replays'} `
      + `after a warm-up one, of ${quill.quick ? '1 transform pass' : '5 transform passes'}, of up to `
      + `${quill.quick ? '200' : '1,024'} single inserts (bench/quill/bench.mjs); no error bars`,
  ];
}

function table(body) {
  const head = ['workload', 'Tandem (Java)', 'quill-delta', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)];
}

function notes() {
  return [
    'Ratio: how many times faster Tandem is. Rope.apply is Tandem\'s document (a persistent B+ tree);',
    'Delta.compose is quill-delta\'s algorithm in Java, the same work quill-delta does in every row.',
    'Traces: josephg/editing-traces; seph-blog1 and friendsforever_flat CC BY 4.0 (Joseph Gentle),',
    'automerge-paper from Martin Kleppmann\'s automerge-perf data set.',
  ];
}

/** The distinct JMH settings the runs used, e.g. "1 fork, 3 × 2 s warm-up, 5 × 2 s measured". */
function settings(jmh) {
  const seen = new Set(jmh.map((r) => `${r.forks} fork${r.forks === 1 ? '' : 's'}, `
    + `${r.warmupIterations} × ${r.warmupTime} warm-up, ${r.measurementIterations} × ${r.measurementTime} measured, `
    + `${r.threads} thread${r.threads === 1 ? '' : 's'}, ${(r.jvmArgs ?? []).filter((a) => a.startsWith('-X')).join(' ') || 'default heap'}`));
  return [...seen].join('; ') || 'no runs';
}

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch { /* not Linux: fall through */ }
  return cpus()[0]?.model ?? 'unknown CPU';
}

function nproc() {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(cpus().length);
  }
}

/** `java -version` of the JVM that ran the benchmarks, on one line (it writes to stderr). */
function javaVersion(jmh) {
  const run = spawnSync(jmh[0]?.jvm ?? 'java', ['-version'], { encoding: 'utf8' });
  if (run.status === 0 && run.stderr) return run.stderr.trim().split('\n').join('; ');
  return jmh[0] ? `${jmh[0].vmName} ${jmh[0].vmVersion}` : 'unknown';
}

// ---- numbers -------------------------------------------------------------------------------

function fmt(x) {
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(3);
}

function times(r) {
  return `${r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toPrecision(3)}×`;
}

main();
