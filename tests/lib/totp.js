// RFC 6238 TOTP, computed by the tests themselves (HMAC-SHA-1, 30-second
// steps), so that no code latchkey makes is taken on its own word; and
// base32 (RFC 4648) to read the secret a set-up hands out.
//
//   const { totp, base32Decode } = require('../lib/totp.js');
//   totp(base32Decode(secret), Math.floor(Date.now() / 1000 / 30))  // '123456'

'use strict';

const crypto = require('node:crypto');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Bytes of unpadded upper-case base32 text. */
function base32Decode(text) {
	let bits = 0;
	let acc = 0;
	const out = [];
	for (const ch of text) {
		const v = ALPHABET.indexOf(ch);
		if (v < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out.push((acc >> bits) & 0xff);
		}
	}
	return Buffer.from(out);
}

/** The code of time step `step` (RFC 4226's HOTP of the step counter). */
function totp(secret, step, digits = 6, alg = 'sha1') {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(step));
	const mac = crypto.createHmac(alg, secret).update(counter).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
	return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The time step of now (or of the Unix time `seconds`). */
function stepOf(seconds = Date.now() / 1000) {
	return Math.floor(seconds / 30);
}

module.exports = { base32Decode, totp, stepOf };
