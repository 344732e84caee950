// The REST API as the pages call it: the session's token from sign-in, problem+json errors
// turned into messages a person can read.
const KEY = 'tandem.session';

export function session() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY));
    if (s && s.token && (!s.expiresAt || Date.parse(s.expiresAt) > Date.now())) return s;
  } catch { /* no session */ }
  return null;
}

export function signOut() {
  localStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const MESSAGES = {
  unauthorized: 'Your session ended. Please sign in again.',
  forbidden: 'You do not have permission to do that.',
  not_found: 'This document does not exist, or it is not shared with you.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  too_large: 'That is too large.',
  internal: 'The server could not do that just now. Try again in a moment.',
};

export async function api(method, path, body) {
  const s = session();
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (s) headers.Authorization = `Bearer ${s.token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'offline', 'The server cannot be reached. Check your connection.');
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: a proxy's or gateway's page; its status says what happened
  }
  if (res.ok && text && json === null) throw new ApiError(res.status, 'internal', MESSAGES.internal);
  if (!res.ok) {
    const code = json && json.code;
    const detail = (json && (json.detail || json.title)) || res.statusText || `The server answered ${res.status}.`;
    if (res.status === 401 && !path.startsWith('/v1/auth/')) signOut();
    throw new ApiError(res.status, code, (code === 'invalid_message' || code === 'conflict' || !MESSAGES[code]) ? detail : MESSAGES[code]);
  }
  return json;
}

export async function signIn(kind, username, password, displayName) {
  const body = { username, password };
  if (displayName) body.displayName = displayName;
  const s = await api('POST', `/v1/auth/${kind}`, body);
  localStorage.setItem(KEY, JSON.stringify(s));
  return s;
}
