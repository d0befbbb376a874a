#ifndef LK_WEBAUTHN_H
#define LK_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

/*
 * WebAuthn Level 2 relying-party checks for passkeys: a registration
 * (navigator.credentials.create) and an assertion (navigator.credentials.get)
 * are verified against what the server expected.  Pure domain logic: the
 * caller base64url-decodes the browser's fields, issues and consumes the
 * one-use challenge, looks the credential up by its id and stores the
 * result.
 *
 * Accepted: ES256 (COSE -7, P-256) and RS256 (COSE -257, RSA 2048 to 4096
 * bits, public exponent at least 65537); attestation "none" with an empty
 * statement, and "packed" self attestation (no certificate), whose
 * signature is verified with the new credential's own key.  Since
 * latchkey asks for attestation "none" and trusts no attestation, a
 * "packed" statement with certificates (x5c) or any other format is
 * refused rather than guessed at.
 *
 * CBOR (attestationObject, the COSE key, authenticator extensions) is read
 * strictly: definite lengths only, no tags, no floats, no simple values but
 * false, true and null, valid UTF-8 text, integer or text map keys without
 * duplicates, at most LK_WEBAUTHN_CBOR_ITEMS entries per array or map,
 * nesting only as deep as WebAuthn needs, and no trailing bytes.  Shortest
 * encodings and key order are not required (authenticators vary there).
 */

#define LK_WEBAUTHN_ALG_ES256		(-7)
#define LK_WEBAUTHN_ALG_RS256		(-257)

/* Authenticator data flags (WebAuthn section 6.1). */
#define LK_WEBAUTHN_FLAG_UP		0x01	/* user present */
#define LK_WEBAUTHN_FLAG_UV		0x04	/* user verified */
#define LK_WEBAUTHN_FLAG_BE		0x08	/* backup eligible */
#define LK_WEBAUTHN_FLAG_BS		0x10	/* backed up */
#define LK_WEBAUTHN_FLAG_AT		0x40	/* attested credential data */
#define LK_WEBAUTHN_FLAG_ED		0x80	/* extension data */

/* Bounds on inputs; anything longer is refused before it is parsed. */
#define LK_WEBAUTHN_CLIENT_DATA_MAX	4096
#define LK_WEBAUTHN_ATT_OBJ_MAX		8192
#define LK_WEBAUTHN_AUTH_DATA_MAX	4096	/* an assertion's */
#define LK_WEBAUTHN_SIG_MAX		512	/* RSA 4096 */
#define LK_WEBAUTHN_CBOR_ITEMS		32
#define LK_WEBAUTHN_CHALLENGE_MIN	16
#define LK_WEBAUTHN_CHALLENGE_MAX	64

#define LK_WEBAUTHN_CRED_ID_MAX		1023
/* A DER SubjectPublicKeyInfo of an RSA-4096 key takes 550 bytes. */
#define LK_WEBAUTHN_PUBKEY_MAX		600

/*
 * Results.  Only LK_WEBAUTHN_OK accepts; every other value refuses, and
 * lk_webauthn_res_str gives its text for the audit log.
 */
enum lk_webauthn_res {
	LK_WEBAUTHN_OK,			/* "ok" */
	LK_WEBAUTHN_ERR_INTERNAL,	/* out of memory or an OpenSSL failure */
	LK_WEBAUTHN_ERR_USAGE,		/* bad expectations from the caller */
	LK_WEBAUTHN_ERR_TOO_LARGE,	/* an input is empty or over its bound */
	LK_WEBAUTHN_ERR_CLIENT_DATA,	/* clientDataJSON malformed */
	LK_WEBAUTHN_ERR_TYPE,		/* type not webauthn.create/.get */
	LK_WEBAUTHN_ERR_CHALLENGE,	/* challenge is not the one issued */
	LK_WEBAUTHN_ERR_ORIGIN,		/* origin not among the allowed */
	LK_WEBAUTHN_ERR_CROSS_ORIGIN,	/* ceremony ran in a cross-origin frame */
	LK_WEBAUTHN_ERR_TOKEN_BINDING,	/* token binding in use: unsupported */
	LK_WEBAUTHN_ERR_CBOR,		/* CBOR malformed or not strict */
	LK_WEBAUTHN_ERR_ATT_OBJ,	/* attestationObject is not {fmt, attStmt, authData} */
	LK_WEBAUTHN_ERR_ATT_FORMAT,	/* attestation format not accepted */
	LK_WEBAUTHN_ERR_ATT_SIGNATURE,	/* self attestation signature bad */
	LK_WEBAUTHN_ERR_AUTH_DATA,	/* authenticator data malformed */
	LK_WEBAUTHN_ERR_RP_ID,		/* rpIdHash is not SHA-256 of the RP ID */
	LK_WEBAUTHN_ERR_USER_PRESENT,	/* UP flag clear */
	LK_WEBAUTHN_ERR_USER_VERIFIED,	/* UV flag clear, UV required */
	LK_WEBAUTHN_ERR_BACKUP_FLAGS,	/* BS set without BE */
	LK_WEBAUTHN_ERR_CRED_ID,	/* credential id empty or too long */
	LK_WEBAUTHN_ERR_KEY_ALG,	/* key type, algorithm or curve refused */
	LK_WEBAUTHN_ERR_KEY,		/* key malformed or not a valid key */
	LK_WEBAUTHN_ERR_KEY_WEAK,	/* RSA modulus under 2048 bits */
	LK_WEBAUTHN_ERR_STORED_KEY,	/* stored key unusable for its algorithm */
	LK_WEBAUTHN_ERR_SIGNATURE,	/* assertion signature bad */
	LK_WEBAUTHN_ERR_COUNTER,	/* counter went backwards: cloned? */
	LK_WEBAUTHN__MAX
};

/*
 * What the server expects of a ceremony.  challenge is the raw bytes it
 * issued (LK_WEBAUTHN_CHALLENGE_MIN to _MAX bytes); rp_id the configured
 * RP ID; origins the allowed origins, each compared exactly with
 * clientDataJSON's origin (no case folding, no trailing-slash forgiveness);
 * require_uv non-zero to demand the UV flag.
 */
struct lk_webauthn_expect {
	const unsigned char	*challenge;
	size_t			 challenge_len;
	const char		*rp_id;
	const char *const	*origins;
	size_t			 origins_n;
	int			 require_uv;
};

/*
 * A credential as registered: what the store keeps.  pubkey is a DER
 * SubjectPublicKeyInfo (d2i_PUBKEY loads it), alg its COSE algorithm,
 * flags the authenticator data flags byte (see LK_WEBAUTHN_FLAG_*: UV, BE,
 * BS are the interesting ones).
 */
struct lk_webauthn_credential {
	unsigned char	 id[LK_WEBAUTHN_CRED_ID_MAX];
	size_t		 id_len;
	int		 alg;
	unsigned char	 pubkey[LK_WEBAUTHN_PUBKEY_MAX];
	size_t		 pubkey_len;
	uint32_t	 sign_count;
	unsigned char	 aaguid[16];
	uint8_t		 flags;
};

/* A stored credential, as an assertion is checked against it. */
struct lk_webauthn_stored {
	int			 alg;
	const unsigned char	*pubkey;	/* DER SubjectPublicKeyInfo */
	size_t			 pubkey_len;
	uint32_t		 sign_count;
};

/* What a good assertion tells the store. */
struct lk_webauthn_assertion {
	uint32_t	 sign_count;	/* to store in place of the old one */
	uint8_t		 flags;		/* LK_WEBAUTHN_FLAG_*; BS may change */
};

/*
 * Verify a registration response: client_data is clientDataJSON and
 * att_obj the attestationObject, both as raw bytes.  Checks type
 * "webauthn.create", the challenge, the origin, crossOrigin, the CBOR, the
 * RP ID hash, UP, UV if required, BE/BS consistency, the attested credential
 * data and its COSE key, and the attestation statement.  On LK_WEBAUTHN_OK
 * fills out; on any other result out is zeroed.  The caller must still
 * refuse a credential id that is already registered.
 */
enum lk_webauthn_res lk_webauthn_register_verify(
	    const struct lk_webauthn_expect *expect,
	    const unsigned char *client_data, size_t client_data_len,
	    const unsigned char *att_obj, size_t att_obj_len,
	    struct lk_webauthn_credential *out);

/*
 * Verify an assertion response (clientDataJSON, authenticatorData and
 * signature, raw bytes) made with the stored credential cred, found by the
 * caller from the response's credential id.  Checks type "webauthn.get",
 * the challenge, the origin, crossOrigin, the RP ID hash, UP, UV if
 * required, BE/BS consistency, the signature over authenticatorData ||
 * SHA-256(clientDataJSON) with cred's key under cred's algorithm only, then
 * the sign counter: when either counter is non-zero the new one must be
 * greater, or LK_WEBAUTHN_ERR_COUNTER (a signature was good, so a cloned
 * authenticator is likely: the caller should audit it and refuse).  On
 * LK_WEBAUTHN_OK fills out; otherwise out is zeroed.
 */
enum lk_webauthn_res lk_webauthn_assertion_verify(
	    const struct lk_webauthn_expect *expect,
	    const unsigned char *client_data, size_t client_data_len,
	    const unsigned char *auth_data, size_t auth_data_len,
	    const unsigned char *sig, size_t sig_len,
	    const struct lk_webauthn_stored *cred,
	    struct lk_webauthn_assertion *out);

/* A short text for r, for the audit log ("challenge mismatch", ...). */
const char	*lk_webauthn_res_str(enum lk_webauthn_res r);

#endif
