// The screenshots in docs/ and the README, taken on a real node: the editor with two other
// people's cursors (one with a selection), the list of documents, and the share dialog. Each is checked before it
// is taken (the names on the cursors, the rows of the list, the people in the dialog). They are
// written to $SCREENSHOTS (BrowserIT: app/target/screenshots); `docs/images/` holds the copies.
// Usage: node test/screens.mjs http://127.0.0.1:PORT
import assert from 'node:assert/strict';
import { launch, rest, serverText, signedIn, settledText } from './lib.mjs';

const shots = process.env.SCREENSHOTS || '.';
const browser = await launch();

// people with real names: registered once per server (a second run signs in again)
async function person(username, displayName) {
  try {
    return await rest('POST', '/v1/auth/register', null, { username, password: 'password1', displayName });
  } catch {
    return rest('POST', '/v1/auth/login', null, { username, password: 'password1' });
  }
}

const CONTENT = [
  { insert: 'Launch plan' }, { insert: '\n', attributes: { header: 1 } },
  { insert: 'Tandem goes live for the whole company on ' }, { insert: 'Monday, December 7', attributes: { bold: true } },
  { insert: '. This page tracks what is left and who owns it.\n' },
  { insert: 'Before launch' }, { insert: '\n', attributes: { header: 2 } },
  { insert: 'Load test with 500 editors on one document' }, { insert: ' (done)', attributes: { italic: true } }, { insert: '\n', attributes: { list: 'bullet' } },
  { insert: 'Offline editing across a closed tab' }, { insert: '\n', attributes: { list: 'bullet' } },
  { insert: 'Review the share dialog with the security team' }, { insert: '\n', attributes: { list: 'bullet' } },
  { insert: 'Open questions' }, { insert: '\n', attributes: { header: 2 } },
  { insert: 'Do we keep named versions forever, or for a year?' }, { insert: '\n', attributes: { list: 'ordered' } },
  { insert: 'Who is on call for the first week?' }, { insert: '\n', attributes: { list: 'ordered' } },
  { insert: 'Ship it when the p99 holds under load, not before.' }, { insert: '\n', attributes: { blockquote: true } },
];

try {
  const ada = await person('ada', 'Ada Lovelace');
  const grace = await person('grace', 'Grace Hopper');
  const alan = await person('alan', 'Alan Turing');
  const plan = await rest('POST', '/v1/docs', ada.token, { title: 'Launch plan' });
  await rest('PUT', `/v1/docs/${plan.id}/permissions/user:${grace.userId}`, ada.token, { role: 'editor' });
  await rest('PUT', `/v1/docs/${plan.id}/permissions/user:${alan.userId}`, ada.token, { role: 'commenter' });
  await rest('PUT', `/v1/docs/${plan.id}/permissions/anyone-with-link`, ada.token, { role: 'viewer' });
  for (const title of ['Team offsite agenda', 'Hiring notes, Q1', 'Incident review: the Cassandra outage drill']) {
    await rest('POST', '/v1/docs', ada.token, { title });
  }
  const review = await rest('POST', '/v1/docs', grace.token, { title: 'Design review: the sync protocol' });
  await rest('PUT', `/v1/docs/${review.id}/permissions/user:${ada.userId}`, grace.token, { role: 'editor' });

  const size = { width: 1200, height: 780 };
  const a = await signedIn(browser, ada, size);
  const g = await signedIn(browser, grace, size);
  await a.page.goto(`${process.argv[2]}/d/${plan.id}`);
  await a.page.waitForSelector('.status[data-status=online]');
  await a.page.evaluate((ops) => window.__tandem.quill.setContents(ops, 'user'), CONTENT);
  await settledText(a.page);
  const typed = await serverText(plan.id, ada.token); // the whole text replaced at once, Quill's last newline included
  assert.ok(typed.text.startsWith('Launch plan\nTandem goes live') && typed.text.endsWith('not before.\n'), typed.text);
  await g.page.goto(`${process.argv[2]}/d/${plan.id}`);
  await g.page.waitForSelector('.status[data-status=online]');
  const t = await signedIn(browser, alan, size);
  await t.page.goto(`${process.argv[2]}/d/${plan.id}`);
  await t.page.waitForSelector('.status[data-status=online]');

  // grace selects "Offline editing", ada's cursor sits after "Monday, December 7"
  const text = await g.page.evaluate(() => window.__tandem.quill.getText());
  await g.page.evaluate((at) => window.__tandem.quill.setSelection(at, 'Offline editing'.length, 'user'), text.indexOf('Offline editing'));
  await a.page.evaluate((at) => window.__tandem.quill.setSelection(at, 0, 'user'), text.indexOf('. This page'));
  await t.page.evaluate((at) => window.__tandem.quill.setSelection(at, 0, 'user'), text.indexOf(' holds under'));
  await a.page.waitForSelector('.ql-cursor-name:has-text("Grace Hopper")', { state: 'attached' });
  await a.page.waitForSelector('.ql-cursor-name:has-text("Alan Turing")', { state: 'attached' });
  await g.page.waitForSelector('.ql-cursor-name:has-text("Ada Lovelace")', { state: 'attached' });
  // the names show on the carets, as they do for a moment after each move
  await a.page.evaluate(() => {
    const cursors = window.__tandem.quill.getModule('cursors');
    for (const c of cursors.cursors()) cursors.toggleFlag(c.id, true);
  });
  await a.page.waitForTimeout(300);
  await a.page.screenshot({ path: `${shots}/editor.png` });

  // the share dialog, as the owner sees it
  await a.page.click('button:has-text("Share")');
  await a.page.waitForSelector(`.grants li[data-principal="user:${alan.userId}"]`);
  const people = await a.page.textContent('.grants');
  for (const name of ['Ada Lovelace', 'Grace Hopper', 'Alan Turing']) assert.match(people, new RegExp(name));
  await a.page.waitForTimeout(200);
  await a.page.screenshot({ path: `${shots}/share-dialog.png` });
  await a.page.click('button[aria-label=Close]');

  // ada's documents
  await a.page.goto(`${process.argv[2]}/`);
  await a.page.waitForSelector('.docs a:has-text("Incident review")');
  await a.page.screenshot({ path: `${shots}/documents.png` });
  console.log(`screens: editor.png, share-dialog.png and documents.png in ${shots}`);
  console.log('screens: ok');
} finally {
  await browser.close();
}
