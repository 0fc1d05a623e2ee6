// The signed-in account of this browser, and calls to the REST API (/api/v1) on its behalf.
//
// The access token (15 minutes) and the refresh token (30 days) live in localStorage, so every tab of this
// origin shares one session. A request answered 401 is retried once after exchanging the refresh token;
// when that exchange fails the session is cleared and the 401 surfaces as an ApiError.

const API = '/api/v1';
const ACCESS_KEY = 'parley.accessToken';
const REFRESH_KEY = 'parley.refreshToken';
const USER_KEY = 'parley.user';

/** A refused API request: the problem document's fields (RFC 9457), ready to show next to a form. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}`);
    this.name = 'ApiError';
    /** HTTP status, or 0 when the server could not be reached. */
    this.status = status;
    /** The problem type without its `https://parley.dev/problems/` prefix, e.g. `invalid-credentials`. */
    this.type = String(problem?.type ?? '').replace(/^.*\/problems\//, '') || 'unknown';
    this.title = problem?.title ?? '';
    /** Field errors: `[{field, message}]`. */
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

/** The signed-in account (`{id, email, displayName, role}`), or null. */
export function currentUser() {
  if (!localStorage.getItem(REFRESH_KEY)) return null;
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** Creates an account and signs in with it. */
/** The stored access token (renewed by {@link api} when it expires), for requests api() cannot make, e.g. file downloads. */
export function storedAccessToken() {
  return localStorage.getItem(ACCESS_KEY);
}

export async function signUp({ email, password, displayName }) {
  return remember(await request('POST', '/auth/register', { body: { email, password, displayName }, auth: false }));
}

/** Signs in with email and password. */
export async function signIn({ email, password }) {
  return remember(await request('POST', '/auth/login', { body: { email, password }, auth: false }));
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function signOut() {
  const refreshToken = localStorage.getItem(REFRESH_KEY);
  const access = localStorage.getItem(ACCESS_KEY);
  forget();
  if (!refreshToken) return;
  const body = JSON.stringify({ refreshToken });
  const headers = { 'Content-Type': 'application/json' };
  try {
    let response = await fetch(`${API}/auth/logout`, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${access}` }, body });
    // An expired access token is refused; the refresh token alone still revokes the session.
    if (response.status === 401) response = await fetch(`${API}/auth/logout`, { method: 'POST', headers, body });
  } catch (error) {
    console.warn('Parley: sign-out did not reach the server', error);
  }
}

/**
 * Calls the REST API: `method`, a path under /api/v1, an optional JSON `body`. Sends the access token
 * when signed in (`auth: false` never does). Resolves with the parsed JSON (null for 204), rejects with an
 * ApiError.
 */
export async function api(method, path, { body, auth = true } = {}) {
  return request(method, path, { body, auth });
}

async function request(method, path, { body, auth }) {
  const sentWith = auth ? localStorage.getItem(ACCESS_KEY) : null;
  let response = await send(method, path, body, sentWith);
  if (response.status === 401 && sentWith) {
    const renewed = await renewAccessToken(sentWith);
    if (renewed) response = await send(method, path, body, renewed);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: a proxy's error page, say. The status explains enough.
  }
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

async function send(method, path, body, accessToken) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  try {
    return await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, { detail: `The server could not be reached (${error.message}).` });
  }
}

// Exchanges the refresh token for a new pair, once, for every request that failed with `staleToken`.
// A used refresh token presented again revokes the whole session, so tabs must never exchange the same
// one twice: a Web Lock serializes them, and a tab that finds a newer token already stored just uses it.
async function renewAccessToken(staleToken) {
  const exchange = async () => {
    const stored = localStorage.getItem(ACCESS_KEY);
    if (stored && stored !== staleToken) return stored;
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return null;
    try {
      const session = await request('POST', '/auth/refresh', { body: { refreshToken }, auth: false });
      remember(session);
      return session.accessToken;
    } catch (error) {
      if (error.status !== 0) forget();
      return null;
    }
  };
  return navigator.locks ? navigator.locks.request('parley.refresh', exchange) : exchange();
}

function remember(session) {
  localStorage.setItem(ACCESS_KEY, session.accessToken);
  localStorage.setItem(REFRESH_KEY, session.refreshToken);
  const { id, email, displayName, role } = session.user;
  localStorage.setItem(USER_KEY, JSON.stringify({ id, email, displayName, role }));
  return session.user;
}

function forget() {
  for (const key of [ACCESS_KEY, REFRESH_KEY, USER_KEY]) localStorage.removeItem(key);
}

/** Where to go after signing in: `?next=` when it is a path on this site, else My meetings. */
export function nextPath(params) {
  const next = params.get('next');
  // Only paths on this origin: not `//host` or `/\host`, which browsers read as another site.
  return next && /^\/(?![/\\])/.test(next) ? next : '/meetings.html';
}

/** The sign-in page, coming back to `path` afterwards (null: to My meetings). */
export function signInHref(path = location.pathname + location.search) {
  return path ? `/account.html?next=${encodeURIComponent(path)}` : '/account.html';
}
