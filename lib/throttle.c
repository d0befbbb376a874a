#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "log.h"
#include "store.h"
#include "throttle.h"

#define KEY_MAX	(LK_EMAIL_MAX + 16)


static void
account_key(const char *email, char *out, size_t outsz)
{
	size_t	o, i;

	o = (size_t)snprintf(out, outsz, "account:");
	for (i = 0; email[i] != '\0' && o + 1 < outsz; i++, o++)
		out[o] = (email[i] >= 'A' && email[i] <= 'Z') ?
		    (char)(email[i] - 'A' + 'a') : email[i];
	out[o] = '\0';
}

static void
address_key(struct lk_ctx *ctx, char *out, size_t outsz)
{
	(void)snprintf(out, outsz, "address:%s", ctx->req->remote_addr);
}

int
lk_throttle_check(struct lk_ctx *ctx, const char *email)
{
	const struct lk_config	*cfg = ctx->cfg;
	char			 key[KEY_MAX];
	char			 waitstr[24];
	long long		 fa, ea, fd, ed, wait = 0, now = ctx->now;

	ctx->account_failures = 0;
	account_key(email, key, sizeof(key));
	if (lk_store_throttle_get(ctx->store, key, cfg->throttle_window, now,
	    &fa, &ea) != LK_STORE_OK)
		goto unavailable;
	ctx->account_failures = fa;
	address_key(ctx, key, sizeof(key));
	if (lk_store_throttle_get(ctx->store, key, cfg->throttle_window, now,
	    &fd, &ed) != LK_STORE_OK)
		goto unavailable;
	if (fa >= cfg->throttle_account_max)
		wait = ea - now;
	if (fd >= cfg->throttle_address_max && ed - now > wait)
		wait = ed - now;
	if (fa < cfg->throttle_account_max && fd < cfg->throttle_address_max)
		return 0;
	if (wait < 1)
		wait = 1;
	(void)snprintf(waitstr, sizeof(waitstr), "%lld", wait);
	lk_log_audit("login_throttled", ctx->now, ctx->req->remote_addr, email,
	    "retry_after", waitstr, "hashes", "0", (char *)NULL);
	lk_response_msg(ctx->resp, 429,
	    "Too many failed login attempts, try again later");
	lk_response_header(ctx->resp, "Retry-After", "%lld", wait);
	return -1;
unavailable:
	/* Fail closed: without the counters, no attempt goes through. */
	lk_response_msg(ctx->resp, 503, "Service unavailable");
	return -1;
}

void
lk_throttle_failed(struct lk_ctx *ctx, const char *email)
{
	char	key[KEY_MAX];
	int	own;

	/* Both counts in one transaction: one disk sync, not two. */
	own = lk_store_begin(ctx->store) == LK_STORE_OK;
	account_key(email, key, sizeof(key));
	(void)lk_store_throttle_fail(ctx->store, key, ctx->cfg->throttle_window,
	    (long long)ctx->now);
	address_key(ctx, key, sizeof(key));
	(void)lk_store_throttle_fail(ctx->store, key, ctx->cfg->throttle_window,
	    (long long)ctx->now);
	if (own && lk_store_commit(ctx->store) != LK_STORE_OK)
		lk_store_rollback(ctx->store);
}

void
lk_throttle_succeeded(struct lk_ctx *ctx, const char *email)
{
	char	key[KEY_MAX];

	/* The address keeps its count: one good account must not reset it. */
	if (ctx->account_failures == 0)
		return;
	account_key(email, key, sizeof(key));
	(void)lk_store_throttle_clear(ctx->store, key);
}
