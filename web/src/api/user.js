// Modelled on the seed's src/api/user.js, plus the name change the API
// offers (PATCH, which carries the CSRF header through the shared client)
// and the password change (POST /api/password).
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

export const WRONG_CURRENT_PASSWORD = 'Current password is incorrect';

export function isWrongCurrentPassword(error) {
  const response = error && error.response;
  return Boolean(response && response.status === 401 && response.data
    && typeof response.data === 'object' && response.data.msg === WRONG_CURRENT_PASSWORD);
}

// 200 {"password": true} with new cookies: the server keeps this session
// (renewed) and ends every other session of the user. `keep` (when not
// null): the ids of the passkeys that stay; every other one is removed
// with the change.
export async function changePassword(currentPassword, newPassword, keep = null) {
  const body = { current_password: currentPassword, new_password: newPassword };
  if (Array.isArray(keep)) body.keep_passkeys = keep;
  const response = await api.post(
    '/api/password',
    body,
    // A wrong current password is an answer for the form, not the end of
    // the session.
    { withCredentials: true, ownsRefusal: isWrongCurrentPassword },
  );
  return response.data;
}
