// Two browsers type into one document at once, at random places, and end with the same text as
// the server's; formatting made in one shows in the other; one's cursor shows in the other with
// its name; the last line shows the same on both whatever ends the text (Enter at its end, the
// last line emptied, reverts that end it with a newline or without or delete a heading's, both
// typing at the end at once); undo and redo take back only the user's own edits, with the other's kept.
// Usage: node test/coedit.mjs http://127.0.0.1:PORT [keystrokes] [seed]
import assert from 'node:assert/strict';
import { launch, signedIn, openDoc, converged, random, rest, twoEditors, typeAtRandom } from './lib.mjs';

const keystrokes = Number(process.argv[3] || 200);
const seed = Number(process.argv[4] || Date.now() % 100000);
console.log(`coedit: ${keystrokes} keystrokes each, seed ${seed}`);

const { ann, ben, doc } = await twoEditors('Typed by two');

const browser = await launch();
try {
  const a = await signedIn(browser, ann);
  const b = await signedIn(browser, ben);
  await openDoc(a.page, doc.id);
  await openDoc(b.page, doc.id);

  await Promise.all([
    typeAtRandom(a.page, random(seed), 'abcdefghij', keystrokes, 0.05),
    typeAtRandom(b.page, random(seed + 1), 'KLMNOPQRST', keystrokes, 0.05),
  ]);
  const s = await converged([a.page, b.page], doc.id, ann.token);
  const count = (re) => (s.text.match(re) || []).length;
  assert.equal(count(/[a-j]/g), keystrokes, 'every keystroke of ann is in the text');
  assert.equal(count(/[K-T]/g), keystrokes, 'every keystroke of ben is in the text');
  console.log(`converged at version ${s.version}, ${s.text.length} characters`);

  // formatting: bold, a heading and a list made by ann show in ben's editor
  await a.page.evaluate(() => {
    const q = window.__tandem.quill;
    q.formatText(0, 3, 'bold', true, 'user');
    q.formatLine(0, 1, 'header', 1, 'user');
    q.formatLine(q.getLength() - 1, 1, 'list', 'bullet', 'user');
  });
  await converged([a.page, b.page], doc.id, ann.token);
  await b.page.waitForSelector('.ql-editor h1 strong');
  await b.page.waitForSelector('.ql-editor ol li[data-list=bullet]');
  const contentsA = await a.page.evaluate(() => JSON.stringify(window.__tandem.quill.getContents()));
  const contentsB = await b.page.evaluate(() => JSON.stringify(window.__tandem.quill.getContents()));
  assert.equal(contentsB, contentsA, 'the same formatted contents on both');

  // ann's cursor shows in ben's editor, at ann's place, with ann's name
  await a.page.evaluate(() => window.__tandem.quill.setSelection(5, 3, 'user'));
  await b.page.waitForFunction((name) => [...document.querySelectorAll('.ql-cursor-name')].some((e) => e.textContent === name), ann.username);
  await b.page.waitForFunction(() => {
    const c = window.__tandem.quill.getModule('cursors').cursors()[0];
    return c && c.range && c.range.index === 5 && c.range.length === 3;
  });

  await lastLine(browser);
  await undoOwn(browser);
  console.log('coedit: ok');
} finally {
  await browser.close();
}

/**
 * Quill always ends with a newline; the server's text need not. A text shows one way on every
 * page: as it is when it ends with a newline, else with Quill's after it. Each step is converged
 * (every page's text is the server's shown that way) and both pages hold the same contents.
 */
async function lastLine(browser) {
  const { ann, ben, doc, a, b, at, step } = await pair(browser, 'Last line');

  await at(a.page, 0);
  await a.page.keyboard.type('onetwo');
  await at(a.page, 3);
  await a.page.keyboard.press('Enter');
  const noNewline = await step('a text without a final newline', 'one\ntwo');

  await at(b.page, 4, 3);
  await b.page.keyboard.press('Backspace');
  const emptied = await step('the last line emptied keeps it, empty', 'one\n\n');

  await rest('POST', `/v1/docs/${doc.id}/revert`, ann.token, { version: noNewline });
  await step('a revert that takes the final newline away', 'one\ntwo');

  await rest('POST', `/v1/docs/${doc.id}/revert`, ann.token, { version: emptied });
  await step('a revert that ends the text with a newline, from the server', 'one\n\n');

  await rest('POST', `/v1/docs/${doc.id}/revert`, ann.token, { version: noNewline });
  await step('back to no final newline', 'one\ntwo');
  await at(a.page, 7);
  await a.page.keyboard.press('Enter');
  await step('Enter at the end of the text', 'one\ntwo\n\n');
  await at(a.page, 8);
  await a.page.keyboard.type('three');
  await step('typing on the new last line', 'one\ntwo\nthree\n');
  await at(b.page, 3);
  await b.page.keyboard.type('x');
  await step('typing elsewhere', 'onex\ntwo\nthree\n');
  await rest('POST', `/v1/docs/${doc.id}/revert`, ann.token, { version: noNewline });
  await step('a revert that deletes from inside a line through the final newline', 'one\ntwo');
  await a.page.evaluate(() => window.__tandem.quill.formatLine(5, 1, 'header', 1, 'user'));
  await step('a heading on the last line', 'one\ntwo\n');
  await rest('POST', `/v1/docs/${doc.id}/revert`, ann.token, { version: noNewline });
  await step('a revert that deletes the heading\'s newline', 'one\ntwo');
  const fresh = await signedIn(browser, ben);
  await openDoc(fresh.page, doc.id);
  const [shown, loaded] = await Promise.all([a.page, fresh.page].map((p) => p.evaluate(() => JSON.stringify(window.__tandem.quill.getContents()))));
  assert.equal(shown, loaded, 'a page that saw the ops shows what a page that loads the text shows');
  await fresh.context.close();

  // both at once, within three places of the end: Enter, Backspace, a heading on the last line, letters
  await Promise.all([nearTheEnd(a.page, random(seed + 2), 'abc'), nearTheEnd(b.page, random(seed + 3), 'XYZ')]);
  const s = await converged([a.page, b.page], doc.id, ann.token);
  const [ca, cb] = await Promise.all([a.page, b.page].map((p) => p.evaluate(() => JSON.stringify(window.__tandem.quill.getContents()))));
  assert.equal(cb, ca, 'both at the end at once: the same contents on both');
  console.log(`last line: ok, ${JSON.stringify(s.text.slice(-16))} at the end`);
  await Promise.all([a.context.close(), b.context.close()]);
}

async function nearTheEnd(page, rnd, letters, n = 60) {
  for (let i = 0; i < n; i++) {
    const len = await page.evaluate(() => window.__tandem.quill.getLength());
    await page.evaluate((x) => window.__tandem.quill.setSelection(x, 0, 'user'), Math.max(0, len - 1 - Math.floor(rnd() * 3)));
    const r = rnd();
    if (r < 0.3) await page.keyboard.press('Enter');
    else if (r < 0.45) await page.keyboard.press('Backspace');
    else if (r < 0.5) await page.evaluate(() => window.__tandem.quill.formatLine(window.__tandem.quill.getLength() - 1, 1, 'header', 2, 'user'));
    else await page.keyboard.type(letters[i % letters.length]);
  }
}

/** Ann's and Ben's pages on a new document; `at` puts a cursor, `step` converges and checks the text. */
async function pair(browser, title) {
  const { ann, ben, doc } = await twoEditors(title);
  const a = await signedIn(browser, ann);
  const b = await signedIn(browser, ben);
  await openDoc(a.page, doc.id);
  await openDoc(b.page, doc.id);
  const at = (page, index, length = 0) => page.evaluate(([i, n]) => window.__tandem.quill.setSelection(i, n, 'user'), [index, length]);
  const step = async (what, expected) => {
    const s = await converged([a.page, b.page], doc.id, ann.token);
    assert.equal(s.text, expected, what);
    const [ca, cb] = await Promise.all([a.page, b.page].map((p) => p.evaluate(() => JSON.stringify(window.__tandem.quill.getContents()))));
    assert.equal(cb, ca, `${what}: the same contents on both`);
    return s.version;
  };
  return { ann, ben, doc, a, b, at, step };
}

/**
 * Undo (Ctrl+Z) and redo (Ctrl+Shift+Z) in one page take back and bring back only its user's
 * edits, where they now are after the other's edits around them. Each pause in typing is a
 * cutoff of Quill's history, as a pause of a second would be.
 */
async function undoOwn(browser) {
  const { a, b, at, step } = await pair(browser, 'Undo');
  const pause = (page) => page.evaluate(() => window.__tandem.quill.history.cutoff());
  const type = async (page, index, text) => {
    await at(page, index);
    await page.keyboard.type(text);
    await pause(page);
  };

  await type(a.page, 0, 'hello ');
  await step('ann types', 'hello ');
  await type(b.page, 6, 'world');
  await step('ben types after it', 'hello world');
  await type(a.page, 0, 'AAA');
  await step('ann types at the start', 'AAAhello world');
  await type(b.page, 3, 'BBB');
  await step('ben types between', 'AAABBBhello world');

  await a.page.keyboard.press('Control+z');
  await step('ann undoes her last edit: ben\'s stays', 'BBBhello world');
  await a.page.keyboard.press('Control+z');
  await step('ann undoes her first edit: ben\'s "world" stays', 'BBBworld');
  await a.page.keyboard.press('Control+Shift+z');
  await step('ann redoes it, where it now goes', 'BBBhello world');
  await b.page.keyboard.press('Control+z');
  await step('ben undoes his last edit: ann\'s stay', 'hello world');
  await a.page.keyboard.press('Control+Shift+z');
  await step('ann redoes her last one', 'AAAhello world');
  await b.page.keyboard.press('Control+z');
  await step('ben undoes his first edit', 'AAAhello ');
  await b.page.keyboard.press('Control+z');
  await step('ben has nothing more to undo: ann\'s edits stay', 'AAAhello ');
  console.log('undo: ok');
  await Promise.all([a.context.close(), b.context.close()]);
}
