// One user, two tabs of one browser on one document: each sends under its own clientId (a Web
// Lock holds it), both type offline and are closed; the next page opened sends both tabs' edits,
// one kept record as its own, the other in the background under that tab's clientId.
// Usage: node test/tabs.mjs http://127.0.0.1:PORT [keystrokes] [seed]
import assert from 'node:assert/strict';
import { launch, signedIn, converged, random, register, rest, typeAtRandom } from './lib.mjs';
import { proxy } from './proxy.mjs';

const keystrokes = Number(process.argv[3] || 15);
const seed = Number(process.argv[4] || Date.now() % 100000);
console.log(`tabs: ${keystrokes} keystrokes in each tab, seed ${seed}`);

const ann = await register('ann');
const doc = await rest('POST', '/v1/docs', ann.token, { title: 'Tabs' });
const net = await proxy(process.argv[2]);
const browser = await launch();
const count = (text, re) => (text.match(re) || []).length;
const keptUnsent = (page) => page.evaluate(() => new Promise((resolve) => {
  const req = indexedDB.open('tandem');
  req.onsuccess = () => {
    const all = req.result.transaction('kept').objectStore('kept').getAll();
    all.onsuccess = () => resolve(all.result.filter((r) => r.inflight || r.pending).length);
  };
}));

async function open(page) {
  await page.goto(`${net.url}/d/${doc.id}`);
  await page.waitForSelector('.status[data-status=online]');
}

try {
  const { context, page: one } = await signedIn(browser, ann);
  await open(one);
  const two = await context.newPage();
  await open(two);
  const ids = await Promise.all([one, two].map((p) => p.evaluate(() => window.__tandem.sync.clientId)));
  assert.notEqual(ids[0], ids[1], 'each tab has its own clientId');
  const rnd = random(seed);
  await typeAtRandom(one, rnd, 'ab', 4);
  await typeAtRandom(two, rnd, 'cd', 4);
  await converged([one, two], doc.id, ann.token);

  net.cut();
  await Promise.all([one, two].map((p) => p.waitForSelector('.status[data-status=offline]')));
  await typeAtRandom(one, rnd, 'efghi', keystrokes);
  await typeAtRandom(two, rnd, 'klmno', keystrokes);
  for (const p of [one, two]) assert.ok(await p.evaluate(() => window.__tandem.sync.unsent() > 0));
  for (let i = 0; (await keptUnsent(one)) !== 2; i++) {
    assert.ok(i < 50, 'each tab keeps its own unsent edits');
    await one.waitForTimeout(100);
  }
  await one.waitForTimeout(300); // the last keystroke's state written too
  await one.close({ runBeforeUnload: false });
  await two.close({ runBeforeUnload: false });

  net.restore();
  const three = await context.newPage();
  await open(three);
  let s;
  for (let i = 0; ; i++) {
    s = await converged([three], doc.id, ann.token);
    if (count(s.text, /[k-o]/g) + count(s.text, /[e-i]/g) === 2 * keystrokes || i > 50) break;
    await three.waitForTimeout(200); // the other tab's edits go in the background: they come as remote ops
  }
  assert.equal(count(s.text, /[e-i]/g), keystrokes, 'the first tab\'s offline edits arrived');
  assert.equal(count(s.text, /[k-o]/g), keystrokes, 'and the second tab\'s');
  assert.equal(count(s.text, /[a-d]/g), 8, 'and those made online, once');
  for (let i = 0; (await keptUnsent(three)) > 0; i++) {
    assert.ok(i < 50, 'nothing unsent is left in IndexedDB');
    await three.waitForTimeout(100);
  }
  console.log(`tabs: converged at version ${s.version}`);
  console.log('tabs: ok');
} finally {
  await browser.close();
  net.close();
}
