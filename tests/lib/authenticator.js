// A software WebAuthn authenticator and client for the HTTP tests: it
// answers latchkey's creation and request options as a browser and a
// passkey would (attestation "none", ES256 or RS256 keys made here with
// node's crypto), and lets a test break any part of the answer on purpose.
//
//   const key = new Authenticator({ alg: -7 });
//   const att = key.register(options, { origin: 'http://127.0.0.1:PORT' });
//   const as = key.assert(options, { origin });
//
// Both return the PublicKeyCredential as the web app sends it (binary
// fields unpadded base64url).

'use strict';

const crypto = require('node:crypto');

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const unb64 = (s) => Buffer.from(s, 'base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** CBOR (RFC 8949) of integers, byte and text strings, arrays and maps. */
function cbor(v) {
	const head = (major, n) => {
		if (n < 24) return Buffer.from([(major << 5) | n]);
		if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
		if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b; }
		const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
	};
	if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
	if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
	if (typeof v === 'string') { const t = Buffer.from(v, 'utf8'); return Buffer.concat([head(3, t.length), t]); }
	if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
	if (v instanceof Map) {
		const parts = [head(5, v.size)];
		for (const [k, val] of v) parts.push(cbor(k), cbor(val));
		return Buffer.concat(parts);
	}
	throw new Error(`cbor: cannot encode ${typeof v}`);
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

class Authenticator {
	/** alg: -7 (ES256) or -257 (RS256); counter: its first sign count. */
	constructor({ alg = -7, counter = 0 } = {}) {
		this.alg = alg;
		this.counter = counter;
		this.credentialId = crypto.randomBytes(16);
		this.aaguid = Buffer.alloc(16);
		const { publicKey, privateKey } = alg === -7 ?
		    crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }) :
		    crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
		this.publicKey = publicKey;
		this.privateKey = privateKey;
		this.userHandle = null;
	}

	get id() { return b64(this.credentialId); }

	/** The credential's public key as a COSE_Key (RFC 9053, RFC 8230). */
	coseKey() {
		const jwk = this.publicKey.export({ format: 'jwk' });
		if (this.alg === -7)
			return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, unb64(jwk.x)], [-3, unb64(jwk.y)]]));
		return cbor(new Map([[1, 3], [3, -257], [-1, unb64(jwk.n)], [-2, unb64(jwk.e)]]));
	}

	authData(rpId, flags, attested) {
		const count = Buffer.alloc(4);
		count.writeUInt32BE(this.counter >>> 0);
		const parts = [sha256(rpId), Buffer.from([flags]), count];
		if (attested) {
			const len = Buffer.alloc(2);
			len.writeUInt16BE(this.credentialId.length);
			parts.push(this.aaguid, len, this.credentialId, this.coseKey());
		}
		return Buffer.concat(parts);
	}

	/**
	 * Answer creation options as navigator.credentials.create() would.
	 * opts: origin (required), and to break it: type, challenge, rpId,
	 * flags, fmt, attStmt, crossOrigin, id (the credential id sent).
	 */
	register(options, opts) {
		const rpId = opts.rpId ?? options.rp.id;
		this.userHandle = options.user.id;
		const clientData = Buffer.from(JSON.stringify({
			type: opts.type ?? 'webauthn.create',
			challenge: opts.challenge ?? options.challenge,
			origin: opts.origin,
			crossOrigin: opts.crossOrigin ?? false,
		}));
		const authData = this.authData(rpId, opts.flags ?? (FLAG_UP | FLAG_UV | FLAG_AT), true);
		const attObj = cbor(new Map([['fmt', opts.fmt ?? 'none'], ['attStmt', opts.attStmt ?? new Map()],
			['authData', authData]]));
		return {
			id: opts.id ?? this.id, rawId: opts.id ?? this.id, type: 'public-key',
			response: { clientDataJSON: b64(clientData), attestationObject: b64(attObj) },
		};
	}

	/**
	 * Answer request options as navigator.credentials.get() would, the
	 * counter moved on by one (opts.counter sets it instead). opts: origin,
	 * and to break it: type, challenge, rpId, flags, userHandle, sign
	 * (false: a signature of other bytes).
	 */
	assert(options, opts) {
		if (opts.counter !== undefined) this.counter = opts.counter;
		else this.counter++;
		const rpId = opts.rpId ?? options.rpId;
		const clientData = Buffer.from(JSON.stringify({
			type: opts.type ?? 'webauthn.get',
			challenge: opts.challenge ?? options.challenge,
			origin: opts.origin,
			crossOrigin: false,
		}));
		const authData = this.authData(rpId, opts.flags ?? (FLAG_UP | FLAG_UV), false);
		const signed = Buffer.concat([authData, sha256(opts.sign === false ? Buffer.from('other') : clientData)]);
		// DER for ES256 (as WebAuthn has it), PKCS#1 v1.5 for RS256.
		const signature = crypto.sign('sha256', signed, this.privateKey);
		return {
			id: this.id, rawId: this.id, type: 'public-key',
			response: {
				clientDataJSON: b64(clientData), authenticatorData: b64(authData),
				signature: b64(signature),
				userHandle: opts.userHandle !== undefined ? opts.userHandle : this.userHandle,
			},
		};
	}
}

module.exports = { Authenticator, cbor, FLAG_UP, FLAG_UV, FLAG_AT };
