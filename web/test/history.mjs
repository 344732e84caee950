// The history panel: three edit sessions (ann, ben, ann) listed newest first with their authors;
// the current version named; ben's session previewed with what he added highlighted, equal to the
// server's content at that version; "Restore this version" brings that text back in the editor
// and on the server; a viewer sees the history without naming or restoring. Takes history.png.
// Usage: node test/history.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { launch, rest, register, signedIn, openDoc, settledText, serverText, twoEditors } from './lib.mjs';

const shots = process.env.SCREENSHOTS;
const { ann, ben, doc } = await twoEditors('Launch plan', ['Ann Lee', 'Ben Okafor']);
const cal = await register('cal', 'Cal Rivera');
await rest('PUT', `/v1/docs/${doc.id}/permissions/user:${cal.userId}`, ann.token, { role: 'viewer' });
const browser = await launch();
const plain = (s) => s.replace(/\s+/g, ' ').trim();

async function typeAtEnd(page, text) {
  await page.evaluate(() => window.__tandem.quill.setSelection(window.__tandem.quill.getLength() - 1, 0, 'user'));
  await page.keyboard.type(text);
  await settledText(page);
}

try {
  const a = await signedIn(browser, ann, { width: 1200, height: 780 });
  const b = await signedIn(browser, ben);
  await openDoc(a.page, doc.id);
  await typeAtEnd(a.page, 'The plan for the launch. ');
  await openDoc(b.page, doc.id);
  await typeAtEnd(b.page, 'Ben adds the budget. ');
  const afterBen = await serverText(doc.id, ann.token);
  await settledText(a.page);
  await typeAtEnd(a.page, 'Ann adds the dates.');
  await settledText(b.page);

  await a.page.click('button:has-text("History")');
  await a.page.waitForSelector('.history .versions li.session');
  await a.page.waitForFunction(() => document.querySelectorAll('.history .versions li.session').length === 3);
  const who = await a.page.$$eval('.history .versions li.session .who', (els) => els.map((e) => e.textContent));
  assert.match(who[0], /Ann Lee/);
  assert.match(who[1], /Ben Okafor/);
  assert.match(who[2], /Ann Lee/);

  // name the current version
  await a.page.fill('input[aria-label="Version name"]', 'Before review');
  await a.page.click('.history form button[type=submit]');
  await a.page.waitForSelector('.history .versions li.named:has-text("Before review")');
  await a.page.waitForTimeout(500); // the version_named event reloads the list once more
  assert.equal(await a.page.$$eval('.history .versions li', (els) => els.length), 4, 'three sessions and the name, once each');
  const named = await rest('GET', `/v1/docs/${doc.id}/versions`, ann.token);
  assert.equal(named.items[0].name, 'Before review');

  // ben's session, previewed: his words highlighted, the text as the server had it then
  await a.page.click('.history .versions li.session .pick >> nth=1');
  await a.page.waitForSelector('.history .caption:has-text("Changes by")');
  const version = Number(await a.page.$eval('.history .versions li.on', (li) => li.dataset.version));
  assert.equal(version, afterBen.version);
  const shown = await a.page.$eval('.history .preview .ql-editor', (e) => e.innerText);
  assert.equal(plain(shown), plain(afterBen.text));
  const added = await a.page.$$eval('.history .preview .ql-editor [style*="background-color"]', (els) => els.map((e) => e.textContent).join(''));
  assert.match(added, /Ben adds the budget/);
  if (shots) await a.page.screenshot({ path: `${shots}/history.png` });

  // restore it: the editors and the server go back to that text, as a new version
  await a.page.click('.history button:has-text("Restore this version")');
  await a.page.waitForSelector('.history .caption:has-text("Restored version")');
  const now = await serverText(doc.id, ann.token);
  assert.equal(now.text, afterBen.text);
  assert.ok(now.version > afterBen.version + 1, 'a new version, not a rewrite');
  await a.page.click('.history button[aria-label=Close]');
  assert.equal(plain(await settledText(a.page)), plain(afterBen.text));
  assert.equal(plain(await settledText(b.page)), plain(afterBen.text));

  // a viewer reads the history and can neither name nor restore
  const c = await signedIn(browser, cal);
  await openDoc(c.page, doc.id);
  await c.page.click('button:has-text("History")');
  await c.page.waitForSelector('.history .versions li.session');
  await c.page.click('.history .versions li.session .pick >> nth=0');
  await c.page.waitForSelector('.history .caption:has-text("Changes by")');
  assert.equal(await c.page.$('.history input[aria-label="Version name"]'), null);
  assert.equal(await c.page.$('.history button:has-text("Restore this version")'), null);
  console.log('history: ok');
} finally {
  await browser.close();
}
