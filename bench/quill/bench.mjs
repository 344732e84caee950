/**
 * quill-delta 5.1.0 baseline for Tandem's OT benchmarks.
 *
 *   node bench.mjs --traces /work/shared/traces --pairs ../target/ot-bench/transform-pairs.json \
 *                  --out ../target/ot-bench/quill-results.json [--quick]
 *
 * (a) replays every *.json.gz editing trace, one compose per patch, and checks the end text;
 * (b) writes 10,000 seeded concurrent-edit pairs to --pairs (the Java benchmark reads the same
 *     file) and times a.transform(b, true) with b.transform(a, false);
 * (c) times one single-character insert composed into a 1 MiB and a 10 MiB formatted document.
 * Figures are medians after warm-up, timed with process.hrtime.bigint(). --quick is a smoke run:
 * one measured replay, one warm-up and one measured transform pass, a short insert budget.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import Delta from 'quill-delta';
import { Rng } from './prng.mjs';

const args = parseArgs(process.argv.slice(2));
const quick = args.quick;
const require = createRequire(import.meta.url);
const version = require('quill-delta/package.json').version;

function main() {
  const traces = loadTraces(args.traces);
  const results = {
    library: 'quill-delta',
    version,
    node: process.version,
    quick,
    replay: benchReplay(traces),
    transform: benchTransform(args.pairs),
    insert: benchInsert(traces.get('automerge-paper')),
  };
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  summarize(results);
}

// ---- (a) trace replay ----------------------------------------------------------------------

function loadTraces(dir) {
  const found = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort()) {
    found.set(basename(file, '.json.gz'), JSON.parse(gunzipSync(readFileSync(join(dir, file)))));
  }
  if (found.size === 0) throw new Error(`no *.json.gz traces in ${dir}`);
  return found;
}

function replay(trace) {
  let doc = trace.startContent ? new Delta().insert(trace.startContent) : new Delta();
  for (const txn of trace.txns) {
    for (const [pos, del, text] of txn.patches) {
      doc = doc.compose(new Delta().retain(pos).delete(del).insert(text));
    }
  }
  return doc;
}

function benchReplay(all) {
  const out = {};
  for (const [name, trace] of all) {
    const patches = trace.txns.reduce((n, txn) => n + txn.patches.length, 0);
    checkReplay(name, trace, replay(trace)); // the warm-up run
    const times = [];
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      const t0 = process.hrtime.bigint();
      const doc = replay(trace);
      times.push(Number(process.hrtime.bigint() - t0));
      checkReplay(name, trace, doc);
    }
    out[name] = { ops: patches, opsPerSec: round(patches / (median(times) / 1e9)) };
  }
  return out;
}

function checkReplay(name, trace, doc) {
  const text = doc.ops.map((op) => op.insert).join('');
  if (text !== trace.endContent) {
    throw new Error(`${name}: replay ends with ${text.length} units, expected ${trace.endContent.length}`);
  }
}

// ---- (b) transform pairs -------------------------------------------------------------------

const PAIR_DESCRIPTION = 'Each pair [a, b] is the pending op of two simulated clients on one '
  + 'document of length L uniform in [1000, 100000]: each starts at a uniform cursor in [0, L] '
  + 'and makes 1..8 keystrokes on its own view (85% type one char a-z or space at the cursor, '
  + '10% backspace if the cursor is past 0, 5% make the next 1..10 chars bold with the cursor '
  + 'left in place), composed with quill-delta 5.1.0; seed 7 (mulberry32).';

const TYPED = 'abcdefghijklmnopqrstuvwxyz ';

/** A client's burst of keystrokes on a document of length docLength, as one composed op. */
function clientBurst(r, docLength) {
  let cursor = r.between(0, docLength);
  let length = docLength;
  let pending = new Delta();
  const keystrokes = r.between(1, 8);
  for (let k = 0; k < keystrokes; k++) {
    const x = r.float();
    let stroke = null;
    if (x < 0.85) {
      stroke = new Delta().retain(cursor).insert(TYPED[r.int(TYPED.length)]);
      cursor++;
      length++;
    } else if (x < 0.95) {
      if (cursor > 0) {
        stroke = new Delta().retain(cursor - 1).delete(1);
        cursor--;
        length--;
      }
    } else {
      const n = Math.min(r.between(1, 10), length - cursor);
      if (n > 0) stroke = new Delta().retain(cursor).retain(n, { bold: true });
    }
    if (stroke) pending = pending.compose(stroke);
  }
  return pending;
}

function buildPairs(count) {
  const r = new Rng(7);
  const pairs = [];
  for (let i = 0; i < count; i++) {
    const docLength = r.between(1000, 100000);
    pairs.push([clientBurst(r, docLength), clientBurst(r, docLength)]);
  }
  return pairs;
}

function benchTransform(pairsFile) {
  const pairs = buildPairs(10000);
  mkdirSync(dirname(pairsFile), { recursive: true });
  writeFileSync(pairsFile, JSON.stringify({
    description: PAIR_DESCRIPTION,
    pairs: pairs.map(([a, b]) => [a.ops, b.ops]),
  }) + '\n');
  let sink = 0;
  const pass = () => {
    for (const [a, b] of pairs) {
      sink += a.transform(b, true).ops.length + b.transform(a, false).ops.length;
    }
  };
  for (let w = 0; w < (quick ? 1 : 2); w++) pass();
  const times = [];
  for (let run = 0; run < (quick ? 1 : 5); run++) {
    const t0 = process.hrtime.bigint();
    pass();
    times.push(Number(process.hrtime.bigint() - t0));
  }
  if (sink === 0) throw new Error('transform produced nothing');
  return { pairs: pairs.length, pairsPerSec: round(pairs.length / (median(times) / 1e9)) };
}

// ---- (c) one insert into a big document -----------------------------------------------------

/** endContent repeated and cut to n units, as 64-unit runs, every fourth one (i % 4 == 1) bold. */
function bigDocument(source, n) {
  const text = source.repeat(Math.ceil(n / source.length)).slice(0, n);
  const doc = new Delta();
  for (let i = 0; i * 64 < n; i++) {
    doc.insert(text.slice(i * 64, i * 64 + 64), i % 4 === 1 ? { bold: true } : undefined);
  }
  return doc;
}

/** retain(p).insert('x') with p = x_k mod (n + 1), x_{k+1} = (x_k * 1103515245 + 12345) mod 2^31. */
function insertDeltas(n, count) {
  const deltas = [];
  let x = 42n;
  for (let k = 1; k <= count; k++) {
    x = (x * 1103515245n + 12345n) % 2147483648n;
    deltas.push(new Delta().retain(Number(x % BigInt(n + 1))).insert('x'));
  }
  return deltas;
}

function benchInsert(paper) {
  if (!paper) throw new Error('the insert benchmark needs automerge-paper.json.gz');
  const out = {};
  for (const [label, n] of [['1MiB', 1 << 20], ['10MiB', 10 << 20]]) {
    const doc = bigDocument(paper.endContent, n);
    if (doc.length() !== n) throw new Error(`${label}: document has ${doc.length()} units`);
    const deltas = insertDeltas(n, 1024);
    const budgetNs = (quick ? 3 : 20) * 1e9;
    const maxOps = quick ? 200 : deltas.length;
    const started = process.hrtime.bigint();
    let sink = 0;
    for (let k = 0; k < 32; k++) sink += doc.compose(deltas[k]).ops.length; // warm-up
    const times = [];
    for (let k = 0; k < maxOps; k++) {
      const t0 = process.hrtime.bigint();
      sink += doc.compose(deltas[k]).ops.length;
      const t1 = process.hrtime.bigint();
      times.push(Number(t1 - t0));
      if (Number(t1 - started) > budgetNs && times.length >= 100) break;
    }
    if (sink === 0) throw new Error('compose produced nothing');
    out[label] = { nsPerOp: round(median(times)), measuredOps: times.length, docOps: doc.ops.length };
  }
  return out;
}

// ---- helpers -------------------------------------------------------------------------------

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(x) {
  return Math.round(x);
}

function parseArgs(argv) {
  const parsed = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(traces|pairs|out)$/.exec(argv[i]);
    if (argv[i] === '--quick') parsed.quick = true;
    else if (m && i + 1 < argv.length) parsed[m[1]] = resolve(argv[++i]);
    else throw new Error('usage: node bench.mjs --traces DIR --pairs FILE --out FILE [--quick]');
  }
  for (const key of ['traces', 'pairs', 'out']) {
    if (!parsed[key]) throw new Error(`missing --${key}`);
  }
  return parsed;
}

function summarize(res) {
  console.log(`quill-delta ${res.version} on node ${res.node}${res.quick ? ' (quick)' : ''}`);
  for (const [name, r] of Object.entries(res.replay)) {
    console.log(`replay ${name.padEnd(22)} ${String(r.ops).padStart(7)} patches  `
      + `${r.opsPerSec.toLocaleString('en-US')} ops/s`);
  }
  console.log(`transform ${res.transform.pairs} pairs (both directions)  `
    + `${res.transform.pairsPerSec.toLocaleString('en-US')} pairs/s`);
  for (const [label, r] of Object.entries(res.insert)) {
    console.log(`insert into ${label.padEnd(5)} (${r.docOps} ops)  ${(r.nsPerOp / 1e6).toFixed(3)} ms/op `
      + `(median of ${r.measuredOps})`);
  }
  console.log(`wrote ${args.out} and ${args.pairs}`);
}

main();
