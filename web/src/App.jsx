import { useCallback, useEffect, useRef, useState } from 'react';
import { onSessionEnded } from './api/client.js';
import { getProfile } from './api/user.js';
import { MSG, describeError } from './messages.js';
import LoginPage from './pages/LoginPage.jsx';
import NotFoundPage from './pages/NotFoundPage.jsx';
import ProfilePage from './pages/ProfilePage.jsx';
import { navigate, usePath } from './router.js';
import { createSessionSync } from './session-sync.js';

const LOGIN_PATHS = new Set(['/', '/login']);
const PROFILE_PATH = '/profile';

// Whether anyone is logged in is only known to the server: on start the app
// asks for the profile (the cookie is HttpOnly, so there is nothing to read).
export default function App() {
  const path = usePath();
  const [session, setSession] = useState({ status: 'checking', user: null });
  const [notice, setNotice] = useState(null);
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const syncRef = useRef(null);

  const endSession = useCallback((text, kind) => {
    setSession({ status: 'anonymous', user: null });
    setNotice(text ? { text, kind } : null);
    navigate('/login');
  }, []);

  const startSession = useCallback((user) => {
    setNotice(null);
    setSession({ status: 'user', user });
    navigate(PROFILE_PATH);
  }, []);

  const checkSession = useCallback(async () => {
    try {
      const user = await getProfile({ expectAnonymous: true });
      setSession({ status: 'user', user });
    } catch (error) {
      const status = error.response ? error.response.status : 0;
      setSession({ status: 'anonymous', user: null });
      // 401/422 just mean nobody is logged in here, unless they come from
      // a session whose expired token could not be refreshed.
      if (status !== 401 && status !== 422) setNotice({ kind: 'error', text: describeError(error) });
      else if (error.refreshFailed) setNotice({ kind: 'error', text: MSG.sessionEnded });
    }
  }, []);

  useEffect(() => {
    onSessionEnded(() => {
      if (sessionRef.current.status === 'user') endSession(MSG.sessionEnded, 'error');
    });
    const sync = createSessionSync((type) => {
      if (type === 'logout' && sessionRef.current.status === 'user') {
        endSession(MSG.loggedOutElsewhere, 'info');
      } else if (type === 'login' && sessionRef.current.status !== 'user') {
        getProfile({ expectAnonymous: true }).then(startSession, () => {});
      }
    });
    syncRef.current = sync;
    checkSession();
    return () => {
      sync.close();
      onSessionEnded(null);
    };
  }, [checkSession, endSession, startSession]);

  // Pages the user may not see in the current state send them where they can go.
  useEffect(() => {
    if (session.status === 'user' && LOGIN_PATHS.has(path)) {
      navigate(PROFILE_PATH, { replace: true });
    } else if (session.status === 'anonymous' && path === PROFILE_PATH) {
      setNotice((current) => current || { kind: 'info', text: MSG.loginRequired });
      navigate('/login', { replace: true });
    }
  }, [session.status, path]);

  const clearNotice = useCallback(() => setNotice(null), []);

  const handleLoggedIn = useCallback((user) => {
    startSession(user);
    if (syncRef.current) syncRef.current.announce('login');
  }, [startSession]);

  const handleLoggedOut = useCallback(() => {
    endSession(MSG.loggedOut, 'info');
    if (syncRef.current) syncRef.current.announce('logout');
  }, [endSession]);

  const handleUserChanged = useCallback((user) => {
    setSession({ status: 'user', user });
  }, []);

  let page;
  if (!LOGIN_PATHS.has(path) && path !== PROFILE_PATH) {
    page = <NotFoundPage />;
  } else if (session.status === 'checking') {
    page = (
      <main id="main" className="card">
        <p className="progress" role="status">Loading…</p>
      </main>
    );
  } else if (session.status === 'user') {
    page = (
      <ProfilePage
        user={session.user}
        notice={notice}
        onUserChanged={handleUserChanged}
        onLoggedOut={handleLoggedOut}
        onClearNotice={clearNotice}
      />
    );
  } else {
    page = <LoginPage notice={notice} onLoggedIn={handleLoggedIn} onClearNotice={clearNotice} />;
  }

  return (
    <div className="app">
      <header className="site-header">
        <span className="brand">latchkey</span>
      </header>
      {page}
    </div>
  );
}
