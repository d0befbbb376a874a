'use strict';
// GET /.well-known/jwks.json on every way latchkey is served — make run's
// lighttpd (run.conf.in, on SQLite and on PostgreSQL), make run-apache's
// mod_fcgid (apache/latchkey-fcgid.conf), the shared-hosting .htaccess
// under plain CGI, the shipped lighttpd/lighttpd.conf — and a JOSE
// library no one here wrote (the npm package jose, from this folder's
// lockfile) verifying access cookies against it, while forged tokens are
// refused by both.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const jose = require('jose');

const { startServer, kinds } = require('../lib/server.js');
const { haveApache } = require('../lib/apache.js');
const { request, cookiesFrom, decode } = require('../lib/http.js');
const { makeInstance, startLighttpdProd } = require('../authz/helpers.js');

const DEMO = { email: 'test@example.com', password: 'password123', name: 'John Doe' };
const ALG_REFUSED = '{"msg":"The specified alg value is not allowed"}\n';

async function login(baseURL) {
	const res = await request(baseURL, { method: 'POST', path: '/api/login',
	    body: { email: DEMO.email, password: DEMO.password } });
	assert.equal(res.status, 200, res.body);
	return cookiesFrom(res.setCookies).access_token_cookie;
}

const profile = (baseURL, token) => request(baseURL, { path: '/api/profile',
    cookie: `access_token_cookie=${token}` });

/** The JWK Set's answer, checked for what every server must send. */
async function jwks(baseURL) {
	const res = await request(baseURL, { path: '/.well-known/jwks.json' });
	assert.equal(res.status, 200, res.body);
	assert.equal(res.headers['content-type'], 'application/json');
	assert.equal(res.headers['cache-control'], 'public, max-age=300');
	return res;
}

/** Verify token as a third party would, from the server's JWKS URL alone. */
function verify(baseURL, token, algorithms) {
	const set = jose.createRemoteJWKSet(new URL(`${baseURL}/.well-known/jwks.json`));
	return jose.jwtVerify(token, set, { algorithms });
}

const servings = [
	...kinds().map((kind) => ({ name: kind, skip: kind.startsWith('apache') && !haveApache(kind.slice(7)) &&
	    'apache2 or mod_fcgid not installed',
	    start: (config) => startServer({ kind, config }) })),
	{ name: 'the shipped lighttpd/lighttpd.conf', skip: false, start: async (config) => {
		const inst = makeInstance([DEMO], config);
		return startLighttpdProd({ dir: inst.dir, config: inst.config, members: inst.members });
	} },
];

for (const s of servings) {
	describe(`/.well-known/jwks.json on ${s.name}`, { skip: s.skip }, () => {
		it('holds no HS256 secret, only the OpenID provider\'s RS256 key', async () => {
			const srv = await s.start('');
			try {
				const res = await jwks(srv.baseURL);
				const set = JSON.parse(res.body);
				assert.deepEqual(set.keys.map((k) => k.alg), ['RS256']);
				assert.deepEqual(Object.keys(set.keys[0]), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
				assert.doesNotMatch(res.body, /"k"|"oct"|"d"/);
				// Without its key file (a site older than the provider), none.
				if (srv.dir !== undefined) {
					fs.renameSync(path.join(srv.dir, 'oidc.key'), path.join(srv.dir, 'oidc.key.away'));
					assert.equal((await jwks(srv.baseURL)).body, '{"keys":[]}\n');
					fs.renameSync(path.join(srv.dir, 'oidc.key.away'), path.join(srv.dir, 'oidc.key'));
				}
				// HEAD too; any other method is not allowed.
				assert.equal((await request(srv.baseURL, { method: 'HEAD', path: '/.well-known/jwks.json' })).status, 200);
				assert.equal((await request(srv.baseURL, { method: 'POST', path: '/.well-known/jwks.json',
				    body: {} })).status, 405);
			} finally {
				await srv.stop();
			}
		});

		it('under ES256 publishes the signing key, and jose verifies an access cookie with it', async () => {
			const srv = await s.start('token_algorithm = ES256\n');
			try {
				const token = await login(srv.baseURL);
				const set = (await jwks(srv.baseURL)).json();
				// The site's key first, then the OpenID provider's.
				assert.deepEqual(set.keys.map((x) => x.alg), ['ES256', 'RS256']);
				const [k] = set.keys;
				assert.deepEqual(Object.keys(k), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
				assert.equal(k.kid, decode(token).header.kid);
				const { payload, protectedHeader } = await verify(srv.baseURL, token, ['ES256']);
				assert.equal(payload.sub, DEMO.email);
				assert.equal(protectedHeader.alg, 'ES256');
			} finally {
				await srv.stop();
			}
		});
	});
}

describe('RS256 and the forged tokens (lighttpd)', () => {
	let srv;
	let hsKid;
	let esKid;
	let privatePem;
	let publicPem;
	before(async () => {
		// Rotated from HS256 to ES256: an HS256 key retired, an ES256 one current.
		srv = await startServer({ kind: 'lighttpd', config: 'token_algorithm = ES256\n',
		    secret: crypto.randomBytes(32).toString('hex') });
		hsKid = srv.tool(['key', 'list']).stdout.split('\t')[0];
		const r = srv.tool(['key', 'rotate']);
		assert.equal(r.status, 0, r.stderr);
		esKid = /^new key ([0-9a-f]{16})$/m.exec(r.stdout)[1];
		privatePem = fs.readFileSync(path.join(srv.dir, 'secret.key'), 'utf8');
		publicPem = crypto.createPublicKey(privatePem).export({ type: 'spki', format: 'pem' });
	});
	after(async () => { await srv?.stop(); });

	const claims = () => {
		const now = Math.floor(Date.now() / 1000);
		return { fresh: false, iat: now, jti: crypto.randomUUID(), type: 'access', sub: DEMO.email,
		    nbf: now, csrf: crypto.randomUUID(), exp: now + 600 };
	};
	const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
	// The order of P-256: (r, s) and (r, n - s) both verify.
	const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
	/** The token with its signature's S replaced by n - S. */
	const flipS = (token) => {
		const [h, p, sig] = token.split('.');
		const raw = Buffer.from(sig, 'base64url');
		const s = N - BigInt(`0x${raw.subarray(32).toString('hex')}`);
		raw.set(Buffer.from(s.toString(16).padStart(64, '0'), 'hex'), 32);
		return `${h}.${p}.${raw.toString('base64url')}`;
	};
	const isHighS = (token) => BigInt(`0x${Buffer.from(token.split('.')[2], 'base64url')
	    .subarray(32).toString('hex')}`) > N / 2n;
	/** Signed as a JOSE library that keeps S low (latchkey takes no other). */
	const es256 = (header, payload) => {
		const input = `${b64(header)}.${b64(payload)}`;
		const sig = crypto.sign('sha256', Buffer.from(input), { key: privatePem, dsaEncoding: 'ieee-p1363' });
		const token = `${input}.${sig.toString('base64url')}`;
		return isHighS(token) ? flipS(token) : token;
	};
	const hs256 = (header, payload, key) => {
		const input = `${b64(header)}.${b64(payload)}`;
		return `${input}.${crypto.createHmac('sha256', key).update(input).digest('base64url')}`;
	};
	/** Refused by latchkey with body, and by jose. */
	async function refused(token, body) {
		const res = await profile(srv.baseURL, token);
		assert.equal(res.status, 422, res.body);
		assert.equal(res.body, body);
		await assert.rejects(verify(srv.baseURL, token, ['ES256', 'RS256', 'HS256']));
	}

	it('our tokens have flask-jwt-extended\'s header and claims, and verify with the public PEM alone', async () => {
		const token = await login(srv.baseURL);
		const { header, payload } = decode(token);
		assert.deepEqual(header, { alg: 'ES256', kid: esKid, typ: 'JWT' });
		const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures',
		    'flask-jwt-extended.json'), 'utf8'));
		const flask = Object.values(fx.tokens).find((t) => t.claims?.type === 'access');
		assert.deepEqual(Object.keys(payload).sort(), Object.keys(flask.claims).sort());
		// As flask-jwt-extended with JWT_ALGORITHM = "ES256" and JWT_PUBLIC_KEY would.
		const { payload: p } = await jose.jwtVerify(token, await jose.importSPKI(publicPem, 'ES256'));
		assert.equal(p.sub, DEMO.email);
	});

	it('a token signed right is taken by both (the forged ones below differ in one thing)', async () => {
		const token = es256({ alg: 'ES256', kid: esKid, typ: 'JWT' }, claims());
		assert.equal((await profile(srv.baseURL, token)).status, 200);
		await verify(srv.baseURL, token, ['ES256']);
	});

	it('refuses the high-S twin of a good token, on the API and at the authorizer', async () => {
		for (const token of [es256({ alg: 'ES256', kid: esKid, typ: 'JWT' }, claims()),
		    await login(srv.baseURL)]) {
			assert.equal(isHighS(token), false);
			const twin = flipS(token);
			assert.notEqual(twin, token);
			// A good ECDSA signature all the same, as Node's crypto sees it.
			const [h, p, sig] = twin.split('.');
			assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: publicPem,
			    dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url')));
			assert.equal((await profile(srv.baseURL, token)).status, 200);
			const res = await profile(srv.baseURL, twin);
			assert.equal(res.status, 422, res.body);
			assert.equal(res.body, '{"msg":"Signature verification failed"}\n');
			const members = await request(srv.baseURL, { path: '/members/',
			    cookie: `access_token_cookie=${twin}`, headers: { Accept: 'application/json' } });
			assert.equal(members.status, 401, members.body);
			assert.equal(members.body, '{"msg":"Signature verification failed"}\n');
		}
	});

	it('refuses an HS256 token keyed with the public key\'s PEM', async () => {
		await refused(hs256({ alg: 'HS256', kid: esKid, typ: 'JWT' }, claims(), publicPem), ALG_REFUSED);
		// The PEM as a JWK's bytes or without the kid is no better.
		await refused(hs256({ alg: 'HS256', kid: esKid, typ: 'JWT' }, claims(),
		    JSON.stringify((await jwks(srv.baseURL)).json().keys[0])), ALG_REFUSED);
	});

	it('refuses an ES256 token under the HS256 key\'s kid', async () => {
		await refused(es256({ alg: 'ES256', kid: hsKid, typ: 'JWT' }, claims()), ALG_REFUSED);
	});

	it('refuses a kid that does not exist', async () => {
		await refused(es256({ alg: 'ES256', kid: '0000000000000000', typ: 'JWT' }, claims()),
		    '{"msg":"Signature verification failed"}\n');
	});

	it('refuses alg none, in any spelling', async () => {
		for (const alg of ['none', 'None', 'NONE'])
			await refused(`${b64({ alg, kid: esKid, typ: 'JWT' })}.${b64(claims())}.`, ALG_REFUSED);
	});

	it('under RS256 too, jose verifies against the JWKS', async () => {
		const r = srv.tool(['key', 'rotate', '--algorithm', 'RS256']);
		assert.equal(r.status, 0, r.stderr);
		const token = await login(srv.baseURL);
		assert.equal(decode(token).header.alg, 'RS256');
		const set = (await jwks(srv.baseURL)).json();
		// The RS256 key and the ES256 key it replaced (tokens of it live on),
		// then the OpenID provider's two (the plain rotate of before() rotated
		// it too).
		assert.deepEqual(set.keys.map((k) => k.alg), ['RS256', 'ES256', 'RS256', 'RS256']);
		assert.deepEqual(Object.keys(set.keys[0]), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
		const { payload } = await verify(srv.baseURL, token, ['RS256']);
		assert.equal(payload.sub, DEMO.email);
		// An RS256 token under the ES256 kid: the key pins the algorithm.
		const h = { alg: 'RS256', kid: esKid, typ: 'JWT' };
		const input = `${b64(h)}.${b64(claims())}`;
		const rsPem = fs.readFileSync(path.join(srv.dir, 'secret.key'), 'utf8');
		const forged = `${input}.${crypto.sign('sha256', Buffer.from(input), rsPem).toString('base64url')}`;
		await refused(forged, ALG_REFUSED);
	});
});

describe('a verify-only node reading a JWKS file (lighttpd)', () => {
	let full;
	let verify;
	before(async () => {
		full = await startServer({ kind: 'lighttpd', config: 'token_algorithm = RS256\n' });
		// The same SQLite database, and the JWK Set the full node serves as its keys.
		fs.writeFileSync(path.join(full.dir, 'jwks.json'), (await jwks(full.baseURL)).body);
		const conf = path.join(full.dir, 'verify.conf');
		fs.writeFileSync(conf, 'cookie_secure = false\npublic_keys = jwks.json\n');
		verify = await startServer({ kind: 'lighttpd', prepared: { dir: full.dir, config: conf } });
	});
	after(async () => {
		await verify?.stop();
		await full?.stop();
	});

	it('checks the full node\'s tokens, publishes the same set, and cannot issue', async () => {
		const token = await login(full.baseURL);
		const p = await profile(verify.baseURL, token);
		assert.equal(p.status, 200, p.body);
		assert.equal((await jwks(verify.baseURL)).body, (await jwks(full.baseURL)).body);
		const r = await request(verify.baseURL, { method: 'POST', path: '/api/login',
		    body: { email: DEMO.email, password: DEMO.password } });
		assert.equal(r.status, 503);
		assert.equal(r.body, '{"msg":"This node cannot issue tokens"}\n');
		// The site's key and the provider's (whose tokens are never cookies).
		assert.match(verify.log(), /verifying with 2 public keys from \S+jwks\.json/);
		// A JWKS file others may write is refused: the node stops serving.
		fs.chmodSync(path.join(full.dir, 'jwks.json'), 0o666);
		const refused = await profile(verify.baseURL, token);
		assert.equal(refused.status, 503);
		assert.match(verify.log(), /not serving: public keys \S+jwks\.json: mode 0666 lets group or others write it/);
		fs.chmodSync(path.join(full.dir, 'jwks.json'), 0o644);
		assert.equal((await profile(verify.baseURL, token)).status, 200);
	});
});
