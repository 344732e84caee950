// Version history: who edited in which sessions, the named versions, a read-only preview of any of
// them with what changed highlighted (added on green, removed struck through in red), "Restore
// this version" (one new op: nothing after it is lost, and it can be restored away again), and
// "Name current version". Viewers and commenters read it; editors and owners name and restore.
import Quill from 'quill';
import Delta from 'quill-delta';
import { api } from './api.js';

const ADDED = { background: '#d3f4dc' };
const REMOVED = { strike: true, color: '#b42318' };
const PAGE = 30;

export function openHistory(docId, h, { canEdit, onClose }) {
  const error = h('p', { class: 'error', role: 'alert' });
  const list = h('ul', { class: 'versions', 'aria-label': 'Versions' });
  const more = h('button', { class: 'link', onclick: () => loadMore() }, 'Older…');
  const caption = h('p', { class: 'caption' }, 'Choose a version to see it.');
  const restore = h('button', { class: 'primary', disabled: true, onclick: () => restoreShown() }, 'Restore this version');
  const nameInput = h('input', { placeholder: 'Name the current version', 'aria-label': 'Version name', maxlength: 100, class: 'grow-input' });
  const nameForm = h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); nameCurrent(); } },
    nameInput, h('button', { class: 'primary', type: 'submit' }, 'Name'));
  const host = h('div', { class: 'preview' });
  const close = () => {
    dialog.remove();
    onClose && onClose();
  };
  const dialog = h('div', { class: 'modal', role: 'dialog', 'aria-label': 'Version history', onclick: (e) => e.target === dialog && close() },
    h('div', { class: 'card history' },
      h('div', { class: 'row' }, h('h2', {}, 'Version history'), h('div', { class: 'grow' }),
        h('button', { class: 'link', onclick: close, 'aria-label': 'Close' }, '✕')),
      canEdit ? nameForm : null,
      h('div', { class: 'panes' },
        h('div', { class: 'side' }, list, more),
        h('div', { class: 'shown' }, h('div', { class: 'row' }, caption, h('div', { class: 'grow' }), canEdit ? restore : null), host)),
      error));
  document.body.append(dialog);
  const viewer = new Quill(host, {
    readOnly: true,
    modules: { toolbar: false },
    formats: ['header', 'bold', 'italic', 'underline', 'strike', 'list', 'blockquote', 'code-block', 'link', 'background', 'color'],
  });

  const names = new Map();
  async function nameOf(userId) {
    if (!names.has(userId)) {
      names.set(userId, api('GET', `/v1/users/${encodeURIComponent(userId)}`).then((u) => u.displayName || u.username, () => 'Someone'));
    }
    return names.get(userId);
  }
  const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

  let cursor = null;
  let named = [];
  let shown = null; // {to, label}
  let generation = 0; // a reload started since makes what an older one fetched stale

  async function load() {
    const mine = ++generation;
    try {
      const versions = (await api('GET', `/v1/docs/${docId}/versions`)).items.slice().reverse(); // newest first
      if (mine !== generation) return;
      named = versions;
      cursor = null;
      await loadMore(true);
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function loadMore(fresh = false) {
    const mine = generation;
    try {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (cursor) q.set('cursor', cursor);
      const page = await api('GET', `/v1/docs/${docId}/activity?${q}`);
      const items = [];
      const pendingNamed = named.slice();
      for (const s of page.items) {
        // the named versions that fall in or after this session come before it
        while (pendingNamed.length && pendingNamed[0].version >= s.fromVersion) items.push(await namedItem(pendingNamed.shift()));
        items.push(await sessionItem(s));
      }
      if (!page.nextCursor) while (pendingNamed.length) items.push(await namedItem(pendingNamed.shift()));
      if (mine !== generation) return;
      named = pendingNamed;
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      if (fresh) list.replaceChildren(...items);
      else list.append(...items);
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function sessionItem(s) {
    const who = await nameOf(s.userId);
    const label = `${who} · ${when(s.to)}`;
    const item = h('li', { class: 'session', 'data-version': String(s.toVersion) },
      h('button', { class: 'pick', onclick: () => show(s.fromVersion - 1, s.toVersion, `Changes by ${who}, ${when(s.from)}`, item) },
        h('span', { class: 'who' }, label),
        h('span', { class: 'meta' }, ` +${s.added} −${s.removed} · versions ${s.fromVersion}–${s.toVersion}`)));
    return item;
  }

  async function namedItem(n) {
    const who = await nameOf(n.by);
    const item = h('li', { class: 'named', 'data-version': String(n.version) },
      h('button', { class: 'pick', onclick: () => show(Math.max(0, n.version - 1), n.version, `“${n.name}”, named by ${who}`, item) },
        h('strong', {}, n.name), h('span', { class: 'meta' }, ` · ${who}, ${when(n.at)} · version ${n.version}`)));
    return item;
  }

  /** The content at `to`, with the change from `from` highlighted. */
  async function show(from, to, label, item) {
    try {
      const [base, change] = await Promise.all([
        api('GET', `/v1/docs/${docId}/versions/${from}`),
        api('GET', `/v1/docs/${docId}/changes?from=${from}&to=${to}`),
      ]);
      viewer.setContents(highlighted(new Delta(base.content), new Delta(change.ops)), 'silent');
      for (const li of list.children) li.classList.toggle('on', li === item);
      caption.textContent = `${label} · version ${to}`;
      shown = { to };
      restore.disabled = false;
      error.textContent = '';
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function restoreShown() {
    if (!shown) return;
    restore.disabled = true;
    try {
      const r = await api('POST', `/v1/docs/${docId}/revert`, { version: shown.to });
      caption.textContent = r.changed ? `Restored version ${shown.to} as version ${r.version}. Restoring is in the history too.`
        : `The document is already as it was at version ${shown.to}.`;
      await load();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      restore.disabled = false;
    }
  }

  async function nameCurrent() {
    const name = nameInput.value.trim();
    if (!name) return;
    try {
      await api('POST', `/v1/docs/${docId}/versions`, { name });
      nameInput.value = '';
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  }

  load();
  return { refresh: load, close };
}

/**
 * The content after `change`, shown with what it inserted highlighted and what it deleted kept,
 * struck through; `base` is the content it applies to.
 */
export function highlighted(base, change) {
  let out = new Delta();
  let at = 0;
  for (const op of change.ops) {
    if (op.insert !== undefined) {
      out.insert(op.insert, typeof op.insert === 'string' ? { ...op.attributes, ...ADDED } : op.attributes);
    } else if (op.delete) {
      for (const d of base.slice(at, at + op.delete).ops) {
        if (typeof d.insert !== 'string') continue; // an embed removed
        for (const piece of d.insert.split(/(\n)/)) {
          if (piece === '\n') out.insert('\n'); // the line break stays a plain one
          else if (piece) out.insert(piece, { ...d.attributes, ...REMOVED });
        }
      }
      at += op.delete;
    } else {
      const n = op.retain;
      let part = base.slice(at, at + n);
      if (op.attributes) part = part.compose(new Delta().retain(n, op.attributes));
      out = out.concat(part);
      at += n;
    }
  }
  return out.concat(base.slice(at));
}
