import { useState } from 'react';
import { logout } from '../api/auth.js';
import { updateName } from '../api/user.js';
import { ErrorBox, Notice, PageHeading } from '../components.jsx';
import { MSG, describeError } from '../messages.js';
import ChangePasswordForm from './ChangePasswordForm.jsx';

function sessionGone(error) {
  const status = error.response ? error.response.status : 0;
  // The client's session-ended handler has already taken the user to the
  // login page with a message.
  return status === 401 || status === 422;
}

export default function ProfilePage({ user, notice, onUserChanged, onLoggedOut, onClearNotice }) {
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState('');
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(null); // null | 'save' | 'logout'

  async function handleSave(event) {
    event.preventDefault();
    if (busy) return;
    onClearNotice();
    setSaved('');
    setError('');
    setAttempt((n) => n + 1);
    const trimmed = name.trim();
    if (trimmed === '') {
      setNameError(MSG.nameMissing);
      event.currentTarget.elements.name.focus();
      return;
    }
    setNameError('');
    setBusy('save');
    try {
      const updated = await updateName(trimmed);
      onUserChanged(updated);
      setName('');
      setSaved(MSG.nameSaved);
    } catch (failure) {
      if (!sessionGone(failure)) setError(describeError(failure));
    } finally {
      setBusy(null);
    }
  }

  async function handleLogout() {
    if (busy) return;
    onClearNotice();
    setError('');
    setAttempt((n) => n + 1);
    setBusy('logout');
    try {
      await logout();
    } catch (failure) {
      setBusy(null);
      if (!sessionGone(failure)) setError(describeError(failure));
      return;
    }
    onLoggedOut();
  }

  return (
    <main id="main" className="card">
      <PageHeading>Your profile</PageHeading>
      <Notice notice={notice} />
      <ErrorBox id="form-error" text={error} focusKey={attempt} />
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
            name="name"
            type="text"
            autoComplete="name"
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={nameError ? 'true' : undefined}
            aria-describedby={nameError ? 'name-error' : undefined}
          />
          {nameError && <p id="name-error" className="field-error">{nameError}</p>}
        </div>
        <button type="submit" className="button-secondary" disabled={busy !== null}>
          Save name
        </button>
        <p className="progress" role="status" aria-live="polite">{saved}</p>
      </form>

      <ChangePasswordForm email={user.email} onBeforeSubmit={onClearNotice} />

      <button type="button" className="button-primary" onClick={handleLogout} disabled={busy !== null}>
        Log out
      </button>
    </main>
  );
}
