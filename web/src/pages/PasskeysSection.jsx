// The profile's "Passkeys": the list, "Add a passkey" (a name, then the
// browser's own dialog) and "Remove" on each. A passkey signs in by
// itself, so when the login is not recent the server wants the password
// (and the code, with two-step verification on) before it: the same form
// then asks for them, and tries again.
import { useEffect, useRef, useState } from 'react';
import { getMfa, isInvalidCode, isWrongPassword, proofOf } from '../api/mfa.js';
import {
  isBrowserRefusal, isCancelled, isFreshRequired, isRefused, listPasskeys, localhostOrigin, passkeysHere,
  registerPasskey, removePasskey,
} from '../api/webauthn.js';
import { BusyButton, ErrorBox, PasswordField } from '../components.jsx';
import { MSG, describeError, passkeysAtIpAddress, when } from '../messages.js';

function sessionGone(error) {
  const status = error && error.response ? error.response.status : 0;
  return (status === 401 && !isFreshRequired(error) && !isWrongPassword(error) && !isInvalidCode(error))
    || status === 422;
}

function serverSaid(error) {
  const body = error && error.response && error.response.data;
  return body && typeof body === 'object' && typeof body.msg === 'string' ? body.msg : '';
}

// `reloadKey` changes when another part of the page changed the passkeys
// (a password change that removed some); `onChanged()` says this one did.
export default function PasskeysSection({ busy, onStart, onBusy, reloadKey = 0, onChanged = () => {} }) {
  const [passkeys, setPasskeys] = useState(null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('Passkey');
  const [nameError, setNameError] = useState('');
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  // null: the session's login is fresh enough; else { totp } (what to ask).
  const [proof, setProof] = useState(null);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [proofErrors, setProofErrors] = useState({});
  const nameRef = useRef(null);
  const addRef = useRef(null);
  const passwordRef = useRef(null);
  const codeRef = useRef(null);
  const [focus, setFocus] = useState(null);
  // 'yes', 'unsupported' or 'ip-address': only 'yes' offers to add one.
  const here = passkeysHere();
  const supported = here === 'yes';

  async function load() {
    try {
      setPasskeys(await listPasskeys());
    } catch (error) {
      if (!sessionGone(error)) setFormError(describeError(error));
    }
  }

  useEffect(() => { load(); }, [reloadKey]);

  useEffect(() => {
    const ref = { name: nameRef, add: addRef, password: passwordRef, code: codeRef }[focus];
    if (ref && ref.current) ref.current.focus();
  }, [focus, attempt]);

  function openForm() {
    if (busy) return;
    setFormError('');
    setStatus('');
    setNameError('');
    setProofErrors({});
    setPassword('');
    setCode('');
    setName('Passkey');
    setAdding(true);
    setFocus('name');
    setAttempt((n) => n + 1);
  }

  // The fields of the proof, checked before anything is sent.
  function proofMissing() {
    if (!proof) return false;
    if (password === '') {
      setProofErrors({ password: MSG.mfaPasswordMissing });
      setFocus('password');
    } else if (proof.totp && code.trim() === '') {
      setProofErrors({ code: MSG.factorMissing });
      setFocus('code');
    } else {
      return false;
    }
    setAttempt((n) => n + 1);
    return true;
  }

  // The server wants the password (and the code): ask for them here.
  async function askForProof() {
    let totp = true;
    try {
      totp = Boolean((await getMfa()).totp);
    } catch {
      // Ask for both: the server says which it needs anyway.
    }
    setProof({ totp });
    setPassword('');
    setCode('');
    setProofErrors({});
    setFocus('password');
    setAttempt((n) => n + 1);
  }

  async function handleAdd(event) {
    event.preventDefault();
    if (busy) return;
    const trimmed = name.trim();
    if (trimmed === '') {
      setNameError(MSG.passkeyNameMissing);
      setFocus('name');
      setAttempt((n) => n + 1);
      return;
    }
    setNameError('');
    if (proofMissing()) return;
    if (!onStart()) return;
    setProofErrors({});
    setFormError('');
    setStatus(MSG.passkeyAdding);
    onBusy(true);
    try {
      await registerPasskey(trimmed, proof ? { password, ...(proof.totp ? proofOf(code) : {}) } : null);
    } catch (error) {
      onBusy(false);
      setStatus('');
      setAttempt((n) => n + 1);
      if (isFreshRequired(error)) {
        await askForProof();
      } else if (isWrongPassword(error)) {
        setProofErrors({ password: MSG.mfaPasswordWrong });
        setPassword('');
        setFocus('password');
      } else if (isInvalidCode(error)) {
        setProofErrors({ code: MSG.codeWrong });
        setCode('');
        setFocus('code');
      } else if (isCancelled(error)) setFormError(MSG.passkeyNotCreated);
      else if (error && error.name === 'InvalidStateError') setFormError(MSG.passkeyHeldAlready);
      else if (isBrowserRefusal(error)) setFormError(MSG.passkeyNotHere);
      else if (isRefused(error) || (error.response && error.response.status === 400 && serverSaid(error))) {
        setFormError(serverSaid(error) === 'Passkey not accepted' ? MSG.passkeyRefused : `${serverSaid(error)}.`);
      } else if (!sessionGone(error)) setFormError(describeError(error));
      return;
    }
    onBusy(false);
    setAdding(false);
    setPassword('');
    setCode('');
    setStatus(MSG.passkeyAdded);
    setFocus('add');
    setAttempt((n) => n + 1);
    onChanged();
    load();
  }

  async function handleRemove(passkey) {
    if (!onStart()) return;
    setFormError('');
    setStatus(MSG.working);
    onBusy(true);
    try {
      await removePasskey(passkey.id);
    } catch (error) {
      onBusy(false);
      setStatus('');
      setAttempt((n) => n + 1);
      if (!sessionGone(error)) setFormError(describeError(error));
      return;
    }
    onBusy(false);
    setStatus(MSG.passkeyRemoved);
    setFocus('add');
    setAttempt((n) => n + 1);
    onChanged();
    load();
  }

  let list = null;
  if (passkeys === null) list = <p className="progress">{MSG.loading}</p>;
  else if (passkeys.length === 0) list = <p id="passkeys-none">{MSG.noPasskeys}</p>;
  else {
    list = (
      <ul id="passkey-list" className="items">
        {passkeys.map((p) => (
          <li key={p.id} className="item">
            <div className="item-text">
              <span className="item-name" dir="auto">{p.name}</span>
              <span className="item-detail">
                Added {when(p.created)} · {p.last_used ? `last used ${when(p.last_used)}` : 'never used'}
              </span>
            </div>
            <BusyButton className="button-secondary button-small" busy={busy}
              onClick={() => handleRemove(p)} label={`Remove ${p.name}`}>
              Remove
            </BusyButton>
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section aria-labelledby="passkeys-heading" className="section">
      <h2 id="passkeys-heading">Passkeys</h2>
      <ErrorBox id="passkeys-error" text={formError} focusKey={attempt} />
      {list}
      {here === 'unsupported' && <p>{MSG.passkeysUnsupported}</p>}
      {here === 'ip-address' && <p id="passkeys-hint">{passkeysAtIpAddress(localhostOrigin())}</p>}
      {supported && adding && (
        <form noValidate onSubmit={handleAdd} aria-label="Add a passkey" className="sub-form">
          <div className="field">
            <label htmlFor="passkey-name">Passkey name</label>
            <input
              id="passkey-name"
              ref={nameRef}
              name="passkey-name"
              type="text"
              dir="auto"
              maxLength={64}
              autoComplete="off"
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-invalid={nameError ? 'true' : undefined}
              aria-describedby={nameError ? 'passkey-name-error' : 'passkey-name-hint'}
            />
            <p id="passkey-name-hint" className="field-hint">To tell your passkeys apart, such as “Work laptop”.</p>
            {nameError && <p id="passkey-name-error" className="field-error">{nameError}</p>}
          </div>
          {proof && (
            <>
              <p id="passkey-proof-intro">{proof.totp ? MSG.passkeyProofCode : MSG.passkeyProof}</p>
              <PasswordField
                id="passkey-password"
                label="Your password"
                inputRef={passwordRef}
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                error={proofErrors.password}
                describedBy="passkey-proof-intro"
              />
              {proof.totp && (
                <div className="field">
                  <label htmlFor="passkey-code">Code or recovery code</label>
                  <input
                    id="passkey-code"
                    ref={codeRef}
                    name="passkey-code"
                    type="text"
                    dir="auto"
                    inputMode="text"
                    autoComplete="one-time-code"
                    spellCheck="false"
                    maxLength={64}
                    value={code}
                    onChange={(event) => setCode(event.target.value)}
                    aria-invalid={proofErrors.code ? 'true' : undefined}
                    aria-describedby={proofErrors.code ? 'passkey-code-error' : 'passkey-code-hint'}
                  />
                  {!proofErrors.code && (
                    <p id="passkey-code-hint" className="field-hint">
                      A code from your authenticator app, or one of your recovery codes.
                    </p>
                  )}
                  {proofErrors.code && <p id="passkey-code-error" className="field-error">{proofErrors.code}</p>}
                </div>
              )}
            </>
          )}
          <div className="button-row">
            <BusyButton type="submit" className="button-primary" busy={busy}>Create passkey</BusyButton>
            <BusyButton className="button-secondary" busy={busy}
              onClick={() => { setAdding(false); setFocus('add'); setAttempt((n) => n + 1); }}>
              Cancel
            </BusyButton>
          </div>
        </form>
      )}
      {supported && !adding && (
        <BusyButton className="button-secondary" busy={busy} onClick={openForm} buttonRef={addRef}>
          Add a passkey
        </BusyButton>
      )}
      <p id="passkeys-status" className="progress" role="status" aria-live="polite">{status}</p>
    </section>
  );
}
