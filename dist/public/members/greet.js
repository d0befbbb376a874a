// The demo page's greeting: the user's email and name, from the server's
// SSI where it runs one (Apache's mod_include), otherwise from
// GET /api/profile with the page's own cookie (lighttpd, which serves the
// page as it is). Set as text, never as HTML; nothing shown if neither
// has it.
const greeting = document.getElementById('greeting');
const email = document.getElementById('email');
const name = document.getElementById('name');

function show(user) {
  email.textContent = user.email;
  name.textContent = user.name;
  greeting.hidden = false;
}

if (email.textContent !== '') {
  greeting.hidden = false;
} else {
  fetch('/api/profile', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : null))
    .then((user) => {
      if (user && typeof user.email === 'string' && typeof user.name === 'string') show(user);
    })
    .catch(() => {});
}
