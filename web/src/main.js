// Tandem in the browser: sign in, my documents, the editor. Pages are routed by path
// (/, /signin, /d/<id>) and rendered into #app.
import 'quill/dist/quill.snow.css';
import './style.css';
import { api, session, signIn, signOut } from './api.js';
import { openEditor } from './editor.js';
import * as store from './store.js';

const app = document.getElementById('app');
let teardown = null;

export function go(path) {
  history.pushState(null, '', path);
  route();
}
window.addEventListener('popstate', route);
// signed out in another tab: this one leaves the document too
window.addEventListener('storage', (e) => {
  if (e.key === 'tandem.session' && !e.newValue) route();
});

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c);
  return el;
}

function route() {
  if (teardown) teardown();
  teardown = null;
  app.replaceChildren();
  for (const m of document.querySelectorAll('.modal')) m.remove(); // a dialog of the page left
  const path = location.pathname;
  if (!session()) return signInPage();
  const m = path.match(/^\/d\/([A-Za-z0-9-]{1,64})$/);
  if (m) {
    teardown = openEditor(app, m[1], { h, go, header });
    return;
  }
  return documentsPage();
}

function header(...right) {
  const s = session();
  return h('header', { class: 'bar' },
    h('a', { class: 'brand', href: '/', onclick: (e) => { e.preventDefault(); go('/'); } }, 'Tandem'),
    h('div', { class: 'grow' }), ...right,
    h('span', { class: 'who', title: s.username }, s.displayName || s.username),
    h('button', { class: 'link', onclick: signOutHere }, 'Sign out'));
}

// Signing out forgets what this browser kept of the user's documents; edits not yet sent are
// lost with it, so the user is asked first.
async function signOutHere() {
  const me = session();
  if (me) {
    const n = await store.unsentDocs(me.userId);
    if (n && !confirm(`${n === 1 ? 'A document has' : `${n} documents have`} edits not yet saved to the server. `
      + 'Signing out discards them. Sign out anyway?')) return;
    if (teardown) teardown();
    teardown = null;
    await store.forgetUser(me.userId);
  }
  signOut();
  go('/');
}

function signInPage() {
  let mode = 'login';
  const error = h('p', { class: 'error', role: 'alert' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, placeholder: 'Username' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, placeholder: 'Password' });
  const title = h('h1', {}, 'Sign in to Tandem');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const toggle = h('button', { type: 'button', class: 'link', onclick: () => {
    mode = mode === 'login' ? 'register' : 'login';
    title.textContent = mode === 'login' ? 'Sign in to Tandem' : 'Create your Tandem account';
    submit.textContent = mode === 'login' ? 'Sign in' : 'Sign up';
    toggle.textContent = mode === 'login' ? 'New here? Create an account' : 'Have an account? Sign in';
    pass.autocomplete = mode === 'login' ? 'current-password' : 'new-password';
    error.textContent = '';
  } }, 'New here? Create an account');
  const form = h('form', { class: 'card auth', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      await signIn(mode, user.value.trim(), pass.value);
      route();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  } }, title, user, pass, submit, error, toggle);
  app.append(h('main', { class: 'center' }, form));
}

async function documentsPage() {
  const list = h('ul', { class: 'docs' });
  const error = h('p', { class: 'error', role: 'alert' });
  const search = h('input', { type: 'search', placeholder: 'Search by title', class: 'search', oninput: () => render() });
  let view = 'mine';
  let docs = [];
  let trash = [];
  const tabs = h('nav', { class: 'tabs' },
    ['mine', 'shared', 'trash'].map((v) => h('button', { 'data-view': v, class: v === view ? 'on' : '', onclick: () => {
      view = v;
      tabs.querySelectorAll('button').forEach((b) => b.className = b.dataset.view === view ? 'on' : '');
      render();
    } }, { mine: 'My documents', shared: 'Shared with me', trash: 'Trash' }[v])));
  const create = h('button', { class: 'primary', onclick: async () => {
    try {
      const d = await api('POST', '/v1/docs', { title: 'Untitled document' });
      go(`/d/${d.id}`);
    } catch (err) {
      error.textContent = err.message;
    }
  } }, 'New document');
  app.append(header(), h('main', { class: 'page' }, h('div', { class: 'row' }, tabs, h('div', { class: 'grow' }), search, create), error, list));

  function render() {
    const q = search.value.trim().toLowerCase();
    const me = session().userId;
    const shown = (view === 'trash' ? trash : docs.filter((d) => (view === 'mine') === (d.role === 'owner')))
      .filter((d) => !q || (d.title || '').toLowerCase().includes(q));
    list.replaceChildren(...shown.map((d) => h('li', {},
      view === 'trash'
        ? h('span', { class: 'title' }, d.title || 'Untitled')
        : h('a', { href: `/d/${d.id}`, class: 'title', onclick: (e) => { e.preventDefault(); go(`/d/${d.id}`); } }, d.title || 'Untitled'),
      h('span', { class: 'meta' }, d.role && d.role !== 'owner' ? d.role : '', d.updatedAt ? ` · ${new Date(d.updatedAt).toLocaleString()}` : ''),
      view === 'trash'
        ? h('button', { class: 'link', onclick: () => act('POST', `/v1/docs/${d.id}/restore`) }, 'Restore')
        : [
          d.role === 'owner' || d.role === 'editor' ? h('button', { class: 'link', onclick: () => {
            const t = prompt('Rename to', d.title || '');
            if (t != null && t.trim()) act('PATCH', `/v1/docs/${d.id}`, { title: t.trim() });
          } }, 'Rename') : null,
          d.role === 'owner' ? h('button', { class: 'link danger', onclick: () => act('DELETE', `/v1/docs/${d.id}`) }, 'Delete') : null,
        ])));
    if (!shown.length) list.append(h('li', { class: 'empty' }, q ? 'No document matches.' : view === 'trash' ? 'The trash is empty.' : 'No documents yet.'));
    void me;
  }

  async function act(method, path, body) {
    error.textContent = '';
    try {
      await api(method, path, body);
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function load() {
    try {
      docs = await all('/v1/docs');
      trash = await all('/v1/docs?shelf=trash');
    } catch (err) {
      error.textContent = err.message;
    }
    render();
  }
  await load();
}

/** Every page of a paginated list. */
async function all(path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    items.push(...(page.items || page.docs || []));
    cursor = page.nextCursor || page.cursor;
    if (!cursor) break;
  }
  return items;
}

route();
