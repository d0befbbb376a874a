/*
 * GET /.well-known/jwks.json -> 200 {"keys": [...]}: the JWK Set (RFC
 * 7517) of every ES256 and RS256 public key that can still verify a live
 * token — the current key and the retired ones whose tokens may not all
 * have expired; on a verify-only node, the public keys it verifies with
 * — so that a service no one here wrote can check an access cookie
 * without any secret.  {"keys": []} under HS256: a secret is never
 * published.  The answer may be cached a short while (Cache-Control
 * public, max-age=300): a verifier that meets an unknown kid fetches the
 * set again.  It needs neither a cookie nor the store.
 */
#include "app/app.h"
#include "base/log.h"
#include "domain/keyring.h"

static void
handle(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	const struct lk_keyring	*ring;
	struct lk_json_out	 o;
	char			 keys[LK_JWKS_MAX];
	long long		 life;

	if ((ring = lk_ctx_keys(ctx)) == NULL)
		return;
	/* A retired key signed nothing after it retired (as key prune). */
	life = cfg->refresh_token_expires > cfg->access_token_expires ?
	    cfg->refresh_token_expires : cfg->access_token_expires;
	if (lk_keyring_jwks_write(ring, ctx->now, life + cfg->leeway, keys,
	    sizeof(keys)) < 0) {
		lk_log(LK_LOG_ERR, "cannot write the JWK Set");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_raw(&o, "keys", keys);
	lk_response_json(ctx->resp, 200, &o);
	ctx->resp->cache = "public, max-age=300";
}

static const struct lk_endpoint endpoint = {
	"jwks", LK_METHOD_GET | LK_METHOD_HEAD, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
