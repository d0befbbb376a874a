import { useEffect, useRef, useState } from 'react';
import { login } from '../api/auth.js';
import { getProfile } from '../api/user.js';
import {
  isBrowserRefusal, isCancelled, isRefused, localhostOrigin, passkeysHere, signInWithPasskey,
} from '../api/webauthn.js';
import { BusyButton, EmailField, ErrorBox, Notice, PageHeading, PasswordField } from '../components.jsx';
import { MSG, PAGE_TITLES, describeError, passkeysAtIpAddress } from '../messages.js';
import SecondStepForm from './SecondStepForm.jsx';
import { FORGOT_PATH, navigate } from '../router.js';

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

function isWrongCredentials(error) {
  return Boolean(error.response && error.response.status === 401);
}

// A password login that needs a second factor: the methods to finish it.
function secondFactorOf(data) {
  return data && data.login === false && Array.isArray(data.mfa_required) ? data.mfa_required : null;
}

// mail: whether the site can send a reset link (GET /api/settings); null
// while unknown, when the page offers neither the link nor the advice.
export default function LoginPage({ notice, mail, onLoggedIn, onClearNotice }) {
  // null, or the second factors the server asked for after the password.
  const [methods, setMethods] = useState(null);
  const [status, setStatus] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [fieldErrors, setFieldErrors] = useState({});
  // { text, credentials }: `credentials` when the server said the email or
  // password is wrong; the password field then has the focus instead.
  const [formError, setFormError] = useState(null);
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
    setFormError(null);
    setAttempt((n) => n + 1);
    if (errors.email || errors.password) {
      setFocusField(errors.email ? 'email' : 'password');
      return;
    }
    setFocusField(null);
    setBusy(true);
    setStatus(MSG.loggingIn);
    let data;
    try {
      data = await login(trimmedEmail, password, remember);
    } catch (error) {
      setStatus('');
      setBusy(false);
      if (isWrongCredentials(error)) {
        // Ready for the next try: an empty password field with the focus,
        // described by the error (which is also announced as an alert).
        setPassword('');
        setFormError({ text: describeError(error, MSG.wrongCredentials), credentials: true });
        setFocusField('password');
      } else {
        setFormError({ text: describeError(error, MSG.wrongCredentials), credentials: false });
      }
      return;
    }
    setPassword('');
    const asked = secondFactorOf(data);
    if (asked) {
      setBusy(false);
      setStatus('');
      setMethods(asked);
      return;
    }
    await finish();
  }

  // The session's cookies are set: the profile, then wherever the app goes.
  async function finish() {
    let user;
    setStatus(MSG.loggingIn);
    try {
      user = await getProfile({ expectAnonymous: true });
    } catch (error) {
      setBusy(false);
      setStatus('');
      setFormError({ text: describeError(error, MSG.cookieNotKept), credentials: false });
      setAttempt((n) => n + 1);
      return;
    }
    // Still busy: the app now leaves this page (in the app, or for another
    // page of the site).
    onLoggedIn(user);
  }

  async function handlePasskey() {
    if (busy) return;
    onClearNotice();
    setFormError(null);
    setFieldErrors({});
    setAttempt((n) => n + 1);
    setBusy(true);
    setStatus(MSG.passkeySigningIn);
    try {
      await signInWithPasskey(remember);
    } catch (error) {
      setBusy(false);
      setStatus('');
      let text;
      if (isCancelled(error)) text = MSG.passkeyCancelled;
      else if (isBrowserRefusal(error)) text = MSG.passkeyNotHere;
      else if (isRefused(error)) text = MSG.passkeyRefused;
      else text = describeError(error, MSG.passkeyRefused);
      setFormError({ text, credentials: false });
      return;
    }
    setMethods(null);
    await finish();
  }

  // Back to the password, after an expired second step or a cancel.
  function restart(text) {
    setMethods(null);
    setBusy(false);
    setStatus('');
    setFormError(text ? { text, credentials: false } : null);
    setAttempt((n) => n + 1);
    setFocusField('password');
  }

  const credentialsError = Boolean(formError && formError.credentials);

  if (methods) {
    return (
      <main id="main" className="card">
        <PageHeading title={PAGE_TITLES.login}>Log in</PageHeading>
        <ErrorBox id="form-error" text={formError ? formError.text : ''} focusKey={attempt} />
        <SecondStepForm
          methods={methods}
          busy={busy}
          onBusy={setBusy}
          onVerified={finish}
          onExpired={() => restart(MSG.loginExpired)}
          onPasskey={passkeysHere() === 'yes' ? handlePasskey : null}
          onCancel={() => restart(null)}
        />
      </main>
    );
  }

  return (
    <main id="main" className="card">
      <PageHeading title={PAGE_TITLES.login}>Log in</PageHeading>
      <Notice notice={notice} />
      <ErrorBox id="form-error" text={formError ? formError.text : ''} focusKey={attempt} takeFocus={!credentialsError} />
      <form noValidate onSubmit={handleSubmit} aria-label="Log in">
        <EmailField
          inputRef={emailRef}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email}
        />
        <PasswordField
          id="password"
          label="Password"
          inputRef={passwordRef}
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldErrors.password}
          describedBy={credentialsError ? 'form-error' : undefined}
        />
        <div className="field field-check">
          <input
            id="remember"
            name="remember"
            type="checkbox"
            checked={remember}
            onChange={(event) => setRemember(event.target.checked)}
          />
          <label htmlFor="remember">Keep me signed in</label>
        </div>
        <BusyButton type="submit" className="button-primary" busy={busy}>
          Log in
        </BusyButton>
        <p id="login-status" className="progress" role="status" aria-live="polite">
          {status}
        </p>
      </form>
      {mail === true && (
        <p>
          <a href={FORGOT_PATH} onClick={(event) => { event.preventDefault(); navigate(FORGOT_PATH); }}>
            {MSG.forgotPassword}
          </a>
        </p>
      )}
      {mail === false && <p id="forgot-no-mail">{MSG.forgotNoMail}</p>}
      {passkeysHere() === 'yes' && (
        <div className="passkey-login">
          <p className="or">or</p>
          <BusyButton className="button-secondary" busy={busy} onClick={handlePasskey}>
            Sign in with a passkey
          </BusyButton>
        </div>
      )}
      {passkeysHere() === 'ip-address' && (
        <p id="passkey-hint" className="field-hint">{passkeysAtIpAddress(localhostOrigin())}</p>
      )}
    </main>
  );
}
