#ifndef LK_GATE_H
#define LK_GATE_H

#include "decide/ctx.h"

/*
 * The gate: a protected folder on a host whose web server cannot run the
 * authorizer (Apache with plain CGI, .htaccess files only).  The folder's
 * .htaccess sends every request under gate_path to the gate program
 * (cgi-bin/gate.c), which decides as the authorizer does
 * (lk_auth_authorize: the same access rules, session checks, answers) on
 * the request as the client made it (REQUEST_URI, Host, method, address),
 * then serves the file itself from gate_folder, a folder outside the
 * document root.  docs/access-control.md, docs/deploy-shared-hosting.md.
 */

/*
 * Answer the current request of ctx.  Refused by the decision: the
 * reason in ctx->denial, which the runtime answers as an authorizer's
 * refusal (401, or a browser's 302 to the login page; the rules' 403 and
 * 400; 503).  Let through: for GET and HEAD, gate_path + REL is the file
 * REL below gate_folder, REL taken from the decoded, normalised path the
 * decision was made on (lib/domain/rules.h), each of its segments opened
 * without following a symbolic link; a regular file of at most
 * LK_FILE_SIZE_MAX bytes -> 200 with its Content-Type (by extension),
 * Content-Length, Last-Modified and X-Content-Type-Options: nosniff, the
 * body streamed (none for HEAD), or 304 when If-Modified-Since is not
 * older than it; a folder -> its index.html, or 301 to the path with '/'
 * when the request had none; anything else (missing, a link, a device, a
 * dot-file, a path outside gate_path) -> 404 {"msg": "Not found"}; other
 * methods -> 405.  gate_folder unset or unreadable -> 503, logged.
 */
void	lk_gate_serve(struct lk_ctx *ctx);

#endif
