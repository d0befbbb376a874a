// Two-step verification (TOTP and recovery codes) and the login's second
// step, through the shared client (CSRF header included).
import { api } from './client.js';

export const INVALID_CODE = 'Invalid code';
export const LOGIN_EXPIRED = 'Login expired, log in again';
export const WRONG_PASSWORD = 'Current password is incorrect';

function refusedWith(error, status, msg) {
  const response = error && error.response;
  return Boolean(response && response.status === status && response.data
    && typeof response.data === 'object' && response.data.msg === msg);
}

export const isInvalidCode = (error) => refusedWith(error, 401, INVALID_CODE);
export const isWrongPassword = (error) => refusedWith(error, 401, WRONG_PASSWORD);

// A 401 of the second step that means "start again from the password":
// the pending login is gone (used, expired, ended), or its cookie is.
export function isLoginExpired(error) {
  const response = error && error.response;
  if (!response || response.status !== 401) return false;
  const msg = response.data && typeof response.data === 'object' ? response.data.msg : '';
  return msg === LOGIN_EXPIRED || (typeof msg === 'string' && msg.startsWith('Missing cookie'));
}

// What the user typed for a second factor: six digits are a code from the
// app, anything else a recovery code.
export function proofOf(text) {
  const typed = text.trim();
  return /^\d{6}$/.test(typed.replace(/\s/g, '')) ? { code: typed.replace(/\s/g, '') } : { recovery_code: typed };
}

// { totp, recovery_codes_left, passkeys }
export async function getMfa() {
  const response = await api.get('/api/mfa', { withCredentials: true });
  return response.data;
}

// A wrong password or code is an answer for the form, not the end of the
// session.
const ownsRefusal = (error) => isWrongPassword(error) || isInvalidCode(error);

// { secret, otpauth_uri, qr_svg }: a new secret, waiting for its first code.
export async function setupTotp(password) {
  const response = await api.post('/api/mfa/totp/setup', { password }, { withCredentials: true, ownsRefusal });
  return response.data;
}

// { recovery_codes: [10 codes] }
export async function enableTotp(code) {
  const response = await api.post('/api/mfa/totp/enable', { code }, { withCredentials: true, ownsRefusal });
  return response.data;
}

export async function disableTotp(password, proof) {
  const response = await api.post('/api/mfa/totp/disable', { password, ...proof },
    { withCredentials: true, ownsRefusal });
  return response.data;
}

// Both factors: the password, and `proof` ({ code } or { recovery_code }).
export async function regenerateCodes(password, proof) {
  const response = await api.post('/api/mfa/recovery/regenerate', { password, ...proof },
    { withCredentials: true, ownsRefusal });
  return response.data;
}

// The login's second step: { code } or { recovery_code }, with the
// mfa_pending cookie the password step set.
export async function loginSecondStep(proof) {
  const response = await api.post('/api/login/mfa', proof, { withCredentials: true, expectAnonymous: true });
  return response.data;
}
