// Every sentence the app shows a person, in one place, so the pages and the
// end-to-end tests (tests/e2e) agree on the exact wording.

export const MSG = {
  emailMissing: 'Enter your email address.',
  emailInvalid: 'Enter an email address like name@example.com.',
  passwordMissing: 'Enter your password.',
  nameMissing: 'Enter a name.',
  // The server refused a name the page let through (400): said plainly, not
  // in the API's field-name wording, and without a limit the page may have
  // got wrong.
  nameRefused: 'The server did not accept this name. Try a shorter one, in ordinary letters, numbers and punctuation.',
  nameInvisible: 'The name contains invisible characters that are not allowed, such as marks that change the direction of text. Type the name again without them.',
  wrongCredentials: 'Wrong email or password.',
  cookieNotKept: 'Logged in, but the browser did not keep the session cookie. Allow cookies for this site and try again.',
  tooManyLater: 'Too many attempts. Try again later.',
  unreachable: 'Cannot reach the server. Check your connection and try again.',
  timeout: 'The server did not answer in time. Try again.',
  forbidden: 'The server refused this request. Reload the page and try again.',
  loading: 'Loading…',
  loggingIn: 'Logging in…',
  loggingOut: 'Logging out…',
  loggedOut: 'You have logged out.',
  loggedOutElsewhere: 'You were logged out in another tab.',
  sessionEnded: 'Your session has ended. Please log in again.',
  loginRequired: 'Please log in to see your profile.',
  saving: 'Saving…',
  nameSaved: 'Name saved.',
  currentPasswordMissing: 'Enter your current password.',
  newPasswordMissing: 'Enter a new password.',
  confirmPasswordMissing: 'Enter the new password again.',
  passwordsDiffer: 'This does not match the new password.',
  samePassword: 'The new password must be different from the current one.',
  wrongCurrentPassword: 'Your current password is not correct.',
  changingPassword: 'Changing your password…',
  passwordChanged: 'Password changed. Your other sessions have been logged out.',
  showPassword: 'Show password',
  hidePassword: 'Hide password',
  capsLockOn: 'Caps Lock is on',
  // The login's second step.
  codeStep: 'Enter the 6-digit code from your authenticator app.',
  recoveryStep: 'Enter one of your recovery codes. Each one works once.',
  codeMissing: 'Enter the code from your authenticator app.',
  recoveryMissing: 'Enter a recovery code.',
  codeWrong: 'That code is not right. Check your authenticator app and try again.',
  recoveryWrong: 'That recovery code is not right, or it was used already.',
  loginExpired: 'The login took too long or was replaced by another one. Log in again.',
  verifying: 'Checking the code…',
  // Passkeys.
  passkeySigningIn: 'Waiting for your passkey…',
  passkeyCancelled: 'The passkey was not used: the request was cancelled or timed out.',
  passkeyNotHere: 'The browser will not use a passkey on this address of the site.',
  passkeyRefused: 'This passkey was not accepted. Try another one, or log in with your password.',
  passkeysUnsupported: 'This browser cannot use passkeys.',
  passkeyAdding: 'Waiting for your device to create the passkey…',
  passkeyAdded: 'Passkey added.',
  passkeyRemoved: 'Passkey removed.',
  passkeyNotCreated: 'No passkey was created: the request was cancelled or timed out.',
  passkeyNameMissing: 'Enter a name for the passkey.',
  passkeyHeldAlready: 'This device holds one of your passkeys already.',
  noPasskeys: 'You have no passkeys yet.',
  // A passkey signs in by itself: adding one after a while asks who it is.
  passkeyProof: 'A passkey signs in without your password, so adding one asks for it: enter your password, then create the passkey.',
  passkeyProofCode: 'A passkey signs in without your password or code, so adding one asks for both: enter your password and a code from your authenticator app (or a recovery code), then create the passkey.',
  // Which passkeys stay when the password changes.
  keepPasskeysLegend: 'Passkeys to keep',
  keepPasskeysHint: 'A passkey signs in without the password. Uncheck any passkey you do not recognise: it is removed with the new password.',
  // Two-step verification on the profile.
  totpOff: 'Two-step verification is off. Turn it on to be asked for a code from an authenticator app after your password.',
  totpScan: 'Scan this QR code with your authenticator app, or enter the key below by hand. Then enter the code the app shows.',
  totpTurnedOn: 'Two-step verification is on.',
  totpTurnedOff: 'Two-step verification is off.',
  recoveryIntro: 'Save these recovery codes somewhere safe: each one logs you in once if you lose your authenticator app. They are shown only now.',
  recoveryCopied: 'Recovery codes copied.',
  recoveryNotCopied: 'The browser did not let the page copy the codes. Select them and copy them yourself.',
  factorMissing: 'Enter a code from your authenticator app, or a recovery code.',
  mfaPasswordMissing: 'Enter your password.',
  mfaPasswordWrong: 'Your password is not correct.',
  working: 'Working…',
  // Sessions.
  noOtherSessions: 'No other device is signed in.',
  oneSessionEnded: 'That session has been logged out.',
  otherSessionsEnded: 'Your other sessions have been logged out.',
  // Accounts by mail: the reset link, the pages a link opens.
  forgotPassword: 'Forgot password?',
  forgotNoMail: 'Forgot your password? Ask the site\'s administrator to reset it: this site does not send mail.',
  forgotPageNoMail: 'This site does not send mail, so no link can reach you. Ask the site\'s administrator to reset your password.',
  forgotIntro: 'Enter the email address of your account, and we will send a link to choose a new password to it.',
  sendingLink: 'Sending…',
  resetLinkSent: 'If an account has this address, a link to choose a new password is on its way to it. Check your inbox.',
  backToLogin: 'Back to log in',
  resetIntro: 'Choose the new password of your account. Every session of the account will be logged out.',
  inviteIntro: 'Choose the password of your new account. You will be logged in with it.',
  checkingLink: 'Checking the link…',
  settingPassword: 'Setting the password…',
  passwordReset: 'Your password has been reset. Log in with the new one.',
  linkInvalid: 'This link is invalid or has expired.',
  askNewLink: 'Ask for a new link',
  askNewInvitation: 'Ask whoever invited you for a new invitation.',
  resetCodeStep: 'This account has two-step verification: enter a code to finish.',
  codeHint: 'The 6-digit code from your authenticator app.',
  recoveryCodeHint: 'One of the recovery codes you saved.',
  recoveryCodeMissing: 'Enter one of your recovery codes.',
  resetCodeWrong: 'This code is not right. Check it and try again.',
  // The site's access rules keep a session out of a page.
  deniedSecondFactor: 'The page you asked for needs a login with a second factor: a code from your authenticator app, a recovery code, or a passkey. Log out and log in again with one. If you have none yet, set one up on your profile first.',
  deniedAccess: 'Your account may not open the page you asked for. To open it, log out and log in with an account that may.',
  logInAgain: 'Log out and log in again',
  goToProfile: 'Go to your profile',
  loginSecondFactor: 'The page you asked for needs a login with a second factor: your password and a code from your authenticator app, or a passkey.',
  loginOtherAccount: 'The page you asked for is not open to the account you used. Log in with one it is open to.',
};

// The name every document title ends with.
export const APP_NAME = 'latchkey';

// What each page is called in the document title (WCAG 2.4.2): the tab,
// the window list and a screen reader's first words on arrival.
export const PAGE_TITLES = {
  login: 'Log in',
  profile: 'Profile',
  notFound: 'Page not found',
  forgot: 'Forgot password',
  reset: 'New password',
  invite: 'Invitation',
  denied: 'Access denied',
  secondFactor: 'Second factor required',
};

// "Log in – latchkey": the page first, the site after it.
export function documentTitle(page) {
  return `${page} – ${APP_NAME}`;
}

// Sentences that carry the server's limits (GET /api/settings, or the
// defaults when it does not answer).
export function newPasswordShort(min) {
  return `The new password must have at least ${min} characters.`;
}

export function passwordHint(min) {
  return `At least ${min} characters.`;
}

// The reset and invitation pages' first sentence, naming the account the
// link is for (from the link's check).
export function resetIntroFor(email, name) {
  const who = name ? `${name}, ${email}` : email;
  return `Choose the new password of the account of ${who}. Every session of the account will be logged out.`;
}

export function inviteIntroFor(email, name) {
  const who = name ? `${name}, ${email}` : email;
  return `Choose the password of the new account of ${who}. You will be logged in with it.`;
}

// A passkey's checkbox on the reset page and the password form.
export function keepPasskeyLabel(name, created) {
  return `Keep ${name} (added ${when(created)})`;
}

export function recoveryLeft(n) {
  return `Two-step verification is on. ${n} recovery code${n === 1 ? '' : 's'} left.`;
}

// "2 Dec 2026, 14:05" in the reader's own language and time zone.
export function when(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// Instead of "Sign in with a passkey" and "Add a passkey" on a page opened
// at an IP address; `byName` is the same site by name, when known.
export function passkeysAtIpAddress(byName) {
  const where = byName ? `Open ${byName} to use them.` : 'Open the site by its name to use them.';
  return `Passkeys are not offered here: browsers refuse them on a site opened by its IP address. ${where}`;
}

export function nameTooLong(max) {
  return `A name can have at most ${max} characters.`;
}


// "Too many attempts. Try again in 30 seconds." from a Retry-After header
// (delta-seconds or an HTTP date), or the general wording without one.
export function tooManyAttempts(retryAfter, now = Date.now()) {
  let seconds = NaN;
  if (typeof retryAfter === 'string' && /^\s*\d+\s*$/.test(retryAfter)) {
    seconds = Number(retryAfter);
  } else if (typeof retryAfter === 'string' && retryAfter.trim() !== '') {
    const when = Date.parse(retryAfter);
    if (!Number.isNaN(when)) seconds = Math.max(0, Math.ceil((when - now) / 1000));
  }
  if (!Number.isFinite(seconds) || seconds <= 0) return MSG.tooManyLater;
  if (seconds < 120) {
    return `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  }
  return `Too many attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`;
}

// The message for a failed request, in words a person can act on.
// `whenUnauthorized` is what a 401 means at the call site (wrong credentials
// on the login form).
export function describeError(error, whenUnauthorized = MSG.sessionEnded) {
  const response = error && error.response;
  if (!response) {
    if (error && error.code === 'ECONNABORTED') return MSG.timeout;
    return MSG.unreachable;
  }
  const body = response.data && typeof response.data === 'object' ? response.data : {};
  switch (response.status) {
    case 401:
      return whenUnauthorized;
    case 403:
      return MSG.forbidden;
    case 429:
      return tooManyAttempts(response.headers ? response.headers['retry-after'] : undefined);
    case 400:
    case 413:
    case 415:
      return serverMsg(body)
        ? `The server did not accept this: ${serverMsg(body)}`
        : 'The server did not accept this request.';
    default:
      // The server's own reason where it gives one ("This node cannot
      // issue tokens" says more than any guess of ours).
      return serverMsg(body)
        ? `The server could not do this: ${serverMsg(body)} (HTTP ${response.status}).`
        : `Something went wrong on the server (HTTP ${response.status}). Try again in a moment.`;
  }
}

// The `msg` of an API answer's JSON body, or '' when it has none (a
// proxy's HTML error page, an empty body). Cut to a sentence's length.
function serverMsg(body) {
  if (!body || typeof body.msg !== 'string') return '';
  const msg = body.msg.trim();
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
}

// After a logout the server could not record (a verify-only node): this
// browser's cookies are cleared, the session itself goes on.
export function loggedOutHereOnly(reason) {
  const why = reason ? ` (${reason})` : '';
  return `You are logged out in this browser, but the server could not end the session${why}: it stays valid until it expires. To end it now, log in again and log it out under “Sessions”.`;
}
