#ifndef LK_NOTIFY_H
#define LK_NOTIFY_H

#include <stddef.h>

#include "config.h"
#include "ctx.h"
#include "mail.h"
#include "notice.h"
#include "store.h"

/*
 * Mail to a user from a request: the message (lib/notice.h) is formatted
 * while the request is served and queued in the request's outbox; the
 * runtime hands it to mail_command only after the answer has gone to the
 * client (lk_notify_flush).  So the mailer's time never shows in the
 * answer, and its failure (logged with its exit status) never changes
 * it: a client cannot tell from the answer whether a mail went out.
 *
 * For the other endpoints, a security notice is one call, made once the
 * change is committed, just before the answer:
 *
 *	lk_notify(ctx, LK_NOTICE_SECOND_FACTOR_ADDED, &user, NULL, 0);
 *
 * (LK_NOTICE_SECOND_FACTOR_REMOVED, LK_NOTICE_RECOVERY_REGENERATED,
 * LK_NOTICE_PASSKEY_ADDED, LK_NOTICE_PASSKEY_REMOVED alike); the
 * configuration's notice_* switch decides whether it is sent.
 */

/* Milliseconds the mailer may take before it is killed. */
#define LK_NOTIFY_TIMEOUT_MS	30000

/* One request's mail, sent after its answer. */
struct lk_outbox {
	int		 queued;	/* a job waits */
	int		 nobody;	/* ...that sends nothing */
	enum lk_notice	 kind;
	char		 to[LK_STORE_EMAIL_MAX + 1];
	size_t		 len;
	char		 msg[LK_MAIL_MAX];
};

/* Whether the configuration sends notices of kind (links always go). */
int	lk_notify_enabled(const struct lk_config *cfg, enum lk_notice kind);

/*
 * Queue the mail of kind to user (token and lifetime for a link, else
 * NULL and 0), if lk_notify_enabled says so, with the request's client
 * address in a notice.  A message that cannot be made (no mail_from or
 * site_url, an address mail cannot reach) is logged and dropped; the
 * request goes on as if it had been queued.  One mail per request: a
 * second one is logged and dropped.
 */
void	lk_notify(struct lk_ctx *ctx, enum lk_notice kind,
	    const struct lk_user *user, const char *token, long long lifetime);

/*
 * Queue a job that sends nothing, where the same request for an account
 * that exists queues a mail (a reset for an unknown address), so that
 * both do the same work until the answer is sent.
 */
void	lk_notify_nobody(struct lk_ctx *ctx, enum lk_notice kind);

/*
 * Run the queued job, if any, with cfg's mail_command (the runtime calls
 * it after the answer is out), log what became of it, and empty the
 * outbox (the message, which may hold a link, is wiped).
 */
void	lk_notify_flush(const struct lk_config *cfg, struct lk_outbox *box);

/* Empty the outbox without sending (a job left over), wiping it. */
void	lk_notify_flush_drop(struct lk_outbox *box);

/*
 * Format and send one mail now (the tool): 0 when the mailer exited 0,
 * else -1 with the reason in err (never the token).
 */
int	lk_notify_now(const struct lk_config *cfg, enum lk_notice kind,
	    const struct lk_notice_args *a, long long now, char *err,
	    size_t errsz);

/* The jobs this process has queued, nobody's included (for the tests). */
unsigned long lk_notify_jobs(void);

#endif
