#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "app.h"
#include "auth.h"
#include "csrf.h"
#include "extern.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "util.h"

/* Loaded once per process. */
static struct lk_config	 app_cfg;
static struct lk_keyring	 app_keys;
static struct lk_store	*app_store;
static int		 app_ready;
static struct stat	 app_key_st[2];	/* key file, previous-keys file */
static time_t		 app_last_try;

/* Per-request state, wiped between requests. */
static struct lk_request	app_req;
static struct lk_response	app_resp;

/* Identity of the key files, to notice a rotation by another process. */
static void
key_stat(struct stat st[2])
{
	char	prev[LK_CONFIG_PATH_MAX + 16];

	memset(st, 0, 2 * sizeof(*st));
	(void)stat(app_cfg.key_file, &st[0]);
	(void)snprintf(prev, sizeof(prev), "%s.previous", app_cfg.key_file);
	(void)stat(prev, &st[1]);
}

static int
key_changed(void)
{
	struct stat	now[2];
	int		i;

	key_stat(now);
	for (i = 0; i < 2; i++)
		if (now[i].st_ino != app_key_st[i].st_ino ||
		    now[i].st_size != app_key_st[i].st_size ||
		    now[i].st_mtim.tv_sec != app_key_st[i].st_mtim.tv_sec ||
		    now[i].st_mtim.tv_nsec != app_key_st[i].st_mtim.tv_nsec)
			return 1;
	return 0;
}

/*
 * Load configuration, key and store.  The configuration file is named by
 * LATCHKEY_CONFIG in the process environment or, failing that, in the
 * request's parameters (Apache's SetEnv), else the compiled-in default.
 */
static int
app_init(struct lk_io *io)
{
	const char	*path;
	char		 err[LK_CONFIG_ERR_MAX];

	path = getenv("LATCHKEY_CONFIG");
	if ((path == NULL || *path == '\0') &&
	    (path = lk_io_param(io, "LATCHKEY_CONFIG")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path == NULL)
		path = lk_config_default_path();
	if (lk_config_load(&app_cfg, path, err, sizeof(err)) == -1) {
		lk_log(LK_LOG_ERR, "not serving: config: %s", err);
		return -1;
	}
	key_stat(app_key_st);
	if (lk_keyring_load(&app_keys, app_cfg.key_file, err,
	    sizeof(err)) == -1) {
		lk_log(LK_LOG_ERR, "not serving: %s", err);
		return -1;
	}
	if ((app_store = lk_store_open(app_cfg.database, 0, err,
	    sizeof(err))) == NULL) {
		lk_log(LK_LOG_ERR, "not serving: database %s", err);
		lk_keyring_clear(&app_keys);
		return -1;
	}
	if (lk_password_init(&app_cfg) == -1) {
		lk_log(LK_LOG_ERR, "not serving: cannot hash with %s cost %lu",
		    app_cfg.hash_method, app_cfg.hash_cost);
		lk_store_close(app_store);
		app_store = NULL;
		lk_keyring_clear(&app_keys);
		return -1;
	}
	return 0;
}

struct json_object *
lk_app_json(struct lk_ctx *ctx)
{
	struct json_object	*obj;

	if (!lk_request_is_json(ctx->req)) {
		lk_response_msg(ctx->resp, 415,
		    "Content-Type must be application/json");
		return NULL;
	}
	obj = lk_json_parse_object(ctx->req->body, ctx->req->body_len);
	if (obj == NULL)
		lk_response_msg(ctx->resp, 400,
		    "Request body must be a JSON object");
	return obj;
}

void
lk_app_unavailable(struct lk_ctx *ctx)
{
	lk_store_rollback(ctx->store);
	lk_response_reset(ctx->resp);
	lk_response_msg(ctx->resp, 503, "Service unavailable");
}

const char *
lk_app_field(struct lk_ctx *ctx, struct json_object *obj, const char *key,
    size_t *len)
{
	const char	*s;
	char		 msg[96];

	switch (lk_json_get_string(obj, key, &s, len)) {
	case LK_JSON_FIELD_OK:
		return s;
	case LK_JSON_FIELD_MISSING:
		(void)snprintf(msg, sizeof(msg), "Missing field \"%s\"", key);
		break;
	default:
		(void)snprintf(msg, sizeof(msg), "Field \"%s\" must be a string",
		    key);
		break;
	}
	lk_response_msg(ctx->resp, 400, msg);
	return NULL;
}

/*
 * Whether SCRIPT_NAME names this endpoint: its last segment is the
 * endpoint's name, with or without an extension (".fcgi", ".cgi").  A
 * server that maps a path prefix (lighttpd's "/api/login") would also hand
 * us "/api/loginx".
 */
static int
script_matches(struct lk_io *io, const char *name)
{
	const char	*sn, *base;
	size_t		 n = strlen(name);

	if ((sn = lk_io_param(io, "SCRIPT_NAME")) == NULL || *sn == '\0')
		return 1;
	base = strrchr(sn, '/');
	base = base != NULL ? base + 1 : sn;
	return strncmp(base, name, n) == 0 &&
	    (base[n] == '\0' || base[n] == '.');
}

static int
has_body(const char *method);

/*
 * Cross-origin rules.  With cors_origins set, every response says it
 * varies by Origin, and a listed origin (exactly; never a reflected or
 * "null" one) gets credentialed access.  State-changing requests whose
 * Origin (or, lacking it, Referer) is neither the site's own nor listed in
 * allowed_origins or cors_origins are refused with 403: no CSRF, login CSRF
 * included.  Returns 1 to go on, 0 when the response is set.
 */
static int
origin_allowed(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	char			 origin[LK_HEADER_MAX], own[LK_HEADER_MAX];
	int			 r, listed;

	r = lk_request_origin(ctx->req, origin, sizeof(origin));
	listed = r == 1 && cfg->cors_origins[0] != '\0' &&
	    lk_config_origin_listed(cfg->cors_origins, origin);
	if (cfg->cors_origins[0] != '\0') {
		lk_response_header(ctx->resp, "Vary", "Origin");
		if (listed && ctx->req->has_origin) {
			lk_response_header(ctx->resp,
			    "Access-Control-Allow-Origin", "%s", origin);
			lk_response_header(ctx->resp,
			    "Access-Control-Allow-Credentials", "true");
		}
	}
	if (!has_body(ctx->req->method) || r == 0)
		return 1;
	lk_request_own_origin(ctx->req, own, sizeof(own));
	if (r == 1 && (lk_ascii_caseeq(origin, own) || listed ||
	    lk_config_origin_listed(cfg->allowed_origins, origin)))
		return 1;
	lk_log_audit("origin_refused", ctx->now, ctx->req->remote_addr, NULL,
	    "origin", r == 1 ? origin : "?", (char *)NULL);
	lk_response_msg(ctx->resp, 403, "Origin not allowed");
	return 0;
}

/* Answer a CORS preflight (OPTIONS) from a listed origin. */
static void
preflight(struct lk_ctx *ctx, const struct lk_endpoint *ep)
{
	char	origin[LK_HEADER_MAX];

	if (lk_request_origin(ctx->req, origin, sizeof(origin)) != 1 ||
	    !ctx->req->has_origin ||
	    !lk_config_origin_listed(ctx->cfg->cors_origins, origin) ||
	    (lk_method_bit(ctx->req->preflight_method) & ep->methods) == 0) {
		lk_response_msg(ctx->resp, 403, "Origin not allowed");
		return;
	}
	lk_response_header(ctx->resp, "Access-Control-Allow-Methods", "%s",
	    ep->allow);
	lk_response_header(ctx->resp, "Access-Control-Allow-Headers",
	    "Content-Type, %s", ctx->cfg->csrf_header_name);
	lk_response_header(ctx->resp, "Access-Control-Max-Age", "600");
	ctx->resp->status = 204;
	ctx->resp->body_len = 0;
}

static int
has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

/*
 * The web server's own refusals, as JSON: what an error document says
 * for each status the servers produce themselves.
 */
static const struct {
	int		 status;
	const char	*msg;
} errdocs[] = {
	{ 400, "Bad request" },
	{ 403, "Forbidden" },
	{ 404, "Not found" },
	{ 405, "Method not allowed" },
	{ 408, "Request timeout" },
	{ 411, "Length required" },
	{ 413, "Request body too large" },
	{ 414, "URI too long" },
	{ 415, "Content-Type must be application/json" },
	{ 431, "Request header fields too large" },
	{ 500, "Internal error" },
	{ 501, "Not implemented" },
	{ 502, "Bad gateway" },
	{ 503, "Service unavailable" },
	{ 504, "Gateway timeout" },
};

/*
 * An error document: the status the server hands over in REDIRECT_STATUS
 * (Apache's ErrorDocument, lighttpd's server.error-handler), answered as
 * the programs answer it.  Needs no configuration, key or store, so it
 * works whatever state they are in.  Asked directly, it is not found.
 */
static void
errdoc(struct lk_io *io)
{
	const char	*v;
	long long	 status = 404;
	size_t		 i;

	if ((v = lk_io_param(io, "REDIRECT_STATUS")) == NULL ||
	    lk_parse_ll(v, 400, 599, &status) == -1)
		status = 404;
	for (i = 0; i < sizeof(errdocs) / sizeof(errdocs[0]); i++)
		if (errdocs[i].status == status)
			break;
	if (i == sizeof(errdocs) / sizeof(errdocs[0]))
		lk_response_msg(&app_resp, (int)status, status < 500 ?
		    "Bad request" : "Internal error");
	else
		lk_response_msg(&app_resp, (int)status, errdocs[i].msg);
}

static void
serve(const struct lk_endpoint *ep, int authorizer, struct lk_io *io)
{
	struct lk_ctx	 ctx;
	time_t		 now = time(NULL);
	const char	*role;

	lk_request_reset(&app_req);
	lk_response_reset(&app_resp);
	if (ep == NULL) {
		errdoc(io);
		goto send;
	}

	/* After `latchkey key rotate`, sign and verify with the new keys. */
	if (app_ready && key_changed()) {
		char	err[LK_CONFIG_ERR_MAX];

		key_stat(app_key_st);
		if (lk_keyring_load(&app_keys, app_cfg.key_file, err,
		    sizeof(err)) == -1) {
			lk_log(LK_LOG_ERR, "not serving: %s", err);
			lk_store_close(app_store);
			app_store = NULL;
			app_ready = 0;
		} else
			lk_log(LK_LOG_INFO, "keys reloaded, current kid %s",
			    app_keys.current.kid);
	}
	if (!app_ready && now != app_last_try) {
		app_last_try = now;
		app_ready = app_init(io) == 0;
	}
	if (!app_ready) {
		lk_response_msg(&app_resp, 503, "Service unavailable");
		goto send;
	}

	lk_request_load(&app_req, io, &app_cfg);
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &app_cfg;
	ctx.keys = &app_keys;
	ctx.key = &app_keys.current;
	ctx.store = app_store;
	ctx.req = &app_req;
	ctx.resp = &app_resp;
	ctx.now = now;

	if (authorizer) {
		/*
		 * Asked by the web server about a request it will serve
		 * itself: any method, any path, no body.  Refuse any other
		 * role, so that a responder mapping cannot pass for a grant.
		 */
		role = lk_io_param(io, "FCGI_ROLE");
		if (role == NULL || strcmp(role, "AUTHORIZER") != 0) {
			lk_log(LK_LOG_ERR, "not in the FastCGI Authorizer role: "
			    "configure this program as an authorizer");
			lk_response_msg(&app_resp, 500, "Internal error");
			goto send;
		}
		ep->handle(&ctx);
		goto send;
	}
	/* Only the program's exact path: /api/loginfoo is not /api/login. */
	if (app_req.path_info[0] != '\0' || !script_matches(io, ep->name)) {
		lk_response_msg(&app_resp, 404, "Not found");
		goto send;
	}
	if (!origin_allowed(&ctx))
		goto send;
	if (strcmp(app_req.method, "OPTIONS") == 0 &&
	    app_cfg.cors_origins[0] != '\0') {
		preflight(&ctx, ep);
		goto send;
	}
	if ((lk_method_bit(app_req.method) & ep->methods) == 0) {
		lk_response_msg(&app_resp, 405, "Method not allowed");
		lk_response_header(&app_resp, "Allow", "%s", ep->allow);
		goto send;
	}
	if (has_body(app_req.method)) {
		switch (lk_request_read_body(&app_req, io, &app_cfg)) {
		case LK_REQ_OK:
			break;
		case LK_REQ_TOO_LARGE:
			lk_response_msg(&app_resp, 413, "Request body too large");
			goto send;
		case LK_REQ_NOMEM:
			lk_response_msg(&app_resp, 500, "Internal error");
			goto send;
		default:
			lk_response_msg(&app_resp, 400, "Bad request body");
			goto send;
		}
	}
	ep->handle(&ctx);
send:
	if (lk_response_send(&app_resp, io) == -1)
		lk_log(LK_LOG_INFO, "client went away");
	lk_request_reset(&app_req);
	lk_response_reset(&app_resp);
}

/* Log lines of a FastCGI request go to its FCGI_STDERR stream. */
static void
fcgi_log(const char *line, void *arg)
{
	FCGX_Request	*fr = arg;

	(void)FCGX_PutS(line, fr->err);
	(void)FCGX_FFlush(fr->err);
}

static int
app_run(const struct lk_endpoint *ep, int authorizer, int argc, char *argv[])
{
	FCGX_Request	 fr;
	struct lk_io	 io;

	lk_log_init(ep != NULL ? ep->name : "error");
	if (argc > 1) {
		fprintf(stderr, "%s: a FastCGI or CGI program; run it from a "
		    "web server (see docs/API.md)\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_IsCGI()) {
		/* Plain CGI: one request from the environment, then exit. */
		io.fcgi = NULL;
		serve(ep, authorizer, &io);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		lk_log(LK_LOG_ERR, "cannot initialise FastCGI");
		return 1;
	}
	io.fcgi = &fr;
	while (FCGX_Accept_r(&fr) >= 0) {
		lk_log_set_sink(fcgi_log, &fr);
		serve(ep, authorizer, &io);
		lk_log_set_sink(NULL, NULL);
		FCGX_Finish_r(&fr);
	}
	lk_store_close(app_store);
	lk_keyring_clear(&app_keys);
	return 0;
}

int
lk_app_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, 0, argc, argv);
}

int
lk_app_errordoc_main(int argc, char *argv[])
{
	return app_run(NULL, 0, argc, argv);
}

int
lk_app_authorizer_main(const struct lk_endpoint *ep, int argc, char *argv[])
{
	return app_run(ep, 1, argc, argv);
}
