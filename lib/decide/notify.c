#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "decide/notify.h"

static unsigned long	jobs, dropped;

static void
site_of(const struct lk_config *cfg, struct lk_notice_site *site)
{
	site->name = cfg->site_name;
	site->url = cfg->site_url;
	site->from = cfg->mail_from;
}

int
lk_notify_enabled(const struct lk_config *cfg, enum lk_notice kind)
{
	switch (kind) {
	case LK_NOTICE_PASSWORD_CHANGED:
		return cfg->notice_password_changed;
	case LK_NOTICE_PASSWORD_RESET:
		return cfg->notice_password_reset;
	case LK_NOTICE_SECOND_FACTOR_ADDED:
	case LK_NOTICE_SECOND_FACTOR_REMOVED:
	case LK_NOTICE_RECOVERY_REGENERATED:
		return cfg->notice_second_factor;
	case LK_NOTICE_PASSKEY_ADDED:
	case LK_NOTICE_PASSKEY_REMOVED:
		return cfg->notice_passkey;
	case LK_NOTICE__MAX:
		return 0;
	default:
		return 1;
	}
}

int
lk_notify_can_mail(const struct lk_config *cfg)
{
	struct lk_mail_argv	a;
	char			err[256];

	return cfg->mail_from[0] != '\0' && cfg->site_url[0] != '\0' &&
	    lk_mail_command_parse(cfg->mail_command, &a, err, sizeof(err)) == 0 &&
	    access(a.argv[0], X_OK) == 0;
}

/* The request's outbox, empty and ready for one job, or NULL (logged). */
static struct lk_outbox *
take(struct lk_ctx *ctx, enum lk_notice kind)
{
	struct lk_outbox	*box = ctx->outbox;

	if (box == NULL)
		return NULL;
	if (box->queued) {
		lk_log(LK_LOG_ERR, "mail: %s not sent: %s is queued already "
		    "(one mail per request)", lk_notice_name(kind),
		    lk_notice_name(box->kind));
		return NULL;
	}
	box->queued = 1;
	box->nobody = 0;
	box->link = 0;
	box->kind = kind;
	box->to[0] = '\0';
	box->len = 0;
	jobs++;
	return box;
}

/* Format the message into the box taken for it. */
static void
format(const struct lk_config *cfg, struct lk_outbox *box, enum lk_notice kind,
    const struct lk_user *user, const char *token, long long lifetime,
    const char *address, long long now)
{
	struct lk_notice_site	 site;
	struct lk_notice_args	 a;
	char			 err[256];
	long			 n;

	site_of(cfg, &site);
	memset(&a, 0, sizeof(a));
	a.email = user->email;
	a.name = user->name;
	a.token = token;
	a.lifetime = lifetime;
	a.address = address;
	box->kind = kind;
	box->nobody = 0;
	box->len = 0;
	(void)lk_strlcpy(box->to, user->email, sizeof(box->to));
	n = lk_notice_format(kind, &site, &a, now, box->msg, sizeof(box->msg),
	    err, sizeof(err));
	if (n < 0) {
		lk_log(LK_LOG_ERR, "mail: %s to %s not sent: %s",
		    lk_notice_name(kind), user->email, err);
		box->nobody = 1;
		return;
	}
	box->len = (size_t)n;
}

/*
 * Whether a security notice to user may go: at most LK_NOTIFY_NOTICE_MAX
 * a window per account, counted in the store (all processes, all
 * nodes).  Over the limit, or without the counter, it is logged and not
 * sent: the change it tells of is made all the same.
 */
static int
notice_allowed(struct lk_ctx *ctx, enum lk_notice kind,
    const struct lk_user *user)
{
	char		 key[LK_STORE_KEY_MAX + 1];
	const char	*keys[1];
	long long	 limits[1] = { LK_NOTIFY_NOTICE_MAX }, wait = 0;
	size_t		 i, o;

	o = (size_t)snprintf(key, sizeof(key), "notice:");
	for (i = 0; user->email[i] != '\0' && o + 1 < sizeof(key); i++, o++)
		key[o] = (user->email[i] >= 'A' && user->email[i] <= 'Z') ?
		    (char)(user->email[i] - 'A' + 'a') : user->email[i];
	key[o] = '\0';
	keys[0] = key;
	switch (lk_store_throttle_reserve(lk_ctx_store(ctx), keys, limits, 1,
	    LK_NOTIFY_NOTICE_WINDOW, ctx->now, &wait)) {
	case LK_STORE_OK:
		return 1;
	case LK_STORE_LIMIT:
		lk_log(LK_LOG_ERR, "mail: %s to %s not sent: %d notices to the "
		    "account in %d minutes already", lk_notice_name(kind),
		    user->email, LK_NOTIFY_NOTICE_MAX,
		    LK_NOTIFY_NOTICE_WINDOW / 60);
		return 0;
	default:
		lk_log(LK_LOG_ERR, "mail: %s to %s not sent: the store cannot "
		    "count it", lk_notice_name(kind), user->email);
		return 0;
	}
}

void
lk_notify(struct lk_ctx *ctx, enum lk_notice kind, const struct lk_user *user,
    const char *token, long long lifetime)
{
	struct lk_outbox	*box;

	if (!lk_notify_enabled(ctx->cfg, kind))
		return;
	if (!lk_notice_has_link(kind) && kind != LK_NOTICE_SIGNUP_EXISTS &&
	    !notice_allowed(ctx, kind, user))
		return;
	if ((box = take(ctx, kind)) == NULL)
		return;
	format(ctx->cfg, box, kind, user, token, lifetime,
	    lk_notice_has_link(kind) ? NULL : ctx->req->remote_addr, ctx->now);
}

void
lk_notify_link(struct lk_ctx *ctx, enum lk_notice kind,
    const struct lk_link_job *job)
{
	struct lk_outbox	*box;

	if ((box = take(ctx, kind)) == NULL)
		return;
	box->link = 1;
	box->job = *job;
	(void)lk_strlcpy(box->to, job->email, sizeof(box->to));
}

void
lk_notify_format(const struct lk_config *cfg, struct lk_outbox *box,
    enum lk_notice kind, const struct lk_user *user, const char *token,
    long long lifetime, long long now)
{
	format(cfg, box, kind, user, token, lifetime, NULL, now);
}

void
lk_notify_flush_drop(struct lk_outbox *box)
{
	lk_explicit_bzero(box->msg, box->len < sizeof(box->msg) ?
	    box->len + 1 : sizeof(box->msg));
	lk_explicit_bzero(&box->job, sizeof(box->job));
	box->queued = 0;
	box->nobody = 0;
	box->link = 0;
	box->len = 0;
	box->to[0] = '\0';
}

void
lk_notify_flush(const struct lk_config *cfg, struct lk_outbox *box)
{
	char			err[512];
	int			status;
	enum lk_mail_res	r;

	if (!box->queued)
		return;
	if (!box->nobody && box->len > 0) {
		r = lk_mail_send(cfg->mail_command, box->msg, box->len,
		    LK_NOTIFY_TIMEOUT_MS, &status, err, sizeof(err));
		if (r == LK_MAIL_OK)
			lk_log(LK_LOG_INFO, "mail: %s to %s handed to the mail "
			    "command", lk_notice_name(box->kind), box->to);
		else
			lk_log(LK_LOG_ERR, "mail: %s to %s: the mail command "
			    "failed: %s", lk_notice_name(box->kind), box->to,
			    err);
	}
	lk_notify_flush_drop(box);
}

int
lk_notify_now(const struct lk_config *cfg, enum lk_notice kind,
    const struct lk_notice_args *a, long long now, char *err, size_t errsz)
{
	struct lk_notice_site	 site;
	char			*msg, why[512];
	long			 n;
	int			 status, rc = -1;

	if ((msg = malloc(LK_MAIL_MAX)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	site_of(cfg, &site);
	if ((n = lk_notice_format(kind, &site, a, now, msg, LK_MAIL_MAX, why,
	    sizeof(why))) < 0) {
		(void)snprintf(err, errsz, "%s", why);
		goto out;
	}
	if (lk_mail_send(cfg->mail_command, msg, (size_t)n,
	    LK_NOTIFY_TIMEOUT_MS, &status, why, sizeof(why)) != LK_MAIL_OK) {
		(void)snprintf(err, errsz, "the mail command failed: %s", why);
		goto out;
	}
	rc = 0;
out:
	lk_explicit_bzero(msg, LK_MAIL_MAX);
	free(msg);
	return rc;
}

unsigned long
lk_notify_jobs(void)
{
	return jobs;
}

void
lk_notify_count_dropped(void)
{
	dropped++;
}

unsigned long
lk_notify_dropped(void)
{
	return dropped;
}
