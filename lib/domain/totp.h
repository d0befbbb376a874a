#ifndef LK_TOTP_H
#define LK_TOTP_H

#include <stddef.h>

/*
 * Time-based one-time passwords (RFC 6238) as authenticator apps use them:
 * HMAC-SHA-1, 6 digits, 30-second steps counted from the Unix epoch.  The
 * codes come from liboath; the secret's text form, the otpauth URI and the
 * acceptance rules (format, window, replay) are ours.  Nothing here reads
 * the clock: the caller passes the time.
 */

#define LK_TOTP_SECRET_LEN	20	/* bytes: the HMAC-SHA-1 block of RFC 4226 */
#define LK_TOTP_DIGITS		6
#define LK_TOTP_PERIOD		30	/* seconds per time step */
#define LK_TOTP_WINDOW_MAX	10	/* widest accepted skew, in steps */
#define LK_TOTP_NAME_MAX	128	/* bytes of an issuer or account name */

/* "No code accepted yet": the last step of a user who never logged in. */
#define LK_TOTP_NO_STEP		(-1LL)

/* Characters of unpadded base32 for n bytes (plus 1 for the NUL). */
#define LK_BASE32_LEN(n)	(((n) * 8 + 4) / 5)

/*
 * Longest otpauth URI (plus NUL) for a LK_TOTP_SECRET_LEN secret: each
 * byte of the two names may become "%XX", and the issuer appears twice.
 */
#define LK_TOTP_URI_MAX		(sizeof("otpauth://totp/:?secret=&issuer=" \
	"&algorithm=SHA1&digits=6&period=30") + \
	LK_BASE32_LEN(LK_TOTP_SECRET_LEN) + 3 * 3 * LK_TOTP_NAME_MAX)

enum lk_totp_res {
	LK_TOTP_OK,		/* accepted; *step is the matched time step */
	LK_TOTP_WRONG,		/* six digits, but no step in the window */
	LK_TOTP_REPLAY,		/* the code of a step not after last_step */
	LK_TOTP_MALFORMED,	/* not exactly six ASCII digits */
	LK_TOTP_ERROR		/* bad arguments or liboath failed: refuse */
};

/*
 * Fill secret with LK_TOTP_SECRET_LEN fresh random bytes.  Returns 0, or
 * -1 if the random source failed (the secret must not be used then).
 */
int	lk_totp_secret_new(unsigned char secret[LK_TOTP_SECRET_LEN]);

/*
 * Write n bytes as RFC 4648 base32 (upper case, without '=' padding, as
 * authenticator apps take it) plus NUL to out.  Returns the length
 * written, or -1 if out is too small.
 */
long	lk_base32_encode(const void *in, size_t n, char *out, size_t outsz);

/*
 * Decode base32 strictly: upper-case alphabet only, no padding, no
 * spaces, a length that whole bytes can have, and unused trailing bits
 * zero, so each byte string has one spelling.  Returns the decoded length,
 * or -1 (bad text, or out too small).
 */
long	lk_base32_decode(const char *in, size_t len, void *out, size_t outsz);

/*
 * Write the otpauth URI that enrols secret in an authenticator app:
 * "otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1
 * &digits=6&period=30", both names percent-encoded (RFC 3986: all but
 * unreserved characters, so ':' '@' '&' ' ' and UTF-8 bytes are escaped).
 * Names must be 1 to LK_TOTP_NAME_MAX bytes of UTF-8 text without control
 * characters.  Returns 0, or -1 (bad name or secret length, out smaller
 * than needed; LK_TOTP_URI_MAX always suffices).
 */
int	lk_totp_uri(const char *issuer, const char *account,
	    const unsigned char *secret, size_t secretlen,
	    char *out, size_t outsz);

/*
 * Write the code of time step step (Unix time / LK_TOTP_PERIOD), six
 * digits and NUL, to out: what an authenticator shows during that step.
 * Returns 0, or -1 (empty secret, negative or huge step, liboath failure).
 */
int	lk_totp_code(const unsigned char *secret, size_t secretlen,
	    long long step, char out[LK_TOTP_DIGITS + 1]);

/*
 * Check code, as typed, against the steps within window (0 to
 * LK_TOTP_WINDOW_MAX) of the step of now (Unix time), comparing each in
 * constant time.  A code is good once: a step at or before last_step (the
 * step accepted last, or LK_TOTP_NO_STEP) is a replay.  If a code matches
 * several steps, the latest one not yet used wins.  On LK_TOTP_OK *step is
 * the matched step, which the caller must record as the new last_step
 * before it reports success; otherwise *step is unchanged.
 */
enum lk_totp_res lk_totp_verify(const unsigned char *secret,
	    size_t secretlen, const char *code, long long now, int window,
	    long long last_step, long long *step);

#endif
