// Tells the app's other tabs that the user logged in or out.
//
// BroadcastChannel where the browser has it; otherwise a localStorage write,
// which fires a `storage` event in every other tab of the same origin. Only
// the event's name travels, never a token or a profile.

const CHANNEL = 'latchkey-session';
const STORAGE_KEY = 'latchkey-session-event';

// Calls onEvent('login' | 'logout') when another tab announces one. Returns
// { announce(type), close() }.
export function createSessionSync(onEvent) {
  if (typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => {
      if (event.data && typeof event.data.type === 'string') onEvent(event.data.type);
    };
    return {
      announce: (type) => channel.postMessage({ type }),
      close: () => channel.close(),
    };
  }

  const listener = (event) => {
    if (event.key !== STORAGE_KEY || !event.newValue) return;
    try {
      const { type } = JSON.parse(event.newValue);
      if (typeof type === 'string') onEvent(type);
    } catch {
      // Not ours to understand; ignore.
    }
  };
  window.addEventListener('storage', listener);
  return {
    announce: (type) => {
      try {
        // The changing `at` makes every announcement a change, so repeated
        // logouts still fire the event.
        window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ type, at: `${Date.now()}-${Math.random()}` }));
      } catch {
        // Storage may be disabled; the other tabs find out on their next request.
      }
    },
    close: () => window.removeEventListener('storage', listener),
  };
}
