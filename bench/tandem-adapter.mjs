// Adapter: Tandem, protocol v1 (../shared/design/PROTOCOL.md) over a real `ws` WebSocket, for
// ../shared/peers' load generator. Each client is one WebSocket on one document and runs the
// Jupiter discipline a browser editor runs: one op in flight, later edits composed into one
// pending op, every incoming op transformed against both (quill-delta's transform).
//
// The text is kept as a plain string (V8 concatenates lazily), not as a Delta composed on every
// op, which would cost the load generator more than the server; the ops themselves are deltas.
//
// prepare() signs up one bench user and creates each document over REST (Tandem makes document
// ids; the generator's names map to them). Run the server with op limits above the scenario's
// rate, e.g. TANDEM_WS_OPS_PER_SECOND=100000 TANDEM_WS_OPS_BURST=100000 (docs/benchmarks.md).
import WebSocket from 'ws';
import Delta from 'quill-delta';

export const name = 'tandem';

const shared = { token: null, ids: new Map() };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(base, method, path, body, token) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status === 429) { // REST is 50 requests/s per user: wait as told
      await sleep(1000 * Number(res.headers.get('retry-after') || 1));
      continue;
    }
    const json = res.status === 204 ? null : await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  throw new Error(`${method} ${path}: still rate limited`);
}

export async function prepare({ url, docIds }) {
  const base = url.replace(/^ws/, 'http');
  if (!shared.token) {
    const username = `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    shared.token = (await api(base, 'POST', '/v1/auth/register', { username, password: 'bench-password' })).token;
  }
  const queue = docIds.filter((d) => !shared.ids.has(d));
  const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
    while (queue.length) {
      const d = queue.shift();
      shared.ids.set(d, (await api(base, 'POST', '/v1/docs', { title: d }, shared.token)).id);
    }
  });
  await Promise.all(workers);
}

/** Applies a delta of plain text to a string. */
function apply(text, delta) {
  let out = '';
  let at = 0;
  for (const c of delta.ops) {
    if (typeof c.retain === 'number') { out += text.slice(at, at + c.retain); at += c.retain; }
    else if (typeof c.delete === 'number') at += c.delete;
    else if (typeof c.insert === 'string') out += c.insert;
  }
  return out + text.slice(at);
}

function insertsOf(delta) {
  const out = [];
  for (const c of delta.ops) if (typeof c.insert === 'string') out.push(c.insert);
  return out;
}

export function createClient({ url }) {
  let ws;
  let text = '';
  let version = 0;
  let inflight = null; // { seq, baseVersion, ops }
  let pending = null;
  let nextSeq = 1;
  let closing = false;
  const remoteCbs = [];
  const errorCbs = [];
  let settledWaiters = [];
  const emitError = (e) => { for (const cb of errorCbs) cb(e); };

  const send = (s) => ws.send(JSON.stringify({ type: 'op', seq: s.seq, baseVersion: s.baseVersion, ops: s.ops.ops }));
  const checkSettled = () => {
    if (inflight || pending) return;
    const w = settledWaiters;
    settledWaiters = [];
    for (const r of w) r();
  };
  const submit = (op) => {
    text = apply(text, op);
    if (!inflight) {
      inflight = { seq: nextSeq++, baseVersion: version, ops: op };
      send(inflight);
    } else {
      pending = pending ? pending.compose(op) : op;
    }
  };
  const acked = (v) => {
    version = v;
    inflight = null;
    if (pending) {
      inflight = { seq: nextSeq++, baseVersion: version, ops: pending };
      pending = null;
      send(inflight);
    }
    checkSettled();
  };
  const incoming = (s) => {
    if (inflight) {
      const s1 = inflight.ops.transform(s, false);
      inflight = { ...inflight, ops: s.transform(inflight.ops, true) };
      s = s1;
    }
    if (pending) {
      const s2 = pending.transform(s, false);
      pending = s.transform(pending, true);
      s = s2;
    }
    text = apply(text, s);
    return s;
  };

  return {
    async connect(docId) {
      const id = shared.ids.get(docId);
      if (!id) throw new Error(`doc ${docId} was not prepared`);
      ws = new WebSocket(`${url}/v1/docs/${id}/ws`, { headers: { authorization: `Bearer ${shared.token}` } });
      await new Promise((resolve, reject) => {
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString());
          switch (m.type) {
            case 'snapshot':
              text = m.content.map((c) => (typeof c.insert === 'string' ? c.insert : '')).join('');
              version = m.version;
              resolve();
              break;
            case 'op': {
              if (m.version !== version + 1) { emitError(new Error(`op ${m.version} after ${version}`)); return; }
              const s = incoming(new Delta(m.ops));
              version = m.version;
              const ins = insertsOf(s);
              if (ins.length) for (const cb of remoteCbs) cb(ins);
              break;
            }
            case 'ack':
              if (inflight && m.seq === inflight.seq) acked(m.version);
              break;
            case 'error':
              emitError(new Error(`${m.code}: ${m.message}`));
              break;
            default:
          }
        });
        ws.on('error', (e) => { emitError(e); reject(e); });
        ws.on('close', () => { if (!closing) emitError(new Error('socket closed')); });
      });
    },
    insert(pos, text) {
      submit(pos > 0 ? new Delta().retain(pos).insert(text) : new Delta().insert(text));
    },
    replace(pos, len, text) {
      submit((pos > 0 ? new Delta().retain(pos) : new Delta()).insert(text).delete(len));
    },
    onRemoteChange(cb) { remoteCbs.push(cb); },
    onError(cb) { errorCbs.push(cb); },
    getText() { return text; },
    /** For diagnosis: where this client's sync stands. */
    state() { return { version, inflight: inflight && { seq: inflight.seq, baseVersion: inflight.baseVersion }, pending: !!pending, nextSeq }; },
    length() { return text.length; },
    settled() {
      return new Promise((resolve) => { settledWaiters.push(resolve); checkSettled(); });
    },
    async close() {
      closing = true;
      try { ws.close(); } catch {}
    },
  };
}
