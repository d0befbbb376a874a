#ifndef LK_THROTTLE_H
#define LK_THROTTLE_H

#include <stddef.h>

#include "decide/ctx.h"
#include "domain/store/store.h"

/*
 * Brute-force defence for everything that checks a password or a second
 * factor (every check of a code counts on the login counters of its
 * account and client, wherever it happens): attempts
 * are counted per account (the email without regard to ASCII case,
 * whether or not it exists) and per client address (REMOTE_ADDR, never a
 * forwarded header; an IPv6 client by its /throttle_ipv6_prefix network),
 * in windows of throttle_window seconds shared by all processes through
 * the store.  An attempt is reserved before its hash is computed and
 * given back when it succeeds, so that however many processes guess at
 * once, no more than the limit of hashes are spent per window.
 */

struct lk_throttle {
	char	account[LK_STORE_KEY_MAX];
	char	address[LK_STORE_KEY_MAX];
};

/*
 * Reserve an attempt for email from the request's address, filling *t
 * with the two counters' keys (for the give-back of a success).  Returns
 * 0, or -1 denied: LK_R_THROTTLED (with retry_after; audited, no hash
 * spent) or LK_R_UNAVAILABLE (fail closed: no counters, no attempt).
 */
int	lk_throttle_reserve(struct lk_ctx *ctx, const char *email,
	    struct lk_throttle *t);

/*
 * The same for another kind of attempt than a password check (scope
 * "reset": reset links asked for and used; "signup": sign-ups), on
 * counters of its own ("reset:account:...", "reset:address:..."), so that
 * asking for mail never locks anyone out of logging in, and with the same
 * limits and window.  Refused: LK_R_TOO_MANY (audited as
 * "<scope>_throttled"), or LK_R_UNAVAILABLE.
 */
int	lk_throttle_reserve_for(struct lk_ctx *ctx, const char *scope,
	    const char *email, struct lk_throttle *t);

/*
 * The same on the client's counter of scope alone, for what names no
 * account (following a link, before it is known whose): t->account is
 * left empty.
 */
int	lk_throttle_reserve_address(struct lk_ctx *ctx, const char *scope,
	    struct lk_throttle *t);

/*
 * The two counters' keys of an attempt of scope (NULL: a login) for
 * email from the request's address, into *t, without counting anything.
 */
void	lk_throttle_keys(const struct lk_ctx *ctx, const char *scope,
	    const char *email, struct lk_throttle *t);

/*
 * The key of the login counter of the account of email ("account:" and
 * the email, ASCII letters in lower case): what a completed reset clears,
 * and `latchkey user unlock`.
 */
void	lk_throttle_account_key(const char *email, char *out, size_t outsz);

/*
 * The counter key of a client address: "address:" and the address for
 * IPv4 (and IPv4-mapped IPv6), the network of its first prefix bits
 * ("address:2001:db8::/64") for IPv6, the text as given for anything
 * else.
 */
void	lk_throttle_address_key(const char *addr, long long prefix,
	    char *out, size_t outsz);

#endif
