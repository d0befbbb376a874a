#ifndef LK_THROTTLE_H
#define LK_THROTTLE_H

#include "app.h"

/*
 * Brute-force defence for logins: failures are counted per account (the
 * email without regard to ASCII case, whether or not it exists) and per
 * client address (REMOTE_ADDR, never a forwarded header), in windows of
 * throttle_window seconds shared by all processes through the store.
 */

/*
 * Whether an attempt for email may go on.  Returns 0, or -1 with a 429
 * (and Retry-After) or a 503 written to the response.  Costs no hash.
 */
int	lk_throttle_check(struct lk_ctx *ctx, const char *email);

/* Count a failed attempt against the account and the address (one write). */
void	lk_throttle_failed(struct lk_ctx *ctx, const char *email);

/*
 * Forget the account's failures after a good login (a write only if the
 * last lk_throttle_check() of this request saw some).
 */
void	lk_throttle_succeeded(struct lk_ctx *ctx, const char *email);

#endif
