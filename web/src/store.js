// What a document's page keeps in IndexedDB, so that edits made offline survive a closed tab:
// the text as the editor shows it, the server version it is based on, the client's id and seq,
// and the unacked op and the edits composed behind it. Reopened, the page shows it at once and
// the sync resumes from that version and resends what was not acked.
const DB = 'tandem';
const STORE = 'docs';

let opening = null;
function db() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opening;
}

function key(userId, docId) {
  return `${userId}/${docId}`;
}

export async function load(userId, docId) {
  try {
    const d = await db();
    return await new Promise((resolve, reject) => {
      const req = d.transaction(STORE).objectStore(STORE).get(key(userId, docId));
      req.onsuccess = () => resolve(req.result || null);
      req.onerror = () => reject(req.error);
    });
  } catch {
    return null; // private mode or no IndexedDB: online only
  }
}

export async function save(userId, docId, state) {
  try {
    const d = await db();
    d.transaction(STORE, 'readwrite').objectStore(STORE).put(state, key(userId, docId));
  } catch {
    // nothing kept: the page still works online
  }
}

export async function forget(userId, docId) {
  try {
    const d = await db();
    d.transaction(STORE, 'readwrite').objectStore(STORE).delete(key(userId, docId));
  } catch {
    // nothing to forget
  }
}
