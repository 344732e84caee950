/**
 * Records quill-delta's answers as test vectors for Tandem's Java OT core.
 *
 *   node vectors.mjs [--seed 1] [--out ../../protocol/src/test/resources/quill-vectors/vectors.jsonl.gz]
 *
 * Output: gzipped JSON Lines, one case a line, deltas as their ops arrays. An absent attribute
 * map (undefined in JS) is written as null, and a null input is passed back as undefined.
 * Expected values are computed by quill-delta 5.1.0 on the JSON-parsed inputs (what a replaying
 * test sees) and cross-checked against quill-delta 4.2.2. The same seed gives the same bytes.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import Delta5, { AttributeMap as AttributeMap5 } from 'quill-delta';
import Delta4 from 'quill-delta-4';
import { Rng } from './prng.mjs';
import {
  genDoc, genEdit, editCuts, boundaries, genAttrMap, deriveAttrMap,
} from './gen.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const seed = Number(args.seed ?? 1);
const out = args.out
  ? resolve(args.out)
  : resolve(HERE, '../../protocol/src/test/resources/quill-vectors/vectors.jsonl.gz');

const COUNTS = {
  composeDoc: 1600, composeOps: 1600, transformPairs: 3000, transformPosition: 2000,
  invert: 2000, attr: 500,
};

// 4.2.2 has no named export; its AttributeMap hangs off the class (also dist/AttributeMap.js).
const LIBS = {
  v5: { Delta: Delta5, AttributeMap: AttributeMap5 },
  v4: { Delta: Delta4, AttributeMap: Delta4.AttributeMap },
};

const absent = (x) => (x === null ? undefined : x);
const present = (x) => (x === undefined ? null : x);
const deltaOf = (lib, x) => (x instanceof lib.Delta ? x : new lib.Delta(x));

/** Each kind: how to compute the expected value with one library from the written inputs. */
const COMPUTE = {
  compose: (L, c) => deltaOf(L, c.a).compose(deltaOf(L, c.b)).ops,
  transform: (L, c) => deltaOf(L, c.a).transform(deltaOf(L, c.b), c.priority).ops,
  transformPosition: (L, c) => deltaOf(L, c.a).transformPosition(c.index, c.priority),
  invert: (L, c) => deltaOf(L, c.a).invert(deltaOf(L, c.base)).ops,
  attrCompose: (L, c) => present(L.AttributeMap.compose(absent(c.a), absent(c.b), c.keepNull)),
  attrTransform: (L, c) =>
    present(L.AttributeMap.transform(absent(c.a), absent(c.b), c.priority)),
  attrInvert: (L, c) => present(L.AttributeMap.invert(absent(c.a), absent(c.base))),
  attrDiff: (L, c) => present(L.AttributeMap.diff(absent(c.a), absent(c.b))),
};

const lines = [];
const stats = {};
const disagreements = [];
const lawNotes = { invertModuloNullInserts: 0, transformModuloNullInserts: 0,
  assocExact: 0, assocModuloNullInserts: 0, assocBroken: 0 };

/**
 * Records one case. `live` holds the inputs as built (Delta objects, attribute maps or
 * undefined); the written line and both libraries' answers come from its JSON form.
 */
function record(op, live) {
  const fields = {};
  for (const [k, v] of Object.entries(live)) fields[k] = v instanceof Delta5 ? v.ops : present(v);
  const json = JSON.stringify(fields);
  const expected = COMPUTE[op](LIBS.v5, JSON.parse(json));
  const fromBuilt = COMPUTE[op](LIBS.v5, live);
  if (canon(fromBuilt) !== canon(expected)) {
    throw new Error(`${op}: answer differs on the built and the JSON-parsed inputs: ${json}`);
  }
  const v4 = COMPUTE[op](LIBS.v4, JSON.parse(json));
  const s = (stats[op] ??= { lines: 0, disagreements: 0 });
  s.lines++;
  if (canon(v4) !== canon(expected)) {
    s.disagreements++;
    if (disagreements.length < 20) disagreements.push({ op, ...fields, v5: expected, v4 });
  }
  lines.push(JSON.stringify({ op, ...fields, expected }));
}

const r = new Rng(seed);

for (let n = 0; n < COUNTS.composeDoc; n++) {
  const doc = genDoc(r);
  record('compose', { a: doc, b: genEdit(r, doc) });
}

for (let n = 0; n < COUNTS.composeOps; n++) {
  const doc = genDoc(r);
  const op1 = genEdit(r, doc);
  const doc1 = doc.compose(op1);
  const op2 = genEdit(r, doc1);
  record('compose', { a: op1, b: op2 });
  checkAssociativity(doc, op1, op2, doc1);
}

for (let n = 0; n < COUNTS.transformPairs; n++) {
  const doc = genDoc(r);
  const a = genEdit(r, doc);
  const b = genEdit(r, doc);
  checkConvergence(doc, a, b);
  record('transform', { a, b, priority: true });
  record('transform', { a, b, priority: false });
}

for (let n = 0; n < COUNTS.transformPosition; n++) {
  const doc = genDoc(r);
  const a = genEdit(r, doc);
  const index = r.chance(0.4) ? r.pick(editCuts(a)) : r.pick(boundaries(doc));
  record('transformPosition', { a, index, priority: r.chance(0.5) });
}

for (let n = 0; n < COUNTS.invert; n++) {
  const base = genDoc(r);
  const a = genEdit(r, base);
  checkInverse(base, a);
  record('invert', { a, base });
}

for (let n = 0; n < COUNTS.attr; n++) {
  const a = genAttrMap(r, 0.25);
  record('attrCompose', { a, b: genAttrMap(r, 0.3), keepNull: r.chance(0.5) });
}
for (let n = 0; n < COUNTS.attr; n++) {
  const a = genAttrMap(r, 0.25);
  const b = r.chance(0.5) ? deriveAttrMap(r, a, 0.25) : genAttrMap(r, 0.25);
  record('attrTransform', { a, b, priority: r.chance(0.5) });
}
for (let n = 0; n < COUNTS.attr; n++) {
  // base is a document's attributes (no nulls, often absent); a is a retain's (nulls remove).
  const base = r.chance(0.2) ? undefined : genAttrMap(r, 0.03);
  const a = r.chance(0.6) ? deriveAttrMap(r, base, 0.3) : genAttrMap(r, 0.3);
  record('attrInvert', { a, base });
}
for (let n = 0; n < COUNTS.attr; n++) {
  const a = genAttrMap(r, 0.03);
  const b = r.chance(0.6) ? deriveAttrMap(r, a, 0.03) : genAttrMap(r, 0.03);
  record('attrDiff', { a, b });
}

const gz = gzipSync(Buffer.from(lines.join('\n') + '\n', 'utf8'), { level: 9 });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, gz);
report();

// ---- laws checked on every generated case ----------------------------------------------

/** doc∘a∘a.invert(doc) = doc; exactly, or once null values in inserts are dropped. */
function checkInverse(doc, a) {
  const back = doc.compose(a).compose(a.invert(doc));
  if (isDeepStrictEqual(back.ops, doc.ops)) return;
  if (!sameModuloNulls(back, doc)) {
    throw new Error(`invert law broken: doc=${j(doc)} a=${j(a)} got=${j(back)}`);
  }
  lawNotes.invertModuloNullInserts++;
}

/** TP1: doc∘a∘a.transform(b, true) = doc∘b∘b.transform(a, false). */
function checkConvergence(doc, a, b) {
  const viaA = doc.compose(a).compose(a.transform(b, true));
  const viaB = doc.compose(b).compose(b.transform(a, false));
  if (isDeepStrictEqual(viaA.ops, viaB.ops)) return;
  if (!sameModuloNulls(viaA, viaB)) {
    throw new Error(`TP1 broken: doc=${j(doc)} a=${j(a)} b=${j(b)}: ${j(viaA)} vs ${j(viaB)}`);
  }
  lawNotes.transformModuloNullInserts++;
}

/** Informational only: doc∘(op1∘op2) against (doc∘op1)∘op2. */
function checkAssociativity(doc, op1, op2, doc1) {
  const left = doc.compose(op1.compose(op2));
  const right = doc1.compose(op2);
  if (isDeepStrictEqual(left.ops, right.ops)) lawNotes.assocExact++;
  else if (sameModuloNulls(left, right)) lawNotes.assocModuloNullInserts++;
  else lawNotes.assocBroken++;
}

/** Documents equal once null-valued attributes are dropped and runs are re-merged. */
function sameModuloNulls(x, y) {
  const clean = (doc) => {
    const d = new Delta5();
    for (const op of doc.ops) {
      const attrs = Object.fromEntries(
        Object.entries(op.attributes ?? {}).filter(([, v]) => v !== null));
      d.insert(op.insert, attrs);
    }
    return d.ops;
  };
  return isDeepStrictEqual(clean(x), clean(y));
}

// ---- helpers -----------------------------------------------------------------------------

/** JSON with object keys sorted, so answers compare regardless of key order. */
function canon(value) {
  return JSON.stringify(present(value), (key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v);
}

function j(delta) {
  return JSON.stringify(delta.ops);
}

function parseArgs(argv) {
  const parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(seed|out)$/.exec(argv[i]);
    if (!m || i + 1 >= argv.length) throw new Error(`usage: node vectors.mjs [--seed N] [--out FILE]`);
    parsed[m[1]] = argv[++i];
  }
  return parsed;
}

function report() {
  console.log(`quill-delta vectors, seed ${seed} -> ${out}`);
  console.log('kind               lines  4.2.2-vs-5.1.0 disagreements');
  let total = 0;
  for (const [op, s] of Object.entries(stats)) {
    console.log(`${op.padEnd(18)} ${String(s.lines).padStart(5)}  ${s.disagreements}`);
    total += s.lines;
  }
  console.log(`total              ${String(total).padStart(5)}`);
  console.log(`laws: invert held only modulo null-valued insert attributes in `
    + `${lawNotes.invertModuloNullInserts} cases; TP1 likewise in `
    + `${lawNotes.transformModuloNullInserts}; compose associativity exact `
    + `${lawNotes.assocExact}, modulo nulls ${lawNotes.assocModuloNullInserts}, `
    + `broken ${lawNotes.assocBroken}`);
  const sha = createHash('sha256').update(gz).digest('hex');
  console.log(`wrote ${gz.length} bytes gzipped (${lines.join('\n').length + 1} raw), sha256 ${sha}`);
  for (const d of disagreements) console.log('DISAGREEMENT', JSON.stringify(d));
}
