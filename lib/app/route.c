#include <string.h>

#include "app/route.h"
#include "base/log.h"
#include "base/util.h"
#include "domain/config.h"
#include "http/method.h"
#include "http/request.h"
#include "http/response.h"

/*
 * Whether SCRIPT_NAME names this endpoint: its last segment is the
 * endpoint's name, with or without an extension (".fcgi", ".cgi").  A
 * server that maps a path prefix (lighttpd's "/api/login") would also hand
 * us "/api/loginx".
 */
static int
script_matches(struct lk_io *io, const char *name)
{
	const char	*sn, *base;
	size_t		 n = strlen(name);

	if ((sn = lk_io_param(io, "SCRIPT_NAME")) == NULL || *sn == '\0')
		return 1;
	base = strrchr(sn, '/');
	base = base != NULL ? base + 1 : sn;
	return strncmp(base, name, n) == 0 &&
	    (base[n] == '\0' || base[n] == '.');
}

/*
 * Cross-origin rules.  With cors_origins set, every response says it
 * varies by Origin, and a listed origin (exactly; never a reflected or
 * "null" one) gets credentialed access.  State-changing requests whose
 * Origin (or, lacking it, Referer) is neither the site's own nor listed in
 * allowed_origins or cors_origins are refused: no CSRF, login CSRF
 * included.  Returns 0 to go on, -1 denied.
 */
static int
check_origin(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	char			 origin[LK_HEADER_MAX], own[LK_HEADER_MAX];
	int			 r, listed;

	r = lk_request_origin(ctx->req, origin, sizeof(origin));
	listed = r == 1 && cfg->cors_origins[0] != '\0' &&
	    lk_config_origin_listed(cfg->cors_origins, origin);
	if ((lk_method_bit(ctx->req->method) & LK_METHODS_WITH_BODY) == 0 ||
	    r == 0)
		return 0;
	lk_request_own_origin(ctx->req, own, sizeof(own));
	if (r == 1 && (lk_ascii_caseeq(origin, own) || listed ||
	    lk_config_origin_listed(cfg->allowed_origins, origin)))
		return 0;
	lk_log_audit("origin_refused", ctx->now, ctx->req->remote_addr, NULL,
	    "origin", r == 1 ? origin : "?", (char *)NULL);
	return lk_deny(ctx, LK_R_ORIGIN, NULL);
}

void
lk_route_cors(struct lk_ctx *ctx)
{
	char	origin[LK_HEADER_MAX];

	if (ctx->cfg == NULL || ctx->cfg->cors_origins[0] == '\0')
		return;
	lk_response_header(ctx->resp, "Vary", "Origin");
	if (ctx->req->has_origin &&
	    lk_request_origin(ctx->req, origin, sizeof(origin)) == 1 &&
	    lk_config_origin_listed(ctx->cfg->cors_origins, origin)) {
		lk_response_header(ctx->resp, "Access-Control-Allow-Origin",
		    "%s", origin);
		lk_response_header(ctx->resp,
		    "Access-Control-Allow-Credentials", "true");
	}
}

/* Answer a CORS preflight (OPTIONS) from a listed origin. */
static void
preflight(struct lk_ctx *ctx, unsigned int methods)
{
	char	origin[LK_HEADER_MAX], allow[LK_METHOD_ALLOW_MAX];

	if (lk_request_origin(ctx->req, origin, sizeof(origin)) != 1 ||
	    !ctx->req->has_origin ||
	    !lk_config_origin_listed(ctx->cfg->cors_origins, origin) ||
	    (lk_method_bit(ctx->req->preflight_method) & methods) == 0) {
		(void)lk_deny(ctx, LK_R_ORIGIN, NULL);
		return;
	}
	lk_method_allow(methods, allow);
	lk_response_header(ctx->resp, "Access-Control-Allow-Methods", "%s",
	    allow);
	lk_response_header(ctx->resp, "Access-Control-Allow-Headers",
	    "Content-Type, %s", ctx->cfg->csrf_header_name);
	lk_response_header(ctx->resp, "Access-Control-Max-Age", "600");
	ctx->resp->status = 204;
	ctx->resp->body_len = 0;
}

/* Read the body of a method that carries one; 0, or -1 denied. */
static int
read_body(struct lk_ctx *ctx, struct lk_io *io)
{
	if ((lk_method_bit(ctx->req->method) & LK_METHODS_WITH_BODY) == 0)
		return 0;
	switch (lk_request_read_body(ctx->req, io, ctx->cfg->max_body)) {
	case LK_REQ_OK:
		return 0;
	case LK_REQ_TOO_LARGE:
		return lk_deny(ctx, LK_R_TOO_LARGE, NULL);
	case LK_REQ_NOMEM:
		return lk_deny(ctx, LK_R_INTERNAL, NULL);
	default:
		return lk_deny(ctx, LK_R_BAD_BODY, NULL);
	}
}

/*
 * Whether PATH_INFO pi is route path rp, segment by segment: equal, or,
 * where rp's segment is ":name", one of 1 to LK_ROUTE_ARG_MAX characters
 * [A-Za-z0-9_-], copied to arg.
 */
static int
route_matches(const char *rp, const char *pi, char *arg, size_t argsz)
{
	size_t	ln, pn;

	while (*rp == '/' && *pi == '/') {
		rp++;
		pi++;
		ln = strcspn(rp, "/");
		pn = strcspn(pi, "/");
		if (*rp == ':') {
			if (pn == 0 || pn > LK_ROUTE_ARG_MAX || pn >= argsz ||
			    strspn(pi, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789_-") < pn)
				return 0;
			memcpy(arg, pi, pn);
			arg[pn] = '\0';
		} else if (ln != pn || memcmp(rp, pi, ln) != 0)
			return 0;
		rp += ln;
		pi += pn;
	}
	return *rp == '\0' && *pi == '\0';
}

/*
 * The route of the request's PATH_INFO: the endpoint itself for none, one
 * of its routes, or NULL (not found).  What a ":name" segment matched goes
 * to ctx->route_arg.
 */
static const struct lk_route *
route_of(struct lk_ctx *ctx, const struct lk_endpoint *ep,
    struct lk_route *self)
{
	const char		*pi = ctx->req->path_info;
	const struct lk_route	*r;
	char			 arg[LK_ROUTE_ARG_MAX + 1];

	if (*pi == '\0') {
		self->path = "";
		self->methods = ep->methods;
		self->handle = ep->handle;
		return ep->handle != NULL ? self : NULL;
	}
	for (r = ep->routes; r != NULL && r->path != NULL; r++) {
		arg[0] = '\0';
		if (route_matches(r->path, pi, arg, sizeof(arg))) {
			(void)lk_strlcpy(ctx->route_arg, arg,
			    sizeof(ctx->route_arg));
			return r;
		}
	}
	return NULL;
}

void
lk_route_respond(struct lk_ctx *ctx, const struct lk_endpoint *ep,
    struct lk_io *io, unsigned int *methods)
{
	struct lk_route		 self;
	const struct lk_route	*r;

	if (!script_matches(io, ep->name) ||
	    (r = route_of(ctx, ep, &self)) == NULL) {
		(void)lk_deny(ctx, LK_R_NOT_FOUND, NULL);
		return;
	}
	*methods = r->methods;
	if (check_origin(ctx) == -1)
		return;
	if (lk_method_bit(ctx->req->method) == LK_METHOD_OPTIONS &&
	    ctx->cfg->cors_origins[0] != '\0') {
		preflight(ctx, r->methods);
		return;
	}
	if ((lk_method_bit(ctx->req->method) & r->methods) == 0) {
		(void)lk_deny(ctx, LK_R_METHOD, NULL);
		return;
	}
	if (read_body(ctx, io) == -1)
		return;
	r->handle(ctx);
}
