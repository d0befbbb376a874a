/*
 * Forward auth, for reverse proxies that ask before they serve
 * (docs/deploy-nginx.md, docs/deploy-caddy.md, docs/deploy-traefik.md):
 *
 * GET /api/authz/forward-auth (Caddy's forward_auth, Traefik's
 * ForwardAuth: X-Forwarded-Method, -Proto, -Host, -Uri, -For) and
 * GET /api/authz/auth-request (nginx's auth_request: X-Original-URL,
 * X-Original-Method, X-Forwarded-For) -> 200, empty body, with
 *   Remote-User: <email>
 *   Remote-Groups: <groups, comma-joined>
 *   Remote-Name: <name>
 *   Remote-Email: <email>
 * when the session may reach the URL (the access rules decide, as for the
 * authorizer); without a session, forward-auth sends a browser to log in
 * (302, or 303 for other methods than GET and HEAD) and answers a script
 * 401, auth-request answers 401 with the login page in Location; denied,
 * or one factor where two are needed, 403.  The headers are believed only
 * from trusted_proxies: from any other peer, 403 "Untrusted proxy".
 *
 * POST /api/authz/return-to {"url": "https://app.example.com/x"} ->
 * 200 {"url": "https://app.example.com/x"} when a login may send the
 * browser back there (a host the site declares), else {"url": null}.
 */
#include <json-c/json.h>

#include "app/app.h"
#include "base/json.h"
#include "decide/body.h"
#include "decide/forward.h"
#include "domain/store/store.h"
#include "http/method.h"
#include "http/response.h"

static void
forward_auth(struct lk_ctx *ctx)
{
	lk_forward_check(ctx, LK_FORWARD_AUTH);
}

static void
auth_request(struct lk_ctx *ctx)
{
	lk_forward_check(ctx, LK_FORWARD_AUTH_REQUEST);
}

static void
return_to(struct lk_ctx *ctx)
{
	struct json_object	*body;
	struct lk_json_out	 o;
	const struct lk_rules	*rules = NULL;
	const char		*url;
	size_t			 len;

	if ((body = lk_body_json(ctx)) == NULL)
		return;
	if ((url = lk_body_field(ctx, body, "url", LK_FORWARD_URL_MAX,
	    &len)) == NULL)
		goto out;
	if (ctx->cfg->access_rules[0] != '\0' &&
	    (rules = lk_ctx_rules(ctx)) == NULL)
		goto out;
	lk_json_out_init(&o);
	if (lk_forward_return_ok(ctx->cfg, rules, url))
		(void)lk_json_out_str(&o, "url", url);
	else
		(void)lk_json_out_raw(&o, "url", "null");
	lk_response_json(ctx->resp, 200, &o);
out:
	json_object_put(body);
}

static const struct lk_route routes[] = {
	{ "/forward-auth", LK_METHOD_GET | LK_METHOD_HEAD, forward_auth },
	{ "/auth-request", LK_METHOD_GET | LK_METHOD_HEAD, auth_request },
	{ "/return-to", LK_METHOD_POST, return_to },
	{ NULL, 0, NULL }
};

/* /api/authz itself is no endpoint: its routes are. */
static const struct lk_endpoint endpoint = {
	"authz", 0, NULL, routes
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
