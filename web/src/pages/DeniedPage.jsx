import { useState } from 'react';
import { logout } from '../api/auth.js';
import { BusyButton, ErrorBox, PageHeading } from '../components.jsx';
import { MSG, PAGE_TITLES, describeError } from '../messages.js';
import { PROFILE_PATH, navigate } from '../router.js';

// Where the authorizer sends a signed-in browser that the site's access
// rules keep out of a page (/login?next=PAGE&denied=REASON): it says why,
// and offers to log out and log in again (with a second factor, or as
// someone else), then return to the page.
export default function DeniedPage({ reason, user, onLoggedOut }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const second = reason === 'second_factor';

  async function handleLogout() {
    if (busy) return;
    setBusy(true);
    setError('');
    setAttempt((n) => n + 1);
    try {
      await logout();
    } catch (failure) {
      const status = failure.response ? failure.response.status : 0;
      // A session that has ended already is as good as logged out.
      if (status !== 401 && status !== 422) {
        setBusy(false);
        setError(describeError(failure));
        return;
      }
    }
    onLoggedOut();
  }

  function goProfile(event) {
    event.preventDefault();
    navigate(PROFILE_PATH);
  }

  return (
    <main id="main" className="card">
      <PageHeading title={second ? PAGE_TITLES.secondFactor : PAGE_TITLES.denied}>
        {second ? 'Second factor required' : 'Access denied'}
      </PageHeading>
      <ErrorBox id="form-error" text={error} focusKey={attempt} />
      <p>{second ? MSG.deniedSecondFactor : MSG.deniedAccess}</p>
      <p>
        {'You are logged in as '}
        <strong>{user.email}</strong>
        .
      </p>
      <p>
        <BusyButton busy={busy} onClick={handleLogout}>{MSG.logInAgain}</BusyButton>
      </p>
      <p>
        <a href={PROFILE_PATH} onClick={goProfile}>{MSG.goToProfile}</a>
      </p>
    </main>
  );
}
