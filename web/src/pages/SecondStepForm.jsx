// The login's second step, after a password that matched for a user with
// two-step verification: a code from the authenticator app, or a recovery
// code (POST /api/login/mfa, with the mfa_pending cookie the password step
// set), or the user's passkey when they have one.
import { useEffect, useRef, useState } from 'react';
import { isInvalidCode, isLoginExpired, loginSecondStep } from '../api/mfa.js';
import { BusyButton, ErrorBox } from '../components.jsx';
import { MSG, describeError } from '../messages.js';

// `methods`: the server's mfa_required. `onVerified()` once the session's
// cookies are set, `onExpired()` when the login must start again,
// `onPasskey()` for "Sign in with a passkey" (when offered), `onCancel()`.
export default function SecondStepForm({ methods, busy, onBusy, onVerified, onExpired, onPasskey, onCancel }) {
  const [recovery, setRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [formError, setFormError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState('');
  const inputRef = useRef(null);
  const fieldId = recovery ? 'recovery-code' : 'mfa-code';

  // The field takes the focus when the step appears, and after each
  // refused code (emptied, ready for the next try).
  useEffect(() => {
    if (inputRef.current) inputRef.current.focus();
  }, [recovery, attempt]);

  function switchKind() {
    setRecovery((now) => !now);
    setValue('');
    setFieldError('');
    setFormError('');
  }

  async function handleSubmit(event) {
    event.preventDefault();
    if (busy) return;
    setFormError('');
    const typed = value.trim();
    if (typed === '') {
      setFieldError(recovery ? MSG.recoveryMissing : MSG.codeMissing);
      setAttempt((n) => n + 1);
      return;
    }
    setFieldError('');
    onBusy(true);
    setStatus(MSG.verifying);
    try {
      await loginSecondStep(recovery ? { recovery_code: typed } : { code: typed.replace(/\s/g, '') });
    } catch (error) {
      onBusy(false);
      setStatus('');
      if (isInvalidCode(error)) {
        setValue('');
        setFieldError(recovery ? MSG.recoveryWrong : MSG.codeWrong);
        setAttempt((n) => n + 1);
      } else if (isLoginExpired(error)) {
        onExpired();
      } else {
        setFormError(describeError(error, MSG.loginExpired));
        setAttempt((n) => n + 1);
      }
      return;
    }
    setStatus('');
    // Still busy: the page now leaves.
    onVerified();
  }

  const errorId = `${fieldId}-error`;
  return (
    <form noValidate onSubmit={handleSubmit} aria-labelledby="second-step-heading" className="second-step">
      <h2 id="second-step-heading">Two-step verification</h2>
      <p id="second-step-help">{recovery ? MSG.recoveryStep : MSG.codeStep}</p>
      <ErrorBox id="second-step-error" text={formError} focusKey={attempt} />
      <div className="field">
        <label htmlFor={fieldId}>{recovery ? 'Recovery code' : 'Authentication code'}</label>
        <input
          key={fieldId}
          ref={inputRef}
          id={fieldId}
          name={fieldId}
          type="text"
          dir="auto"
          inputMode={recovery ? 'text' : 'numeric'}
          autoComplete={recovery ? 'off' : 'one-time-code'}
          autoCapitalize={recovery ? 'characters' : 'none'}
          spellCheck="false"
          maxLength={recovery ? 64 : 8}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-invalid={fieldError ? 'true' : undefined}
          aria-describedby={fieldError ? `${errorId} second-step-help` : 'second-step-help'}
        />
        {fieldError && <p id={errorId} className="field-error">{fieldError}</p>}
      </div>
      <BusyButton type="submit" className="button-primary" busy={busy}>
        Verify
      </BusyButton>
      <p id="second-step-status" className="progress" role="status" aria-live="polite">{status}</p>
      <div className="button-row">
        <BusyButton className="button-secondary" busy={busy} onClick={switchKind}>
          {recovery ? 'Use an authentication code' : 'Use a recovery code'}
        </BusyButton>
        {methods.includes('webauthn') && onPasskey && (
          <BusyButton className="button-secondary" busy={busy} onClick={onPasskey}>
            Sign in with a passkey
          </BusyButton>
        )}
        <BusyButton className="button-secondary" busy={busy} onClick={onCancel}>
          Cancel
        </BusyButton>
      </div>
    </form>
  );
}
