import { useCallback, useEffect, useRef, useState } from 'react';
import { onSessionEnded } from './api/client.js';
import { returnTo } from './api/authz.js';
import { DEFAULT_SETTINGS, getSettings } from './api/settings.js';
import { getProfile } from './api/user.js';
import { MSG, describeError } from './messages.js';
import DeniedPage from './pages/DeniedPage.jsx';
import ForgotPage from './pages/ForgotPage.jsx';
import LinkPasswordPage from './pages/LinkPasswordPage.jsx';
import LoginPage from './pages/LoginPage.jsx';
import NotFoundPage from './pages/NotFoundPage.jsx';
import ProfilePage from './pages/ProfilePage.jsx';
import {
  FORGOT_PATH, INVITE_PATH, LOGIN_PATHS, PROFILE_PATH, RESET_PATH, deniedReason, isAppRoute,
  absoluteNext, navigate, nextAfterLogin, usePath,
} from './router.js';
import { createSessionSync } from './session-sync.js';

// Whether anyone is logged in is only known to the server: on start the app
// asks for the profile (the cookie is HttpOnly, so there is nothing to read).
export default function App() {
  const path = usePath();
  const [session, setSession] = useState({ status: 'checking', user: null });
  const [notice, setNotice] = useState(null);
  // The server's limits for names and passwords; its defaults until
  // GET /api/settings answers (or for good when it cannot).
  const [settings, setSettings] = useState(DEFAULT_SETTINGS);
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const syncRef = useRef(null);

  const endSession = useCallback((text, kind) => {
    setSession({ status: 'anonymous', user: null });
    setNotice(text ? { text, kind } : null);
    navigate('/login');
  }, []);

  const startSession = useCallback((user, path = PROFILE_PATH) => {
    setNotice(null);
    setSession({ status: 'user', user });
    navigate(path);
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
    getSettings().then(setSettings);
    return () => {
      sync.close();
      onSessionEnded(null);
    };
  }, [checkSession, endSession, startSession]);

  // Sent here by the web server, whose access rules keep this session out
  // of a page: the login page says why instead of moving on.
  const denied = LOGIN_PATHS.has(path) ? deniedReason() : null;

  // Pages the user may not see in the current state send them where they can go.
  useEffect(() => {
    if (session.status === 'user' && LOGIN_PATHS.has(path) && denied === null) {
      navigate(PROFILE_PATH, { replace: true });
    } else if (session.status === 'anonymous' && path === PROFILE_PATH) {
      setNotice((current) => current || { kind: 'info', text: MSG.loginRequired });
      navigate('/login', { replace: true });
    }
  }, [session.status, path, denied]);

  const clearNotice = useCallback(() => setNotice(null), []);

  // After a login: back to where /login?next=PATH came from when PATH is a
  // path of this site (in the app for its own pages, by loading the page
  // for the server's, like /members/), else the profile. Only after a login
  // on this page: someone already logged in who lands on /login?next=…
  // goes to the profile, never round in a loop with the server.
  // A `next` on another host the site protects (forward auth: the proxy
  // of that application sent the browser here) is gone to once the server
  // says it is one of the site's hosts.
  const handleLoggedIn = useCallback(async (user) => {
    const next = nextAfterLogin();
    const nextPath = next === null ? null : new URL(next, window.location.origin).pathname;
    if (syncRef.current) syncRef.current.announce('login');
    const elsewhere = next === null ? absoluteNext() : null;
    if (elsewhere !== null) {
      const url = await returnTo(elsewhere);
      if (url !== null) {
        window.location.assign(url);
        return;
      }
    }
    if (nextPath !== null && !isAppRoute(nextPath)) {
      window.location.assign(next);
      return;
    }
    // The login pages themselves are no place to return to.
    startSession(user, nextPath !== null && !LOGIN_PATHS.has(nextPath) ? next : PROFILE_PATH);
  }, [startSession]);

  // `warning`: logged out in this browser only (the server kept the
  // session), said as an alert.
  const handleLoggedOut = useCallback((warning) => {
    if (typeof warning === 'string' && warning !== '') endSession(warning, 'error');
    else endSession(MSG.loggedOut, 'info');
    if (syncRef.current) syncRef.current.announce('logout');
  }, [endSession]);

  // Logged out to log in again (DeniedPage): the login form, on the same
  // address, so that the login goes back to the page.
  const handleDeniedLogout = useCallback(() => {
    setSession({ status: 'anonymous', user: null });
    setNotice(null);
    if (syncRef.current) syncRef.current.announce('logout');
  }, []);

  const handleUserChanged = useCallback((user) => {
    setSession({ status: 'user', user });
  }, []);

  // A reset ends every session, this one's too; an accepted invitation
  // starts one.
  const handleReset = useCallback(() => {
    endSession(MSG.passwordReset, 'info');
    if (syncRef.current) syncRef.current.announce('logout');
  }, [endSession]);

  const handleInvited = useCallback(() => {
    getProfile({ expectAnonymous: true }).then((user) => {
      if (syncRef.current) syncRef.current.announce('login');
      startSession(user);
    }, () => endSession(MSG.cookieNotKept, 'error'));
  }, [endSession, startSession]);

  let page;
  if (!isAppRoute(path)) {
    page = <NotFoundPage />;
  } else if (path === FORGOT_PATH) {
    page = <ForgotPage mail={settings.mail} />;
  } else if (path === RESET_PATH || path === INVITE_PATH) {
    page = (
      <LinkPasswordPage
        key={path}
        kind={path === RESET_PATH ? 'reset' : 'invite'}
        settings={settings}
        onDone={handleReset}
        onLoggedIn={handleInvited}
      />
    );
  } else if (session.status === 'checking') {
    page = (
      <main id="main" className="card">
        <p className="progress" role="status">{MSG.loading}</p>
      </main>
    );
  } else if (session.status === 'user' && denied !== null) {
    page = <DeniedPage reason={denied} user={session.user} onLoggedOut={handleDeniedLogout} />;
  } else if (session.status === 'user') {
    page = (
      <ProfilePage
        key={session.user.email}
        user={session.user}
        settings={settings}
        notice={notice}
        onUserChanged={handleUserChanged}
        onLoggedOut={handleLoggedOut}
        onClearNotice={clearNotice}
      />
    );
  } else {
    const deniedNotice = denied === null ? null : {
      kind: 'info', text: denied === 'second_factor' ? MSG.loginSecondFactor : MSG.loginOtherAccount,
    };
    page = (
      <LoginPage
        notice={notice || deniedNotice}
        mail={settings.mail}
        onLoggedIn={handleLoggedIn}
        onClearNotice={clearNotice}
      />
    );
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
