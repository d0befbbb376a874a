#ifndef LK_PASSKEY_H
#define LK_PASSKEY_H

#include <stddef.h>

#include "decide/ctx.h"
#include "domain/store/store.h"

/*
 * Passkeys in a request: the WebAuthn ceremonies of registering one (a
 * signed-in user) and of signing in with one (anyone), over the checks of
 * webauthn.h and the store's one-use challenges.  The relying party is
 * the host the request reached, with the site's own origin as the request
 * reached it; or webauthn_rp_id, with https://RP_ID as its own (a Host
 * header proves nothing under a shared RP ID).  Those of allowed_origins
 * and cors_origins are accepted too, each compared exactly.  User
 * verification is required: a passkey counts as both factors.  Binary
 * fields travel as unpadded base64url, as the web app encodes them.
 * Refusals go through lk_deny(); nothing here writes a status.
 */

#define LK_PASSKEY_CHALLENGE_LIFE	300	/* seconds a challenge lives */
#define LK_PASSKEY_CHALLENGE_BYTES	32
#define LK_PASSKEY_MAX			20	/* passkeys of one user */
/*
 * Live challenges one client network (the throttle's address key) may
 * hold of each kind: enough for a busy office behind one address, a
 * bound on what a flood makes the store keep.
 */
#define LK_PASSKEY_CHALLENGES_MAX	256
#define LK_PASSKEY_NAME_MAX		64	/* characters of a passkey's name */

struct json_object;

/*
 * PublicKeyCredentialCreationOptions for user, as JSON, into out: a new
 * challenge (recorded), the user's handle (made on first use), ES256 and
 * RS256, attestation "none", a resident key and user verification
 * required, the user's passkeys excluded.  A passkey is both factors:
 * the caller has proved both, by a fresh login (f NULL) or by the
 * password and second factor of the request (f, lk_mfa_reauth), which
 * the store spends with the challenge, so that the registration (which
 * needs that live challenge) is bound to the proof.  Returns the
 * length, or -1 denied (LK_R_TOO_MANY when the address holds too many
 * live challenges; LK_R_CODE: the factor spent meanwhile;
 * LK_R_UNAVAILABLE; LK_R_INTERNAL).
 */
long	lk_passkey_register_options(struct lk_ctx *ctx,
	    const struct lk_user *user, const struct lk_factor_spend *f,
	    char *out, size_t outsz);

/*
 * Register the browser's answer to those options (body: {"id", "type",
 * "response": {"clientDataJSON", "attestationObject"}} and an optional
 * "name"), its challenge used up.  Returns 0 with *out the stored
 * passkey, or -1 denied (LK_R_INVALID "Passkey not accepted" for any
 * failed check, audited with the reason; a passkey registered already,
 * one too many; a bad name).
 */
int	lk_passkey_register(struct lk_ctx *ctx, const struct lk_user *user,
	    struct json_object *body, struct lk_passkey *out);

/*
 * PublicKeyCredentialRequestOptions for a passwordless sign-in, as JSON,
 * into out: a new challenge (recorded), the RP ID, user verification
 * required, no credentials named (the authenticator offers its own).
 * Returns the length, or -1 denied as above.
 */
long	lk_passkey_login_options(struct lk_ctx *ctx, char *out, size_t outsz);

/*
 * Sign in with the browser's assertion (body: {"id", "type",
 * "response": {"clientDataJSON", "authenticatorData", "signature",
 * "userHandle"}} and an optional "remember"): the challenge, type,
 * origin, RP ID hash, UP and UV, the signature with the stored key, the
 * sign counter (backwards: refused and audited) and the account.  On
 * success the session's cookies are set; returns 0.  Returns -1 denied
 * (LK_R_PASSKEY for every refusal, audited with its reason).
 */
int	lk_passkey_login(struct lk_ctx *ctx, struct json_object *body);

/*
 * The passkeys of user as JSON, {"credentials": [{"created", "id",
 * "last_used", "name"}, ...]}, into out.  Returns the length, or -1
 * denied.
 */
long	lk_passkey_list_json(struct lk_ctx *ctx, const struct lk_user *user,
	    char *out, size_t outsz);

/*
 * Write p as the JSON object the list holds, into out.  Returns the
 * length, or -1 if it does not fit.
 */
long	lk_passkey_json(const struct lk_passkey *p, char *out, size_t outsz);

/*
 * The passkeys of user as a JSON array of {"created", "id", "name"} (what
 * a reset page shows before the user signs in), into out.  Returns the
 * length, or -1 denied.
 */
long	lk_passkey_names_json(struct lk_ctx *ctx, const struct lk_user *user,
	    char *out, size_t outsz);

/* The passkeys a password change or reset keeps, as a body names them. */
struct lk_passkey_kept {
	const char		*id[LK_PASSKEY_MAX];
	struct lk_passkey_keep	 keep;
};

/*
 * Read body's optional "keep_passkeys": absent, every passkey stays
 * (out->keep.only 0); else a list of at most LK_PASSKEY_MAX passkey ids
 * (strings), and every other passkey of the account goes.  The ids point
 * into body.  Returns 0, or -1 denied (LK_R_INVALID).
 */
int	lk_passkey_keep_field(struct lk_ctx *ctx, struct json_object *body,
	    struct lk_passkey_kept *out);

/*
 * Delete the passkey id of user.  Returns 0, or -1 denied
 * (LK_R_NOT_FOUND if the user has none of that id).
 */
int	lk_passkey_delete(struct lk_ctx *ctx, const struct lk_user *user,
	    const char *id);

#endif
