// Accounts by mail: asking for a reset link, and following the one-time
// links of a reset or an invitation. Every call is anonymous: a refusal
// here (400, 401) is the page's answer, never the end of a session.
import { api } from './client.js';

// The server's words for a link it does not know, has seen used, or
// that expired or was replaced.
export const LINK_INVALID = 'This link is invalid or has expired';
export const INVALID_CODE = 'Invalid code';

// A token as the links carry it: 43 characters of base64url.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function tokenShapeOk(token) {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

function answer(error) {
  const response = error && error.response;
  const body = response && response.data && typeof response.data === 'object' ? response.data : {};
  return { status: response ? response.status : 0, body };
}

export function isLinkInvalid(error) {
  const { status, body } = answer(error);
  return status === 400 && body.msg === LINK_INVALID;
}

// 401 {"mfa_required": [...], "reset": false}: the account has a second
// factor, and its code must come with the new password.
export function secondFactorNeeded(error) {
  const { status, body } = answer(error);
  return status === 401 && Array.isArray(body.mfa_required);
}

export function isInvalidCode(error) {
  const { status, body } = answer(error);
  return status === 401 && body.msg === INVALID_CODE;
}

// The server's reason for refusing a new password ("The password is too
// common"), as a sentence, or null.
export function passwordRefusal(error) {
  const { status, body } = answer(error);
  if (status !== 400 || typeof body.msg !== 'string' || body.msg === LINK_INVALID) return null;
  const msg = body.msg.trim();
  if (msg === '') return null;
  return /[.!?]$/.test(msg) ? msg : `${msg}.`;
}

const ANONYMOUS = { withCredentials: true, expectAnonymous: true };

// 202 {"sent": true}, whether or not an account has that address.
export async function requestReset(email) {
  const response = await api.post('/api/password/forgot', { email }, ANONYMOUS);
  return response.data;
}

// 200 {"reset": true}. `second` is {code} or {recovery_code} for an
// account with a second factor; `keep` (when not null) the ids of the
// passkeys that stay: every other one is removed with the reset.
export async function resetPassword(token, password, second = {}, keep = null) {
  const body = { token, password, ...second };
  if (Array.isArray(keep)) body.keep_passkeys = keep;
  const response = await api.post('/api/password/reset', body, ANONYMOUS);
  return response.data;
}

// The account of a live reset link, before anyone types:
// { email, name, passkeys: [{ created, id, name }] }; a dead link is the
// same 400 as its use (isLinkInvalid).
export async function checkResetLink(token) {
  const response = await api.post('/api/password/reset/check', { token }, ANONYMOUS);
  return response.data;
}

// The account of a live invitation (or sign-up) link: { email, name }.
export async function checkInvitation(token) {
  const response = await api.post('/api/invite/check', { token }, ANONYMOUS);
  return response.data;
}

// 200 {"login": true} with the session's cookies.
export async function acceptInvitation(token, password) {
  const response = await api.post('/api/invite/accept', { token, password }, ANONYMOUS);
  return response.data;
}
