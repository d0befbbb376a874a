#ifndef LK_FORWARD_H
#define LK_FORWARD_H

#include <stddef.h>

#include "decide/ctx.h"
#include "domain/config.h"
#include "domain/rules.h"

/*
 * Forward auth: a reverse proxy (nginx's auth_request, Caddy's
 * forward_auth, Traefik's ForwardAuth) asks, before it serves a request,
 * whether its client may; latchkey answers from the request the proxy
 * describes in its headers, deciding as the authorizer does
 * (lk_auth_access: the session, then the access rules).
 *
 * The headers are believed only from a peer (REMOTE_ADDR) in
 * trusted_proxies: from any other the check is refused (LK_R_PROXY,
 * logged), never decided on what a client wrote.  The client's address,
 * for the rules' net=, is the last entry of X-Forwarded-For, the one the
 * trusted proxy added.
 */

enum lk_forward_form {
	/*
	 * GET /api/authz/forward-auth: X-Forwarded-Method, -Proto, -Host,
	 * -Uri (and -For).  Without a session a browser loading a page is
	 * sent to log in (302; 303 for other methods), anything else 401.
	 */
	LK_FORWARD_AUTH,
	/*
	 * GET /api/authz/auth-request: X-Original-URL and X-Original-Method
	 * (and X-Forwarded-For).  Without a session, 401 with the login page
	 * in a Location header, for nginx's configuration to redirect to.
	 */
	LK_FORWARD_AUTH_REQUEST
};

/*
 * Decide on the request the proxy describes.  Allowed: 200, empty body,
 * with Remote-User (the email), Remote-Groups (comma-joined), Remote-Name
 * and Remote-Email (a bypass rule: 200 without them).  Refused: the
 * reason in ctx->denial (a session's refusal, the rules' 403s, LK_R_PROXY,
 * LK_R_INVALID for a header missing or unreadable), and, for want of a
 * session, ctx->forward says where to log in: site_url and login_page,
 * with ?next= the original URL when it may be returned to
 * (lk_forward_return_ok).  The original method stands for the request's
 * in the CSRF rule, as under the authorizer.
 */
void	lk_forward_check(struct lk_ctx *ctx, enum lk_forward_form form);

/* The parts of an absolute http(s) URL, as lk_forward_url_parse gives them. */
struct lk_forward_url {
	int	 https;
	char	 host[LK_RULES_HOST_MAX + 8];	/* as written: name[:port] */
	char	 name[LK_RULES_HOST_MAX + 1];	/* lower case, no port */
	char	 rest[LK_FORWARD_URL_MAX];	/* path and query, "/" at least */
};

/*
 * Read url as "http://" or "https://", a host name or bracketed IPv6
 * address with an optional port, then nothing or a path ("/...") with
 * its query.  Refused (-1): another scheme or none ("//host",
 * "https:host"), userinfo ("user@host"), a backslash, a percent sign or
 * anything else not of a host name in the authority, a control
 * character or a space anywhere, more than LK_FORWARD_URL_MAX bytes.
 * Returns 0 with out filled.
 */
int	lk_forward_url_parse(const char *url, struct lk_forward_url *out);

/*
 * Whether a login may send the browser back to url: an absolute URL
 * lk_forward_url_parse reads, on a host the site declares: cookie_domain
 * or one of its subdomains, a host the rules (NULL: none) name, or
 * site_url's host.
 */
int	lk_forward_return_ok(const struct lk_config *cfg,
	    const struct lk_rules *rules, const char *url);

#endif
