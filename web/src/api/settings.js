// GET /api/settings: the limits the server checks names and passwords
// against, so the page checks the same ones before sending anything, and
// whether the site can send mail (without it, no reset link can reach
// anyone). A public endpoint (no cookie needed). Until it answers, and
// whenever it cannot (missing, failing, malformed), the server's defaults
// apply; mail is null (unknown) until then, and taken as possible when the
// server does not say.
import { api } from './client.js';

export const DEFAULT_SETTINGS = Object.freeze({ name_max: 100, password_min: 8, mail: null });

function positiveInteger(value, fallback) {
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

// Resolves to { name_max, password_min, mail }; never rejects.
export async function getSettings() {
  try {
    const response = await api.get('/api/settings', {
      withCredentials: true,
      // A refusal is no reason to end a session: this is only a hint.
      expectAnonymous: true,
      timeout: 5000,
    });
    const body = response.data && typeof response.data === 'object' ? response.data : {};
    return Object.freeze({
      name_max: positiveInteger(body.name_max, DEFAULT_SETTINGS.name_max),
      password_min: positiveInteger(body.password_min, DEFAULT_SETTINGS.password_min),
      mail: typeof body.mail === 'boolean' ? body.mail : true,
    });
  } catch {
    return Object.freeze({ ...DEFAULT_SETTINGS, mail: true });
  }
}
