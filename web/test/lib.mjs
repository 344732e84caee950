// What the browser tests share: Debian's Chromium through playwright-core, users made over REST,
// pages opened signed in, and the editor's state read from the page.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

export const base = process.argv[2] || 'http://127.0.0.1:8080';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export async function rest(method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A new user whose username starts with `name`; `displayName` is what others see, if given. */
export async function register(name, displayName) {
  const body = { username: `${name}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`, password: 'password1' };
  if (displayName) body.displayName = displayName;
  const user = await rest('POST', '/v1/auth/register', null, body);
  return { ...user, displayName: user.displayName || user.username };
}

/** A page in a new context, already signed in as {@code user}. */
export async function signedIn(browser, user, viewport = { width: 1100, height: 760 }) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript((s) => localStorage.setItem('tandem.session', s), JSON.stringify(user));
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${user.username}] page error: ${e.message}`));
  return { context, page };
}

/** Opens the document's page (through `at`, a proxy, if given) and waits until it is online. */
export async function openDoc(page, docId, at = base) {
  await page.goto(`${at}/d/${docId}`);
  await page.waitForSelector('.status[data-status=online]');
}

/** The text both the editor and the sync agree on, once nothing is unsent. */
export async function settledText(page) {
  await page.waitForFunction(() => window.__tandem && window.__tandem.sync.unsent() === 0 && window.__tandem.sync.status === 'online');
  return page.evaluate(() => window.__tandem.quill.getText());
}

export async function serverText(docId, token) {
  const d = await rest('GET', `/v1/docs/${docId}`, token);
  return { version: d.version, text: d.content.map((op) => (typeof op.insert === 'string' ? op.insert : '\uFFFC')).join('') };
}

/** Waits until nothing is unsent on any page and each holds the server's version and text. */
export async function converged(pages, docId, token) {
  for (let i = 0; i < 150; i++) {
    const texts = [];
    for (const p of pages) texts.push(await settledText(p));
    const s = await serverText(docId, token);
    const versions = await Promise.all(pages.map((p) => p.evaluate(() => window.__tandem.sync.version)));
    const now = await Promise.all(pages.map((p) => p.evaluate(() => window.__tandem.quill.getText())));
    if (versions.every((v) => v === s.version) && now.every((t, k) => t === texts[k])) {
      // Quill's text always ends with a newline; the server's ends with one only if it was typed
      const expected = s.text.endsWith('\n') ? s.text : `${s.text}\n`;
      for (const t of texts) assert.equal(t, expected);
      return s;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the pages did not reach the server\'s version');
}

/** A seeded generator (mulberry32): a failing run is replayed with its seed. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Ann's new document, shared with Ben as an editor: the two typists of a test. */
export async function twoEditors(title, names = []) {
  const ann = await register('ann', names[0]);
  const ben = await register('ben', names[1]);
  const doc = await rest('POST', '/v1/docs', ann.token, { title });
  await rest('PUT', `/v1/docs/${doc.id}/permissions/user:${ben.userId}`, ann.token, { role: 'editor' });
  return { ann, ben, doc };
}

/** Types n keystrokes, each at a random place before Quill's last newline; Enter with the given chance. */
export async function typeAtRandom(page, rnd, letters, n, enterChance = 0) {
  for (let i = 0; i < n; i++) {
    const len = await page.evaluate(() => window.__tandem.quill.getLength());
    await page.evaluate((at) => window.__tandem.quill.setSelection(at, 0, 'user'), Math.floor(rnd() * len));
    await page.keyboard.type(letters[i % letters.length]);
    if (enterChance && rnd() < enterChance) await page.keyboard.press('Enter');
  }
}

/** How many times `re` (global) matches in `text`. */
export const count = (text, re) => (text.match(re) || []).length;

/**
 * Ann's page, reaching the server through `through` (a proxy the test can cut), and Ben's,
 * straight to it, each with 10 keystrokes typed at random places from its own generator (seeds
 * `seed` and `seed + 1`), converged: the start of the tests that cut Ann's line.
 */
export async function twoPagesTyped(browser, ann, ben, docId, through, seed) {
  const a = await signedIn(browser, ann);
  const b = await signedIn(browser, ben);
  await openDoc(a.page, docId, through);
  await openDoc(b.page, docId);
  const rndA = random(seed);
  const rndB = random(seed + 1);
  await Promise.all([typeAtRandom(a.page, rndA, 'abcde', 10), typeAtRandom(b.page, rndB, 'KLMNO', 10)]);
  await converged([a.page, b.page], docId, ann.token);
  return { a, b, rndA, rndB };
}
