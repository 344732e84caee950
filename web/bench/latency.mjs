// Keystroke to remote screen, in the browsers: ann types into one page, and ben's page, another
// browser context, shows each character. The time runs from ann's keydown to the first frame ben
// paints after the op arrives (a requestAnimationFrame callback after Quill applied it); both
// pages read one clock (performance.timeOrigin + now()). With --both, ben types meanwhile at the
// start of the text, so ops cross in flight and are transformed. The time is also cut in three:
// keydown to the op's send in ann's page, send to its arrival in ben's (the network and the
// server, which journals the op before it sends it on), and arrival to ben's painted frame.
// Usage: node bench/latency.mjs http://127.0.0.1:8080 [keystrokes] [ms between keystrokes] [--both]
import { launch, signedIn, twoEditors, random } from '../test/lib.mjs';

const base = process.argv[2] || 'http://127.0.0.1:8080';
const n = Number(process.argv[3] || 300);
const gap = Number(process.argv[4] || 100);
const both = process.argv.includes('--both');

const { ann, ben, doc } = await twoEditors('Latency');
const browser = await launch();
try {
  const a = await signedIn(browser, ann);
  const b = await signedIn(browser, ben);
  for (const p of [a.page, b.page]) {
    await p.goto(`${base}/d/${doc.id}`);
    await p.waitForSelector('.status[data-status=online]');
  }
  await a.page.evaluate(() => {
    window.__typed = [];
    window.__sent = []; // [time, characters inserted] of each op sent
    const sync = window.__tandem.sync;
    const send = sync.send.bind(sync);
    const inserted = (ops) => ops.reduce((k, op) => k + (typeof op.insert === 'string' ? op.insert.length : 0), 0);
    sync.send = (m) => {
      if (m.type === 'op' && !window.__sentSeqs?.has(m.seq)) {
        (window.__sentSeqs ||= new Set()).add(m.seq);
        window.__sent.push([performance.timeOrigin + performance.now(), inserted(m.ops)]);
      }
      send(m);
    };
    window.__tandem.quill.root.addEventListener('keydown', () => window.__typed.push(performance.timeOrigin + performance.now()), true);
    window.__tandem.quill.setSelection(window.__tandem.quill.getLength() - 1, 0, 'user');
  });
  await b.page.evaluate(() => {
    window.__seen = []; // [time of the frame, characters of ann it shows]
    window.__arrived = []; // [time, characters inserted] of each op of ann's that arrived
    const sync = window.__tandem.sync;
    const receive = sync.receive.bind(sync);
    sync.receive = (m) => {
      if (m.type === 'op' && m.clientId !== sync.clientId) {
        window.__arrived.push([performance.timeOrigin + performance.now(),
          m.ops.reduce((k, op) => k + (typeof op.insert === 'string' ? op.insert.length : 0), 0)]);
      }
      receive(m);
    };
    window.__tandem.quill.on('text-change', (delta, _old, source) => {
      if (source !== 'api') return;
      const chars = delta.ops.reduce((k, op) => k + (typeof op.insert === 'string' ? op.insert.length : 0), 0);
      requestAnimationFrame(() => window.__seen.push([performance.timeOrigin + performance.now(), chars]));
    });
    window.__tandem.quill.setSelection(0, 0, 'user');
  });
  const rnd = random(7);
  const typing = (async () => {
    for (let i = 0; i < n; i++) {
      await a.page.keyboard.type('abcdefghij'[i % 10]);
      await a.page.waitForTimeout(gap * (0.5 + rnd()));
    }
  })();
  const other = both ? (async () => {
    for (let i = 0; i < n; i++) {
      await b.page.keyboard.type('KLMNO'[i % 5]);
      await b.page.waitForTimeout(gap * (0.5 + rnd()));
    }
  })() : Promise.resolve();
  await Promise.all([typing, other]);
  await b.page.waitForFunction((k) => window.__seen.reduce((s, [, c]) => s + c, 0) >= k, n, { timeout: 30000 });
  const typed = await a.page.evaluate(() => window.__typed);
  const [sent, arrived, seen] = [await a.page.evaluate(() => window.__sent),
    ...await b.page.evaluate(() => [window.__arrived, window.__seen])];
  // each keystroke's time at each step: the ops carry the characters in order (ann types at the end)
  const perKey = (events) => {
    const out = [];
    for (const [t, chars] of events) for (let c = 0; c < chars && out.length < typed.length; c++) out.push(t);
    return out;
  };
  const [s, r, f] = [perKey(sent), perKey(arrived), perKey(seen)];
  const report = (label, from, to) => {
    const lat = to.map((t, i) => t - from[i]).sort((x, y) => x - y);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
    const mean = (lat.reduce((x, y) => x + y, 0) / lat.length).toFixed(1);
    console.log(`  ${label.padEnd(28)} p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${lat[lat.length - 1].toFixed(1)} ms, mean ${mean} ms`);
  };
  console.log(`${f.length} keystrokes, one every ~${gap} ms${both ? ', both typing' : ''}:`);
  report('keystroke to remote screen', typed, f);
  report('keydown to send', typed, s);
  report('send to arrival', s, r);
  report('arrival to painted frame', r, f);
} finally {
  await browser.close();
}
