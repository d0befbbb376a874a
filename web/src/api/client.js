// The one axios instance the app talks to the API through.
//
// Same origin as the page (base URL ''), so the browser sends the HttpOnly
// access_token_cookie by itself; withCredentials is kept as in the seed's
// client so the modules also work when pointed at another origin.
import axios from 'axios';

export const CSRF_COOKIE = 'csrf_access_token';
export const CSRF_HEADER = 'X-CSRF-TOKEN';

// Methods the server checks the double-submit CSRF token on.
const UNSAFE_METHODS = new Set(['post', 'put', 'patch', 'delete']);

// Returns the value of cookie `name` as JavaScript can see it, or null.
// The access token is HttpOnly and never shows up here; the CSRF token is
// meant to be read so it can be echoed in a header.
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
// header: that is what makes the double-submit check work.
api.interceptors.request.use((config) => {
  if (UNSAFE_METHODS.has((config.method || 'get').toLowerCase())) {
    const token = readCookie(CSRF_COOKIE);
    if (token) config.headers.set(CSRF_HEADER, token);
  }
  return config;
});

let sessionEndedHandler = null;

// Registers the function called when a request made while logged in is
// refused because the session is gone (401) or its token is unusable (422).
// Requests made with `{ expectAnonymous: true }` (login, the start-up probe)
// handle those statuses themselves.
export function onSessionEnded(handler) {
  sessionEndedHandler = handler;
}

api.interceptors.response.use(undefined, (error) => {
  const status = error.response ? error.response.status : 0;
  if ((status === 401 || status === 422) && !(error.config && error.config.expectAnonymous)
      && sessionEndedHandler) {
    sessionEndedHandler(error);
  }
  return Promise.reject(error);
});
