// Small pieces the pages share.
import { useEffect, useId, useRef, useState } from 'react';
import { MSG, documentTitle } from './messages.js';
import { hasNavigated } from './router.js';

// The one place the document title is set: every page names itself through
// its heading, so a new page cannot forget it.
function useDocumentTitle(page) {
  useEffect(() => {
    document.title = documentTitle(page);
  }, [page]);
}

// The page's one <h1>, and the page's title ("Profile – latchkey", from
// `title`, one of messages.js's PAGE_TITLES). After an in-app navigation the
// heading takes the focus, so keyboard and screen-reader users start at the
// top of the new page.
export function PageHeading({ title, children }) {
  const ref = useRef(null);
  useDocumentTitle(title);
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

// An error box (an alert). It takes the focus whenever `focusKey` changes,
// so the same message shown twice in a row is still noticed, unless
// `takeFocus` is false (the page moves the focus elsewhere itself).
export function ErrorBox({ id, text, focusKey, takeFocus = true }) {
  const ref = useRef(null);
  useEffect(() => {
    if (text && takeFocus && ref.current) ref.current.focus();
  }, [text, focusKey, takeFocus]);
  if (!text) return null;
  return (
    <p id={id} ref={ref} className="message message-error" role="alert" tabIndex={-1}>
      {text}
    </p>
  );
}

// A button that stays focusable while its request is on its way: `busy`
// marks it aria-disabled and swallows clicks (a disabled button would drop
// the keyboard focus to <body>). A submit button's swallowed click submits
// nothing; the form's handler checks `busy` as well for Enter in a field.
// `label` names the button for assistive technology when its text alone
// would be ambiguous ("Remove" in a list); it starts with the text.
export function BusyButton({ busy, className, type = 'button', onClick, children, label, buttonRef }) {
  function handleClick(event) {
    if (busy) {
      event.preventDefault();
      return;
    }
    if (onClick) onClick(event);
  }
  return (
    <button
      ref={buttonRef}
      type={type}
      className={className}
      aria-disabled={busy ? 'true' : undefined}
      aria-label={label}
      onClick={handleClick}
    >
      {children}
    </button>
  );
}

function joinIds(...ids) {
  const list = ids.filter(Boolean);
  return list.length > 0 ? list.join(' ') : undefined;
}

// The labelled email field of the login and the reset-link forms (id
// "email", the account's username for password managers), with its
// error tied to it.
export function EmailField({ value, onChange, inputRef, error }) {
  return (
    <div className="field">
      <label htmlFor="email">Email</label>
      <input
        ref={inputRef}
        id="email"
        name="email"
        type="email"
        dir="auto"
        inputMode="email"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck="false"
        required
        value={value}
        onChange={onChange}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'email-error' : undefined}
      />
      {error && <p id="email-error" className="field-error">{error}</p>}
    </div>
  );
}

// A labelled password field with a "Show password" toggle (a real button
// with aria-pressed that submits nothing), a "Caps Lock is on" hint while
// typing with Caps Lock on, an optional hint and the field's error, all
// tied to the input with aria-describedby. `describedBy` adds ids of other
// elements that describe it (the login form's error box).
export function PasswordField({
  id, label, value, onChange, autoComplete, inputRef, error, hint, describedBy, minLength,
}) {
  const [shown, setShown] = useState(false);
  const [capsLock, setCapsLock] = useState(false);
  const labelId = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const capsId = `${id}-caps`;

  function watchCapsLock(event) {
    if (typeof event.getModifierState === 'function') setCapsLock(event.getModifierState('CapsLock'));
  }

  return (
    <div className="field">
      <label id={labelId} htmlFor={id}>{label}</label>
      <div className="password-row">
        <input
          id={id}
          ref={inputRef}
          name={id}
          type={shown ? 'text' : 'password'}
          dir="auto"
          autoComplete={autoComplete}
          autoCapitalize="none"
          spellCheck="false"
          minLength={minLength}
          value={value}
          onChange={onChange}
          onKeyDown={watchCapsLock}
          onKeyUp={watchCapsLock}
          onBlur={() => setCapsLock(false)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={joinIds(error && errorId, describedBy, hint && hintId, capsLock && capsId)}
        />
        <button
          type="button"
          className="toggle"
          aria-pressed={shown ? 'true' : 'false'}
          aria-controls={id}
          aria-describedby={labelId}
          onClick={() => setShown((now) => !now)}
        >
          {shown ? MSG.hidePassword : MSG.showPassword}
        </button>
      </div>
      {hint && <p id={hintId} className="field-hint">{hint}</p>}
      <p id={capsId} className="field-hint caps-hint" aria-live="polite">{capsLock ? MSG.capsLockOn : ''}</p>
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}
