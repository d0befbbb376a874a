#ifndef LK_APP_H
#define LK_APP_H

#include <stddef.h>

#include "app/route.h"
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
 * Run the endpoint as a gate (lib/decide/gate.h): a responder, for any
 * method and path (ep->methods is not used; no body is read), whose
 * refusals are answered as an authorizer's are (a 401 whatever the
 * reason but for the access rules' 403 and 400, a browser's 302 to
 * login_page), and whose handler, once it lets a request through,
 * answers it itself (a file, 304, 404, ...).  Returns the exit status.
 */
int	lk_app_gate_main(const struct lk_endpoint *ep, int argc, char *argv[]);

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
