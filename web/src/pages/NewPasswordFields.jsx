// "New password" and "Confirm new password", for the pages that set a
// password from a link (reset, invitation), with the checks the page
// makes before any request.
import { PasswordField } from '../components.jsx';
import { MSG, newPasswordShort, passwordHint } from '../messages.js';

// { next, confirm } errors for the two fields; empty when both are fine.
export function checkNewPassword(next, confirm, min) {
  const errors = {};
  if (next === '') errors.next = MSG.newPasswordMissing;
  else if ([...next].length < min) errors.next = newPasswordShort(min);
  if (!errors.next) {
    if (confirm === '') errors.confirm = MSG.confirmPasswordMissing;
    else if (confirm !== next) errors.confirm = MSG.passwordsDiffer;
  }
  return errors;
}

export default function NewPasswordFields({
  next, confirm, onNext, onConfirm, errors, min, nextRef, confirmRef,
}) {
  return (
    <>
      <PasswordField
        id="new-password"
        label="New password"
        inputRef={nextRef}
        autoComplete="new-password"
        minLength={min}
        value={next}
        onChange={(event) => onNext(event.target.value)}
        error={errors.next}
        hint={passwordHint(min)}
      />
      <PasswordField
        id="confirm-password"
        label="Confirm new password"
        inputRef={confirmRef}
        autoComplete="new-password"
        value={confirm}
        onChange={(event) => onConfirm(event.target.value)}
        error={errors.confirm}
      />
    </>
  );
}
