// The editor page: Quill 2 bound to a DocSync. Local edits (source 'user') go to the server;
// remote ops are applied as 'api' edits, so Quill's history, kept to the user's own edits
// (userOnly), undoes only what this user typed, transformed through what others did since.
import Quill from 'quill';
import QuillCursors from 'quill-cursors';
import Delta from 'quill-delta';
import { api, session } from './api.js';
import { DocSync } from './sync.js';
import * as store from './store.js';
import { openShare } from './share.js';

Quill.register('modules/cursors', QuillCursors);

const TOOLBAR = [
  [{ header: [1, 2, 3, false] }],
  ['bold', 'italic', 'underline', 'strike'],
  [{ list: 'ordered' }, { list: 'bullet' }],
  ['blockquote', 'code-block', 'link'],
  ['clean'],
];

export function openEditor(root, docId, { h, go, header }) {
  const status = h('span', { class: 'status', 'data-status': 'connecting' }, 'Connecting…');
  const avatars = h('span', { class: 'avatars' });
  const title = h('input', { class: 'doc-title', 'aria-label': 'Document title', value: '' });
  const words = h('span', { class: 'words' });
  const banner = h('p', { class: 'error', role: 'alert' });
  const host = h('div', { class: 'editor' });
  const shareButton = h('button', { class: 'primary', onclick: () => openShare(docId, h) }, 'Share');
  root.append(header(avatars, status, shareButton), h('main', { class: 'doc' }, h('div', { class: 'row' }, title, h('div', { class: 'grow' }), words), banner, h('div', { class: 'sheet' }, host)));

  const quill = new Quill(host, {
    theme: 'snow',
    modules: { toolbar: TOOLBAR, cursors: { transformOnTextChange: true }, history: { userOnly: true } },
    // only what the toolbar makes: an op of another client with other formats (formula, video,
    // image) is shown as plain text, never run
    formats: ['header', 'bold', 'italic', 'underline', 'strike', 'list', 'blockquote', 'code-block', 'link'],
    placeholder: 'Start typing…',
  });
  quill.disable();
  const cursors = quill.getModule('cursors');
  const people = new Map(); // clientId -> {name, color, userId}
  let role = 'viewer';
  const me = session();
  // The server's text may not end with a newline; Quill's always does. Its last newline is then
  // Quill's own (virtual), and a local format of the last line becomes an insert of that newline.
  let serverLen = 0;

  const sync = new DocSync(docId, me.token, {
    joined(m) {
      role = m.role;
      writable(role);
      for (const p of m.presence || []) showPresence(p);
    },
    async refused() {
      try {
        await api('GET', `/v1/docs/${docId}`);
        return false; // the document is there for me: a network drop, retry
      } catch (err) {
        if (![401, 403, 404].includes(err.status)) return false;
        quill.disable();
        banner.textContent = err.message;
        return true;
      }
    },
    changed() {
      if (sync.version === null) return;
      store.save(me.userId, docId, { ...sync.state(), contents: quill.getContents().ops, serverLen, role, title: title.value });
    },
    snapshot(content, docTitle, local) {
      quill.setContents(content, 'silent');
      serverLen = content.length();
      if (local) {
        quill.updateContents(local, 'silent');
        serverLen += local.changeLength();
      }
      quill.history.clear();
      if (docTitle != null) title.value = docTitle;
      writable(role);
      countWords();
    },
    remote(delta) {
      const virtual = quill.getLength() === serverLen + 1;
      const forQuill = virtual ? toQuill(delta, serverLen) : delta;
      serverLen += delta.changeLength();
      quill.updateContents(forQuill, 'api');
    },
    state({ status: s, unsent }) {
      status.dataset.status = s;
      status.textContent = s === 'online' ? (unsent ? 'Saving…' : 'All changes saved')
        : s === 'offline' ? `Offline${unsent ? ` · ${unsent === 1 ? 'unsent edits' : 'unsent edits'}` : ''}`
          : s === 'syncing' ? 'Syncing…' : 'Connecting…';
    },
    presence: showPresence,
    leave(clientId) {
      cursors.removeCursor(clientId);
      people.delete(clientId);
      renderAvatars();
    },
    event(kind, data) {
      if (kind === 'title' && data && document.activeElement !== title) title.value = data.title;
    },
    error(code, message) {
      if (code === 'forbidden' || code === 'not_found') {
        quill.disable();
        banner.textContent = code === 'not_found' ? 'This document was deleted.' : 'Your access to this document ended.';
      } else {
        banner.textContent = message;
      }
    },
  });

  function writable(r) {
    const can = r === 'owner' || r === 'editor';
    quill.enable(can);
    title.readOnly = !can;
    banner.textContent = can ? '' : `You can view this document (${r}); you cannot edit it.`;
  }

  function showPresence(p) {
    if (p.clientId === sync.clientId) return;
    people.set(p.clientId, p);
    cursors.createCursor(p.clientId, p.name, p.color || '#888');
    if (p.selection) cursors.moveCursor(p.clientId, transformRange(p.selection));
    else cursors.removeCursor(p.clientId);
    renderAvatars();
  }

  // A cursor is sent at the server's version; this client's unacked edits come after it.
  function transformRange(sel) {
    let local = sync.inflight ? sync.inflight.delta : null;
    if (sync.pending) local = local ? local.compose(sync.pending) : sync.pending;
    if (!local) return sel;
    const from = local.transformPosition(sel.index, true);
    const to = local.transformPosition(sel.index + sel.length, true);
    return { index: from, length: Math.max(0, to - from) };
  }

  function renderAvatars() {
    const seen = new Set();
    avatars.replaceChildren(...[...people.values()].filter((p) => !seen.has(p.userId) && seen.add(p.userId))
      .map((p) => h('span', { class: 'avatar', title: p.name, style: `background:${p.color || '#888'}` }, (p.name || '?').slice(0, 1).toUpperCase())));
  }

  function countWords() {
    const n = (quill.getText().match(/\S+/g) || []).length;
    words.textContent = `${n} word${n === 1 ? '' : 's'}`;
  }

  quill.on('text-change', (delta, old, source) => {
    if (source === 'user') {
      const op = toServer(new Delta(delta.ops), serverLen, old.length() === serverLen + 1);
      serverLen += op.changeLength();
      if (op.ops.length) sync.submit(op);
    }
    countWords();
  });
  let lastSel = null;
  quill.on('selection-change', (range, _old, source) => {
    if (source === 'silent') return;
    const sel = range ? { index: range.index, length: range.length } : null;
    if (JSON.stringify(sel) === JSON.stringify(lastSel)) return;
    lastSel = sel;
    sync.presence(sel);
  });
  title.addEventListener('change', async () => {
    try {
      await api('PATCH', `/v1/docs/${docId}`, { title: title.value.trim() || 'Untitled document' });
    } catch (err) {
      banner.textContent = err.message;
    }
  });

  // What this browser kept of the document (edits made offline included) shows at once; the sync
  // resumes from its version and resends what the server has not acked.
  let closed = false;
  store.load(me.userId, docId).then((kept) => {
    if (closed) return;
    if (kept && kept.version != null) {
      quill.setContents(new Delta(kept.contents), 'silent');
      serverLen = kept.serverLen;
      title.value = kept.title || '';
      role = kept.role;
      writable(role);
      // the kept clientId and seq are reused only to send what is unsent: two tabs must not share them
      const unsent = kept.inflight || kept.pending;
      sync.restore(unsent ? kept : { ...kept, clientId: null, seq: 0, inflight: null, pending: null });
      countWords();
    }
    sync.connect();
  });
  const beforeUnload = (e) => {
    if (sync.unsent()) e.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  window.__tandem = { quill, sync }; // for the browser tests
  return () => {
    closed = true;
    window.removeEventListener('beforeunload', beforeUnload);
    sync.close();
    void go;
  };
}

/**
 * A local Quill delta as an op on the server's text of length len (see serverLen). While Quill's
 * last newline is its own (virtualNewline), the op also makes it real: formatted as the op
 * formats it, or plain at the end. After any local edit the server's text ends with a newline and
 * Quill's text is the server's exactly, on every page.
 */
export function toServer(delta, len, virtualNewline) {
  if (!virtualNewline) return delta;
  const out = new Delta();
  let at = 0;
  let realized = false;
  for (const op of delta.ops) {
    if (op.insert !== undefined) {
      out.push(op);
      continue;
    }
    const n = op.retain || op.delete;
    if (op.retain && at + n > len) {
      // the retain reaches Quill's own last newline: format up to it, then make it real
      if (len > at) out.retain(len - at, op.attributes);
      if (op.attributes) {
        out.insert('\n', op.attributes);
        realized = true;
      }
      at += n;
      continue;
    }
    if (op.retain) out.retain(n, op.attributes);
    else out.delete(n);
    at += n;
  }
  if (realized) return out.chop();
  return out.compose(new Delta().retain(len + out.changeLength()).insert('\n')).chop();
}

/**
 * A server op for a Quill whose last newline is its own (virtual), the server's text of length len:
 * a newline the op appends at the very end becomes that newline, formatted as the op's.
 */
export function toQuill(delta, len) {
  const ops = delta.ops;
  const last = ops[ops.length - 1];
  if (!last || typeof last.insert !== 'string' || !last.insert.endsWith('\n')) return delta;
  let at = 0;
  for (const op of ops) if (op.insert === undefined) at += op.retain || op.delete;
  if (at !== len) return delta;
  const out = new Delta(ops.slice(0, -1));
  if (last.insert.length > 1) out.insert(last.insert.slice(0, -1), last.attributes);
  out.retain(1, last.attributes);
  return out.chop();
}
