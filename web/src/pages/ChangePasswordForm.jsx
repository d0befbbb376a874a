// The profile page's "Change password" form: POST /api/password with the
// current and the new password. The server keeps this session (with new
// cookies) and ends every other session of the user.
import { useEffect, useRef, useState } from 'react';
import { changePassword, isWrongCurrentPassword } from '../api/user.js';
import { ErrorBox } from '../components.jsx';
import { MSG, PASSWORD_MIN, describeError } from '../messages.js';

function checkFields(current, next) {
  const errors = {};
  if (current === '') errors.current = MSG.currentPasswordMissing;
  if (next === '') errors.next = MSG.newPasswordMissing;
  else if ([...next].length < PASSWORD_MIN) errors.next = MSG.newPasswordShort;
  return errors;
}

// The server's reason for refusing a new password ("The password is too
// common"), as a sentence.
function reasonOf(error) {
  const body = error.response && error.response.data;
  const msg = body && typeof body === 'object' && typeof body.msg === 'string' ? body.msg.trim() : '';
  if (msg === '') return null;
  return /[.!?]$/.test(msg) ? msg : `${msg}.`;
}

export default function ChangePasswordForm({ email, onBeforeSubmit }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [focusField, setFocusField] = useState(null);
  const [busy, setBusy] = useState(false);
  const currentRef = useRef(null);
  const nextRef = useRef(null);

  useEffect(() => {
    if (focusField === 'current') currentRef.current.focus();
    if (focusField === 'next') nextRef.current.focus();
  }, [focusField, attempt]);

  async function handleSubmit(event) {
    event.preventDefault();
    if (busy) return;
    if (onBeforeSubmit) onBeforeSubmit();
    setAttempt((n) => n + 1);
    setFormError('');
    setStatus('');
    const found = checkFields(current, next);
    setErrors(found);
    if (found.current || found.next) {
      setFocusField(found.current ? 'current' : 'next');
      return;
    }
    setFocusField(null);
    setBusy(true);
    setStatus(MSG.changingPassword);
    try {
      await changePassword(current, next);
    } catch (error) {
      setBusy(false);
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
        setFormError(describeError(error));
      }
      return;
    }
    setBusy(false);
    setCurrent('');
    setNext('');
    setErrors({});
    setStatus(MSG.passwordChanged);
  }


  return (
    <form noValidate onSubmit={handleSubmit} aria-labelledby="password-heading" className="password-form">
      <h2 id="password-heading">Change password</h2>
      <ErrorBox id="password-form-error" text={formError} focusKey={attempt} />
      {/* For password managers: whose password this is. */}
      <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
      <div className="field">
        <label htmlFor="current-password">Current password</label>
        <input
          id="current-password"
          ref={currentRef}
          name="current-password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          aria-invalid={errors.current ? 'true' : undefined}
          aria-describedby={errors.current ? 'current-password-error' : undefined}
        />
        {errors.current && <p id="current-password-error" className="field-error">{errors.current}</p>}
      </div>
      <div className="field">
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          ref={nextRef}
          name="new-password"
          type="password"
          autoComplete="new-password"
          minLength={PASSWORD_MIN}
          value={next}
          onChange={(event) => setNext(event.target.value)}
          aria-invalid={errors.next ? 'true' : undefined}
          aria-describedby={errors.next ? 'new-password-error new-password-hint' : 'new-password-hint'}
        />
        <p id="new-password-hint" className="field-hint">At least {PASSWORD_MIN} characters.</p>
        {errors.next && <p id="new-password-error" className="field-error">{errors.next}</p>}
      </div>
      <button type="submit" className="button-secondary" disabled={busy}>
        Change password
      </button>
      <p id="password-status" className="progress" role="status" aria-live="polite">{status}</p>
    </form>
  );
}
