// A reconnect the server can no longer replay: ann's page was away while ben made more ops than
// the server keeps (the test's node keeps 100), so it gets a snapshot, and its unsent edits are
// rebased on it. Twice: once when the op in flight had reached the server but its ack was lost
// (resent, the server answers it as a duplicate: its text must not come twice), once when it
// never left (resent, refused as too old, rebased and sent anew: nothing lost).
// Usage: node test/resync.mjs http://127.0.0.1:PORT [versions ben makes while ann is away, over 100] [seed]
import assert from 'node:assert/strict';
import { launch, converged, twoEditors, typeAtRandom, serverText, twoPagesTyped, count } from './lib.mjs';
import { proxy } from './proxy.mjs';

const ahead = Number(process.argv[3] || 130);
const seed = Number(process.argv[4] || Date.now() % 100000);
console.log(`resync: ben makes ${ahead} versions while ann is away, seed ${seed}`);

const { ann, ben, doc } = await twoEditors('Resync');
const net = await proxy(process.argv[2]);
const browser = await launch();
// Types on `page` until the server is `ahead` versions past `from`, and says how many keystrokes
// that took: a page composes what is typed while an op is in flight, so a number of keystrokes
// alone may make fewer versions than the server keeps, and the reconnect would be a replay.
async function typeAhead(page, rnd, letters, from) {
  let typed = 0;
  while ((await serverText(doc.id, ann.token)).version < from + ahead) {
    assert.ok(typed < ahead * 20, `${typed} keystrokes made fewer than ${ahead} versions: the page stopped syncing`);
    await typeAtRandom(page, rnd, letters, 10);
    typed += 10;
  }
  return typed;
}

try {
  const { a, b, rndA, rndB } = await twoPagesTyped(browser, ann, ben, doc.id, net.url, seed);

  // 1. ann's op reaches the server, its ack does not; the line drops; she types on
  net.mute();
  await typeAtRandom(a.page, rndA, 'Q', 1);
  for (let i = 0; !(await serverText(doc.id, ann.token)).text.includes('Q'); i++) {
    assert.ok(i < 100, 'the op reached the server');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(await a.page.evaluate(() => window.__tandem.sync.inflight !== null), 'and is unacked in the page');
  const snapshots = () => a.page.evaluate(() => window.__tandem.snapshots());
  let loaded = await snapshots();
  net.cut();
  await a.page.waitForSelector('.status[data-status=offline]');
  await typeAtRandom(a.page, rndA, 'fghij', 10);
  let typed = await typeAhead(b.page, rndB, 'PRSTU', (await serverText(doc.id, ann.token)).version);
  net.restore();
  let s = await converged([a.page, b.page], doc.id, ann.token);
  assert.equal(await snapshots(), loaded + 1, 'the reconnect was answered with a snapshot, not a replay');
  assert.equal(count(s.text, /Q/g), 1, 'the op whose ack was lost is in the text once');
  assert.equal(count(s.text, /[f-j]/g), 10, 'the edits typed after it arrived');
  assert.equal(count(s.text, /[PRSTU]/g), typed, 'ben\'s are kept');
  console.log(`after the lost ack: converged at version ${s.version}`);

  // 2. the line drops first: the op in flight never reaches the server
  loaded = await snapshots();
  net.cut();
  await a.page.waitForSelector('.status[data-status=offline]');
  await typeAtRandom(a.page, rndA, 'vwxyz', 10);
  assert.ok(await a.page.evaluate(() => window.__tandem.sync.inflight !== null), 'an op is in flight, unsent');
  typed = await typeAhead(b.page, rndB, 'GHIJ', (await serverText(doc.id, ann.token)).version);
  net.restore();
  s = await converged([a.page, b.page], doc.id, ann.token);
  assert.ok(await snapshots() > loaded, 'the reconnect was answered with a snapshot');
  assert.equal(count(s.text, /[v-z]/g), 10, 'every keystroke ann typed away arrived, once');
  assert.equal(count(s.text, /[G-J]/g), typed, 'ben\'s are kept');
  assert.equal(count(s.text, /[a-e]/g), 10, 'and what was there before');
  console.log(`after the op that never left: converged at version ${s.version}`);
  console.log('resync: ok');
} finally {
  await browser.close();
  net.close();
}
