// The signed-in user's sessions: one per login on a device, each with its
// own refresh tokens.
import { api } from './client.js';

// [{ id, created, last_refreshed, user_agent, address, current }]
export async function listSessions() {
  const response = await api.get('/api/sessions', { withCredentials: true });
  return response.data.sessions;
}

export async function endSession(id) {
  await api.delete(`/api/sessions/${encodeURIComponent(id)}`, { withCredentials: true });
}

// Resolves to how many sessions ended.
export async function endOtherSessions() {
  const response = await api.post('/api/sessions/revoke-others', {}, { withCredentials: true });
  return response.data.revoked;
}
