// Protocol v1 in the browser (PROTOCOL.md): the Jupiter discipline, one op in flight and the
// edits made meanwhile composed into one pending op; every incoming op transformed against both,
// the server's op winning ties. Reconnects with back-off, the same clientId, `since` the last
// version seen, and resends the unacked op with its original seq and baseVersion.
//
// A snapshot (a reload: `resync`, or a `since` the server no longer serves) comes without the ops
// that led to it. The edits not yet acked are then rebased on it: the change from the text they
// were made on (`doc`, kept at every version) to the snapshot is diffed, and they are transformed
// through that change. An op in flight may or may not be in the snapshot: it is first resent as
// it was, and the server's answer tells which (a duplicate is acked with its version; an op too
// old to place, so never applied, is refused with resync).
import Delta from 'quill-delta';

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

export class DocSync {
  /**
   * handlers: joined({role, presence}), snapshot(content Delta, title), remote(delta, op),
   * state({status, unsent}), presence(p), leave(clientId), event(kind, data), error(code, message)
   */
  constructor(docId, token, handlers) {
    this.docId = docId;
    this.token = token;
    this.h = handlers;
    this.version = null; // the last server version this client's text includes
    this.doc = null; // the server's text at that version (a Delta of inserts): what unsent edits rebase from
    this.clientId = null;
    this.seq = 0; // the seq of the last op sent
    // {seq, baseVersion, sent: the op as first sent (a resend repeats it exactly), delta: it as it
    // now applies to this client's text, transformed through the ops that came after baseVersion}
    this.inflight = null;
    this.pending = null; // Delta composed while one is in flight
    this.held = null; // a snapshot waiting for the server's answer about the op in flight
    this.ws = null;
    this.attempt = 0;
    this.closed = false;
    this.status = 'connecting';
  }

  /** What a reopened page needs to resume (store.js): kept after every change. */
  state() {
    return {
      version: this.version,
      doc: this.doc && this.doc.ops,
      clientId: this.clientId,
      seq: this.seq,
      inflight: this.inflight && { seq: this.inflight.seq, baseVersion: this.inflight.baseVersion,
        sent: this.inflight.sent.ops, ops: this.inflight.delta.ops },
      pending: this.pending && this.pending.ops,
    };
  }

  restore(s) {
    this.version = s.version;
    this.doc = s.doc ? new Delta(s.doc) : null;
    this.clientId = s.clientId;
    this.seq = s.seq;
    this.inflight = s.inflight && { seq: s.inflight.seq, baseVersion: s.inflight.baseVersion,
      sent: new Delta(s.inflight.sent), delta: new Delta(s.inflight.ops) };
    this.pending = s.pending && new Delta(s.pending);
  }

  changed() {
    this.h.changed && this.h.changed();
  }

  /** Unsent edits: the one in flight and those composed behind it. */
  unsent() {
    return (this.inflight ? 1 : 0) + (this.pending ? 1 : 0);
  }

  connect() {
    const q = new URLSearchParams({ access_token: this.token });
    if (this.clientId) q.set('clientId', this.clientId);
    if (this.version !== null) q.set('since', String(this.version));
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/v1/docs/${encodeURIComponent(this.docId)}/ws?${q}`);
    this.ws = ws;
    // a retry while offline stays "offline" (with its unsent edits) until the server answers
    if (this.status !== 'offline') this.setStatus(this.version === null ? 'connecting' : 'syncing');
    ws.onmessage = (e) => this.ws === ws && this.receive(JSON.parse(e.data));
    this.joinedHere = false;
    ws.onclose = async () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.held = null; // a snapshot held for the answer about the op in flight: the next connection brings its own
      if (this.closed) return;
      this.setStatus('offline');
      // a socket refused before joining may be a refusal, not a drop: ask why, and stop if it is
      if (!this.joinedHere && this.h.refused && await this.h.refused()) {
        this.close();
        return;
      }
      if (this.closed) return;
      const wait = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)] * (0.75 + Math.random() / 2);
      this.retry = setTimeout(() => this.connect(), wait);
    };
  }

  close() {
    this.closed = true;
    clearTimeout(this.retry);
    if (this.ws) this.ws.close();
  }

  setStatus(status) {
    this.status = status;
    this.h.state && this.h.state({ status, unsent: this.unsent() });
  }

  send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** A local edit, already applied to the editor. */
  submit(delta) {
    if (this.inflight) this.pending = this.pending ? this.pending.compose(delta) : delta;
    else this.pending = delta;
    this.flush();
    this.setStatus(this.status);
    this.changed();
  }

  flush() {
    if (this.inflight || !this.pending || this.version === null) return;
    this.inflight = { seq: ++this.seq, baseVersion: this.version, sent: this.pending, delta: this.pending };
    this.pending = null;
    this.sendInflight();
  }

  sendInflight() {
    const f = this.inflight;
    this.send({ type: 'op', seq: f.seq, baseVersion: f.baseVersion, ops: f.sent.ops });
  }

  /** The local edits not yet acked, as one op on `doc`; null when there are none. */
  unacked() {
    let local = this.inflight ? this.inflight.delta : null;
    if (this.pending) local = local ? local.compose(this.pending) : this.pending;
    return local;
  }

  /** My selection, in the server's text at `version` (which lacks my unacked edits). */
  presence(selection) {
    if (this.version === null) return;
    const local = this.unacked();
    if (selection && local) {
      const from = toBase(local, selection.index);
      const to = toBase(local, selection.index + selection.length);
      selection = { index: from, length: Math.max(0, to - from) };
    }
    this.send({ type: 'presence', selection, baseVersion: this.version });
  }

  receive(m) {
    switch (m.type) {
      case 'joined':
        this.attempt = 0;
        if (this.status === 'offline') this.setStatus('syncing');
        this.joinedHere = true;
        if (this.clientId && m.clientId !== this.clientId) {
          // the server gave a fresh clientId (the old one is not known or not ours): seqs start again
          this.seq = 0;
          if (this.inflight) {
            this.pending = this.pending ? this.inflight.delta.compose(this.pending) : this.inflight.delta;
            this.inflight = null;
          }
        }
        this.clientId = m.clientId;
        this.joinedAt = m.version;
        this.h.joined && this.h.joined(m);
        if (this.version !== null && this.version >= m.version) this.caughtUp();
        break;
      case 'snapshot':
        this.snapshot(m);
        break;
      case 'op':
        // an op of this clientId in a replay: its seq was used (a kept seq may lag what was sent)
        if (m.clientId === this.clientId && !(this.inflight && m.seq === this.inflight.seq)) this.seq = Math.max(this.seq, m.seq);
        if (m.clientId === this.clientId && this.inflight && m.seq === this.inflight.seq) this.acked(m.version);
        else this.remote(m);
        if (this.joinedAt !== undefined && this.version >= this.joinedAt) this.caughtUp();
        break;
      case 'ack':
        if (!this.inflight || m.seq !== this.inflight.seq) break;
        if (!this.held && m.version <= this.version) {
          // the server had an op of this seq already (a kept seq that lagged): this one was not
          // applied; it goes again under the next seq
          this.pending = this.pending ? this.inflight.delta.compose(this.pending) : this.inflight.delta;
          this.inflight = null;
          this.flush();
          break;
        }
        this.acked(m.version);
        break;
      case 'presence':
        this.h.presence && this.h.presence(m);
        break;
      case 'leave':
        this.h.leave && this.h.leave(m.clientId);
        break;
      case 'event':
        this.h.event && this.h.event(m.kind, m.data);
        break;
      case 'error':
        this.error(m);
        break;
      default:
        break;
    }
  }

  /** The replay after a reconnect is done: resend what is still unacked, as it was. */
  caughtUp() {
    this.joinedAt = undefined;
    if (this.inflight) this.sendInflight();
    else this.flush();
    this.setStatus('online');
  }

  snapshot(m) {
    const content = new Delta(m.content);
    this.joinedAt = undefined;
    if (this.inflight && this.doc) {
      // Was the op in flight applied before the connection dropped? Resent as it was, it is
      // acked (a duplicate: with its version) or refused (too old to place: never applied).
      this.held = { content, version: m.version, title: m.title, later: [] };
      this.sendInflight();
      return;
    }
    this.install(content, m.version, m.title);
  }

  /**
   * The snapshot becomes this client's text, with the unacked edits rebased on it as one pending
   * op; then the ops that came while it was held.
   */
  install(content, version, title) {
    const later = this.held ? this.held.later : [];
    this.held = null;
    let local = this.unacked();
    if (local) local = this.doc ? rebase(this.doc, local, content) : clip(local, content.length());
    this.inflight = null;
    this.pending = null;
    this.version = version;
    this.doc = content;
    this.h.snapshot(content, title, local);
    if (local && local.ops.length) this.pending = local;
    this.flush();
    this.setStatus('online');
    this.changed();
    for (const m of later) this.remote(m);
  }

  acked(version) {
    const f = this.inflight;
    this.inflight = null;
    this.doc = this.doc && this.doc.compose(f.delta);
    const held = this.held;
    if (held) {
      if (version <= held.version) {
        // it was applied before the snapshot, which holds it
        this.install(held.content, held.version, held.title);
      } else {
        // applied only now, after the snapshot: a newer snapshot has it
        this.held = null;
        this.resync();
      }
      return;
    }
    this.version = version;
    this.flush();
    this.setStatus(this.status);
    this.changed();
  }

  remote(m) {
    if (this.held) {
      this.held.later.push(m);
      return;
    }
    if (this.version === null || m.version <= this.version) return; // a replay overlap
    if (m.version !== this.version + 1) {
      console.error(`op ${m.version} came after ${this.version}; reloading the document`);
      this.resync();
      return;
    }
    this.doc = this.doc && this.doc.compose(new Delta(m.ops));
    let s = new Delta(m.ops);
    if (this.inflight) {
      const f = this.inflight.delta;
      this.inflight.delta = s.transform(f, true);
      s = f.transform(s, false);
    }
    if (this.pending) {
      const p = this.pending;
      this.pending = s.transform(p, true);
      s = p.transform(s, false);
    }
    this.version = m.version;
    try {
      this.h.remote(s, m);
    } catch (e) {
      console.error('an op could not be shown; reloading the document', e);
      this.resync();
      return;
    }
    this.changed();
  }

  /** The op in flight was refused, so never applied: its seq is free again, its text unsent. */
  unapplied() {
    this.pending = this.pending ? this.inflight.delta.compose(this.pending) : this.inflight.delta;
    this.inflight = null;
    this.seq--;
  }

  error(m) {
    const f = this.inflight;
    const held = this.held;
    if (m.code === 'rate_limited' && f && m.seq === f.seq) {
      setTimeout(() => this.inflight === f && this.sendInflight(), 1000);
      return;
    }
    if (f && m.seq === f.seq && ['invalid_op', 'forbidden', 'too_large'].includes(m.code)) {
      // the op is dropped and its seq is free again; the text is reloaded to undo it locally
      this.inflight = null;
      this.pending = null;
      this.seq--;
      this.h.error(m.code, m.message);
      if (held) this.install(held.content, held.version, held.title);
      else this.resync();
      return;
    }
    if (m.code === 'resync') {
      if (f && m.seq === f.seq) {
        // refused as too old to place: its text is rebased on the snapshot and sent anew
        this.unapplied();
        if (held) {
          this.install(held.content, held.version, held.title);
          return;
        }
      }
      this.resync();
      return;
    }
    if (f && m.seq === f.seq && (m.code === 'invalid_message' || m.code === 'version_ahead')) {
      // this client's seqs or versions no longer match the server's: start over as a new client,
      // the unsent text rebased on the snapshot
      this.unapplied();
      this.clientId = null;
      this.seq = 0;
      this.held = null;
      this.resync();
      return;
    }
    this.h.error(m.code, m.message);
    if (m.code === 'not_found' || (m.code === 'forbidden' && m.seq == null)) this.close();
  }

  /** Loads the snapshot again, on a new connection without `since`. */
  resync() {
    this.version = null;
    this.held = null;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close();
    }
    this.connect();
  }
}

/**
 * Edits made on the text `base`, rebased on `snapshot`, a later text of the same document whose
 * ops are not known: transformed through the change between the two, which wins ties.
 */
export function rebase(base, edits, snapshot) {
  return base.diff(snapshot).transform(edits, true);
}

/** A position in the text after `local` as a position in the text before it (inside an insert: its start). */
export function toBase(local, index) {
  let before = 0;
  let after = 0;
  for (const op of local.ops) {
    if (op.delete) {
      before += op.delete;
      continue;
    }
    const n = op.retain !== undefined ? (typeof op.retain === 'number' ? op.retain : 1)
      : typeof op.insert === 'string' ? op.insert.length : 1;
    if (index < after + n) return op.retain !== undefined ? before + (index - after) : before;
    after += n;
    if (op.retain !== undefined) before += n;
  }
  return before + (index - after);
}

/** The local op cut to a document of length len (a page kept before `doc` was: rebased by length only). */
function clip(delta, len) {
  const out = new Delta();
  let at = 0;
  for (const op of delta.ops) {
    if (op.insert !== undefined) out.push(op);
    else if (at >= len) continue;
    else {
      const n = Math.min(op.retain || op.delete, len - at);
      at += n;
      if (op.retain) out.retain(n, op.attributes);
      else out.delete(n);
    }
  }
  return out.chop();
}
