#include <string.h>

#include "base/log.h"
#include "decide/admin.h"
#include "decide/auth.h"

int
lk_admin_member(const struct lk_config *cfg, const struct lk_store_groups *g)
{
	const char	*p = g->text;
	size_t		 n, want = strlen(cfg->admin_group);

	if (want == 0)
		return 0;
	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n == want && memcmp(p, cfg->admin_group, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int
lk_admin_require(struct lk_ctx *ctx, struct lk_user *user,
    struct lk_claims *claims, struct lk_token_state *state)
{
	const struct lk_config	*cfg = ctx->cfg;

	if (!cfg->admin)
		return lk_deny(ctx, LK_R_NOT_FOUND, NULL);
	if (!lk_config_admin_client(cfg, ctx->req->remote_addr)) {
		lk_log_audit("admin_refused", ctx->now, ctx->req->remote_addr,
		    NULL, "reason", "network", (char *)NULL);
		return lk_deny(ctx, LK_R_ADMIN_NETWORK, NULL);
	}
	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, user, claims, state) == -1)
		return -1;
	if (!lk_admin_member(cfg, &state->groups)) {
		lk_log_audit("admin_refused", ctx->now, ctx->req->remote_addr,
		    user->email, "reason", "not_admin", (char *)NULL);
		return lk_deny(ctx, LK_R_NOT_ADMIN, NULL);
	}
	return lk_auth_require_fresh(ctx, claims, cfg->admin_fresh_seconds);
}
