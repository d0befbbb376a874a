#ifndef LK_APP_H
#define LK_APP_H

#include <time.h>

#include "config.h"
#include "key.h"
#include "request.h"
#include "response.h"
#include "store.h"

/*
 * The runtime every endpoint program shares: load configuration, key and
 * store once per process, then serve requests (many under FastCGI, one
 * under CGI), each with fresh per-request state.  If start-up fails the
 * program keeps serving a 503 JSON error, retrying start-up at most once a
 * second, and says why in the error log.
 */

struct lk_ctx {
	/* Loaded once per process. */
	const struct lk_config	*cfg;
	const struct lk_keyring	*keys;		/* current and previous keys */
	const struct lk_key	*key;		/* the current one, for signing */
	struct lk_store		*store;
	/* Reset for every request. */
	struct lk_request	*req;
	struct lk_response	*resp;
	time_t			 now;
	long long		 account_failures;	/* seen by the throttle check */
};

struct lk_endpoint {
	const char	*name;		/* program name for the log */
	const char	*allow;		/* the Allow header, e.g. "GET, HEAD, PATCH" */
	unsigned int	 methods;	/* LK_METHOD_* bits accepted */
	/*
	 * Serve one request whose method is allowed and whose body (if any)
	 * has been read within the size limit.  The handler fills ctx->resp.
	 */
	void		(*handle)(struct lk_ctx *ctx);
};

/*
 * Parse the request body as a JSON object.  Returns the object (release
 * it with json_object_put), or NULL with the response set to 415 (not
 * JSON) or 400 (malformed, not an object).
 */
struct json_object *lk_app_json(struct lk_ctx *ctx);

/*
 * The store failed mid-request: roll back any open transaction, drop
 * whatever the response held (cookies included), and answer 503.
 */
void	lk_app_unavailable(struct lk_ctx *ctx);

/* Get a required string field of a request body; on failure sets 400. */
const char *lk_app_field(struct lk_ctx *ctx, struct json_object *obj,
	    const char *key, size_t *len);

/*
 * Run the endpoint until the web server stops it.  Returns the process's
 * exit status.
 */
int	lk_app_main(const struct lk_endpoint *ep, int argc, char *argv[]);

/*
 * Run the endpoint as a FastCGI Authorizer (lighttpd "mode" =>
 * "authorizer", mod_fcgid's FcgidAccessChecker): it answers only in the
 * Authorizer role, for any method and path, and never reads a body (the
 * web server sends none); ep->allow and ep->methods are not used.  The
 * handler grants with a 200, an empty body and "Variable-NAME: value"
 * headers, which the server passes on as environment variables to
 * whatever serves the request.  Returns the process's exit status.
 */
int	lk_app_authorizer_main(const struct lk_endpoint *ep, int argc,
	    char *argv[]);

/*
 * Run the error document program: any method, any path, no body read, no
 * configuration loaded; it answers the status of REDIRECT_STATUS (set by
 * Apache's ErrorDocument and lighttpd's server.error-handler) with the
 * JSON body the programs give for it, so that the web servers' own
 * refusals under /api/ (413 past their body limit, 404 for a path no
 * program serves) read like the API's.  Returns the exit status.
 */
int	lk_app_errordoc_main(int argc, char *argv[]);

#endif
