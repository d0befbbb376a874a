#ifndef LK_EXTERN_H
#define LK_EXTERN_H

/*
 * The runtime's entry points for its in-process tests (tests/unit/
 * test_app.c drives a request through a fake I/O layer, as kcgi's
 * regress/ does): not part of the public API.
 */

#include "app/route.h"
#include "decide/ctx.h"
#include "http/io.h"

enum lk_app_mode {
	LK_APP_RESPONDER,
	LK_APP_AUTHORIZER,
	LK_APP_ERRORDOC,
	LK_APP_GATE
};

/* Serve one request on io as ep (NULL for the error document). */
void	lk_app_serve(const struct lk_endpoint *ep, enum lk_app_mode mode,
	    struct lk_io *io);

/* Forget what was loaded: the next request loads configuration, keys and store again. */
void	lk_app_reset(void);

/*
 * The outbox of the request just served, and what the runtime does once
 * its answer is out: send the mail it queued (lib/decide/notify.h).
 */
struct lk_outbox *lk_app_outbox(void);
void	lk_app_after(void);

/*
 * Run the store work of the link job queued (lib/decide/account.h,
 * lk_account_link_job) now, in this process, so that its mail is in the
 * outbox: what lk_app_after does first for in-process tests.
 */
void	lk_app_job(void);

/* The store the runtime opened (NULL before the first request). */
struct lk_store *lk_app_store(void);

/*
 * The refusal table's entry for reason: status and message (pre, then the
 * denial's argument and post when post is not NULL).  Returns 0, or -1 for
 * a value out of range.
 */
int	lk_app_refusal(enum lk_reason reason, int *status, const char **pre,
	    const char **post);

/* The clock requests are served by (the tests set their own). */
extern long long (*lk_app_clock)(void);

#endif
