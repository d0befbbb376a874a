// "Passkeys to keep": the account's passkeys, each with a checkbox (kept
// unless unchecked), for the forms that set a new password (the profile's
// change, the reset page). A passkey signs in by itself, so one that
// someone else added would outlive the new password unless removed here.
import { MSG, keepPasskeyLabel } from '../messages.js';

// `passkeys`: [{ id, name, created }]; `kept`: a Set of ids; `onToggle(id)`.
export default function KeepPasskeys({ passkeys, kept, onToggle }) {
  if (!passkeys || passkeys.length === 0) return null;
  return (
    <fieldset id="keep-passkeys" className="keep-passkeys" aria-describedby="keep-passkeys-hint">
      <legend>{MSG.keepPasskeysLegend}</legend>
      <p id="keep-passkeys-hint" className="field-hint">{MSG.keepPasskeysHint}</p>
      <ul className="checks">
        {passkeys.map((p) => (
          <li key={p.id} className="field-check">
            <input
              id={`keep-passkey-${p.id}`}
              type="checkbox"
              checked={kept.has(p.id)}
              onChange={() => onToggle(p.id)}
            />
            <label htmlFor={`keep-passkey-${p.id}`} dir="auto">{keepPasskeyLabel(p.name, p.created)}</label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

// The ids to send as "keep_passkeys": those of `passkeys` still checked,
// or null (send nothing: every passkey stays) when the list is unknown.
export function keptIds(passkeys, kept) {
  return Array.isArray(passkeys) ? passkeys.filter((p) => kept.has(p.id)).map((p) => p.id) : null;
}
