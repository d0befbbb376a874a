/*
 * GET /api/health -> 200 {"status": "ok"} when this node can serve: its
 * keys are loaded, its store answers a read, and its access rules (if
 * access_rules names a file) are all there; otherwise 503 {"status":
 * "unavailable", "reason": "keys"} (or "store", or "rules"), the first
 * part that failed, so that a load balancer takes the node out and its
 * operator knows where to look (the error log says why).  No cookie is
 * needed and nothing secret is said.  Each part is tried again at every
 * request (the store and the keys at most once a second while they fail),
 * so that a node comes back by itself, without a restart.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "domain/store/store.h"

/*
 * Whether a SQLite database file can still be opened and read as one.  A
 * long-lived connection keeps answering from its cache after its file
 * was removed, damaged or made unreadable: the file is opened anew and
 * its header read.  A server database answers for itself.
 */
static int
sqlite_file_ok(const char *database)
{
	static const char	magic[16] = "SQLite format 3";
	char			head[16];
	ssize_t			n;
	int			fd;

	if (lk_store_is_uri(database))
		return 1;
	if ((fd = open(database, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = pread(fd, head, sizeof(head), 0);
	(void)close(fd);
	return n == (ssize_t)sizeof(head) && memcmp(head, magic, sizeof(head)) == 0;
}

/* Answer 503 naming the part that failed. */
static void
unavailable(struct lk_ctx *ctx, const char *reason)
{
	struct lk_json_out	o;

	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "status", "unavailable");
	(void)lk_json_out_str(&o, "reason", reason);
	lk_response_json(ctx->resp, 503, &o);
}

static void
handle(struct lk_ctx *ctx)
{
	struct lk_store_stats	 st;
	struct lk_json_out	 o;

	/* Asked of the loader itself: a failure here is an answer, not a refusal. */
	if (ctx->load(ctx, LK_NEED_KEYS) == -1) {
		unavailable(ctx, "keys");
		return;
	}
	if (!sqlite_file_ok(ctx->cfg->database) ||
	    ctx->load(ctx, LK_NEED_STORE) == -1 ||
	    lk_store_stats(ctx->store, ctx->now,
	    ctx->now - ctx->cfg->throttle_window, &st) != LK_STORE_OK) {
		unavailable(ctx, "store");
		return;
	}
	if (ctx->cfg->access_rules[0] != '\0' &&
	    ctx->load(ctx, LK_NEED_RULES) == -1) {
		unavailable(ctx, "rules");
		return;
	}
	lk_json_out_init(&o);
	(void)lk_json_out_str(&o, "status", "ok");
	lk_response_json(ctx->resp, 200, &o);
}

static const struct lk_endpoint endpoint = {
	"health", LK_METHOD_GET | LK_METHOD_HEAD, handle, NULL
};

int
main(int argc, char *argv[])
{
	return lk_app_main(&endpoint, argc, argv);
}
