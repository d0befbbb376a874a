'use strict';
// A page on another origin (a second loopback port) that tries to act on the
// user's behalf: forms that submit themselves on load, and a credentialed
// fetch. Being on 127.0.0.1 too, it is same-site with the app, so SameSite=Lax
// cookies are sent along: only the server's own checks can stop it.
const http = require('node:http');

function escapeAttribute(value) {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

// A form that posts `fields` ([name, value] pairs) to `action` on load.
function autoSubmittingForm(action, enctype, fields) {
  const inputs = fields
    .map(([name, value]) => `<input type="hidden" name="${escapeAttribute(name)}" value="${escapeAttribute(value)}">`)
    .join('');
  return `<!doctype html><title>win a prize</title>
<form id="f" method="POST" action="${escapeAttribute(action)}" enctype="${enctype}">${inputs}</form>
<script>document.getElementById('f').submit();</script>`;
}

// text/plain forms send "name=value": with name '{"a":"b","x":"' and
// value '"}' the body reads as JSON, the classic JSON-CSRF trick.
function jsonLookingFields(object) {
  const json = JSON.stringify({ ...object, x: '' });
  return [[json.slice(0, -2), '"}']];
}

function attackPages(target) {
  const demo = { email: 'test@example.com', password: 'password123' };
  return {
    '/logout-text-plain': autoSubmittingForm(`${target}/api/logout`, 'text/plain', jsonLookingFields({})),
    '/logout-urlencoded': autoSubmittingForm(`${target}/api/logout`, 'application/x-www-form-urlencoded', [['x', '1']]),
    '/login-urlencoded': autoSubmittingForm(`${target}/api/login`, 'application/x-www-form-urlencoded',
      [['email', demo.email], ['password', demo.password]]),
    '/login-text-plain': autoSubmittingForm(`${target}/api/login`, 'text/plain', jsonLookingFields(demo)),
    '/profile-text-plain': autoSubmittingForm(`${target}/api/profile`, 'text/plain',
      jsonLookingFields({ name: 'Mallory' })),
    '/profile-method-override': autoSubmittingForm(`${target}/api/profile?_method=PATCH`,
      'application/x-www-form-urlencoded', [['_method', 'PATCH'], ['name', 'Mallory']]),
    // The refresh cookie (Path=/api/refresh) goes along with this one.
    '/refresh-text-plain': autoSubmittingForm(`${target}/api/refresh`, 'text/plain', jsonLookingFields({})),
    '/password-text-plain': autoSubmittingForm(`${target}/api/password`, 'text/plain',
      jsonLookingFields({ current_password: demo.password, new_password: 'mallory-was-here' })),
    // Cookies are not separated by port, so this page can read the CSRF
    // cookie; the custom header still needs a CORS preflight the API must refuse.
    '/fetch-patch': `<!doctype html><title>waiting</title><script>
const csrf = (document.cookie.match(/(?:^|; )csrf_access_token=([^;]*)/) || [])[1] || '';
fetch(${JSON.stringify(`${target}/api/profile`)}, {
  method: 'PATCH', credentials: 'include',
  headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': decodeURIComponent(csrf) },
  body: JSON.stringify({ name: 'Mallory' }),
}).then((r) => { document.title = 'answered ' + r.status + (csrf ? ' with csrf' : ' without csrf'); },
        (e) => { document.title = 'blocked ' + e.name + (csrf ? ' with csrf' : ' without csrf'); });
</script>`,
  };
}

// Starts the attacker's site; resolves to { origin, stop() }.
async function startAttacker(target) {
  const pages = attackPages(target);
  const server = http.createServer((request, response) => {
    const page = pages[new URL(request.url, 'http://attacker').pathname];
    if (!page) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not here\n');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end(page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startAttacker };
