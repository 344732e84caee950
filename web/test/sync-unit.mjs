// sync.js's two pure functions, on seeded random texts and ops (no server, no browser):
// - toBase maps a position in the text after the unacked edits to one before them, in order,
//   and a retained character to itself;
// - rebase puts edits made on one text onto a later one whose ops are unknown: the result
//   applies, and keeps every character the edits inserted and every one the other change did.
// Usage: node test/sync-unit.mjs [ignored base] [cases] [seed]
import assert from 'node:assert/strict';
import Delta from 'quill-delta';
import { rebase, toBase } from '../src/sync.js';
import { random } from './lib.mjs';

const cases = Number(process.argv[3] || 2000);
const seed = Number(process.argv[4] || Date.now() % 100000);
console.log(`sync-unit: ${cases} cases, seed ${seed}`);
const rnd = random(seed);
const int = (n) => Math.floor(rnd() * n);

function text(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += 'abcde\n'[int(6)];
  return s;
}

/** A random op on a text of length len, inserting the letter given. */
function op(len, letter) {
  const d = new Delta();
  let at = 0;
  while (at < len && rnd() < 0.8) {
    const step = 1 + int(Math.min(5, len - at));
    const k = int(4);
    if (k === 0) d.insert(letter.repeat(1 + int(3)));
    else if (k === 1) {
      d.delete(step);
      at += step;
    } else {
      d.retain(step, rnd() < 0.2 ? { bold: true } : undefined);
      at += step;
    }
  }
  if (rnd() < 0.3) d.retain(len - at).insert(letter);
  return d.chop();
}

const plain = (delta) => delta.ops.map((o) => (typeof o.insert === 'string' ? o.insert : '')).join('');
const count = (s, c) => s.split(c).length - 1;
const inserted = (delta, c) => delta.ops.reduce((k, o) => k + (typeof o.insert === 'string' ? count(o.insert, c) : 0), 0);

for (let i = 0; i < cases; i++) {
  const base = new Delta().insert(text(int(30)));
  const before = plain(base);
  const local = op(before.length, 'u');
  const after = plain(base.compose(local));
  let last = 0;
  for (let at = 0; at <= after.length; at++) {
    const b = toBase(local, at);
    assert.ok(b >= last && b <= before.length, `case ${i}: toBase(${at}) = ${b} after ${last}, of ${before.length}`);
    last = b;
  }
  // a retained character maps to itself
  let oldAt = 0;
  let newAt = 0;
  for (const o of local.ops) {
    if (o.delete) oldAt += o.delete;
    else if (o.insert !== undefined) newAt += o.insert.length;
    else {
      for (let k = 0; k < o.retain; k++) assert.equal(toBase(local, newAt + k), oldAt + k, `case ${i}: retained ${newAt + k}`);
      oldAt += o.retain;
      newAt += o.retain;
    }
  }

  const other = op(before.length, 'X');
  const snapshot = base.compose(other);
  const rebased = rebase(base, local, snapshot);
  const reach = rebased.ops.reduce((k, o) => k + (o.retain || o.delete || 0), 0);
  assert.ok(reach <= snapshot.length(), `case ${i}: the rebased op stays within the snapshot (the server refuses one that reaches past it)`);
  const result = plain(snapshot.compose(rebased));
  assert.equal(snapshot.compose(rebased).length(), snapshot.length() + rebased.changeLength(), `case ${i}: the rebased op applies`);
  assert.equal(count(result, 'u'), inserted(local, 'u'), `case ${i}: every character the edits inserted is kept, once`);
  assert.equal(count(result, 'X'), inserted(other, 'X'), `case ${i}: and every one the other change inserted`);
}
console.log('sync-unit: ok');
