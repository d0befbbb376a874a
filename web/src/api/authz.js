// POST /api/authz/return-to: whether a login may send the browser back to
// an absolute URL (a page of another application the site protects, which
// sent the browser here to log in). The server alone knows the site's
// hosts (cookie_domain, the access rules' hosts, site_url); it answers
// {"url": URL} when the URL is on one of them, {"url": null} otherwise.
import { api } from './client.js';

// Resolves to the URL to go to, or null (refused, or no answer).
export async function returnTo(url) {
  try {
    const response = await api.post('/api/authz/return-to', { url }, {
      withCredentials: true,
      expectAnonymous: true,
      timeout: 5000,
    });
    const body = response.data && typeof response.data === 'object' ? response.data : {};
    return typeof body.url === 'string' && body.url === url ? body.url : null;
  } catch {
    return null;
  }
}
