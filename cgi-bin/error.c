/*
 * The error document for the web server's own refusals: Apache's
 * ErrorDocument and lighttpd's server.error-handler point here, and it
 * answers the status they hand over (REDIRECT_STATUS) with the JSON the
 * programs give: 413 {"msg": "Request body too large"} past the server's
 * body limit, 404 {"msg": "Not found"} for a path no program serves, and
 * so on; any method, and it reads no body, configuration, key or store.
 *
 * A 401 is mod_fcgid refusing a protected page after authorize.fcgi said
 * no: the authorizer's decision is made again to say why, as lighttpd
 * forwards it ({"msg": "Missing cookie \"access_token_cookie\""}, or the
 * access rules' 403 {"msg": "Access denied"}), and a browser loading the
 * page is sent to login_page?next=<the page>.
 */
#include "app/app.h"
#include "decide/auth.h"

static const struct lk_endpoint endpoint = {
	"error", 0, lk_auth_authorize, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_errordoc_main(&endpoint, argc, argv);
}
