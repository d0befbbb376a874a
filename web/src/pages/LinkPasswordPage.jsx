// The pages a one-time link from a mail opens: /reset#TOKEN (a new
// password, POST /api/password/reset, then the code step when the account
// has a second factor) and /invite#TOKEN (the first password of an
// invitation or a sign-up, POST /api/invite/accept, which also logs in).
// The link is checked first (POST /api/password/reset/check or
// /api/invite/check): a dead link is said before anyone types, and a live
// one names its account, given to password managers as the read-only
// username; a reset lists the account's passkeys, each kept unless
// unchecked. The token never leaves the page but in the requests' bodies.
import { useEffect, useRef, useState } from 'react';
import {
  acceptInvitation, checkInvitation, checkResetLink, isInvalidCode, isLinkInvalid, passwordRefusal, resetPassword,
  secondFactorNeeded, tokenShapeOk,
} from '../api/account.js';
import { BusyButton, ErrorBox, PageHeading } from '../components.jsx';
import { MSG, PAGE_TITLES, describeError, inviteIntroFor, resetIntroFor } from '../messages.js';
import { FORGOT_PATH, LOGIN_PATH, navigate } from '../router.js';
import KeepPasskeys, { keptIds } from './KeepPasskeys.jsx';
import NewPasswordFields, { checkNewPassword } from './NewPasswordFields.jsx';
import { forgetLinkToken, readLinkToken } from './linkToken.js';

const KINDS = {
  reset: {
    title: PAGE_TITLES.reset,
    heading: 'Choose a new password',
    intro: MSG.resetIntro,
    introFor: resetIntroFor,
    check: checkResetLink,
    button: 'Set the new password',
    again: { text: MSG.askNewLink, href: FORGOT_PATH },
  },
  invite: {
    title: PAGE_TITLES.invite,
    heading: 'Choose your password',
    intro: MSG.inviteIntro,
    introFor: inviteIntroFor,
    check: checkInvitation,
    button: 'Set the password',
    again: null,
  },
};

function goTo(path) {
  return (event) => {
    event.preventDefault();
    navigate(path);
  };
}

// A dead link: what it means, and where to go instead.
function LinkInvalid({ kind, focusKey }) {
  const ref = useRef(null);
  useEffect(() => {
    if (focusKey > 0 && ref.current) ref.current.focus();
  }, [focusKey]);
  const { again } = KINDS[kind];
  return (
    <p id="link-invalid" ref={ref} className="message message-error" role="alert" tabIndex={-1}>
      {MSG.linkInvalid}
      {' '}
      {again ? <a href={again.href} onClick={goTo(again.href)}>{again.text}</a> : MSG.askNewInvitation}
    </p>
  );
}

// `kind`: 'reset' or 'invite'. `onDone()` is called after a reset (the
// app goes to the login page), `onLoggedIn()` after an invitation is
// accepted (the app asks for the profile).
export default function LinkPasswordPage({ kind, settings, onDone, onLoggedIn }) {
  const page = KINDS[kind];
  const [token, setToken] = useState(readLinkToken);
  const [dead, setDead] = useState(() => !tokenShapeOk(token));
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // The code step: null, or 'code' / 'recovery' (which field is shown).
  const [step, setStep] = useState(null);
  const [code, setCode] = useState('');
  const [focusField, setFocusField] = useState(null);
  // The link's account as its check found it ({ email, name, passkeys }),
  // null while unknown; `checking` while the check is on its way.
  const [account, setAccount] = useState(null);
  const [checking, setChecking] = useState(() => tokenShapeOk(token));
  const [kept, setKept] = useState(() => new Set());
  const nextRef = useRef(null);
  const confirmRef = useRef(null);
  const codeRef = useRef(null);

  // Check the link before anything is typed: dead links say so at once.
  useEffect(() => {
    if (dead || !tokenShapeOk(token)) return undefined;
    let current = true;
    setAccount(null);
    setChecking(true);
    setStatus(MSG.checkingLink);
    page.check(token).then((found) => {
      if (!current) return;
      setAccount(found);
      setKept(new Set((found.passkeys || []).map((p) => p.id)));
    }, (error) => {
      if (!current) return;
      if (isLinkInvalid(error)) setDead(true);
      // Not known (no answer, too many tries): the form stays, and its
      // use will say what the link is worth.
      else setFormError(describeError(error, MSG.forbidden));
    }).finally(() => {
      if (!current) return;
      setChecking(false);
      setStatus('');
    });
    return () => { current = false; };
  }, [token]);

  function toggleKept(id) {
    setKept((now) => {
      const changed = new Set(now);
      if (changed.has(id)) changed.delete(id);
      else changed.add(id);
      return changed;
    });
  }

  useEffect(() => {
    forgetLinkToken();
    // Another link opened over this one (only its fragment differs, so
    // the page stays): start again with its token.
    function onHashChange() {
      const fresh = readLinkToken();
      if (fresh === '') return;
      forgetLinkToken();
      setToken(fresh);
      setDead(!tokenShapeOk(fresh));
      setStep(null);
      setCode('');
      setErrors({});
      setFormError('');
      setStatus('');
    }
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  useEffect(() => {
    const ref = { next: nextRef, confirm: confirmRef, code: codeRef }[focusField];
    if (ref && ref.current) ref.current.focus();
  }, [focusField, attempt]);

  function fail(field, text) {
    setErrors({ [field]: text });
    setFocusField(field);
  }

  async function send() {
    setBusy(true);
    setStatus(MSG.settingPassword);
    try {
      if (kind === 'invite') {
        await acceptInvitation(token, next);
      } else {
        const second = step === 'code' ? { code: code.trim() }
          : step === 'recovery' ? { recovery_code: code.trim() } : {};
        await resetPassword(token, next, second, account ? keptIds(account.passkeys || [], kept) : null);
      }
    } catch (error) {
      setBusy(false);
      setStatus('');
      if (isLinkInvalid(error)) {
        setDead(true);
      } else if (kind === 'reset' && secondFactorNeeded(error) && step === null) {
        setStep('code');
        setCode('');
        setStatus(MSG.resetCodeStep);
        setFocusField('code');
      } else if (kind === 'reset' && (isInvalidCode(error) || secondFactorNeeded(error))) {
        setCode('');
        fail('code', MSG.resetCodeWrong);
      } else if (passwordRefusal(error)) {
        fail('next', passwordRefusal(error));
      } else {
        setFormError(describeError(error, MSG.forbidden));
      }
      return;
    }
    setNext('');
    setConfirm('');
    if (kind === 'invite') onLoggedIn();
    else onDone();
  }

  function handleSubmit(event) {
    event.preventDefault();
    if (busy || checking) return;
    setAttempt((n) => n + 1);
    setFormError('');
    if (step !== null) {
      if (code.trim() === '') {
        fail('code', step === 'code' ? MSG.codeMissing : MSG.recoveryCodeMissing);
        return;
      }
      setErrors({});
      send();
      return;
    }
    const found = checkNewPassword(next, confirm, settings.password_min);
    setErrors(found);
    if (found.next || found.confirm) {
      setFocusField(found.next ? 'next' : 'confirm');
      return;
    }
    setFocusField(null);
    send();
  }

  function switchCode() {
    setStep((now) => (now === 'code' ? 'recovery' : 'code'));
    setCode('');
    setErrors({});
    setAttempt((n) => n + 1);
    setFocusField('code');
  }

  if (dead) {
    return (
      <main id="main" className="card">
        <PageHeading title={page.title}>{page.heading}</PageHeading>
        <LinkInvalid kind={kind} focusKey={attempt} />
        <p>
          <a href={LOGIN_PATH} onClick={goTo(LOGIN_PATH)}>{MSG.backToLogin}</a>
        </p>
      </main>
    );
  }

  if (checking) {
    return (
      <main id="main" className="card">
        <PageHeading title={page.title}>{page.heading}</PageHeading>
        <p id="link-status" className="progress" role="status" aria-live="polite">{status}</p>
      </main>
    );
  }

  const codeLabel = step === 'recovery' ? 'Recovery code' : 'Authentication code';
  return (
    <main id="main" className="card">
      <PageHeading title={page.title}>{page.heading}</PageHeading>
      <p id="link-intro">{account ? page.introFor(account.email, account.name) : page.intro}</p>
      <ErrorBox id="form-error" text={formError} focusKey={attempt} />
      <form noValidate onSubmit={handleSubmit} aria-label={page.heading}>
        {account && (
          // For password managers: whose password this is.
          <div className="field" hidden={step !== null}>
            <label htmlFor="username">Account</label>
            <input
              id="username"
              name="username"
              type="email"
              dir="auto"
              autoComplete="username"
              value={account.email}
              readOnly
            />
          </div>
        )}
        <div hidden={step !== null}>
          <NewPasswordFields
            next={next}
            confirm={confirm}
            onNext={setNext}
            onConfirm={setConfirm}
            errors={errors}
            min={settings.password_min}
            nextRef={nextRef}
            confirmRef={confirmRef}
          />
          {account && kind === 'reset' && (
            <KeepPasskeys passkeys={account.passkeys} kept={kept} onToggle={toggleKept} />
          )}
        </div>
        {step !== null && (
          <div className="field">
            <label htmlFor="code">{codeLabel}</label>
            <input
              ref={codeRef}
              id="code"
              name="code"
              type="text"
              dir="auto"
              inputMode={step === 'code' ? 'numeric' : 'text'}
              autoComplete="one-time-code"
              autoCapitalize="none"
              spellCheck="false"
              value={code}
              onChange={(event) => setCode(event.target.value)}
              aria-invalid={errors.code ? 'true' : undefined}
              aria-describedby={errors.code ? 'code-error' : 'code-hint'}
            />
            {!errors.code && (
              <p id="code-hint" className="field-hint">
                {step === 'code' ? MSG.codeHint : MSG.recoveryCodeHint}
              </p>
            )}
            {errors.code && <p id="code-error" className="field-error">{errors.code}</p>}
            <p className="field-hint">
              <button type="button" className="toggle" onClick={switchCode}>
                {step === 'code' ? 'Use a recovery code' : 'Use an authentication code'}
              </button>
            </p>
          </div>
        )}
        <BusyButton type="submit" className="button-primary" busy={busy}>
          {page.button}
        </BusyButton>
        <p id="link-status" className="progress" role="status" aria-live="polite">{status}</p>
      </form>
    </main>
  );
}
