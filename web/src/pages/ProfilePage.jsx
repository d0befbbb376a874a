import { useRef, useState } from 'react';
import { logout } from '../api/auth.js';
import { updateName } from '../api/user.js';
import { BusyButton, ErrorBox, Notice, PageHeading } from '../components.jsx';
import { MSG, PAGE_TITLES, describeError, loggedOutHereOnly, nameTooLong } from '../messages.js';
import ChangePasswordForm from './ChangePasswordForm.jsx';
import PasskeysSection from './PasskeysSection.jsx';
import SessionsSection from './SessionsSection.jsx';
import TwoStepSection from './TwoStepSection.jsx';

// Invisible characters a name must not hold (the server refuses them too):
// the bidi embeddings and overrides U+202A–U+202E, the isolates
// U+2066–U+2069, the marks U+200E, U+200F and U+061C (they make a name
// display as other text), and C0/C1 control characters.
const INVISIBLE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u00ad\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb\u0000-\u001f\u007f-\u009f]/;

function checkName(name, max) {
  if (name === '') return MSG.nameMissing;
  if (INVISIBLE.test(name)) return MSG.nameInvisible;
  // Characters as the server counts them (code points, not UTF-16 units).
  if ([...name].length > max) return nameTooLong(max);
  return '';
}

function statusOf(error) {
  return error.response ? error.response.status : 0;
}

// The server's `msg`, or ''.
function serverSaid(error) {
  const body = error && error.response && error.response.data;
  return body && typeof body === 'object' && typeof body.msg === 'string' ? body.msg : '';
}

function sessionGone(error) {
  const status = statusOf(error);
  // The client's session-ended handler has already taken the user to the
  // login page with a message.
  return status === 401 || status === 422;
}

// The profile page's actions (save the name, change the password, two-step
// verification, passkeys, sessions, log out) go one request at a time:
// while one is on its way the others' buttons are aria-disabled too. Whatever one action said (errors,
// progress) is cleared when the next one starts, and the page has one error
// box, so two errors never stand side by side.
export default function ProfilePage({ user, settings, notice, onUserChanged, onLoggedOut, onClearNotice }) {
  const [name, setName] = useState(user.name);
  const [nameError, setNameError] = useState('');
  const [nameStatus, setNameStatus] = useState('');
  const [logoutStatus, setLogoutStatus] = useState('');
  // The page's one error box: { form: 'name' | 'logout' | 'password', text }.
  const [error, setError] = useState(null);
  const [attempt, setAttempt] = useState(0);
  // null | 'name' | 'password' | 'logout' | 'mfa' | 'passkeys' | 'sessions'
  const [busy, setBusy] = useState(null);
  // Counts starts of the name form and of logging out: the password form
  // clears its own messages when it changes.
  const [othersStarted, setOthersStarted] = useState(0);
  // Counts changes of the passkeys, for the parts of the page that list them.
  const [passkeysChanged, setPasskeysChanged] = useState(0);
  const nameRef = useRef(null);

  // Begins `form`'s action, unless another one is on its way.
  function start(form) {
    if (busy) return false;
    onClearNotice();
    setError(null);
    setNameError('');
    setNameStatus('');
    setLogoutStatus('');
    setAttempt((n) => n + 1);
    if (form !== 'password') setOthersStarted((n) => n + 1);
    return true;
  }

  async function handleSave(event) {
    event.preventDefault();
    if (!start('name')) return;
    const trimmed = name.trim();
    const problem = checkName(trimmed, settings.name_max);
    if (problem) {
      setNameError(problem);
      nameRef.current.focus();
      return;
    }
    setBusy('name');
    setNameStatus(MSG.saving);
    try {
      const updated = await updateName(trimmed);
      onUserChanged(updated);
      setName(updated && typeof updated.name === 'string' ? updated.name : trimmed);
      setNameStatus(MSG.nameSaved);
    } catch (failure) {
      setNameStatus('');
      if (sessionGone(failure)) return;
      if (statusOf(failure) === 400) {
        // The server's limits differ from the ones the page knows of.
        setNameError(MSG.nameRefused);
        nameRef.current.focus();
      } else {
        setError({ form: 'name', text: describeError(failure) });
      }
    } finally {
      setBusy(null);
    }
  }

  async function handleLogout() {
    if (!start('logout')) return;
    setBusy('logout');
    setLogoutStatus(MSG.loggingOut);
    try {
      await logout();
    } catch (failure) {
      if (failure.signedOutHere) {
        // Signed out here, though the server kept the session.
        onLoggedOut(loggedOutHereOnly(serverSaid(failure)));
        return;
      }
      setBusy(null);
      setLogoutStatus('');
      if (!sessionGone(failure)) setError({ form: 'logout', text: describeError(failure) });
      return;
    }
    onLoggedOut();
  }

  const pageError = error && error.form !== 'password' ? error.text : '';
  const passwordError = error && error.form === 'password' ? error.text : '';

  return (
    <main id="main" className="card">
      <PageHeading title={PAGE_TITLES.profile}>Your profile</PageHeading>
      <Notice notice={notice} />
      <ErrorBox id="form-error" text={pageError} focusKey={attempt} />
      <dl className="profile">
        <div>
          <dt>Email</dt>
          <dd id="profile-email">{user.email}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd id="profile-name">{user.name}</dd>
        </div>
      </dl>

      <form noValidate onSubmit={handleSave} aria-label="Change your name" className="name-form">
        <div className="field">
          <label htmlFor="name">New name</label>
          <input
            id="name"
            ref={nameRef}
            name="name"
            type="text"
            dir="auto"
            autoComplete="name"
            maxLength={settings.name_max}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={nameError ? 'true' : undefined}
            aria-describedby={nameError ? 'name-error' : undefined}
          />
          {nameError && <p id="name-error" className="field-error">{nameError}</p>}
        </div>
        <BusyButton type="submit" className="button-secondary" busy={busy !== null}>
          Save name
        </BusyButton>
        <p id="name-status" className="progress" role="status" aria-live="polite">{nameStatus}</p>
      </form>

      <ChangePasswordForm
        email={user.email}
        settings={settings}
        busy={busy !== null}
        onStart={() => start('password')}
        onBusy={(on) => setBusy(on ? 'password' : null)}
        formError={passwordError}
        onFormError={(text) => setError(text ? { form: 'password', text } : null)}
        focusKey={attempt}
        resetKey={othersStarted}
        passkeysKey={passkeysChanged}
        onPasskeysChanged={() => setPasskeysChanged((n) => n + 1)}
      />

      {['mfa', 'passkeys', 'sessions'].map((section) => {
        const Section = { mfa: TwoStepSection, passkeys: PasskeysSection, sessions: SessionsSection }[section];
        return (
          <Section
            key={section}
            busy={busy !== null}
            onStart={() => start(section)}
            onBusy={(on) => setBusy(on ? section : null)}
            {...(section === 'passkeys' ? {
              reloadKey: passkeysChanged, onChanged: () => setPasskeysChanged((n) => n + 1),
            } : {})}
          />
        );
      })}

      <BusyButton className="button-primary" onClick={handleLogout} busy={busy !== null}>
        Log out
      </BusyButton>
      <p id="logout-status" className="progress" role="status" aria-live="polite">{logoutStatus}</p>
    </main>
  );
}
