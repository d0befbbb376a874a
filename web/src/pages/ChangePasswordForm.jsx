// The profile page's "Change password" form: POST /api/password with the
// current and the new password, and the passkeys to keep (each listed with
// a checkbox, kept unless unchecked). The server keeps this session (with
// new cookies), ends every other session of the user, and removes the
// passkeys not kept.
import { useEffect, useRef, useState } from 'react';
import { changePassword, isWrongCurrentPassword } from '../api/user.js';
import { listPasskeys } from '../api/webauthn.js';
import { BusyButton, ErrorBox, PasswordField } from '../components.jsx';
import { MSG, describeError, newPasswordShort, passwordHint } from '../messages.js';
import KeepPasskeys, { keptIds } from './KeepPasskeys.jsx';

function checkFields(current, next, confirm, min) {
  const errors = {};
  if (current === '') errors.current = MSG.currentPasswordMissing;
  if (next === '') errors.next = MSG.newPasswordMissing;
  else if ([...next].length < min) errors.next = newPasswordShort(min);
  else if (next === current) errors.next = MSG.samePassword;
  if (!errors.next) {
    if (confirm === '') errors.confirm = MSG.confirmPasswordMissing;
    else if (confirm !== next) errors.confirm = MSG.passwordsDiffer;
  }
  return errors;
}

const FIELD_ORDER = ['current', 'next', 'confirm'];

// The server's reason for refusing a new password ("The password is too
// common"), as a sentence.
function reasonOf(error) {
  const body = error.response && error.response.data;
  const msg = body && typeof body === 'object' && typeof body.msg === 'string' ? body.msg.trim() : '';
  if (msg === '') return null;
  return /[.!?]$/.test(msg) ? msg : `${msg}.`;
}

// `busy`: some action of the page is on its way. `onStart()` begins this
// form's action (false when another one is busy), `onBusy(on)` marks its
// request, `formError`/`onFormError(text)` are its share of the page's one
// error box; a change of `resetKey` (another action started) clears what
// the form said. `passkeysKey` changes when the passkeys changed elsewhere
// on the page; `onPasskeysChanged()` says this form removed some.
export default function ChangePasswordForm({
  email, settings, busy, onStart, onBusy, formError, onFormError, focusKey, resetKey,
  passkeysKey = 0, onPasskeysChanged = () => {},
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  // The account's passkeys (null: not known, so none is named and all stay).
  const [passkeys, setPasskeys] = useState(null);
  const [kept, setKept] = useState(() => new Set());
  const [errors, setErrors] = useState({});
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [focusField, setFocusField] = useState(null);
  const currentRef = useRef(null);
  const nextRef = useRef(null);
  const confirmRef = useRef(null);

  useEffect(() => {
    const ref = { current: currentRef, next: nextRef, confirm: confirmRef }[focusField];
    if (ref && ref.current) ref.current.focus();
  }, [focusField, attempt]);

  useEffect(() => {
    if (resetKey === 0) return;
    setErrors({});
    setStatus('');
  }, [resetKey]);

  async function loadPasskeys() {
    try {
      const list = await listPasskeys();
      setPasskeys(list);
      setKept(new Set(list.map((p) => p.id)));
    } catch {
      // Unknown: the change names no passkey, and every one stays.
      setPasskeys(null);
    }
  }

  useEffect(() => { loadPasskeys(); }, [passkeysKey]);

  function toggleKept(id) {
    setKept((now) => {
      const changed = new Set(now);
      if (changed.has(id)) changed.delete(id);
      else changed.add(id);
      return changed;
    });
  }

  async function handleSubmit(event) {
    event.preventDefault();
    if (!onStart()) return;
    setAttempt((n) => n + 1);
    setStatus('');
    const found = checkFields(current, next, confirm, settings.password_min);
    setErrors(found);
    const first = FIELD_ORDER.find((field) => found[field]);
    if (first) {
      setFocusField(first);
      return;
    }
    setFocusField(null);
    onBusy(true);
    setStatus(MSG.changingPassword);
    const keep = keptIds(passkeys, kept);
    try {
      await changePassword(current, next, keep);
    } catch (error) {
      onBusy(false);
      setStatus('');
      const httpStatus = error.response ? error.response.status : 0;
      if (isWrongCurrentPassword(error)) {
        setErrors({ current: MSG.wrongCurrentPassword });
        setFocusField('current');
      } else if (httpStatus === 400 && reasonOf(error)) {
        setErrors({ next: reasonOf(error) });
        setFocusField('next');
      } else if (httpStatus !== 401 && httpStatus !== 422) {
        // 401/422: the session is over, and the app has already gone to
        // the login page with a message.
        onFormError(describeError(error));
      }
      return;
    }
    onBusy(false);
    setCurrent('');
    setNext('');
    setConfirm('');
    setErrors({});
    setStatus(MSG.passwordChanged);
    if (keep && passkeys && keep.length < passkeys.length) onPasskeysChanged();
    else loadPasskeys();
  }

  return (
    <form noValidate onSubmit={handleSubmit} aria-labelledby="password-heading" className="password-form">
      <h2 id="password-heading">Change password</h2>
      <ErrorBox id="password-form-error" text={formError} focusKey={focusKey} />
      {/* For password managers: whose password this is. */}
      <input type="text" name="username" autoComplete="username" dir="auto" value={email} readOnly hidden />
      <PasswordField
        id="current-password"
        label="Current password"
        inputRef={currentRef}
        autoComplete="current-password"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
        error={errors.current}
      />
      <PasswordField
        id="new-password"
        label="New password"
        inputRef={nextRef}
        autoComplete="new-password"
        minLength={settings.password_min}
        value={next}
        onChange={(event) => setNext(event.target.value)}
        error={errors.next}
        hint={passwordHint(settings.password_min)}
      />
      <PasswordField
        id="confirm-password"
        label="Confirm new password"
        inputRef={confirmRef}
        autoComplete="new-password"
        value={confirm}
        onChange={(event) => setConfirm(event.target.value)}
        error={errors.confirm}
      />
      <KeepPasskeys passkeys={passkeys} kept={kept} onToggle={toggleKept} />
      <BusyButton type="submit" className="button-secondary" busy={busy}>
        Change password
      </BusyButton>
      <p id="password-status" className="progress" role="status" aria-live="polite">{status}</p>
    </form>
  );
}
