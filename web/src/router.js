// A minimal router on the History API: the servers answer every page path
// with index.html, and the app picks the page from location.pathname.
import { useSyncExternalStore } from 'react';

// The paths the app itself shows a page for; anything else is "Page not
// found" (or, like /members/, the web server's own).
export const PROFILE_PATH = '/profile';
export const LOGIN_PATH = '/login';
export const LOGIN_PATHS = new Set(['/', LOGIN_PATH]);
// The pages of accounts by mail, shown whether or not anyone is logged in:
// "Forgot password?", and those a mail's one-time link opens.
export const FORGOT_PATH = '/forgot';
export const RESET_PATH = '/reset';
export const INVITE_PATH = '/invite';
export const ACCOUNT_PATHS = new Set([FORGOT_PATH, RESET_PATH, INVITE_PATH]);

export function isAppRoute(pathname) {
  return LOGIN_PATHS.has(pathname) || pathname === PROFILE_PATH || ACCOUNT_PATHS.has(pathname);
}

const listeners = new Set();
let navigated = false;

function notify() {
  navigated = true;
  for (const listener of listeners) listener();
}

function subscribe(listener) {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}

function currentPath() {
  return window.location.pathname;
}

// Goes to `path` (a path, optionally with a query and fragment) without
// reloading the page. `replace` rewrites the current history entry instead
// of adding one (for redirects the user did not ask for).
export function navigate(path, { replace = false } = {}) {
  if (path === currentPath()) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

// True once the app has moved from the page it was loaded on: from then on a
// new page takes the keyboard focus to its heading, as a page load would.
export function hasNavigated() {
  return navigated;
}

export function usePath() {
  return useSyncExternalStore(subscribe, currentPath);
}

// C0 controls, DEL and C1 controls.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

function looksSameSite(path) {
  return path[0] === '/' && path[1] !== '/' && path[1] !== '\\'
    && !path.includes('\\') && !CONTROL_CHARS.test(path)
    // No scheme, and no colon before the query at all ("/x:y" is not worth
    // the doubt).
    && !/^[^?#]*:/.test(path);
}

// The `next` of /login?next=PATH, when it is a path on this site to go to
// after logging in; null for anything else (another origin, a scheme, a
// protocol-relative "//host", "/\host", control characters…). The checks
// hold for the value and for it percent-decoded once, and the URL it
// resolves to must be this origin with a path that cannot be read as
// "//host" again. Returns the normalised path, query and fragment.
export function sameSitePath(raw, origin = window.location.origin) {
  if (typeof raw !== 'string' || raw === '' || raw.length > 2048) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!looksSameSite(raw) || !looksSameSite(decoded)) return null;
  let url;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const target = url.pathname + url.search + url.hash;
  // "/.//host" resolves to the path "//host".
  if (!looksSameSite(target)) return null;
  return target;
}

// Why the web server sent a browser here (/login?denied=REASON): the site's
// access rules keep the session out of the page in `next`, for want of a
// second factor ('second_factor') or at all ('access'); else null.
export function deniedReason() {
  const reason = new URLSearchParams(window.location.search).get('denied');
  return reason === 'second_factor' || reason === 'access' ? reason : null;
}

// The `next` of the address when it is an absolute http(s) URL of another
// host, for the server to say whether the site protects that host
// (api/authz.js); else null. Only the shape is checked here.
export function absoluteNext() {
  const raw = new URLSearchParams(window.location.search).get('next');
  if (typeof raw !== 'string' || raw.length > 2048 || CONTROL_CHARS.test(raw)) return null;
  if (!/^https?:\/\/[^/\\?#@]+(?:[/?#]|$)/i.test(raw) || raw.includes('\\')) return null;
  return raw;
}

// Where to go after a login on this page: the checked `next` of the
// address, or null.
export function nextAfterLogin() {
  return sameSitePath(new URLSearchParams(window.location.search).get('next'));
}
