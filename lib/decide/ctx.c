#include <string.h>

#include "base/util.h"
#include "decide/ctx.h"

int
lk_deny(struct lk_ctx *ctx, enum lk_reason reason, const char *arg)
{
	if (ctx->denial.reason != LK_R_OK)
		return -1;
	ctx->denial.reason = reason < LK_R__MAX ? reason : LK_R_INTERNAL;
	ctx->denial.arg[0] = '\0';
	/* A longer argument is cut: it only completes a message. */
	if (arg != NULL) {
		(void)strncpy(ctx->denial.arg, arg, sizeof(ctx->denial.arg) - 1);
		ctx->denial.arg[sizeof(ctx->denial.arg) - 1] = '\0';
	}
	return -1;
}

int
lk_deny_signing_out(struct lk_ctx *ctx, enum lk_reason reason,
    const char *arg)
{
	if (ctx->denial.reason != LK_R_OK)
		return -1;
	(void)lk_deny(ctx, reason, arg);
	ctx->denial.signs_out = 1;
	return -1;
}

int
lk_deny_token(struct lk_ctx *ctx, enum lk_token_err err)
{
	return lk_deny(ctx, err < LK_TOKEN__MAX ?
	    (enum lk_reason)(LK_R_TOKEN + err) : LK_R_INTERNAL, NULL);
}

int
lk_deny_store(struct lk_ctx *ctx, enum lk_store_res res,
    const struct lk_store_refusal *map, size_t n)
{
	size_t	i;

	if (res == LK_STORE_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (map[i].res == res)
			return lk_deny(ctx, map[i].reason, map[i].arg);
	return lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
}

const struct lk_keyring *
lk_ctx_keys(struct lk_ctx *ctx)
{
	if (ctx->keys == NULL && (ctx->load == NULL ||
	    ctx->load(ctx, LK_NEED_KEYS) == -1 || ctx->keys == NULL)) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return NULL;
	}
	return ctx->keys;
}

const struct lk_keyring *
lk_ctx_oidc_keys(struct lk_ctx *ctx, int required)
{
	if (ctx->oidc_keys == NULL && (ctx->load == NULL ||
	    ctx->load(ctx, LK_NEED_OIDC_KEYS) == -1 ||
	    ctx->oidc_keys == NULL)) {
		if (required)
			(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return NULL;
	}
	return ctx->oidc_keys;
}

const struct lk_rules *
lk_ctx_rules(struct lk_ctx *ctx)
{
	if (ctx->rules == NULL && (ctx->load == NULL ||
	    ctx->load(ctx, LK_NEED_RULES) == -1 || ctx->rules == NULL)) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return NULL;
	}
	return ctx->rules;
}

struct lk_store *
lk_ctx_store(struct lk_ctx *ctx)
{
	if (ctx->store == NULL && (ctx->load == NULL ||
	    ctx->load(ctx, LK_NEED_STORE) == -1 || ctx->store == NULL)) {
		(void)lk_deny(ctx, LK_R_UNAVAILABLE, NULL);
		return NULL;
	}
	return ctx->store;
}
