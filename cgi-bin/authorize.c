/*
 * The FastCGI Authorizer: lets the web server protect any path (static
 * files, another application) with latchkey's login cookie.
 *
 * A request with a valid access cookie (and, on unsafe methods, the CSRF
 * header) -> 200, empty body, with
 *   Variable-LATCHKEY_USER: <email>
 *   Variable-LATCHKEY_NAME: <name>
 * which the server turns into environment variables for whatever serves
 * the request.  Anything else -> 401 with the reason /api/profile would
 * give in the body (lighttpd forwards it; mod_fcgid answers its own 401).
 */
#include <string.h>

#include "app.h"
#include "auth.h"
#include "store.h"

static void
handle(struct lk_ctx *ctx)
{
	struct lk_user		user;
	struct lk_claims	claims;
	struct lk_token_state	state;

	if (lk_auth_require(ctx, LK_TOKEN_ACCESS, &user, &claims, &state) == -1)
		return;
	ctx->resp->status = 200;
	lk_response_header(ctx->resp, "Variable-LATCHKEY_USER", "%s",
	    user.email);
	lk_response_header(ctx->resp, "Variable-LATCHKEY_NAME", "%s",
	    user.name);
	memset(&user, 0, sizeof(user));
	memset(&claims, 0, sizeof(claims));
}

/* An authorizer answers for any method: no method bits. */
static const struct lk_endpoint endpoint = {
	"authorize", 0, handle
};

int
main(int argc, char *argv[])
{
	return lk_app_authorizer_main(&endpoint, argc, argv);
}
