/*
 * The gate: a protected folder where the web server cannot run the
 * authorizer (Apache with plain CGI).  The folder's .htaccess rewrites
 * every request to this program, which decides as the authorizer does
 * (the same access rules and answers: 401, a browser's 302 to the login
 * page, 403 for a session the rules refuse) and, when the request may
 * pass, serves the file from gate_folder, outside the document root
 * (lib/decide/gate.h, docs/deploy-shared-hosting.md).
 */
#include "app/app.h"
#include "decide/gate.h"

/* Any method reaches the decision; the gate itself serves GET and HEAD. */
static const struct lk_endpoint endpoint = {
	"gate", 0, lk_gate_serve, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_gate_main(&endpoint, argc, argv);
}
