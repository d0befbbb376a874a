#ifndef LK_CTX_H
#define LK_CTX_H

#include "domain/config.h"
#include "domain/keyring.h"
#include "domain/rules.h"
#include "domain/store/store.h"
#include "domain/token.h"
#include "http/request.h"
#include "http/response.h"

/*
 * One request's context, shared by the decision layer (auth, session,
 * throttle) and the runtime (app): what the process loaded, the request,
 * the response under construction, the time, and — when the request is
 * refused — why.  The decision layer says why with lk_deny(); the runtime
 * alone turns the reason into a status and a message (app.c's table).
 */

/*
 * Why a request is refused.  Values from LK_R_TOKEN on are a token's
 * refusal: LK_R_TOKEN + its enum lk_token_err.
 */
enum lk_reason {
	LK_R_OK,
	LK_R_NOT_FOUND,		/* no such path */
	LK_R_METHOD,		/* method not allowed here */
	LK_R_ORIGIN,		/* a foreign origin, or a refused preflight */
	LK_R_TOO_LARGE,		/* body over max_body */
	LK_R_BAD_BODY,		/* bad CONTENT_LENGTH, body cut short */
	LK_R_NOT_JSON,		/* Content-Type not application/json */
	LK_R_BAD_JSON,		/* body not a JSON object */
	LK_R_FIELD_MISSING,	/* arg: the field */
	LK_R_FIELD_TYPE,	/* arg: the field */
	LK_R_FIELD_TOO_LONG,	/* arg: the field */
	LK_R_INVALID,		/* arg: the reason, for the user */
	LK_R_COOKIE_TOO_LARGE,	/* Cookie header over its limit */
	LK_R_COOKIE_MISSING,	/* arg: the cookie's name */
	LK_R_CSRF_MISSING,
	LK_R_CSRF_MISMATCH,
	LK_R_REVOKED,		/* logged out, replaced, reused, ... */
	LK_R_USER,		/* arg: the token's subject, gone or disabled */
	LK_R_THROTTLED,		/* retry_after set */
	LK_R_WRONG_PASSWORD,	/* the current password, on a change */
	LK_R_UNAVAILABLE,	/* the store failed */
	LK_R_CANNOT_ISSUE,	/* a verify-only node: no signing key */
	LK_R_CANNOT_REVOKE,	/* a verify-only node: no writing to the store */
	LK_R_INTERNAL,		/* memory, random source, hashing */
	LK_R_CODE,		/* a second factor's code refused */
	LK_R_MFA_EXPIRED,	/* a login's first step is gone (used, expired) */
	LK_R_PASSKEY,		/* a passkey sign-in refused */
	LK_R_TOO_MANY,		/* mail or challenges asked for too often;
				 * retry_after set */
	LK_R_LINK,		/* a one-time link unknown, used or expired */
	LK_R_ACCESS_DENIED,	/* the access rules deny it */
	LK_R_SECOND_FACTOR,	/* the rules want a login with a second factor */
	LK_R_BAD_PATH,		/* a request path the rules refuse to read */
	LK_R_FRESH,		/* a fresh login (or proof in the body) needed */
	LK_R_PROXY,		/* forward auth asked by a peer not trusted */
	LK_R_NOT_ADMIN,		/* an admin route, the user not in admin_group */
	LK_R_ADMIN_NETWORK,	/* an admin route, the client not in
				 * admin_networks */
	LK_R_CONFLICT,		/* arg: why the change cannot be made */
	LK_R_TOKEN,
	LK_R__MAX = LK_R_TOKEN + LK_TOKEN__MAX
};

#define LK_DENIAL_ARG_MAX	400

struct lk_denial {
	enum lk_reason	 reason;
	char		 arg[LK_DENIAL_ARG_MAX];
	long long	 retry_after;	/* seconds, for LK_R_THROTTLED */
	int		 signs_out;	/* the answer clears the session's cookies */
};

/* What the runtime loads when a request first needs it. */
enum lk_need {
	LK_NEED_KEYS,
	LK_NEED_STORE,
	LK_NEED_RULES,
	LK_NEED_OIDC_KEYS
};

#define LK_ROUTE_ARG_MAX	128

struct lk_outbox;	/* lib/decide/notify.h */

/* The longest URL of an original request a forward-auth check reads. */
#define LK_FORWARD_URL_MAX	2048
#define LK_FORWARD_LOCATION_MAX	(2 * 256 + 16 + 3 * LK_FORWARD_URL_MAX)

/*
 * A forward-auth check (lib/decide/forward.h): how the runtime answers it
 * when it is refused for want of a session.
 */
struct lk_forward {
	int	 active;	/* this request is a forward-auth check */
	int	 redirect;	/* 302 or 303 to location; 0: a 401 */
	char	 location[LK_FORWARD_LOCATION_MAX];	/* the login page, or "" */
};

struct lk_ctx {
	/* Loaded once per process (keys and store when first needed). */
	const struct lk_config	*cfg;
	const struct lk_keyring	*keys;		/* NULL until loaded */
	const struct lk_keyring	*oidc_keys;	/* the provider's, likewise */
	struct lk_store		*store;		/* NULL until opened */
	const struct lk_rules	*rules;		/* NULL until loaded */
	int			(*load)(struct lk_ctx *, enum lk_need);
	struct lk_token_cache	*tokens;	/* verified tokens, or NULL */
	/* This request. */
	struct lk_request	*req;
	struct lk_response	*resp;
	long long		 now;
	struct lk_denial	 denial;	/* LK_R_OK while going on */
	/* The segment a route's ":name" matched (lib/app/route.h), else "". */
	char			 route_arg[LK_ROUTE_ARG_MAX + 1];
	/* Mail to send once the answer is out (lib/decide/notify.h), or NULL. */
	struct lk_outbox	*outbox;
	struct lk_forward	 forward;
};

/*
 * Refuse the request for reason (arg, may be NULL, completes the message
 * where the reason takes one).  The first refusal stands.  Returns -1, so
 * that callers can "return lk_deny(...)".
 */
int	lk_deny(struct lk_ctx *ctx, enum lk_reason reason, const char *arg);

/*
 * Refuse as lk_deny does, and have the answer clear the session's four
 * cookies all the same.  A refusal carries no other Set-Cookie: the
 * runtime drops whatever the response held, then writes the clearing
 * lines itself.  For a logout that this node cannot record, where the
 * browser must be signed out anyway.  If the request was refused
 * already, that refusal stands as it was.  Returns -1.
 */
int	lk_deny_signing_out(struct lk_ctx *ctx, enum lk_reason reason,
	    const char *arg);

/* The refusal of a token error. */
int	lk_deny_token(struct lk_ctx *ctx, enum lk_token_err err);

/* One store result a caller expects besides LK_STORE_OK, and its refusal. */
struct lk_store_refusal {
	enum lk_store_res	 res;
	enum lk_reason		 reason;
	const char		*arg;	/* completes the message, or NULL */
};

/*
 * Turn the store result res into the request's answer: LK_STORE_OK goes
 * on (0); a result of map[0..n) refuses with its reason and argument;
 * any other (LK_STORE_ERROR, which the store logged, or one the caller
 * does not expect) refuses as LK_R_UNAVAILABLE, failing closed.  Returns
 * 0, or -1 denied.
 */
int	lk_deny_store(struct lk_ctx *ctx, enum lk_store_res res,
	    const struct lk_store_refusal *map, size_t n);

/* The number of refusals in the array map, for lk_deny_store's n. */
#define LK_NREFUSALS(map)	(sizeof(map) / sizeof((map)[0]))

/*
 * The keys, and the store, loaded by the runtime when a request first
 * needs them, so that a request that needs neither (a refusal before any
 * token, a plain-CGI process answering 401) costs neither.  NULL, with the
 * request refused as LK_R_UNAVAILABLE and the reason logged, if they
 * cannot be loaded.  The store's functions take NULL as a failed store.
 */
const struct lk_keyring *lk_ctx_keys(struct lk_ctx *ctx);
struct lk_store *lk_ctx_store(struct lk_ctx *ctx);

/*
 * The OpenID provider's key ring (oidc_key_file), loaded as the keys
 * are: NULL on a verify-only node or while it cannot be loaded (logged);
 * with required set, the request is then refused as LK_R_UNAVAILABLE,
 * else left alone (the JWK Set goes on without it).
 */
const struct lk_keyring *lk_ctx_oidc_keys(struct lk_ctx *ctx, int required);

/*
 * The access rules of the configuration's access_rules file, loaded by
 * the runtime when a request first needs them and again when the file
 * changes.  NULL, with the request refused as LK_R_UNAVAILABLE and the
 * file's error (with its line) logged, while the file cannot be read or
 * has an error: no request is decided on rules that are not all there.
 */
const struct lk_rules *lk_ctx_rules(struct lk_ctx *ctx);

#endif
