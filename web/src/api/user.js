// Modelled on the seed's src/api/user.js, plus the name change the API
// offers (PATCH, which carries the CSRF header through the shared client).
import { api } from './client.js';

// `options.expectAnonymous`: the caller handles 401/422 itself (the start-up
// check of whether anyone is logged in).
export async function getProfile(options = {}) {
  const response = await api.get(
    '/api/profile',
    { withCredentials: true, expectAnonymous: Boolean(options.expectAnonymous) },
  );
  return response.data;
}

export async function updateName(name) {
  const response = await api.patch(
    '/api/profile',
    { name },
    { withCredentials: true },
  );
  return response.data;
}
