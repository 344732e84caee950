// What a document's page keeps in IndexedDB, so that edits made offline survive a closed tab:
// the text as the editor shows it, the server version and text it is based on, the client's id
// and seq, and the unacked op and the edits composed behind it. Reopened, the page shows it at
// once and the sync resumes from that version and resends what was not acked.
//
// One record per (user, document, clientId). A page owns a clientId while it holds the Web Lock
// of that name, so two tabs never send under one clientId, and each tab's unsent edits are kept
// apart: a page that opens adopts a record no other page holds, unsent edits first.
const DB = 'tandem';
const STORE = 'kept';

let opening = null;
function db() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 2);
      req.onupgradeneeded = (e) => {
        const d = req.result;
        const kept = d.createObjectStore(STORE);
        if (e.oldVersion < 1 || !d.objectStoreNames.contains('docs')) return;
        // version 1 kept one record per user and document: each moves under its clientId, unsent edits and all
        const old = req.transaction.objectStore('docs');
        old.openCursor().onsuccess = (c) => {
          const cursor = c.target.result;
          if (cursor) {
            const r = cursor.value;
            const [userId, docId] = String(cursor.key).split('/');
            if (r && r.clientId) kept.put({ ...r, docId }, `${userId}/${docId}/${r.clientId}`);
            cursor.continue();
          } else {
            d.deleteObjectStore('docs');
          }
        };
      };
      // a tab of an older build holds the database open: it is asked to close; until then, online only
      req.onblocked = () => reject(new Error('IndexedDB is held open by another tab'));
      req.onsuccess = () => {
        req.result.onversionchange = () => req.result.close();
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
    });
  }
  return opening;
}

function request(mode, run) {
  return db().then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = run(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req && req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
}

const prefix = (userId, docId) => (docId ? `${userId}/${docId}/` : `${userId}/`);
const range = (p) => IDBKeyRange.bound(p, `${p}\uffff`);

/** Whether a kept record holds edits the server has not acked. */
export const unsent = (r) => Boolean(r && (r.inflight || r.pending));

/** Every record kept for this user's document, with its key. */
export async function list(userId, docId) {
  try {
    const out = [];
    await request('readonly', (s) => {
      s.openCursor(range(prefix(userId, docId))).onsuccess = (e) => {
        const cursor = e.target.result;
        if (!cursor) return;
        out.push({ ...cursor.value, key: cursor.key });
        cursor.continue();
      };
      return null;
    });
    return out;
  } catch {
    return []; // private mode or no IndexedDB: online only
  }
}

export function key(userId, docId, clientId) {
  return `${prefix(userId, docId)}${clientId}`;
}

export async function forget(k) {
  try {
    await request('readwrite', (s) => s.delete(k));
  } catch {
    // nothing to forget
  }
}

/** Documents of this user with unsent edits in this browser. */
export async function unsentDocs(userId) {
  try {
    const all = await request('readonly', (s) => s.getAll(range(prefix(userId))));
    return new Set(all.filter(unsent).map((r) => r.docId)).size;
  } catch {
    return 0;
  }
}

/** Signing out forgets what this browser kept for the user. */
export async function forgetUser(userId) {
  try {
    await request('readwrite', (s) => s.delete(range(prefix(userId))));
  } catch {
    // nothing kept
  }
}

/**
 * Writes a page's state, one write at a time: a change made while one is under way is written
 * when it ends, and only the newest (`state` is read then), so fast typing costs no queue of writes.
 */
export function writer() {
  let writing = false;
  let next = null; // {key, state: () => object}
  async function run() {
    writing = true;
    while (next) {
      const { key: k, state } = next;
      next = null;
      try {
        const value = state();
        if (value) await request('readwrite', (s) => s.put(value, k));
      } catch {
        // nothing kept: the page still works online
      }
    }
    writing = false;
  }
  return (k, state) => {
    next = { key: k, state };
    if (!writing) run();
  };
}

/**
 * Holds the Web Lock named for a clientId of this document while the page lives; resolves to its
 * release, or null when another page holds it. Without Web Locks (not a secure context) no page
 * can know whether another holds a clientId: none is adopted, every page starts fresh.
 */
export const locking = () => Boolean(navigator.locks);

export function own(userId, docId, clientId) {
  if (!navigator.locks) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.locks.request(`tandem/${key(userId, docId, clientId)}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      return new Promise((release) => resolve(release));
    });
  });
}
