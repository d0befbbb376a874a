// The profile page's "Change password" form: POST /api/password with the
// current and the new password. The server keeps this session (with new
// cookies) and ends every other session of the user.
import { useEffect, useRef, useState } from 'react';
import { changePassword, isWrongCurrentPassword } from '../api/user.js';
import { BusyButton, ErrorBox, PasswordField } from '../components.jsx';
import { MSG, describeError, newPasswordShort, passwordHint } from '../messages.js';

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
// the form said.
export default function ChangePasswordForm({
  email, settings, busy, onStart, onBusy, formError, onFormError, focusKey, resetKey,
}) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
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
    try {
      await changePassword(current, next);
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
      <BusyButton type="submit" className="button-secondary" busy={busy}>
        Change password
      </BusyButton>
      <p id="password-status" className="progress" role="status" aria-live="polite">{status}</p>
    </form>
  );
}
