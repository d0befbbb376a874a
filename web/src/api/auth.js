// Modelled on the seed's src/api/auth.js: the same calls and payloads, sent
// to the page's own origin through the shared client (CSRF header included).
import { api } from './client.js';

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

export async function logout() {
  const response = await api.post(
    '/api/logout',
    {},
    { withCredentials: true },
  );
  return response.data;
}
