/*
 * GET /.well-known/jwks.json -> 200 {"keys": [...]}: the JWK Set (RFC
 * 7517) of every ES256 and RS256 public key that can still verify a live
 * token — the current key and the retired ones whose tokens may not all
 * have expired; on a verify-only node, the public keys it verifies with
 * — so that a service no one here wrote can check an access cookie
 * without any secret; then the OpenID provider's RS256 keys (its current
 * one and those that signed ID and access tokens still live), for its
 * relying parties.  A secret is never published: under HS256 the set
 * holds the provider's keys alone.  The answer may be cached a short while (Cache-Control
 * public, max-age=300): a verifier that meets an unknown kid fetches the
 * set again.  It needs neither a cookie nor the store.
 */
#include <string.h>

#include "app/app.h"
#include "base/log.h"
#include "domain/keyring.h"

static void
handle(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	const struct lk_keyring	*ring;
	struct lk_json_out	 o;
	const struct lk_keyring	*oidc;
	char			 keys[LK_JWKS_MAX], theirs[LK_JWKS_MAX];
	long long		 life;
	long			 n, m = 2;

	if ((ring = lk_ctx_keys(ctx)) == NULL)
		return;
	/* A retired key signed nothing after it retired (as key prune). */
	life = cfg->refresh_token_expires > cfg->access_token_expires ?
	    cfg->refresh_token_expires : cfg->access_token_expires;
	oidc = lk_ctx_oidc_keys(ctx, 0);
	if ((n = lk_keyring_jwks_write(ring, ctx->now, life + cfg->leeway,
	    keys, sizeof(keys))) < 2 || (oidc != NULL &&
	    (m = lk_keyring_jwks_write(oidc, ctx->now,
	    cfg->access_token_expires + cfg->leeway, theirs,
	    sizeof(theirs))) < 2) || (size_t)(n + m) > sizeof(keys)) {
		lk_log(LK_LOG_ERR, "cannot write the JWK Set");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		return;
	}
	/* The two arrays as one: "[a]" and "[b]" make "[a,b]". */
	if (oidc != NULL && m > 2) {
		if (n > 2)
			keys[n - 1] = ',';
		/* Its keys, their ']' and the NUL: m bytes. */
		memcpy(keys + (n > 2 ? n : 1), theirs + 1, (size_t)m);
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
