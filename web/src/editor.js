// The editor page: Quill 2 bound to a DocSync. Local edits (source 'user') go to the server;
// remote ops are applied as 'api' edits, so Quill's history, kept to the user's own edits
// (userOnly), undoes only what this user typed, transformed through what others did since.
import Quill from 'quill';
import QuillCursors from 'quill-cursors';
import Delta, { AttributeMap } from 'quill-delta';
import { api, session } from './api.js';
import { DocSync } from './sync.js';
import * as store from './store.js';
import { openShare } from './share.js';
import { openHistory } from './history.js';

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
  let historyPanel = null;
  const historyButton = h('button', { class: 'link', onclick: () => {
    historyPanel = openHistory(docId, h, { canEdit: role === 'owner' || role === 'editor', onClose: () => { historyPanel = null; } });
  } }, 'History');
  root.append(header(avatars, status, historyButton, shareButton), h('main', { class: 'doc' }, h('div', { class: 'row' }, title, h('div', { class: 'grow' }), words), banner, h('div', { class: 'sheet' }, host)));

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
  const save = store.writer();
  let owned = null; // {clientId, release}: the Web Lock of the clientId this page sends under
  // The server's text may not end with a newline; Quill's always does. Its last newline is then
  // Quill's own (virtual), and a local format of the last line becomes an insert of that newline.
  let serverLen = 0;
  let snapshots = 0; // how many the page loaded (the tests read it)

  const sync = new DocSync(docId, me.token, {
    joined(m) {
      if (!owned || owned.clientId !== m.clientId) ownClientId(m.clientId);
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
      if (sync.version === null || !sync.clientId) return;
      save(store.key(me.userId, docId, sync.clientId), () => ({
        ...sync.state(), docId, savedAt: Date.now(), contents: quill.getContents().ops, serverLen, role, title: title.value,
      }));
    },
    snapshot(content, docTitle, local) {
      snapshots++;
      quill.setContents(content, 'silent');
      serverLen = content.length();
      if (local) applyServerOp(local, 'silent');
      quill.history.clear();
      if (docTitle != null) title.value = docTitle;
      writable(role);
      countWords();
    },
    remote(delta) {
      applyServerOp(delta, 'api');
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
      if (kind === 'version_named' && historyPanel) historyPanel.refresh();
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

  // The server named this page's clientId: the page holds its lock, and what was kept under the
  // one it replaces (its unsent edits now pending under the new one) is forgotten.
  async function ownClientId(clientId) {
    const before = owned;
    owned = { clientId, release: () => {} };
    const release = await store.own(me.userId, docId, clientId);
    if (owned.clientId !== clientId || closed) {
      if (release) release();
      return;
    }
    owned.release = release || (() => {}); // none without Web Locks: nothing kept is adopted then
    if (before) {
      before.release();
      store.forget(store.key(me.userId, docId, before.clientId));
    }
  }

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
    // the others, once each (this user's other tabs are not shown)
    avatars.replaceChildren(...[...people.values()].filter((p) => p.userId !== me.userId && !seen.has(p.userId) && seen.add(p.userId))
      .map((p) => h('span', { class: 'avatar', title: p.name, style: `background:${p.color || '#888'}` }, (p.name || '?').slice(0, 1).toUpperCase())));
  }

  function countWords() {
    const n = (quill.getText().match(/\S+/g) || []).length;
    words.textContent = `${n} word${n === 1 ? '' : 's'}`;
  }

  // Quill shows the server's text as it is when it ends with a newline, else with a newline of its
  // own after it: one display for one text. An op that leaves a text ending with a newline while
  // Quill adds its own shows an empty last line that another page, given the same text, does not.
  function extraLine() {
    return serverLen > 0 && quill.getLength() === serverLen + 1 && quill.getText(serverLen - 1, 1) === '\n';
  }

  // An op on the server's text (a remote op, or local edits rebased on a snapshot) shown in Quill.
  // While Quill's last newline is its own, a newline the op appends becomes it (toQuill); while it
  // is the text's, an op that deletes it keeps it in Quill, plain (keepLastNewline). Then a text
  // that ends with a newline drops Quill's own (dropExtraLine).
  function applyServerOp(delta, source) {
    const forQuill = quill.getLength() === serverLen + 1 ? toQuill(delta, serverLen)
      : keepLastNewline(delta, serverLen, (quill.getContents(serverLen - 1, 1).ops[0] || {}).attributes);
    serverLen += delta.changeLength();
    quill.updateContents(forQuill, source);
    dropExtraLine();
  }

  // After an op on the server's text: Quill's own newline goes, and the text's last one ends the
  // last line with its formats. As an 'api' change, like a remote op: the undo stack and the
  // cursors are moved past it; it is not sent.
  function dropExtraLine() {
    if (!extraLine()) return;
    const real = quill.getContents(serverLen - 1, 1).ops[0].attributes || {};
    const own = quill.getContents(serverLen, 1).ops[0].attributes || {};
    quill.updateContents(new Delta().retain(serverLen - 1).delete(1).retain(1, AttributeMap.diff(own, real) || {}), 'api');
  }

  quill.on('text-change', (delta, old, source) => {
    if (source === 'user') {
      let op = toServer(new Delta(delta.ops), serverLen, old.length() === serverLen + 1);
      serverLen += op.changeLength();
      if (extraLine()) {
        // the user ended the text with a newline (Enter at its end, or its last line emptied): the
        // empty line they see is Quill's own newline, which becomes the text's
        const own = quill.getContents(serverLen, 1).ops[0].attributes;
        op = op.compose(new Delta().retain(serverLen).insert('\n', own));
        serverLen += 1;
      }
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
  // Of what was kept, the page adopts a record whose clientId no other page holds (unsent edits
  // first, then the newest). Another record nobody holds that has unsent edits (a second tab
  // closed offline) is sent in the background under its own clientId; one without is forgotten.
  adopt().then((kept) => {
    if (closed) return;
    if (kept) {
      quill.setContents(new Delta(kept.contents), 'silent');
      serverLen = kept.serverLen;
      title.value = kept.title || '';
      role = kept.role;
      writable(role);
      sync.restore(kept);
      countWords();
    }
    sync.connect();
  });
  async function adopt() {
    const kept = await store.list(me.userId, docId);
    kept.sort((a, b) => (store.unsent(b) - store.unsent(a)) || ((b.savedAt || 0) - (a.savedAt || 0)));
    let adopted = null;
    for (const r of kept) {
      if (closed) break;
      const release = await store.own(me.userId, docId, r.clientId);
      if (!release) continue; // another page sends under it
      if (closed) {
        release();
        break;
      }
      if (!adopted && r.version != null && r.clientId) {
        adopted = r;
        owned = { clientId: r.clientId, release };
      } else if (store.unsent(r) && r.doc) {
        drain(r, release);
      } else {
        if (!store.unsent(r)) store.forget(r.key);
        release();
      }
    }
    if (closed && owned) owned.release();
    return closed ? null : adopted;
  }
  const drains = new Map(); // DocSync -> the release of its clientId's lock
  function drain(r, release) {
    const save = store.writer();
    const quiet = () => {};
    const s = new DocSync(docId, me.token, {
      joined: quiet, snapshot: quiet, remote: quiet, state: quiet, presence: quiet, leave: quiet, event: quiet,
      error: (code, message) => console.error(`edits kept from another tab were refused: ${code} ${message}`),
      async refused() {
        try {
          await api('GET', `/v1/docs/${docId}`);
          return false;
        } catch (err) {
          return [401, 403, 404].includes(err.status);
        }
      },
      changed() {
        if (s.version === null) return;
        if (!s.unsent()) {
          s.close();
          drains.delete(s);
          store.forget(r.key).then(release);
          return;
        }
        save(r.key, () => {
          const text = s.doc.compose(s.unacked() || new Delta());
          const last = text.ops[text.ops.length - 1];
          const ends = last && typeof last.insert === 'string' && last.insert.endsWith('\n');
          return { ...r, ...s.state(), savedAt: Date.now(), serverLen: text.length(),
            contents: (ends ? text : text.insert('\n')).ops };
        });
      },
    });
    drains.set(s, release);
    s.restore(r);
    s.connect();
  }

  const beforeUnload = (e) => {
    if (sync.unsent()) e.preventDefault();
  };
  window.addEventListener('beforeunload', beforeUnload);
  window.__tandem = { quill, sync, snapshots: () => snapshots }; // for the browser tests
  return () => {
    closed = true;
    window.removeEventListener('beforeunload', beforeUnload);
    sync.close();
    if (owned) owned.release();
    for (const [s, release] of drains) {
      s.close();
      release();
    }
    void go;
  };
}

/**
 * A local Quill delta as an op on the server's text of length len (see serverLen). While Quill's
 * last newline is its own (virtualNewline), an op that formats the last line makes it real,
 * formatted; other ops leave it Quill's own, so pages that type into a text without a final
 * newline at once do not each add one.
 */
export function toServer(delta, len, virtualNewline) {
  if (!virtualNewline) return delta;
  const out = new Delta();
  let at = 0;
  for (const op of delta.ops) {
    if (op.insert !== undefined) {
      out.push(op);
      continue;
    }
    const n = op.retain || op.delete;
    if (op.retain && at + n > len) {
      // the retain reaches Quill's own last newline: format up to it, then make it real
      if (len > at) out.retain(len - at, op.attributes);
      if (op.attributes) out.insert('\n', op.attributes);
      at += n;
      continue;
    }
    if (op.retain) out.retain(n, op.attributes);
    else if (len > at) out.delete(Math.min(n, len - at)); // Quill's own newline is not the server's to delete
    at += n;
  }
  return out.chop();
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

/**
 * A server op for a Quill whose last newline is the server text's last character (the text, of
 * length len, ends with a newline; attributes are that newline's). Quill cannot delete its last
 * newline, and a delete that reaches it from inside a line would take the line with it. An op that
 * deletes it deletes up to it instead, and leaves it as Quill's own: plain, as on a page that
 * loads the text afresh.
 */
export function keepLastNewline(delta, len, attributes) {
  let at = 0;
  let deletesLast = false;
  for (const op of delta.ops) {
    if (op.insert !== undefined) continue;
    const n = op.retain || op.delete;
    if (op.delete && at + n >= len) deletesLast = true;
    at += n;
  }
  if (!deletesLast) return delta;
  const out = new Delta();
  at = 0;
  for (const op of delta.ops) {
    if (op.insert !== undefined) {
      out.push(op);
      continue;
    }
    const n = op.retain || op.delete;
    if (op.delete && at + n >= len) {
      if (n > 1) out.delete(n - 1);
    } else {
      out.push(op);
    }
    at += n;
  }
  return out.retain(1, AttributeMap.diff(attributes || {}, {}) || {}).chop();
}
