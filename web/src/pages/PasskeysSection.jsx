// The profile's "Passkeys": the list, "Add a passkey" (a name, then the
// browser's own dialog) and "Remove" on each.
import { useEffect, useRef, useState } from 'react';
import {
  isBrowserRefusal, isCancelled, isRefused, listPasskeys, localhostOrigin, passkeysHere, registerPasskey,
  removePasskey,
} from '../api/webauthn.js';
import { BusyButton, ErrorBox } from '../components.jsx';
import { MSG, describeError, passkeysAtIpAddress, when } from '../messages.js';

function sessionGone(error) {
  const status = error && error.response ? error.response.status : 0;
  return status === 401 || status === 422;
}

function serverSaid(error) {
  const body = error && error.response && error.response.data;
  return body && typeof body === 'object' && typeof body.msg === 'string' ? body.msg : '';
}

export default function PasskeysSection({ busy, onStart, onBusy }) {
  const [passkeys, setPasskeys] = useState(null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('Passkey');
  const [nameError, setNameError] = useState('');
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  const nameRef = useRef(null);
  const addRef = useRef(null);
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

  useEffect(() => { load(); }, []);

  useEffect(() => {
    const ref = { name: nameRef, add: addRef }[focus];
    if (ref && ref.current) ref.current.focus();
  }, [focus, attempt]);

  function openForm() {
    if (busy) return;
    setFormError('');
    setStatus('');
    setNameError('');
    setName('Passkey');
    setAdding(true);
    setFocus('name');
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
    if (!onStart()) return;
    setNameError('');
    setFormError('');
    setStatus(MSG.passkeyAdding);
    onBusy(true);
    try {
      await registerPasskey(trimmed);
    } catch (error) {
      onBusy(false);
      setStatus('');
      setAttempt((n) => n + 1);
      if (isCancelled(error)) setFormError(MSG.passkeyNotCreated);
      else if (error && error.name === 'InvalidStateError') setFormError(MSG.passkeyHeldAlready);
      else if (isBrowserRefusal(error)) setFormError(MSG.passkeyNotHere);
      else if (isRefused(error) || (error.response && error.response.status === 400 && serverSaid(error))) {
        setFormError(serverSaid(error) === 'Passkey not accepted' ? MSG.passkeyRefused : `${serverSaid(error)}.`);
      } else if (!sessionGone(error)) setFormError(describeError(error));
      return;
    }
    onBusy(false);
    setAdding(false);
    setStatus(MSG.passkeyAdded);
    setFocus('add');
    setAttempt((n) => n + 1);
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
