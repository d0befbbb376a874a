import { useEffect, useRef, useState } from 'react';
import { login } from '../api/auth.js';
import { getProfile } from '../api/user.js';
import { ErrorBox, Notice, PageHeading } from '../components.jsx';
import { MSG, describeError } from '../messages.js';

// Deliberately loose: the server decides what an account is; this only
// catches typing slips before a round trip.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

function checkFields(email, password) {
  const errors = {};
  if (email === '') errors.email = MSG.emailMissing;
  else if (!EMAIL_SHAPE.test(email)) errors.email = MSG.emailInvalid;
  if (password === '') errors.password = MSG.passwordMissing;
  return errors;
}

const COOKIE_NOT_KEPT = 'Logged in, but the browser did not keep the session cookie. Allow cookies for this site and try again.';

export default function LoginPage({ notice, onLoggedIn, onClearNotice }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef(null);
  const passwordRef = useRef(null);
  const [focusField, setFocusField] = useState(null);

  useEffect(() => {
    if (focusField === 'email') emailRef.current.focus();
    if (focusField === 'password') passwordRef.current.focus();
  }, [focusField, attempt]);

  async function handleSubmit(event) {
    event.preventDefault();
    if (busy) return;
    onClearNotice();
    const trimmedEmail = email.trim();
    const errors = checkFields(trimmedEmail, password);
    setFieldErrors(errors);
    setFormError('');
    setAttempt((n) => n + 1);
    if (errors.email || errors.password) {
      setFocusField(errors.email ? 'email' : 'password');
      return;
    }
    setFocusField(null);
    setBusy(true);
    try {
      await login(trimmedEmail, password);
    } catch (error) {
      setBusy(false);
      setFormError(describeError(error, MSG.wrongCredentials));
      return;
    }
    let user;
    try {
      user = await getProfile({ expectAnonymous: true });
    } catch (error) {
      setBusy(false);
      setFormError(describeError(error, COOKIE_NOT_KEPT));
      return;
    }
    setPassword('');
    setBusy(false);
    onLoggedIn(user);
  }

  return (
    <main id="main" className="card">
      <PageHeading>Log in</PageHeading>
      <Notice notice={notice} />
      <ErrorBox id="form-error" text={formError} focusKey={attempt} />
      <form noValidate onSubmit={handleSubmit} aria-label="Log in">
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            ref={emailRef}
            id="email"
            name="email"
            type="email"
            inputMode="email"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck="false"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={fieldErrors.email ? 'true' : undefined}
            aria-describedby={fieldErrors.email ? 'email-error' : undefined}
          />
          {fieldErrors.email && <p id="email-error" className="field-error">{fieldErrors.email}</p>}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            ref={passwordRef}
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={fieldErrors.password ? 'true' : undefined}
            aria-describedby={fieldErrors.password ? 'password-error' : undefined}
          />
          {fieldErrors.password && <p id="password-error" className="field-error">{fieldErrors.password}</p>}
        </div>
        <button type="submit" className="button-primary" disabled={busy}>
          Log in
        </button>
        <p className="progress" role="status" aria-live="polite">
          {busy ? MSG.loggingIn : ''}
        </p>
      </form>
    </main>
  );
}
