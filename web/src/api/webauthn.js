// Passkeys: the browser's WebAuthn ceremonies with latchkey's options,
// binary fields as unpadded base64url both ways.
import { api } from './client.js';

export function passkeysSupported() {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function'
    && Boolean(navigator.credentials) && typeof navigator.credentials.create === 'function';
}

// Whether `hostname` is an IP address (the URL parser writes IPv4 in
// dotted decimal and IPv6 in brackets): browsers refuse WebAuthn there, an
// RP ID being a domain name.
export function isIpAddress(hostname) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');
}

// Whether this page can use passkeys: 'yes'; 'unsupported' (the browser
// has no WebAuthn); 'ip-address' (the page was opened at an IP address,
// where the browser would refuse every passkey).
export function passkeysHere() {
  if (!passkeysSupported()) return 'unsupported';
  if (isIpAddress(window.location.hostname)) return 'ip-address';
  return 'yes';
}

// This page's origin by name, for a page opened at a loopback address
// (http://127.0.0.1:8080 → http://localhost:8080, a secure context where
// passkeys work), else null: for any other address the page cannot know
// the site's name.
export function localhostOrigin() {
  const { hostname, protocol, port } = window.location;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) && hostname !== '[::1]') return null;
  return `${protocol}//localhost${port ? `:${port}` : ''}`;
}

function toBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toText(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The browser refused or the user cancelled (or the time ran out): no
// answer from the authenticator at all.
export function isCancelled(error) {
  return Boolean(error && (error.name === 'NotAllowedError' || error.name === 'AbortError'));
}

// The browser would not run the ceremony here at all (no passkey for this
// site's RP ID, an insecure context, an IP address...): a DOMException,
// not an answer of the server.
export function isBrowserRefusal(error) {
  return Boolean(error && !error.response && !error.isAxiosError && typeof error.name === 'string'
    && /Error$/.test(error.name) && error.name !== 'AxiosError' && typeof DOMException !== 'undefined'
    && error instanceof DOMException);
}

// 401 {"msg": "Fresh token required"}: the session alone does not add a
// passkey; the login is not recent enough, so the password (and the
// second factor) must come with the request.
export const FRESH_REQUIRED = 'Fresh token required';

export function isFreshRequired(error) {
  const response = error && error.response;
  return Boolean(response && response.status === 401 && response.data
    && typeof response.data === 'object' && response.data.msg === FRESH_REQUIRED);
}

// An answer to the proof a stale session gave (a wrong password or code,
// a missing code): for the form, never the end of the session.
function proofRefused(error) {
  const response = error && error.response;
  const msg = response && response.data && typeof response.data === 'object' ? response.data.msg : '';
  return isFreshRequired(error) || (response && response.status === 401
    && (msg === 'Current password is incorrect' || msg === 'Invalid code'));
}

// The server refused the passkey (its checks, not the session).
export function isRefused(error) {
  const response = error && error.response;
  return Boolean(response && (response.status === 400 || response.status === 401) && response.data
    && typeof response.data === 'object' && typeof response.data.msg === 'string'
    && /passkey/i.test(response.data.msg));
}

// Creates a passkey on this device for the signed-in user, named `name`.
// A passkey is both factors: unless the login is fresh, `proof` must carry
// the password, and the code or recovery code when two-step verification
// is on ({ password, code } or { password, recovery_code }); without it
// the server answers 401 Fresh token required (isFreshRequired).
// Resolves to the stored credential { id, name, created, last_used }.
export async function registerPasskey(name, proof = null) {
  const { data: o } = await api.post('/api/webauthn/register/options', proof || {},
    { withCredentials: true, ownsRefusal: proofRefused });
  const credential = await navigator.credentials.create({
    publicKey: {
      ...o,
      challenge: toBytes(o.challenge),
      user: { ...o.user, id: toBytes(o.user.id) },
      excludeCredentials: o.excludeCredentials.map((d) => ({ ...d, id: toBytes(d.id) })),
    },
  });
  const response = await api.post('/api/webauthn/register', {
    id: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      attestationObject: toText(credential.response.attestationObject),
    },
    name,
  }, { withCredentials: true, ownsRefusal: isRefused });
  return response.data.credential;
}

// Signs in with a passkey this device (or a phone nearby) offers: the
// same cookies as a password login.
export async function signInWithPasskey(remember = false) {
  const { data: o } = await api.post('/api/webauthn/login/options', {},
    { withCredentials: true, expectAnonymous: true });
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge: toBytes(o.challenge),
      rpId: o.rpId,
      timeout: o.timeout,
      userVerification: o.userVerification,
      allowCredentials: [],
    },
  });
  const body = {
    id: toText(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toText(credential.response.clientDataJSON),
      authenticatorData: toText(credential.response.authenticatorData),
      signature: toText(credential.response.signature),
      userHandle: credential.response.userHandle ? toText(credential.response.userHandle) : null,
    },
  };
  if (remember) body.remember = true;
  const response = await api.post('/api/webauthn/login', body, { withCredentials: true, expectAnonymous: true });
  return response.data;
}

export async function listPasskeys() {
  const response = await api.get('/api/webauthn/credentials', { withCredentials: true });
  return response.data.credentials;
}

export async function removePasskey(id) {
  await api.delete(`/api/webauthn/credentials/${encodeURIComponent(id)}`, { withCredentials: true });
}
