// One user's way through the product: sign up, create a document, share it with a second user by
// username, who signs in and finds it in their list; a viewer cannot change the text; a user whose
// access is revoked mid-session is told so.
// Usage: node test/journey.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { base, launch, register, rest, signedIn, openDoc, settledText } from './lib.mjs';

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const annName = `ann${suffix}`;
const ben = await register('ben');
const cal = await register('cal');
const browser = await launch();
try {
  // sign up in the page
  const a = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const pa = await a.newPage();
  pa.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await pa.goto(`${base}/`);
  await pa.click('text=New here? Create an account');
  await pa.fill('input[name=username]', annName);
  await pa.fill('input[name=password]', 'short');
  await pa.click('button[type=submit]');
  await pa.waitForSelector('.error:not(:empty)'); // the server's reason, in words
  assert.match(await pa.textContent('.error'), /password/i);
  await pa.fill('input[name=password]', 'password1');
  await pa.click('button[type=submit]');

  // create a document, title it, type
  await pa.click('text=New document');
  await pa.waitForSelector('.status[data-status=online]');
  await pa.fill('.doc-title', 'Quarterly plan');
  await pa.press('.doc-title', 'Enter');
  await pa.click('.ql-editor');
  await pa.keyboard.type('Plans for the quarter.');
  await settledText(pa);
  const docId = new URL(pa.url()).pathname.split('/').pop();
  const annToken = await pa.evaluate(() => JSON.parse(localStorage.getItem('tandem.session')).token);
  await pa.waitForFunction(async ([id, t]) => (await (await fetch(`/v1/docs/${id}`, { headers: { Authorization: `Bearer ${t}` } })).json()).title === 'Quarterly plan', [docId, annToken]);

  // share with ben by username, as editor; with cal as viewer
  await pa.click('button:has-text("Share")');
  await pa.fill('input[aria-label="Username to share with"]', 'no-such-user-x');
  await pa.click('.share button[type=submit]');
  await pa.waitForSelector('.share .error:has-text("There is no user named")');
  await pa.fill('input[aria-label="Username to share with"]', ben.username);
  await pa.click('.share button[type=submit]');
  await pa.waitForSelector(`.grants li[data-principal="user:${ben.userId}"]`);
  await pa.fill('input[aria-label="Username to share with"]', cal.username);
  await pa.selectOption('select[aria-label="Role"]', 'viewer');
  await pa.click('.share button[type=submit]');
  await pa.waitForSelector(`.grants li[data-principal="user:${cal.userId}"]`);
  const perms = await rest('GET', `/v1/docs/${docId}/permissions`, annToken);
  const annId = (await rest('GET', '/v1/me', annToken)).userId;
  assert.deepEqual(perms.items.filter((g) => g.principal !== `user:${annId}`)
    .map((g) => `${g.principal}=${g.role}`).sort(), [`user:${ben.userId}=editor`, `user:${cal.userId}=viewer`].sort());
  await pa.click('button[aria-label=Close]');

  // ben signs in and finds it shared with him
  const b = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const pb = await b.newPage();
  await pb.goto(`${base}/`);
  await pb.fill('input[name=username]', ben.username);
  await pb.fill('input[name=password]', 'password1');
  await pb.click('button[type=submit]');
  await pb.click('text=Shared with me');
  await pb.waitForSelector('.docs a:has-text("Quarterly plan")');
  await pb.click('.docs a:has-text("Quarterly plan")');
  await pb.waitForSelector('.status[data-status=online]');
  assert.equal(await settledText(pb), 'Plans for the quarter.\n');

  // cal, a viewer: the editor is read-only and says so; typing changes nothing
  const c = await signedIn(browser, cal);
  await openDoc(c.page, docId);
  assert.match(await c.page.textContent('.error'), /viewer/);
  await c.page.click('.ql-editor');
  await c.page.keyboard.type('not allowed');
  assert.equal(await c.page.evaluate(() => window.__tandem.quill.getText()), 'Plans for the quarter.\n');
  // (Quill's last newline is its own: typing never adds one to the server's text)
  assert.equal((await rest('GET', `/v1/docs/${docId}`, annToken)).content.map((o) => o.insert).join(''), 'Plans for the quarter.');

  // ben's access is revoked while he has the document open: he is told so
  await rest('DELETE', `/v1/docs/${docId}/permissions/user:${ben.userId}`, annToken);
  await pb.waitForSelector('.error:has-text("Your access to this document ended")');
  assert.equal(await pb.evaluate(() => window.__tandem.quill.isEnabled()), false);
  // opened again without access: told so, not left "Connecting…" forever
  await pb.reload();
  await pb.waitForSelector('.error:has-text("does not exist, or it is not shared with you")');
  console.log('journey: ok');
} finally {
  await browser.close();
}
