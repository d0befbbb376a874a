// The token of a one-time link (/reset#TOKEN, /invite#TOKEN): it travels
// in the fragment, which no browser sends to a server or in a Referer.
// The page reads it once, then takes it out of the address bar (and so
// out of the history and of what a look over the shoulder sees).
export function readLinkToken() {
  const hash = window.location.hash;
  return hash.length > 1 ? hash.slice(1) : '';
}

export function forgetLinkToken() {
  if (window.location.hash !== '') {
    window.history.replaceState(window.history.state, '', window.location.pathname);
  }
}
