// The share dialog: who has access and at which role, share with a user (by username) or one of
// my groups, link sharing, remove access, hand ownership over. Only the owner changes sharing.
import { api, session } from './api.js';

const ROLES = ['viewer', 'commenter', 'editor', 'owner'];

export async function openShare(docId, h) {
  const close = () => dialog.remove();
  const error = h('p', { class: 'error', role: 'alert' });
  const grants = h('ul', { class: 'grants' });
  const username = h('input', { placeholder: 'Username', 'aria-label': 'Username to share with', class: 'grow-input' });
  const role = select(ROLES.slice(0, 3), 'editor', 'Role');
  const groupPick = h('select', { 'aria-label': 'Group to share with' }, h('option', { value: '' }, 'Share with a group…'));
  const groupRole = select(ROLES.slice(0, 3), 'viewer', 'Group role');
  const linkRole = select(['off', ...ROLES.slice(0, 3)], 'off', 'Anyone with the link');
  const link = h('input', { readonly: true, value: `${location.origin}/d/${docId}`, 'aria-label': 'Link to this document', class: 'grow-input' });
  const dialog = h('div', { class: 'modal', role: 'dialog', 'aria-label': 'Share', onclick: (e) => e.target === dialog && close() },
    h('div', { class: 'card share' },
      h('div', { class: 'row' }, h('h2', {}, 'Share'), h('div', { class: 'grow' }), h('button', { class: 'link', onclick: close, 'aria-label': 'Close' }, '✕')),
      h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); shareWithUser(); } }, username, role, h('button', { class: 'primary', type: 'submit' }, 'Share')),
      h('div', { class: 'row' }, groupPick, groupRole, h('button', { class: 'link', onclick: shareWithGroup }, 'Share with group')),
      h('h3', {}, 'People and groups with access'), grants,
      h('h3', {}, 'Link'), h('div', { class: 'row' }, link, h('span', {}, 'Anyone signed in with the link:'), linkRole),
      error));
  document.body.append(dialog);
  username.focus();

  const names = new Map(); // principal -> label
  let mine = 'viewer';

  async function label(principal) {
    if (names.has(principal)) return names.get(principal);
    const [kind, id] = principal.split(':');
    let name = principal;
    try {
      if (kind === 'user') {
        const u = await api('GET', `/v1/users/${encodeURIComponent(id)}`);
        const shown = u.displayName && u.displayName !== u.username ? `${u.displayName} · ${u.username}` : u.username;
        name = u.userId === session().userId ? `${shown} (you)` : shown;
      } else if (kind === 'group') {
        name = `Group ${(await api('GET', `/v1/groups/${encodeURIComponent(id)}`)).name}`;
      }
    } catch { /* shown by id */ }
    names.set(principal, name);
    return name;
  }

  async function load() {
    error.textContent = '';
    try {
      const p = await api('GET', `/v1/docs/${docId}/permissions`);
      mine = p.role;
      const owner = mine === 'owner';
      for (const el of [username, role, groupPick, groupRole, linkRole]) el.disabled = !owner;
      if (!owner) error.textContent = `You are ${article(mine)} ${mine} of this document; only its owner can change who has access.`;
      const link = p.items.find((g) => g.principal === 'anyone-with-link');
      linkRole.value = link ? link.role : 'off';
      const rows = [];
      for (const g of p.items.filter((x) => x.principal !== 'anyone-with-link')) {
        const isMe = g.principal === `user:${session().userId}`;
        const roleSel = select(ROLES, g.role, `Role of ${g.principal}`);
        roleSel.disabled = !owner || isMe;
        roleSel.addEventListener('change', () => put(g.principal, roleSel.value));
        rows.push(h('li', { 'data-principal': g.principal },
          h('span', { class: 'title' }, await label(g.principal)), roleSel,
          owner && !isMe && g.principal.startsWith('user:') && g.role !== 'owner'
            ? h('button', { class: 'link', onclick: () => transfer(g.principal.slice(5)) }, 'Make owner') : null,
          owner && !isMe ? h('button', { class: 'link danger', onclick: () => remove(g.principal) }, 'Remove') : null));
      }
      grants.replaceChildren(...rows);
      if (!rows.length) grants.append(h('li', { class: 'empty' }, owner ? 'Only you.' : 'The owner sees who has access.'));
    } catch (err) {
      error.textContent = err.message;
    }
  }

  async function act(fn) {
    error.textContent = '';
    try {
      await fn();
      await load();
    } catch (err) {
      error.textContent = err.message;
    }
  }

  function put(principal, r) {
    return act(() => api('PUT', `/v1/docs/${docId}/permissions/${encodeURIComponent(principal)}`, { role: r }));
  }

  function remove(principal) {
    return act(() => api('DELETE', `/v1/docs/${docId}/permissions/${encodeURIComponent(principal)}`));
  }

  function transfer(userId) {
    if (!confirm('Make them the owner? You will stay an editor.')) return;
    act(() => api('POST', `/v1/docs/${docId}/transfer`, { userId }));
  }

  async function shareWithUser() {
    const name = username.value.trim();
    if (!name) return;
    await act(async () => {
      let u;
      try {
        u = await api('GET', `/v1/users?username=${encodeURIComponent(name)}`);
      } catch (err) {
        if (err.status === 404) throw new Error(`There is no user named ${name}.`);
        throw err;
      }
      await api('PUT', `/v1/docs/${docId}/permissions/${encodeURIComponent(`user:${u.userId}`)}`, { role: role.value });
      username.value = '';
    });
  }

  function shareWithGroup() {
    if (!groupPick.value) return;
    put(`group:${groupPick.value}`, groupRole.value);
  }

  linkRole.addEventListener('change', () => (linkRole.value === 'off' ? remove('anyone-with-link') : put('anyone-with-link', linkRole.value)));

  try {
    const groups = await api('GET', '/v1/groups');
    for (const g of groups.items || []) groupPick.append(h('option', { value: g.id || g.groupId }, g.name));
  } catch { /* no groups to offer */ }
  await load();

  function select(values, value, label) {
    const s = h('select', { 'aria-label': label }, values.map((v) => h('option', { value: v }, v === 'off' ? 'off' : v)));
    s.value = value;
    return s;
  }
}

function article(word) {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
