/*
 * GET /metrics -> 200, the node's metrics in the Prometheus text
 * exposition format (version 0.0.4): the counters every program of the
 * node adds to its counter file (metrics_file), the request durations,
 * latchkey_build_info, and gauges read from the store as it is asked
 * (users, live sessions, throttled keys).  Only to a client whose address
 * is in metrics_networks (loopback by default), or that sends
 * "Authorization: Bearer <the token in metrics_token_file>"; anyone else
 * gets 403 {"msg": "Access denied"}.  No label holds an email, an
 * address or a token.  docs/observability.md says what each one means.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "domain/store/store.h"

#ifndef LK_VERSION
#define LK_VERSION	"unknown"
#endif

#define TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define TOKEN_MAX	512

/*
 * Whether the request shows the token of metrics_token_file (compared in
 * constant time; a file that cannot be read, or holds less than 16
 * characters, lets no one in, and says why in the log).
 */
static int
bearer_ok(struct lk_ctx *ctx)
{
	char		 token[TOKEN_MAX + 1], err[512];
	const char	*h = ctx->req->authorization;
	size_t		 len;
	int		 r, ok;

	if (ctx->cfg->metrics_token_file[0] == '\0' ||
	    strncmp(h, "Bearer ", 7) != 0)
		return 0;
	r = lk_read_private(ctx->cfg->metrics_token_file, token, sizeof(token),
	    &len, err, sizeof(err));
	if (r != 1) {
		lk_log(LK_LOG_ERR, "metrics_token_file: %s", r == 0 ?
		    "no such file" : err);
		lk_explicit_bzero(token, sizeof(token));
		return 0;
	}
	while (len > 0 && (token[len - 1] == '\n' || token[len - 1] == '\r' ||
	    token[len - 1] == ' '))
		token[--len] = '\0';
	if (len < 16) {
		lk_log(LK_LOG_ERR, "metrics_token_file: a token of at least 16 "
		    "characters is needed");
		lk_explicit_bzero(token, sizeof(token));
		return 0;
	}
	ok = lk_ct_equal(h + 7, strlen(h + 7), token, len);
	lk_explicit_bzero(token, sizeof(token));
	return ok;
}

static int
gauge(char *buf, size_t bufsz, size_t *len, const char *name,
    const char *help, long long v)
{
	int	n;

	n = snprintf(buf + *len, bufsz - *len, "# HELP %s %s\n# TYPE %s gauge\n"
	    "%s %lld\n", name, help, name, name, v);
	if (n < 0 || (size_t)n >= bufsz - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

static void
handle(struct lk_ctx *ctx)
{
	static char		 buf[LK_RESP_BODY_MAX];
	struct lk_store_stats	 st;
	size_t			 len = 0;
	int			 n, r;

	if (!lk_config_metrics_client(ctx->cfg, ctx->req->remote_addr) &&
	    !bearer_ok(ctx)) {
		(void)lk_deny(ctx, LK_R_ACCESS_DENIED, NULL);
		return;
	}
	n = snprintf(buf, sizeof(buf), "# HELP latchkey_build_info The "
	    "running latchkey's version.\n# TYPE latchkey_build_info gauge\n"
	    "latchkey_build_info{version=\"%s\"} 1\n", LK_VERSION);
	if (n < 0 || (size_t)n >= sizeof(buf))
		goto toolong;
	len = (size_t)n;
	/* The store's counts: none if it cannot answer (a store error). */
	if (ctx->load(ctx, LK_NEED_STORE) == 0 &&
	    lk_store_stats(ctx->store, ctx->now,
	    ctx->now - ctx->cfg->throttle_window, &st) == LK_STORE_OK &&
	    (gauge(buf, sizeof(buf), &len, "latchkey_users",
	    "Accounts, pending ones included.", st.users) == -1 ||
	    gauge(buf, sizeof(buf), &len, "latchkey_sessions",
	    "Sessions neither ended nor expired.", st.sessions) == -1 ||
	    gauge(buf, sizeof(buf), &len, "latchkey_throttled_keys",
	    "Login throttle counters (accounts and networks) of open windows.",
	    st.throttled) == -1))
		goto toolong;
	r = lk_metrics_write(buf, sizeof(buf), &len);
	if (r == -2)
		goto toolong;
	lk_response_text(ctx->resp, 200, TYPE, buf, len);
	return;
toolong:
	lk_log(LK_LOG_ERR, "the metrics do not fit in %zu bytes", sizeof(buf));
	(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
}

static const struct lk_endpoint endpoint = {
	"metrics", LK_METHOD_GET | LK_METHOD_HEAD, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
