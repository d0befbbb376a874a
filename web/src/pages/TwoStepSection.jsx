// The profile's "Two-step verification": set up with the QR code, confirm
// a code, recovery codes shown once (copy, download), new recovery codes
// and turning it off (each with the password and a code). Each step asks for what the server
// needs and nothing more.
import { useEffect, useRef, useState } from 'react';
import {
  disableTotp, enableTotp, getMfa, isInvalidCode, isWrongPassword, proofOf, regenerateCodes, setupTotp,
} from '../api/mfa.js';
import { BusyButton, ErrorBox, PasswordField } from '../components.jsx';
import { MSG, describeError, recoveryLeft } from '../messages.js';

function sessionGone(error) {
  const status = error && error.response ? error.response.status : 0;
  return (status === 401 && !isWrongPassword(error) && !isInvalidCode(error)) || status === 422;
}

// "ABCD EFGH …": the key in groups of four, easier to type.
function grouped(secret) {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

// The recovery codes as shown once, with copy and download.
function RecoveryCodes({ codes, onDone }) {
  const [status, setStatus] = useState('');
  const [href, setHref] = useState(null);
  const headingRef = useRef(null);

  useEffect(() => {
    if (headingRef.current) headingRef.current.focus();
    const url = URL.createObjectURL(new Blob([`${codes.join('\n')}\n`], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [codes]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setStatus(MSG.recoveryCopied);
    } catch {
      setStatus(MSG.recoveryNotCopied);
    }
  }

  return (
    <div className="recovery">
      <h3 id="recovery-heading" ref={headingRef} tabIndex={-1}>Your recovery codes</h3>
      <p>{MSG.recoveryIntro}</p>
      <ol id="recovery-codes" className="codes" aria-labelledby="recovery-heading">
        {codes.map((code) => <li key={code}><code>{code}</code></li>)}
      </ol>
      <div className="button-row">
        <button type="button" className="button-secondary" onClick={copy}>Copy codes</button>
        {href && (
          <a className="button-link button-secondary" href={href} download="latchkey-recovery-codes.txt">
            Download codes
          </a>
        )}
        <button type="button" className="button-primary" onClick={onDone}>Done</button>
      </div>
      <p id="recovery-status" className="progress" role="status" aria-live="polite">{status}</p>
    </div>
  );
}

// `busy`/`onStart()`/`onBusy(on)` as the page's other actions.
export default function TwoStepSection({ busy, onStart, onBusy }) {
  const [state, setState] = useState(null); // GET /api/mfa, or null while loading
  // 'idle' | 'setup-password' | 'scan' | 'codes' | 'off-confirm' | 'regenerate'
  const [mode, setMode] = useState('idle');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [setup, setSetup] = useState(null);
  const [codes, setCodes] = useState(null);
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [focus, setFocus] = useState(null);
  const passwordRef = useRef(null);
  const codeRef = useRef(null);
  const startRef = useRef(null);

  async function load() {
    try {
      setState(await getMfa());
    } catch (error) {
      if (!sessionGone(error)) setFormError(describeError(error));
    }
  }

  useEffect(() => { load(); }, []);

  useEffect(() => {
    const ref = { password: passwordRef, code: codeRef, start: startRef }[focus];
    if (ref && ref.current) ref.current.focus();
  }, [focus, attempt]);

  function reset(nextMode, focusOn = null) {
    setMode(nextMode);
    setPassword('');
    setCode('');
    setErrors({});
    setFormError('');
    setFocus(focusOn);
    setAttempt((n) => n + 1);
  }

  // Runs `request`; a wrong password or code goes to its field.
  async function run(request, done) {
    if (!onStart()) return;
    setFormError('');
    setStatus(MSG.working);
    onBusy(true);
    try {
      const result = await request();
      onBusy(false);
      setStatus('');
      done(result);
    } catch (error) {
      onBusy(false);
      setStatus('');
      setAttempt((n) => n + 1);
      if (isWrongPassword(error)) {
        setErrors({ password: MSG.mfaPasswordWrong });
        setPassword('');
        setFocus('password');
      } else if (isInvalidCode(error)) {
        setErrors({ code: MSG.codeWrong });
        setCode('');
        setFocus('code');
      } else if (!sessionGone(error)) {
        setFormError(describeError(error));
      }
    }
  }

  function needPassword() {
    if (password !== '') return true;
    setErrors({ password: MSG.mfaPasswordMissing });
    setFocus('password');
    setAttempt((n) => n + 1);
    return false;
  }

  function needCode(message) {
    if (code.trim() !== '') return true;
    setErrors({ code: message });
    setFocus('code');
    setAttempt((n) => n + 1);
    return false;
  }

  function submitSetupPassword(event) {
    event.preventDefault();
    if (busy || !needPassword()) return;
    run(() => setupTotp(password), (result) => {
      setSetup(result);
      reset('scan', 'code');
    });
  }

  function submitEnable(event) {
    event.preventDefault();
    if (busy || !needCode(MSG.codeMissing)) return;
    run(() => enableTotp(code.replace(/\s/g, '')), (result) => {
      setSetup(null);
      setCodes(result.recovery_codes);
      reset('codes');
      setStatus(MSG.totpTurnedOn);
      load();
    });
  }

  function submitDisable(event) {
    event.preventDefault();
    if (busy || !needPassword() || !needCode(MSG.factorMissing)) return;
    run(() => disableTotp(password, proofOf(code)), () => {
      reset('idle', 'start');
      setStatus(MSG.totpTurnedOff);
      load();
    });
  }

  function submitRegenerate(event) {
    event.preventDefault();
    if (busy || !needPassword() || !needCode(MSG.factorMissing)) return;
    run(() => regenerateCodes(password, proofOf(code)), (result) => {
      setCodes(result.recovery_codes);
      reset('codes');
      load();
    });
  }

  const passwordField = (
    <PasswordField
      id="mfa-password"
      label="Your password"
      inputRef={passwordRef}
      autoComplete="current-password"
      value={password}
      onChange={(event) => setPassword(event.target.value)}
      error={errors.password}
    />
  );

  function codeField(label, hint) {
    return (
      <div className="field">
        <label htmlFor="mfa-code-field">{label}</label>
        <input
          id="mfa-code-field"
          ref={codeRef}
          name="mfa-code-field"
          type="text"
          dir="auto"
          inputMode={hint ? 'text' : 'numeric'}
          autoComplete="one-time-code"
          spellCheck="false"
          maxLength={64}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          aria-invalid={errors.code ? 'true' : undefined}
          aria-describedby={[errors.code && 'mfa-code-field-error', hint && 'mfa-code-field-hint']
            .filter(Boolean).join(' ') || undefined}
        />
        {hint && <p id="mfa-code-field-hint" className="field-hint">{hint}</p>}
        {errors.code && <p id="mfa-code-field-error" className="field-error">{errors.code}</p>}
      </div>
    );
  }

  const cancel = (
    <BusyButton className="button-secondary" busy={busy} onClick={() => reset('idle', 'start')}>
      Cancel
    </BusyButton>
  );

  let body;
  if (mode === 'codes' && codes) {
    body = <RecoveryCodes codes={codes} onDone={() => { setCodes(null); reset('idle', 'start'); }} />;
  } else if (mode === 'setup-password' || mode === 'regenerate' || mode === 'off-confirm') {
    const submit = { 'setup-password': submitSetupPassword, regenerate: submitRegenerate,
      'off-confirm': submitDisable }[mode];
    const label = { 'setup-password': 'Continue', regenerate: 'Make new recovery codes',
      'off-confirm': 'Turn off' }[mode];
    body = (
      <form noValidate onSubmit={submit} aria-label={label} className="sub-form">
        {passwordField}
        {mode !== 'setup-password' && codeField('Code or recovery code',
          'A code from your authenticator app, or one of your recovery codes.')}
        <div className="button-row">
          <BusyButton type="submit" className="button-primary" busy={busy}>{label}</BusyButton>
          {cancel}
        </div>
      </form>
    );
  } else if (mode === 'scan' && setup) {
    body = (
      <form noValidate onSubmit={submitEnable} aria-label="Turn on two-step verification" className="sub-form">
        <p id="totp-scan-help">{MSG.totpScan}</p>
        {/* The server's own SVG: one path, attributes only (no script, no style). */}
        <div className="qr" dangerouslySetInnerHTML={{ __html: setup.qr_svg }} />
        <p className="secret">
          Key: <code id="totp-secret" data-secret={setup.secret}>{grouped(setup.secret)}</code>
        </p>
        {codeField('Authentication code')}
        <div className="button-row">
          <BusyButton type="submit" className="button-primary" busy={busy}>Turn on</BusyButton>
          {cancel}
        </div>
      </form>
    );
  } else if (state && state.totp) {
    body = (
      <>
        <p id="totp-state">{recoveryLeft(state.recovery_codes_left)}</p>
        <div className="button-row">
          <BusyButton className="button-secondary" busy={busy} onClick={() => reset('regenerate', 'password')}>
            New recovery codes
          </BusyButton>
          <BusyButton className="button-secondary" busy={busy} onClick={() => reset('off-confirm', 'password')}>
            Turn off two-step verification
          </BusyButton>
        </div>
      </>
    );
  } else if (state) {
    body = (
      <>
        <p id="totp-state">{MSG.totpOff}</p>
        <BusyButton className="button-secondary" busy={busy} onClick={() => reset('setup-password', 'password')}>
          Set up two-step verification
        </BusyButton>
      </>
    );
  } else {
    body = <p className="progress">{MSG.loading}</p>;
  }

  return (
    <section aria-labelledby="mfa-heading" className="section">
      <h2 id="mfa-heading" ref={startRef} tabIndex={-1}>Two-step verification</h2>
      <ErrorBox id="mfa-error" text={formError} focusKey={attempt} />
      {body}
      <p id="mfa-status" className="progress" role="status" aria-live="polite">{status}</p>
    </section>
  );
}
