#ifndef LK_MFA_H
#define LK_MFA_H

#include <stddef.h>

#include "decide/ctx.h"
#include "decide/throttle.h"
#include "domain/recovery.h"
#include "domain/store/store.h"
#include "domain/totp.h"

/*
 * Second factors in a request: TOTP set up, turned on and off, recovery
 * codes, and the login that waits between its password and its code.
 * The TOTP secret is kept sealed (secretbox.h) under the key of
 * mfa_key_file, bound to its user's id; the pending login is a random
 * value in an HttpOnly cookie (mfa_pending, Path=/api/login, 5 minutes)
 * of which the store keeps only the hash.  Every check that spends a
 * code is the store's, in the transaction that acts on it.  Every check
 * of a code, wherever it happens, is an attempt on the account's login
 * counters (lib/decide/throttle.h): one window, one limit.  Refusals go
 * through lk_deny(); nothing here writes a status.
 */

#define LK_MFA_PENDING_LIFE	300	/* seconds a login waits for its code */
/* Seconds a TOTP set-up waits for its first code before it is void. */
#define LK_MFA_SETUP_LIFE	LK_STORE_TOTP_SETUP_LIFE
#define LK_MFA_WINDOW		1	/* time steps of skew either way */
#define LK_MFA_TOKEN_BYTES	32	/* random bytes of a pending login */
/* Longest code field read; a code that is not six digits is a wrong one. */
#define LK_MFA_CODE_MAX		32

/* What a TOTP set-up hands the user, once. */
struct lk_mfa_setup {
	char	 secret[LK_BASE32_LEN(LK_TOTP_SECRET_LEN) + 1];	/* base32 */
	char	 uri[LK_TOTP_URI_MAX];
	char	*qr_svg;	/* release with lk_mfa_setup_clear */
};

/* Ten fresh recovery codes as shown, once. */
struct lk_mfa_codes {
	char	 code[LK_RECOVERY_COUNT][LK_RECOVERY_LEN + 1];
};

struct json_object;

/* A second factor as a request body gives it: one of the two is set. */
struct lk_mfa_proof {
	const char	*code;		/* "code": six digits from the app */
	const char	*recovery;	/* "recovery_code", as typed */
	size_t		 recovery_len;
};

/*
 * Read the second factor of a request body: "code" or "recovery_code"
 * (strings of at most LK_MFA_CODE_MAX and LK_RECOVERY_INPUT_MAX bytes),
 * exactly one of them.  The strings point into body.  Returns 0, or -1
 * denied (LK_R_FIELD_MISSING "code", LK_R_FIELD_TYPE, LK_R_FIELD_TOO_LONG,
 * LK_R_INVALID for both at once).
 */
int	lk_mfa_proof(struct lk_ctx *ctx, struct json_object *body,
	    struct lk_mfa_proof *out);

/*
 * The second factors of user.  Returns 0 with *state filled, or -1
 * denied (LK_R_UNAVAILABLE).
 */
int	lk_mfa_state(struct lk_ctx *ctx, const struct lk_user *user,
	    struct lk_mfa_state *state);

/*
 * The methods a user with state can finish a login with, as a JSON array
 * ("totp", "recovery_code", and "webauthn" when the user has a passkey).
 */
const char *lk_mfa_methods_json(const struct lk_mfa_state *state);

/*
 * The first step of the login of a user with TOTP on: the password
 * matched the stored hash user->hash (new_hash, if not NULL, is to
 * replace it).  Records the pending login (ending the user's others),
 * gives back the throttle reservations t without clearing them, and sets
 * the mfa_pending cookie.  Returns 1, 0 if the account changed meanwhile
 * (the login fails), or -1 denied.
 */
int	lk_mfa_first_step(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *new_hash, int remember, const struct lk_throttle *t);

/*
 * The second step (POST /api/login/mfa): the mfa_pending cookie's login
 * finished with the code or the recovery code of proof.  Throttled per
 * account and address as logins are.  On success the session's cookies
 * are set and the pending cookie cleared; returns 0.  Returns -1 denied:
 * LK_R_COOKIE_MISSING (no cookie: the password step was skipped),
 * LK_R_MFA_EXPIRED (unknown, used, expired, or the account changed),
 * LK_R_CODE (wrong, used or malformed code), LK_R_THROTTLED,
 * LK_R_UNAVAILABLE, LK_R_INTERNAL.
 */
int	lk_mfa_second_step(struct lk_ctx *ctx, const struct lk_mfa_proof *proof);

/*
 * The second factor of body for user, whose state is state, checked as
 * far as it can be before the store spends it (in the transaction of the
 * change it proves): *step for a good TOTP code (-1 for a recovery code),
 * hash for a recovery code.  Returns 0, or -1 denied (LK_R_CODE, audited
 * as event; LK_R_INTERNAL).
 */
int	lk_mfa_check(struct lk_ctx *ctx, const struct lk_user *user,
	    const struct lk_mfa_state *state, const struct lk_mfa_proof *proof,
	    long long *step, char hash[LK_RECOVERY_HASH_LEN + 1],
	    const char *event);

/*
 * Check the password of the signed-in user before a change of their
 * second factor: reserved against the login throttle first, as a login
 * is (t receives the counters, for lk_mfa_give_back once the change is
 * made).  Returns 0, or -1 denied (LK_R_WRONG_PASSWORD, audited;
 * LK_R_THROTTLED; LK_R_UNAVAILABLE; LK_R_INTERNAL).
 */
int	lk_mfa_password(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *password, struct lk_throttle *t);

/* Give back the reservations of a change that succeeded (t from above). */
void	lk_mfa_give_back(struct lk_ctx *ctx, const struct lk_throttle *t);

/*
 * Set up TOTP for user (not on yet: else LK_R_INVALID): a new secret,
 * sealed and stored waiting for its first code, its otpauth URI (issuer
 * site_name, account the email) and QR code into out.  The password is
 * checked first.  Returns 0 (release out with lk_mfa_setup_clear), or -1
 * denied.
 */
int	lk_mfa_setup(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *password, struct lk_mfa_setup *out);

/* Wipe what a set-up handed out. */
void	lk_mfa_setup_clear(struct lk_mfa_setup *out);

/*
 * Turn TOTP on with the first code of the secret set up (less than
 * LK_MFA_SETUP_LIFE seconds ago), with ten new recovery codes, given in
 * out.  The code is an attempt on the login throttle, given back when it
 * is right.  Returns 0, or -1 denied (LK_R_CODE; LK_R_THROTTLED;
 * LK_R_INVALID: nothing set up, a set-up expired, or set up anew
 * meanwhile).
 */
int	lk_mfa_enable(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *code, struct lk_mfa_codes *out);

/*
 * Turn TOTP off, with both factors: the password, then the code or
 * recovery code of proof.  Returns 0, or -1 denied
 * (LK_R_WRONG_PASSWORD, LK_R_CODE, LK_R_INVALID if TOTP is off).
 */
int	lk_mfa_disable(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *password, const struct lk_mfa_proof *proof);

/*
 * Replace the recovery codes of user, whose TOTP is on (else
 * LK_R_INVALID), with both factors: the password, then body's code or
 * recovery code (lk_mfa_proof; spent with the replacement, in its
 * transaction).  The new ones in out.  Returns 0, or -1 denied
 * (LK_R_FIELD_MISSING "code", LK_R_WRONG_PASSWORD, LK_R_CODE,
 * LK_R_THROTTLED, ...).
 */
int	lk_mfa_regenerate(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *password, struct json_object *body,
	    struct lk_mfa_codes *out);

/*
 * The proof a signed-in user whose login is not fresh gives for a change
 * that needs both factors (binding a passkey): body's "password" and,
 * when the account has TOTP on, its "code" or "recovery_code", checked
 * as lk_mfa_disable checks them (one attempt reserved on the login
 * throttle, received in t for lk_mfa_give_back once the change is
 * made).  *f says what the store spends in the change's transaction (no
 * factor: the account must still have none); a recovery code's hash goes
 * to hash.  Returns 0, or -1 denied: LK_R_FRESH (no "password" in body,
 * or no body), LK_R_WRONG_PASSWORD, LK_R_FIELD_MISSING "code",
 * LK_R_CODE, LK_R_THROTTLED, LK_R_UNAVAILABLE, LK_R_INTERNAL.
 */
int	lk_mfa_reauth(struct lk_ctx *ctx, const struct lk_user *user,
	    struct json_object *body, struct lk_factor_spend *f,
	    char hash[LK_RECOVERY_HASH_LEN + 1], struct lk_throttle *t);

/*
 * Write codes as a JSON array of strings to out.  Returns the length, or
 * -1 if out is too small.
 */
long	lk_mfa_codes_json(const struct lk_mfa_codes *codes, char *out,
	    size_t outsz);

/* Wipe codes. */
void	lk_mfa_codes_clear(struct lk_mfa_codes *codes);

#endif
