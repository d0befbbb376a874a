/*
 * The FastCGI Authorizer: lets the web server protect any path (static
 * files, another application) with latchkey's login cookie.
 *
 * A request with a valid access cookie (and, on unsafe methods, the CSRF
 * header) -> 200, empty body, with
 *   Variable-LATCHKEY_USER: <email>
 *   Variable-LATCHKEY_NAME: <name>
 *   Variable-LATCHKEY_GROUPS: <the user's groups, sorted, joined with ','>
 * which the server turns into environment variables for whatever serves
 * the request.  Anything else -> 401 with the reason /api/profile would
 * give in the body (lighttpd forwards it; mod_fcgid answers 401 and
 * Apache's ErrorDocument 401, error.fcgi, says why), or, to a browser
 * loading a page, 302 to login_page with ?next=<the page>.  With
 * access_rules the rules decide who may reach what: a bypass is a 200
 * without the variables, a session they refuse a 403 ("Access denied",
 * "Second factor required"; a browser goes to login_page with &denied=),
 * a path they cannot read a 400 (docs/access-control.md).
 */
#include "app/app.h"
#include "decide/auth.h"

/* An authorizer answers for any method: no method bits. */
static const struct lk_endpoint endpoint = {
	"authorize", 0, lk_auth_authorize, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_authorizer_main(&endpoint, argc, argv);
}
