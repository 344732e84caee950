// Offline editing for real: ann's page reaches the server through a proxy the test cuts. Ann
// types while cut off and ben types meanwhile; back online both converge with every keystroke.
// Then ann types offline and closes the page; reopened online, her edits arrive.
// Usage: node test/offline.mjs http://127.0.0.1:PORT [keystrokes] [seed]
import assert from 'node:assert/strict';
import { launch, openDoc, converged, twoEditors, typeAtRandom, twoPagesTyped, count } from './lib.mjs';
import { proxy } from './proxy.mjs';

const keystrokes = Number(process.argv[3] || 60);
const seed = Number(process.argv[4] || Date.now() % 100000);
console.log(`offline: ${keystrokes} keystrokes each, seed ${seed}`);

const { ann, ben, doc } = await twoEditors('Offline');
const net = await proxy(process.argv[2]);
const browser = await launch();


try {
  const { a, b, rndA, rndB } = await twoPagesTyped(browser, ann, ben, doc.id, net.url, seed);

  net.cut();
  await a.page.waitForSelector('.status[data-status=offline]');
  await Promise.all([typeAtRandom(a.page, rndA, 'abcde', keystrokes), typeAtRandom(b.page, rndB, 'KLMNO', keystrokes)]);
  const unsent = await a.page.textContent('.status');
  assert.match(unsent, /Offline · unsent edits/, 'the indicator says there are unsent edits');
  net.restore();
  let s = await converged([a.page, b.page], doc.id, ann.token);
  assert.equal(count(s.text, /[a-e]/g), 10 + keystrokes, 'every keystroke ann typed offline arrived');
  assert.equal(count(s.text, /[K-O]/g), 10 + keystrokes, 'every keystroke ben typed meanwhile is kept');
  console.log(`back online: converged at version ${s.version}`);

  // offline, type, close the page; reopen online: the edits are sent from IndexedDB
  net.cut();
  await a.page.waitForSelector('.status[data-status=offline]');
  await typeAtRandom(a.page, rndA, 'fghij', 20);
  await a.page.waitForTimeout(300); // the last keystroke's state written to IndexedDB
  await a.page.close({ runBeforeUnload: false });
  await typeAtRandom(b.page, rndB, 'PQRST', 10);
  net.restore();
  const again = await a.context.newPage();
  await openDoc(again, doc.id, net.url);
  s = await converged([again, b.page], doc.id, ann.token);
  assert.equal(count(s.text, /[f-j]/g), 20, 'the edits made before the page was closed arrived');
  assert.equal(count(s.text, /[P-T]/g), 10, 'and ben\'s made meanwhile are kept');
  console.log(`reopened: converged at version ${s.version}`);
  console.log('offline: ok');
} finally {
  await browser.close();
  net.close();
}
