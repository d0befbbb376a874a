// Modelled on the seed's src/api/auth.js: the same calls and payloads, sent
// to the page's own origin through the shared client (CSRF header included).
import { api } from './client.js';

export async function login(email, password) {
  const response = await api.post(
    '/api/login',
    { email, password },
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
