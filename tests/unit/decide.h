/*
 * Test helper for the decision layer's modules (lib/decide/): one request's
 * context as the runtime makes it, over the default configuration and a
 * fresh SQLite store in a temporary directory, with no runtime around it.
 */
#ifndef DECIDE_H
#define DECIDE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "decide/ctx.h"
#include "domain/config.h"
#include "domain/store/store.h"
#include "http/request.h"
#include "http/response.h"
#include "tmpdir.h"

#define D_NOW	2000000000LL

static struct lk_config		 d_cfg;
static struct lk_request	 d_req;
static struct lk_response	 d_resp;
static struct lk_store		*d_store;
static char			 d_log[8192];	/* log lines since d_ctx */

static void
d_log_sink(const char *line, void *arg)
{
	size_t	n = strlen(d_log);

	(void)arg;
	(void)snprintf(d_log + n, sizeof(d_log) - n, "%s\n", line);
}

/* The default configuration and an empty store (once per test binary). */
static void
d_setup(void)
{
	char	path[512], err[256];

	lk_config_defaults(&d_cfg);
	(void)snprintf(path, sizeof(path), "%s/store.db", tmp_dir());
	if ((d_store = lk_store_sqlite_open(path, 1, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "store: %s\n", err);
		exit(1);
	}
	lk_log_set_sink(d_log_sink, NULL);
}

/*
 * A fresh request from 192.0.2.10 at D_NOW: its context, with the store
 * open, no keys, and a JSON body when body is not NULL.
 */
static struct lk_ctx *
d_ctx(const char *body)
{
	static struct lk_ctx	 ctx;

	lk_request_reset(&d_req);
	lk_response_reset(&d_resp);
	memset(&ctx, 0, sizeof(ctx));
	d_log[0] = '\0';
	ctx.cfg = &d_cfg;
	ctx.store = d_store;
	ctx.req = &d_req;
	ctx.resp = &d_resp;
	ctx.now = D_NOW;
	(void)snprintf(d_req.remote_addr, sizeof(d_req.remote_addr),
	    "192.0.2.10");
	(void)snprintf(d_req.method, sizeof(d_req.method), "POST");
	if (body != NULL) {
		/* The request owns its body: lk_request_reset frees it. */
		if ((d_req.body = strdup(body)) == NULL)
			exit(1);
		d_req.body_len = strlen(body);
		(void)snprintf(d_req.content_type, sizeof(d_req.content_type),
		    "application/json");
		d_req.has_content_type = 1;
	}
	return &ctx;
}

/* A user of the store: its id (exits if it cannot be added). */
__attribute__((unused)) static long long
d_user(const char *email, struct lk_user *u)
{
	if (lk_store_user_add(d_store, email, "A Name", "$y$j9T$salt$hash",
	    D_NOW) != LK_STORE_OK ||
	    lk_store_user_find(d_store, email, u) != LK_STORE_OK) {
		fprintf(stderr, "cannot add user %s\n", email);
		exit(1);
	}
	return u->id;
}

static void
d_teardown(void)
{
	lk_store_close(d_store);
	d_store = NULL;
	tmp_cleanup();
}

#endif
