// A small HTTP client for the tests: exact control over method, headers
// and body bytes, and the raw response (status, every header, Set-Cookie
// lines, body text).

'use strict';

const crypto = require('node:crypto');
const http = require('node:http');

/**
 * request(baseURL, { method, path, headers, body, cookie })
 * body: a string/Buffer sent as is, or an object sent as JSON.
 */
function request(baseURL, opts = {}) {
	const url = new URL(opts.path ?? '/', baseURL);
	const headers = { ...(opts.headers ?? {}) };
	let body = opts.body;
	if (body !== undefined && body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
		body = JSON.stringify(body);
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['Content-Type'] = 'application/json';
	}
	if (opts.cookie !== undefined) headers.Cookie = opts.cookie;
	if (body !== undefined && body !== null &&
	    !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
		headers['Content-Length'] = Buffer.byteLength(body);
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: url.hostname, port: url.port, path: url.pathname + url.search,
			method: opts.method ?? 'GET', headers, agent: false,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({
					status: res.statusCode,
					headers: res.headers,
					setCookies: res.headers['set-cookie'] ?? [],
					body: text,
					json() { return JSON.parse(text); },
				});
			});
		});
		req.on('error', reject);
		if (body !== undefined && body !== null) req.write(body);
		req.end();
	});
}

/** Cookie name -> value from Set-Cookie lines. */
function cookiesFrom(setCookies) {
	const out = {};
	for (const line of setCookies) {
		const [pair] = line.split(';');
		const i = pair.indexOf('=');
		out[pair.slice(0, i)] = pair.slice(i + 1);
	}
	return out;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** Sign a JWT by hand: any header, any payload (objects or raw strings). */
function forge(header, payload, key, alg = 'sha256') {
	const h = b64url(typeof header === 'string' ? header : JSON.stringify(header));
	const p = b64url(typeof payload === 'string' ? payload : JSON.stringify(payload));
	const sig = alg === null ? '' :
	    b64url(crypto.createHmac(alg, key).update(`${h}.${p}`).digest());
	return `${h}.${p}.${sig}`;
}

/** Decode a JWT's header and payload without checking anything. */
function decode(token) {
	const [h, p, s] = token.split('.');
	return {
		header: JSON.parse(Buffer.from(h, 'base64url').toString()),
		headerRaw: Buffer.from(h, 'base64url').toString(),
		payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
		signature: s,
	};
}

/** Check an HS256 signature independently of latchkey. */
function hs256Valid(token, key) {
	const i = token.lastIndexOf('.');
	const want = b64url(crypto.createHmac('sha256', key).update(token.slice(0, i)).digest());
	return want === token.slice(i + 1);
}

module.exports = { request, cookiesFrom, forge, decode, hs256Valid };
