// A minimal router on the History API: the servers answer every page path
// with index.html, and the app picks the page from location.pathname.
import { useSyncExternalStore } from 'react';

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

// Goes to `path` without reloading the page. `replace` rewrites the current
// history entry instead of adding one (for redirects the user did not ask for).
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
