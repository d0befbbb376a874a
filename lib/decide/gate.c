#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "decide/auth.h"
#include "decide/gate.h"
#include "domain/rules.h"
#include "http/file.h"
#include "http/method.h"

/* Cached, not stored: each use asks again whether it changed. */
#define GATE_CACHE	"private, no-cache"

/* 301 to path (a normalised path, re-encoded) with '/' added. */
static void
to_folder(struct lk_ctx *ctx, const char *path)
{
	char	loc[3 * LK_RULES_URI_MAX + 2];
	size_t	n = 0;

	if (lk_url_escape(path, "/", loc, sizeof(loc) - 1, &n) == -1) {
		lk_response_msg(ctx->resp, 404, "Not found");
		return;
	}
	loc[n++] = '/';
	loc[n] = '\0';
	lk_response_msg(ctx->resp, 301, "Moved permanently");
	ctx->resp->cache = GATE_CACHE;
	lk_response_header(ctx->resp, "Location", "%s", loc);
}

/* The file open on fd (st its status, name its last segment), answered. */
static void
send_file(struct lk_ctx *ctx, int fd, const struct stat *st, const char *name)
{
	char	date[LK_HTTP_DATE_MAX], since[64];
	time_t	ims;
	int	head = strcmp(ctx->req->method, "HEAD") == 0;

	if (st->st_size > LK_FILE_SIZE_MAX) {
		lk_log(LK_LOG_WARN, "gate: %s is larger than %lld bytes: not "
		    "served", name, LK_FILE_SIZE_MAX);
		(void)close(fd);
		lk_response_msg(ctx->resp, 404, "Not found");
		return;
	}
	lk_http_date(st->st_mtime, date);
	if (lk_request_param(ctx->req, "HTTP_IF_MODIFIED_SINCE", since,
	    sizeof(since)) == 1 && lk_http_date_parse(since, &ims) == 0 &&
	    st->st_mtime <= ims) {
		(void)close(fd);
		ctx->resp->status = 304;
	} else
		lk_response_file(ctx->resp, 200, lk_file_type(name), fd,
		    (long long)st->st_size, head);
	ctx->resp->cache = GATE_CACHE;
	lk_response_header(ctx->resp, "Last-Modified", "%s", date);
	lk_response_header(ctx->resp, "X-Content-Type-Options", "nosniff");
}

/* The file the path the decision was made on names below gate_folder. */
static void
serve(struct lk_ctx *ctx)
{
	const struct lk_config	*cfg = ctx->cfg;
	char			 path[LK_RULES_URI_MAX + 1];
	char			 rel[LK_RULES_URI_MAX + 1];
	const char		*name;
	struct stat		 st;
	size_t			 plen = strlen(cfg->gate_path), len;
	int			 fd, folder, slash;

	if ((lk_method_bit(ctx->req->method) &
	    (LK_METHOD_GET | LK_METHOD_HEAD)) == 0) {
		lk_response_msg(ctx->resp, 405, "Method not allowed");
		lk_response_header(ctx->resp, "Allow", "GET, HEAD");
		return;
	}
	if (cfg->gate_folder[0] == '\0') {
		lk_log(LK_LOG_ERR, "gate: gate_folder is not set: nothing to "
		    "serve");
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		return;
	}
	if (!ctx->req->has_uri || ctx->req->uri_too_long ||
	    lk_rules_path(ctx->req->uri, path, sizeof(path)) == -1) {
		(void)lk_deny(ctx, LK_R_BAD_PATH, NULL);
		return;
	}
	/* The folder itself without its '/': where its pages are. */
	if (strlen(path) + 1 == plen && strncmp(path, cfg->gate_path,
	    plen - 1) == 0) {
		to_folder(ctx, path);
		return;
	}
	if (strncmp(path, cfg->gate_path, plen) != 0) {
		lk_response_msg(ctx->resp, 404, "Not found");
		return;
	}
	(void)lk_strlcpy(rel, path + plen, sizeof(rel));
	len = strlen(rel);
	slash = len > 0 && rel[len - 1] == '/';
	if (slash)
		rel[len - 1] = '\0';
	switch (lk_file_open(cfg->gate_folder, rel, &fd, &st)) {
	case LK_FILE_ERROR:
		lk_log(LK_LOG_ERR, "gate: gate_folder %s: %s", cfg->gate_folder,
		    strerror(errno));
		lk_response_msg(ctx->resp, 503, "Service unavailable");
		return;
	case LK_FILE_NONE:
		lk_response_msg(ctx->resp, 404, "Not found");
		return;
	case LK_FILE_DIR:
		if (!slash && rel[0] != '\0') {
			(void)close(fd);
			to_folder(ctx, path);
			return;
		}
		folder = fd;
		name = "index.html";
		if (lk_file_open_at(folder, name, &fd, &st) != LK_FILE_OK) {
			(void)close(folder);
			lk_response_msg(ctx->resp, 404, "Not found");
			return;
		}
		(void)close(folder);
		break;
	case LK_FILE_OK:
		/* A file has nothing below it: "/a.txt/" names nothing. */
		if (slash) {
			(void)close(fd);
			lk_response_msg(ctx->resp, 404, "Not found");
			return;
		}
		name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
		break;
	default:
		lk_response_msg(ctx->resp, 500, "Internal error");
		return;
	}
	send_file(ctx, fd, &st, name);
}

void
lk_gate_serve(struct lk_ctx *ctx)
{
	lk_auth_authorize(ctx);
	if (ctx->denial.reason != LK_R_OK)
		return;
	/* Let through: the file, not the authorizer's 200 and variables. */
	lk_response_reset(ctx->resp);
	serve(ctx);
}
