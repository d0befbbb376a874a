// The one axios instance the app talks to the API through.
//
// Same origin as the page (base URL ''), so the browser sends the HttpOnly
// access_token_cookie by itself; withCredentials is kept as in the seed's
// client so the modules also work when pointed at another origin.
//
// It also renews the session silently: a request refused with
// 401 {"msg": "Token has expired"} makes the client call POST /api/refresh
// once and send the request again (see refreshSession below).
import axios from 'axios';

export const CSRF_COOKIE = 'csrf_access_token';
export const REFRESH_CSRF_COOKIE = 'csrf_refresh_token';
export const CSRF_HEADER = 'X-CSRF-TOKEN';
export const REFRESH_PATH = '/api/refresh';

// The server's exact words for an access token past its `exp`: the only
// refusal a refresh can cure. Every other 401 (revoked, missing cookie,
// bad CSRF…) and every 422 ends the session as before.
export const EXPIRED_MSG = 'Token has expired';
// The server's words when the X-CSRF-TOKEN header and the token's csrf
// claim differ.
export const CSRF_MISMATCH_MSG = 'CSRF double submit tokens do not match';

// The Web Locks name every tab of the app takes around a refresh.
const REFRESH_LOCK = 'latchkey-refresh';
// How long a tab waits for another tab's refresh before going ahead anyway
// (the server's grace for a just-rotated refresh token covers the overlap).
const LOCK_WAIT_MS = 10000;

// Methods the server checks the double-submit CSRF token on.
const UNSAFE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

// Returns the value of cookie `name` as JavaScript can see it, or null.
// The access and refresh tokens are HttpOnly and never show up here; the
// CSRF tokens are meant to be read so they can be echoed in a header.
export function readCookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return part.slice(eq + 1).trim();
      }
    }
  }
  return null;
}

export const api = axios.create({
  baseURL: '',
  withCredentials: true,
  timeout: 15000,
  headers: { Accept: 'application/json' },
});

// A cross-site form or fetch cannot read our cookie, so it cannot send this
// header: that is what makes the double-submit check work. The header is
// read from the cookie on every send, so a retried request carries the
// token of the refreshed session.
api.interceptors.request.use((config) => {
  if (UNSAFE_METHODS.has((config.method || 'get').toLowerCase())) {
    const token = readCookie(config.csrfCookie || CSRF_COOKIE);
    if (token) config.headers.set(CSRF_HEADER, token);
    else config.headers.delete(CSRF_HEADER);
    config.sentCsrf = token;
  }
  // Which refresh token the browser held when this request left: if it has
  // changed by the time the request fails as expired, someone (this tab or
  // another) has refreshed since, and a retry is enough.
  config.sessionMark = readCookie(REFRESH_CSRF_COOKIE);
  return config;
});

let sessionEndedHandler = null;

// Registers the function called when a request made while logged in is
// refused because the session is gone (401), its token is unusable (422),
// or an expired token could not be refreshed. Requests made with
// `{ expectAnonymous: true }` (login, the start-up probe) handle those
// statuses themselves.
export function onSessionEnded(handler) {
  sessionEndedHandler = handler;
}

function refusedWith(error, msg) {
  const response = error && error.response;
  return Boolean(response && response.status === 401 && response.data
    && typeof response.data === 'object' && response.data.msg === msg);
}

export function isExpiredToken(error) {
  return refusedWith(error, EXPIRED_MSG);
}

// The header was read from the cookie a moment before the browser attached
// the cookies: if another tab renewed the session in between, the two no
// longer match. True when that is what happened (the cookie has changed
// since), so sending the request again will do.
function csrfOvertaken(error) {
  const config = error.config;
  if (!config || !refusedWith(error, CSRF_MISMATCH_MSG) || config.sentCsrf === undefined) return false;
  return readCookie(config.csrfCookie || CSRF_COOKIE) !== config.sentCsrf;
}

// POST /api/refresh: new access and refresh cookies for the refresh cookie
// (sent by the browser, Path=/api/refresh), with its own CSRF token.
function postRefresh() {
  return api.post(REFRESH_PATH, {}, {
    withCredentials: true,
    csrfCookie: REFRESH_CSRF_COOKIE,
    isRefresh: true,
  });
}

// Runs `task` holding the cross-tab refresh lock, where the browser has Web
// Locks (secure contexts: https, or http on localhost/127.0.0.1); otherwise,
// or after LOCK_WAIT_MS of waiting, without it.
async function withRefreshLock(task) {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof locks.request !== 'function') return task();
  let signal;
  if (typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function') {
    signal = AbortSignal.timeout(LOCK_WAIT_MS);
  }
  let ran = false;
  try {
    return await locks.request(REFRESH_LOCK, signal ? { signal } : {}, () => {
      ran = true;
      return task();
    });
  } catch (error) {
    // Waiting timed out (or locks are unusable here): go ahead unlocked.
    if (!ran) return task();
    throw error;
  }
}

// The refresh in flight in this tab, shared by every request that failed
// as expired meanwhile (single flight).
let refreshing = null;

// Makes sure the session has been refreshed since `mark` (the refresh CSRF
// cookie seen when the failed request left). Resolves when a retry may go;
// rejects with the refresh's own error when the refresh failed.
function refreshSession(mark) {
  if (refreshing) return refreshing;
  refreshing = withRefreshLock(async () => {
    const now = readCookie(REFRESH_CSRF_COOKIE);
    // Another tab refreshed (or logged in or out) while we waited for the
    // lock: the cookies are new already, and refreshing again would only
    // spend the token that tab just got.
    if (now !== mark) return;
    try {
      await postRefresh();
    } catch (error) {
      // Another tab renewed the cookies while this refresh was on its way
      // (typically: its CSRF header no longer matched the new cookie). The
      // retry will show whether the session goes on.
      if (readCookie(REFRESH_CSRF_COOKIE) !== now) return;
      throw error;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

// A refresh that got an answer refusing it (401 revoked or expired session,
// missing cookie, 422…) means the session is over; no answer at all, or a
// server error, does not.
function refreshRefused(error) {
  const status = error && error.response ? error.response.status : 0;
  return status >= 400 && status < 500;
}

// Whether the caller takes this refusal as an answer rather than as the end
// of the session: `expectAnonymous` requests (login, the start-up probe)
// always do, others through their `ownsRefusal(error)` (the password change
// takes 401 "Current password is incorrect" as the answer it is).
function callerHandles(error) {
  const config = error.config || {};
  if (config.expectAnonymous) return true;
  return typeof config.ownsRefusal === 'function' && Boolean(config.ownsRefusal(error));
}

function endSession(error) {
  if (callerHandles(error)) return;
  if (sessionEndedHandler) sessionEndedHandler(error);
}

api.interceptors.response.use(undefined, async (error) => {
  const config = error.config;
  if (config && config.isRefresh) return Promise.reject(error);
  if (config && !config.csrfRetried && csrfOvertaken(error)) {
    return api.request({ ...config, csrfRetried: true });
  }
  if (config && isExpiredToken(error) && !config.retried) {
    try {
      await refreshSession(config.sessionMark);
    } catch (refreshError) {
      if (refreshRefused(refreshError)) {
        // Report the original request's refusal; say why it was final.
        error.refreshFailed = true;
        endSession(error);
        return Promise.reject(error);
      }
      // Server unreachable or failing: the session may well be fine.
      refreshError.refreshFailed = true;
      return Promise.reject(refreshError);
    }
    // Once only: a second expiry (or any refusal) of the retry is final.
    // The retry goes through the interceptors again, which set the new
    // CSRF header and handle its failure.
    return api.request({ ...config, retried: true });
  }
  const status = error.response ? error.response.status : 0;
  if (status === 401 || status === 422) endSession(error);
  return Promise.reject(error);
});
