// Modelled on the seed's src/api/auth.js: the same calls and payloads, sent
// to the page's own origin through the shared client (CSRF header included).
import { api } from './client.js';
import { getProfile } from './user.js';

// The body is the seed's {email, password}; "Keep me signed in" adds
// "remember": true, and only then.
export async function login(email, password, remember = false) {
  const body = remember ? { email, password, remember: true } : { email, password };
  const response = await api.post(
    '/api/login',
    body,
    // A 401 here means wrong credentials, not an ended session.
    { withCredentials: true, expectAnonymous: true },
  );
  return response.data;
}

// A server that answers a logout with an error may still have cleared
// this browser's cookies: a verify-only node cannot end the session in its
// store, says so (503), and signs the browser out all the same. The
// cookies are HttpOnly, so the way to know is to ask: the error then
// carries `signedOutHere: true`.
export async function logout() {
  try {
    const response = await api.post(
      '/api/logout',
      {},
      { withCredentials: true },
    );
    return response.data;
  } catch (error) {
    if (error.response && error.response.status >= 500) error.signedOutHere = await signedOut();
    throw error;
  }
}

// Whether nobody is logged in here any more: the profile refused for want
// of a session (401 or 422), not for want of an answer.
async function signedOut() {
  try {
    await getProfile({ expectAnonymous: true });
    return false;
  } catch (error) {
    const status = error.response ? error.response.status : 0;
    return status === 401 || status === 422;
  }
}
