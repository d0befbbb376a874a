// The profile's "Sessions": every device signed in to the account, this
// one marked, "Log out" on each of the others, and "Log out other
// sessions".
import { useEffect, useRef, useState } from 'react';
import { endOtherSessions, endSession, listSessions } from '../api/sessions.js';
import { BusyButton, ErrorBox } from '../components.jsx';
import { MSG, describeError, when } from '../messages.js';

function sessionGone(error) {
  const status = error && error.response ? error.response.status : 0;
  return status === 401 || status === 422;
}

// What a person recognises a device by: the browser's own words, or a
// placeholder for a client that sends none.
function deviceOf(session) {
  return session.user_agent !== '' ? session.user_agent : 'Unknown device';
}

export default function SessionsSection({ busy, onStart, onBusy }) {
  const [sessions, setSessions] = useState(null);
  const [formError, setFormError] = useState('');
  const [status, setStatus] = useState('');
  const [attempt, setAttempt] = useState(0);
  const headingRef = useRef(null);

  async function load() {
    try {
      setSessions(await listSessions());
    } catch (error) {
      if (!sessionGone(error)) setFormError(describeError(error));
    }
  }

  useEffect(() => { load(); }, []);

  async function act(request, done) {
    if (!onStart()) return;
    setFormError('');
    setStatus(MSG.working);
    onBusy(true);
    try {
      await request();
    } catch (error) {
      onBusy(false);
      setStatus('');
      setAttempt((n) => n + 1);
      if (!sessionGone(error)) setFormError(describeError(error));
      return;
    }
    onBusy(false);
    setStatus(done);
    // The row (and its button) is gone: the focus goes to the section.
    if (headingRef.current) headingRef.current.focus();
    load();
  }

  const others = sessions ? sessions.filter((s) => !s.current) : [];
  let list = <p className="progress">{MSG.loading}</p>;
  if (sessions) {
    list = (
      <ul id="session-list" className="items">
        {sessions.map((s) => (
          <li key={s.id} className="item">
            <div className="item-text">
              <span className="item-name">
                {deviceOf(s)}
                {s.current && <span className="badge"> (this device)</span>}
              </span>
              <span className="item-detail">
                {s.address} · signed in {when(s.created)} · last active {when(s.last_refreshed)}
              </span>
            </div>
            {!s.current && (
              <BusyButton className="button-secondary button-small" busy={busy}
                onClick={() => act(() => endSession(s.id), MSG.oneSessionEnded)}
                label={`Log out ${deviceOf(s)}, ${s.address}`}>
                Log out
              </BusyButton>
            )}
          </li>
        ))}
      </ul>
    );
  }

  return (
    <section aria-labelledby="sessions-heading" className="section">
      <h2 id="sessions-heading" ref={headingRef} tabIndex={-1}>Sessions</h2>
      <ErrorBox id="sessions-error" text={formError} focusKey={attempt} />
      {list}
      {sessions && others.length === 0 && <p id="sessions-alone">{MSG.noOtherSessions}</p>}
      {others.length > 0 && (
        <BusyButton className="button-secondary" busy={busy}
          onClick={() => act(endOtherSessions, MSG.otherSessionsEnded)}>
          Log out other sessions
        </BusyButton>
      )}
      <p id="sessions-status" className="progress" role="status" aria-live="polite">{status}</p>
    </section>
  );
}
