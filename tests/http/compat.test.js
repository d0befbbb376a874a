// Wire compatibility with the seed's backend: replay what Flask with
// flask-jwt-extended answered (tests/fixtures/flask-jwt-extended.json)
// against latchkey configured with the same secret, and compare.

'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { startServer, kinds, repoRoot } = require('../lib/server.js');
const { request, cookiesFrom, decode, hs256Valid } = require('../lib/http.js');

const fixturePath = process.env.LK_FIXTURE ||
    path.join(repoRoot, 'tests', 'fixtures', 'flask-jwt-extended.json');
const fixture = JSON.parse(fs.readFileSync(fixturePath, 'utf8'));

// Every exchange of the fixture is on a route latchkey serves.
const served = (e) => ['/api/login', '/api/profile', '/api/logout', '/api/refresh']
    .includes(e.request.path);

for (const kind of kinds()) {
	describe(`flask-jwt-extended compatibility on ${kind}`, () => {
		let srv;
		before(async () => {
			srv = await startServer({ kind, secret: fixture.secret });
		});
		after(async () => { await srv?.stop(); });

		for (const ex of fixture.exchanges.filter(served)) {
			it(`answers like Flask: ${ex.note}`, async () => {
				const rq = ex.request;
				const res = await request(srv.baseURL, {
					method: rq.method, path: rq.path, headers: rq.headers,
					body: rq.body === null ? undefined : rq.body,
				});
				assert.equal(res.status, ex.response.status);
				assert.equal(res.headers['content-type'], ex.response.content_type);
				// One field more than Flask's: the profile's groups (the
				// user's, sorted; the fixture's user is in none), in its
				// place among the sorted keys.  Everything else as it was.
				const body = rq.path === '/api/profile' && ex.response.status === 200 ?
				    ex.response.body.replace(/^\{"email":("[^"]*"),/, '{"email":$1,"groups":[],') :
				    ex.response.body;
				assert.equal(res.body, body);
				// The same cookies by name, cleared where Flask clears them,
				// with Flask's attributes plus SameSite=Lax (and Max-Age=0
				// when clearing); the refresh cookie is scoped to its
				// endpoint instead of Flask's default Path=/.
				const want = cookiesFrom(ex.response.set_cookie);
				const got = cookiesFrom(res.setCookies);
				const names = Object.keys(want);
				// Login also starts a refresh session (the seed's backend
				// sets access cookies only): those two come on top.
				const extra = Object.keys(got).filter((n) => !names.includes(n));
				assert.deepEqual(Object.keys(got).filter((n) => names.includes(n)), names);
				assert.deepEqual(extra, rq.path === '/api/login' && ex.response.status === 200 ?
				    ['refresh_token_cookie', 'csrf_refresh_token'] : []);
				for (const n of names) {
					if (want[n] === '') assert.equal(got[n], '');
					const flaskLine = ex.response.set_cookie.find((l) => l.startsWith(`${n}=`));
					const ourLine = res.setCookies.find((l) => l.startsWith(`${n}=`));
					const attrs = (l) => l.split('; ').slice(1).filter((a) => a !== 'Max-Age=0' &&
					    a !== 'SameSite=Lax').map((a) => n === 'refresh_token_cookie' &&
					    a === 'Path=/api/refresh' ? 'Path=/' : a);
					assert.deepEqual(attrs(ourLine), attrs(flaskLine));
				}
			});
		}

		it('issues tokens shaped like flask-jwt-extended\'s, verifiable with the same secret', async () => {
			const ex = fixture.exchanges.find((e) => e.note.startsWith('good login'));
			const res = await request(srv.baseURL, { method: 'POST', path: '/api/login',
			    body: ex.request.body });
			const ours = decode(cookiesFrom(res.setCookies).access_token_cookie);
			const theirs = decode(cookiesFrom(ex.response.set_cookie).access_token_cookie);
			// Flask's header, plus the kid naming the signing key.
			const { kid, ...rest } = ours.header;
			assert.match(kid, /^[0-9a-f]{16}$/);
			assert.equal(JSON.stringify(rest), theirs.headerRaw);
			assert.deepEqual(Object.keys(ours.payload).sort(), Object.keys(theirs.payload).sort());
			for (const k of Object.keys(theirs.payload))
				assert.equal(typeof ours.payload[k], typeof theirs.payload[k], k);
			assert.equal(ours.payload.exp - ours.payload.iat, theirs.payload.exp - theirs.payload.iat);
			assert.ok(hs256Valid(cookiesFrom(res.setCookies).access_token_cookie, fixture.secret));
		});

		it('verifies every token flask-jwt-extended minted', async () => {
			const t = fixture.tokens;
			let res = await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${t.access_valid.token}` });
			assert.equal(res.status, 200);
			res = await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${t.access_fresh_valid.token}` });
			assert.equal(res.status, 200);
			res = await request(srv.baseURL, { path: '/api/profile',
			    cookie: `access_token_cookie=${t.access_expired.token}` });
			assert.equal(res.body, '{"msg":"Token has expired"}\n');
			res = await request(srv.baseURL, { method: 'PATCH', path: '/api/profile',
			    cookie: `access_token_cookie=${t.access_fresh_valid.token}`,
			    headers: { 'X-CSRF-TOKEN': t.access_fresh_valid.claims.csrf },
			    body: { name: 'John Doe' } });
			assert.equal(res.body, '{"email":"test@example.com","groups":[],"name":"John Doe"}\n');
		});
	});
}
