#ifndef LK_ROUTE_H
#define LK_ROUTE_H

#include "decide/ctx.h"
#include "http/io.h"

/*
 * A responder's way from the request to its handler: the endpoints and
 * their routes (which program serves which path), the origin rules that
 * keep cross-site writes out, CORS (preflights, the headers of a listed
 * origin), and the body read within its limit.
 */

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
 * A responder's request, from its path to its handler: only the program's
 * exact path (SCRIPT_NAME's last segment is ep->name, with or without an
 * extension: /api/loginfoo is not /api/login) or one of its routes, the
 * origin rules, CORS preflights, the methods the route takes, then the
 * body, then the route's handler.  Refuses with lk_deny: not found, the
 * origin, the method, the body (too large, unreadable).  *methods gets
 * the route's methods (for Allow).
 */
void	lk_route_respond(struct lk_ctx *ctx, const struct lk_endpoint *ep,
	    struct lk_io *io, unsigned int *methods);

/*
 * With cors_origins set, every answer (refusals included) varies by
 * Origin, and a listed origin (exactly; never a reflected or "null" one)
 * gets credentialed access: the response's headers that say so.
 */
void	lk_route_cors(struct lk_ctx *ctx);

#endif
