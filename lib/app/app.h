#ifndef LK_APP_H
#define LK_APP_H

#include <stddef.h>

#include "decide/ctx.h"

/*
 * The runtime every endpoint program shares: load configuration, keys and
 * store once per process (each when a request first needs it), then serve
 * requests (many under FastCGI, one under CGI), each with fresh
 * per-request state.  It alone turns a refusal (ctx->denial) into a
 * status and a message, from one table.  If start-up fails the program
 * keeps serving a 503 JSON error, retrying at most once a second, and
 * says why in the error log.
 */

struct json_object;

/*
 * One path under an endpoint's own (its PATH_INFO, e.g. "/mfa" under
 * /api/login): matched segment by segment, exactly, except that a
 * segment ":name" ("/credentials/:id") takes any one segment of 1 to
 * LK_ROUTE_ARG_MAX characters [A-Za-z0-9_-], which the handler finds in
 * ctx->route_arg (/credentials/Ab3_x gives "Ab3_x").
 */
struct lk_route {
	const char	*path;
	unsigned int	 methods;	/* LK_METHOD_* bits accepted (Allow) */
	void		(*handle)(struct lk_ctx *ctx);
};

struct lk_endpoint {
	const char	*name;		/* program name for the log */
	unsigned int	 methods;	/* LK_METHOD_* bits accepted (Allow) */
	/*
	 * Serve one request whose method is allowed and whose body (if any)
	 * has been read within the size limit.  The handler fills ctx->resp,
	 * or refuses with lk_deny() and leaves the answer to the runtime.
	 */
	void		(*handle)(struct lk_ctx *ctx);
	/*
	 * The paths under the endpoint's own that it serves as well, ended
	 * by a route with a NULL path; NULL for none (anything after the
	 * endpoint's path is then not found, as for every unknown path).
	 */
	const struct lk_route *routes;
};

/*
 * Parse the request body as a JSON object.  Returns the object (release
 * it with json_object_put), or NULL denied (not JSON, or not an object).
 */
struct json_object *lk_app_json(struct lk_ctx *ctx);

/*
 * Get a required string field of a request body, of at most max bytes.
 * Returns it (*len its length), or NULL denied (missing, not a string,
 * too long).
 */
const char *lk_app_field(struct lk_ctx *ctx, struct json_object *obj,
	    const char *key, size_t max, size_t *len);

/*
 * Get an optional boolean field: 1 or 0, the default if absent, or -1
 * denied if it is there and not a boolean.
 */
int	lk_app_bool(struct lk_ctx *ctx, struct json_object *obj,
	    const char *key, int def);

/*
 * Run the endpoint until the web server stops it.  Returns the process's
 * exit status.
 */
int	lk_app_main(const struct lk_endpoint *ep, int argc, char *argv[]);

/*
 * Run the endpoint as a FastCGI Authorizer (lighttpd "mode" =>
 * "authorizer", mod_fcgid's FcgidAccessChecker): it answers only in the
 * Authorizer role, for any method and path, and never reads a body (the
 * web server sends none); ep->methods is not used.  The handler grants
 * with a 200, an empty body and "Variable-NAME: value" headers, which the
 * server passes on as environment variables to whatever serves the
 * request; a refusal is a 401 whatever its reason (which stays in the
 * body), but for the access rules' 403s (denied, a second factor wanted)
 * and 400 (a path they cannot read), a server error what it is.  A 401 to
 * a browser loading a page (GET or HEAD; Sec-Fetch-Mode: navigate, or
 * without Sec-Fetch-Mode an Accept naming text/html) is a 302 to the
 * configuration's login_page with ?next=<the page asked for>, so that it
 * comes back after logging in; a 403 of the rules is the same 302 with
 * &denied=access or &denied=second_factor, for the page to say why.
 * Returns the process's exit status.
 */
int	lk_app_authorizer_main(const struct lk_endpoint *ep, int argc,
	    char *argv[]);

/*
 * Run the error document program: any method, any path, no body read; it
 * answers the status of REDIRECT_STATUS (set by Apache's ErrorDocument
 * and lighttpd's server.error-handler) with the JSON body the programs
 * give for it, so that the web servers' own refusals (413 past their body
 * limit, 404 for a path no program serves) read like the API's, with no
 * configuration loaded.  A 401 is an access checker's refusal (mod_fcgid
 * says no more): ep->handle, the authorizer's decision, runs again to
 * give its reason, as an authorizer's refusal.  Returns the exit status.
 */
int	lk_app_errordoc_main(const struct lk_endpoint *ep, int argc,
	    char *argv[]);

#endif
