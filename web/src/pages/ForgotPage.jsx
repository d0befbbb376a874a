// "Forgot password?": POST /api/password/forgot with the email. The answer
// is the same whether or not an account has that address (202), so the
// page says the same thing either way.
import { useEffect, useRef, useState } from 'react';
import { requestReset } from '../api/account.js';
import { BusyButton, EmailField, ErrorBox, PageHeading } from '../components.jsx';
import { MSG, PAGE_TITLES, describeError } from '../messages.js';
import { LOGIN_PATH, navigate } from '../router.js';

// As loose as the login page's: the server decides what an address is.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

function goTo(path) {
  return (event) => {
    event.preventDefault();
    navigate(path);
  };
}

// mail false (GET /api/settings): the site sends no mail, so the page asks
// for no address and says whom to ask instead.
export default function ForgotPage({ mail }) {
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState('');
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const emailRef = useRef(null);
  const [focusField, setFocusField] = useState(false);

  useEffect(() => {
    if (focusField) emailRef.current.focus();
  }, [focusField, attempt]);

  async function handleSubmit(event) {
    event.preventDefault();
    if (busy) return;
    const trimmed = email.trim();
    setAttempt((n) => n + 1);
    setFormError('');
    setSent(false);
    let problem = '';
    if (trimmed === '') problem = MSG.emailMissing;
    else if (!EMAIL_SHAPE.test(trimmed)) problem = MSG.emailInvalid;
    setFieldError(problem);
    setFocusField(Boolean(problem));
    if (problem) return;
    setBusy(true);
    setStatus(MSG.sendingLink);
    try {
      await requestReset(trimmed);
    } catch (error) {
      setStatus('');
      setFormError(describeError(error, MSG.forbidden));
      return;
    } finally {
      setBusy(false);
    }
    setSent(true);
    setStatus(MSG.resetLinkSent);
  }

  if (mail === false) {
    return (
      <main id="main" className="card">
        <PageHeading title={PAGE_TITLES.forgot}>Forgot your password?</PageHeading>
        <p id="forgot-no-mail">{MSG.forgotPageNoMail}</p>
        <p>
          <a href={LOGIN_PATH} onClick={goTo(LOGIN_PATH)}>{MSG.backToLogin}</a>
        </p>
      </main>
    );
  }

  return (
    <main id="main" className="card">
      <PageHeading title={PAGE_TITLES.forgot}>Forgot your password?</PageHeading>
      <p>{MSG.forgotIntro}</p>
      <ErrorBox id="form-error" text={formError} focusKey={attempt} />
      <form noValidate onSubmit={handleSubmit} aria-label="Ask for a reset link">
        <EmailField
          inputRef={emailRef}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldError}
        />
        <BusyButton type="submit" className="button-primary" busy={busy}>
          Send the link
        </BusyButton>
        <p id="forgot-status" className={sent ? 'message message-info' : 'progress'} role="status" aria-live="polite">
          {status}
        </p>
      </form>
      <p>
        <a href={LOGIN_PATH} onClick={goTo(LOGIN_PATH)}>{MSG.backToLogin}</a>
      </p>
    </main>
  );
}
