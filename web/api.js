// The admin API client: same-origin fetch with the session cookie; every state change
// carries the session's CSRF token in X-CSRF-Token.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

const session = {user: null, csrf: null, expiresAt: null};
let onUnauthenticated = () => {};

export function currentUser() {
  return session.user;
}

// Called when a request answers 401: the session ended (expired, logged out elsewhere).
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

function remember(body) {
  session.user = body && body.user ? body.user.name : null;
  session.csrf = body ? body.csrf_token : null;
  session.expiresAt = body ? body.expires_at : null;
}

function forget() {
  remember(null);
}

async function send(method, path, body, {expectSession = true} = {}) {
  const headers = {Accept: 'application/json'};
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) {
    headers['X-CSRF-Token'] = session.csrf;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached.');
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const retry = Number(response.headers.get('Retry-After')) || 0;
    const err = new ApiError(response.status, error.code || `http_${response.status}`,
                             error.message || `HTTP ${response.status}`, retry);
    if (response.status === 401 && expectSession) {
      forget();
      onUnauthenticated();
    }
    throw err;
  }
  return data;
}

export const api = {
  get: (path) => send('GET', path),
  post: (path, body) => send('POST', path, body === undefined ? {} : body),
  put: (path, body) => send('PUT', path, body),
  del: (path) => send('DELETE', path),
};

// Restores the session from the cookie. Resolves true when there is one.
export async function loadSession() {
  try {
    remember(await send('GET', '/v1/session', undefined, {expectSession: false}));
    return true;
  } catch (e) {
    forget();
    if (e.status === 401) return false;
    throw e;
  }
}

export async function login(username, password) {
  remember(await send('POST', '/v1/session', {username, password}, {expectSession: false}));
}

export async function logout() {
  try {
    await send('DELETE', '/v1/session', undefined, {expectSession: false});
  } finally {
    forget();
  }
}

// Builds "path?a=1&b=2" from the set (non-empty) values of `params`; arrays repeat.
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (Array.isArray(value)) value.filter((v) => v !== '').forEach((v) => q.append(key, v));
    else if (value !== undefined && value !== null && value !== '') q.set(key, value);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
