// Small pieces the pages share.
import { useEffect, useRef } from 'react';
import { hasNavigated } from './router.js';

// The page's one <h1>. After an in-app navigation it takes the focus, so
// keyboard and screen-reader users start at the top of the new page.
export function PageHeading({ children }) {
  const ref = useRef(null);
  useEffect(() => {
    if (hasNavigated() && ref.current) ref.current.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

// A message carried from one page to the next (logged out, session ended…).
// Errors are alerts; the rest is polite status text.
export function Notice({ notice }) {
  if (!notice) return null;
  if (notice.kind === 'error') {
    return (
      <p id="notice" className="message message-error" role="alert">
        {notice.text}
      </p>
    );
  }
  return (
    <p id="notice" className="message message-info" role="status">
      {notice.text}
    </p>
  );
}

// An error box that takes the focus whenever `focusKey` changes, so the same
// message shown twice in a row is still noticed.
export function ErrorBox({ id, text, focusKey }) {
  const ref = useRef(null);
  useEffect(() => {
    if (text && ref.current) ref.current.focus();
  }, [text, focusKey]);
  if (!text) return null;
  return (
    <p id={id} ref={ref} className="message message-error" role="alert" tabIndex={-1}>
      {text}
    </p>
  );
}
