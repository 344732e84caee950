/**
 * Random documents, edits and attribute maps for the quill-delta vectors. Every delta is built
 * with quill-delta 5.1.0's own insert/retain/delete, so inputs are in the form quill itself
 * produces (merged runs, insert before delete). Lengths are UTF-16 units, as in quill; edits
 * only cut the document at code-point boundaries (an embed counts 1).
 */
import Delta from 'quill-delta';

// Glyphs are whole code points, except the thumbs-up with a skin tone: two code points (four
// units), so an edit may legally fall between them but never inside either surrogate pair.
const GLYPHS = [
  ...[...'abcdefghijklmnopqrstuvwxyz'].map((c) => [c, 3]),
  ...[...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => [c, 1]),
  [' ', 14], ['\n', 5], ['é', 3], ['ß', 2], ['漢', 2], ['字', 2],
  ['😀', 3], ['👍🏽', 2], ['𝄞', 3],
];

const EMBEDS = [
  () => ({ image: 'https://example.com/i.png' }),
  () => ({ formula: 'e=mc^2' }),
  () => ({ video: 'v' }),
];

// [key, weight, value]; object and array values are fresh on each call, as after JSON parsing.
const ATTRS = [
  ['bold', 10, () => true],
  ['italic', 8, () => true],
  ['underline', 5, () => true],
  ['color', 6, (r) => r.pick(['#e00', '#0a0'])],
  ['link', 4, () => 'https://example.com/x'],
  ['header', 4, (r) => r.pick([1, 2])],
  ['size', 4, () => 'large'],
  ['meta', 1.5, (r) => ({ a: r.chance(0.8) ? 1 : 2 })],
  ['tags', 1, () => ['x', 'y']],
];
const ATTR_KEYS = ATTRS.map(([k, w]) => [k, w]);
const VALUE = Object.fromEntries(ATTRS.map(([k, , v]) => [k, v]));

export function attrValue(r, key) {
  return VALUE[key](r);
}

/**
 * An attribute map of min..max distinct keys. nullP: chance each value is null (a retain
 * removing a format). extraNullP: chance one more key is added with a null value.
 */
export function genAttrs(r, { min = 1, max = 3, nullP = 0, extraNullP = 0 } = {}) {
  const n = r.between(min, max);
  const attrs = {};
  for (let tries = 0; Object.keys(attrs).length < n && tries < 20; tries++) {
    const key = r.weighted(ATTR_KEYS);
    if (key in attrs) continue;
    attrs[key] = r.chance(nullP) ? null : attrValue(r, key);
  }
  if (r.chance(extraNullP)) {
    const key = r.weighted(ATTR_KEYS);
    if (!(key in attrs)) attrs[key] = null;
  }
  return attrs;
}

const insertAttrs = (r) => (r.chance(0.5) ? undefined : genAttrs(r, { extraNullP: 0.03 }));
const retainAttrs = (r) => genAttrs(r, { nullP: 0.3 });

export function genText(r, glyphs) {
  let s = '';
  for (let i = 0; i < glyphs; i++) s += r.weighted(GLYPHS);
  return s;
}

export function genEmbed(r) {
  return r.pick(EMBEDS)();
}

/** A document: inserts only, usually 0..60 units, sometimes up to ~300, sometimes empty. */
export function genDoc(r) {
  const roll = r.float();
  const target = roll < 0.04 ? 0 : roll < 0.14 ? r.between(61, 300) : r.between(1, 60);
  const doc = new Delta();
  let length = 0;
  while (length < target) {
    if (r.chance(0.12)) {
      doc.insert(genEmbed(r), r.chance(0.4) ? genAttrs(r, { extraNullP: 0.03 }) : undefined);
      length += 1;
    } else {
      const text = genText(r, r.between(1, 12));
      doc.insert(text, insertAttrs(r));
      length += text.length;
    }
  }
  return doc;
}

/** Offsets (UTF-16 units) where a document may be cut: 0, every code-point end, its length. */
export function boundaries(doc) {
  const cuts = [0];
  let offset = 0;
  for (const op of doc.ops) {
    if (typeof op.insert === 'string') {
      for (const cp of op.insert) cuts.push((offset += cp.length));
    } else {
      cuts.push((offset += 1));
    }
  }
  return cuts;
}

function insertSomething(r, d) {
  if (r.chance(0.15)) {
    d.insert(genEmbed(r), r.chance(0.3) ? genAttrs(r, { extraNullP: 0.03 }) : undefined);
  } else {
    d.insert(genText(r, r.chance(0.1) ? r.between(9, 30) : r.between(1, 8)), insertAttrs(r));
  }
}

/** A cut index after i: mostly short steps, sometimes anywhere, sometimes to the end. */
function ahead(r, i, last) {
  const rest = last - i;
  const x = r.float();
  if (x < 0.55) return i + r.between(1, Math.min(rest, 4));
  if (x < 0.9) return i + r.between(1, rest);
  return last;
}

/**
 * An edit valid on doc: a cursor walks the document emitting retains (some with attributes,
 * null removing one), inserts and deletes, never past the end nor inside a surrogate pair.
 */
export function genEdit(r, doc) {
  if (r.chance(0.02)) return new Delta(); // the empty edit, rarely
  for (;;) {
    // A walk of plain retains chops to nothing: walk again rather than emit many empty edits.
    const d = walkEdit(r, doc);
    if (d.ops.length > 0) return d;
  }
}

function walkEdit(r, doc) {
  const cuts = boundaries(doc);
  const last = cuts.length - 1;
  const d = new Delta();
  const shape = r.float();
  let i = 0;
  if (shape < 0.1 && last > 0) {
    // Start at the very end: retain all (maybe formatting it), then usually insert.
    d.retain(cuts[last], r.chance(0.3) ? retainAttrs(r) : undefined);
    i = last;
  } else if (shape < 0.18 && last > 0) {
    // A big delete: from some cut to (nearly) the end.
    const from = r.int(Math.max(1, Math.floor(last / 3)));
    const to = r.chance(0.5) ? last : r.between(from + 1, last);
    d.retain(cuts[from]).delete(cuts[to] - cuts[from]);
    i = to;
  }
  const steps = r.chance(0.1) ? r.between(4, 10) : r.between(1, 4);
  for (let s = 0; s < steps; s++) {
    const x = r.float();
    if (i === last || x < 0.38) {
      if (i === last && s > 0 && r.chance(0.5)) break;
      insertSomething(r, d);
      continue;
    }
    const j = ahead(r, i, last);
    const n = cuts[j] - cuts[i];
    if (x < 0.72) d.retain(n, r.chance(0.35) ? retainAttrs(r) : undefined);
    else d.delete(n);
    i = j;
  }
  if (i < last && r.chance(0.25)) {
    d.retain(cuts[last] - cuts[i], r.chance(0.4) ? retainAttrs(r) : undefined);
  }
  // Mostly chopped, as quill's own results are; a trailing plain retain is still a valid input.
  return r.chance(0.8) ? d.chop() : d;
}

/** Input offsets where the edit's components start and end. */
export function editCuts(edit) {
  const cuts = new Set([0]);
  let offset = 0;
  for (const op of edit.ops) {
    cuts.add(offset);
    if (op.insert === undefined) offset += op.retain ?? op.delete;
    cuts.add(offset);
  }
  return [...cuts];
}

/** A free-standing attribute map for the AttributeMap vectors; undefined stands for absent. */
export function genAttrMap(r, nullP) {
  const x = r.float();
  if (x < 0.1) return undefined;
  if (x < 0.14) return {};
  return genAttrs(r, { min: 1, max: 4, nullP });
}

/** A map derived from a, sharing some keys with equal (fresh) values, some changed or nulled. */
export function deriveAttrMap(r, a, nullP) {
  if (a === undefined || r.chance(0.1)) return genAttrMap(r, nullP);
  const b = {};
  for (const [key, value] of Object.entries(a)) {
    const x = r.float();
    if (x < 0.45) b[key] = value === null ? null : structuredClone(value);
    else if (x < 0.65) b[key] = attrValue(r, key);
    else if (x < 0.65 + nullP) b[key] = null;
  }
  if (r.chance(0.4)) Object.assign(b, genAttrs(r, { min: 1, max: 2, nullP }));
  return b;
}
