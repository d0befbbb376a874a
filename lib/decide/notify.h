#ifndef LK_NOTIFY_H
#define LK_NOTIFY_H

#include <stddef.h>

#include "decide/ctx.h"
#include "domain/config.h"
#include "domain/mail.h"
#include "domain/notice.h"
#include "domain/onetime.h"
#include "domain/store/store.h"

/*
 * Mail to a user from a request: the message (lib/domain/notice.h) is formatted
 * while the request is served and queued in the request's outbox; the
 * runtime hands it to mail_command only after the answer has gone to the
 * client (lk_notify_flush).  So the mailer's time never shows in the
 * answer, and its failure (logged with its exit status) never changes
 * it: a client cannot tell from the answer whether a mail went out.
 *
 * A one-time link asked for by anyone (a reset, a sign-up) is queued
 * before anything about its account is known (lk_notify_link): the
 * store records it, and decides what mail goes, only after the answer
 * (lib/decide/account.h, lk_account_link_job), so that the request does the
 * same work, in the store too, whether or not the account exists.
 *
 * Security notices are limited per account (LK_NOTIFY_NOTICE_MAX in
 * LK_NOTIFY_NOTICE_WINDOW, on the throttle counter "notice:EMAIL"): past
 * that they are logged and dropped, so that a user who changes a second
 * factor in a loop cannot keep the mailer busy.
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

/* Security notices per account and window (seconds). */
#define LK_NOTIFY_NOTICE_MAX	5
#define LK_NOTIFY_NOTICE_WINDOW	900

/* A one-time link to record after the answer, then to mail. */
struct lk_link_job {
	enum lk_link_purpose	 purpose;
	char			 email[LK_STORE_EMAIL_MAX + 1];
	char			 name[LK_STORE_NAME_MAX + 1];	/* a sign-up's */
	char			 token[LK_ONETIME_TOKEN_LEN + 1];
	char			 hash[LK_ONETIME_HASH_LEN + 1];
	long long		 lifetime;	/* seconds the link works */
	long long		 now;		/* of the request */
};

/* One request's mail, sent after its answer. */
struct lk_outbox {
	int		 queued;	/* a job waits */
	int		 nobody;	/* ...that sends nothing */
	int		 link;		/* ...whose link is to be recorded first */
	enum lk_notice	 kind;
	char		 to[LK_STORE_EMAIL_MAX + 1];
	size_t		 len;
	char		 msg[LK_MAIL_MAX];
	struct lk_link_job job;		/* with link set */
};

/* Whether the configuration sends notices of kind (links always go). */
int	lk_notify_enabled(const struct lk_config *cfg, enum lk_notice kind);

/*
 * Whether this site can send mail at all: mail_from and site_url set (a
 * link needs both) and mail_command a command whose program this
 * process may run.  Without it, no reset link or invitation ever goes
 * out: the web app says so instead of promising one.
 */
int	lk_notify_can_mail(const struct lk_config *cfg);

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
 * Queue the link job (kind LK_NOTICE_RESET or LK_NOTICE_SIGNUP), whose
 * store work and mail come after the answer (lk_account_link_job).  The
 * job is copied; the caller wipes its own token.
 */
void	lk_notify_link(struct lk_ctx *ctx, enum lk_notice kind,
	    const struct lk_link_job *job);

/*
 * Format the mail of kind to user into box, queued already (the link
 * job's, once its account is known): as lk_notify, with no client
 * address in it, and nobody set when it cannot be made (logged).
 */
void	lk_notify_format(const struct lk_config *cfg, struct lk_outbox *box,
	    enum lk_notice kind, const struct lk_user *user, const char *token,
	    long long lifetime, long long now);

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

/*
 * Count a job dropped (the runtime's table of running mail jobs was
 * full: a slow mailer), and the count so far in this process, for the
 * metrics.
 */
void	lk_notify_count_dropped(void);
unsigned long lk_notify_dropped(void);

#endif
