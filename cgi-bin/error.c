/*
 * The error document for the web server's own refusals under /api/:
 * Apache's ErrorDocument and lighttpd's server.error-handler point here,
 * and it answers the status they hand over (REDIRECT_STATUS) with the
 * JSON the programs give: 413 {"msg": "Request body too large"} past the
 * server's body limit, 404 {"msg": "Not found"} for a path no program
 * serves.  Any method; it reads no body, configuration, key or store.
 */
#include "app.h"

int
main(int argc, char *argv[])
{
	return lk_app_errordoc_main(argc, argv);
}
