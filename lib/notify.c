#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notify.h"
#include "util.h"

static unsigned long	jobs;

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
	box->kind = kind;
	box->to[0] = '\0';
	box->len = 0;
	jobs++;
	return box;
}

void
lk_notify(struct lk_ctx *ctx, enum lk_notice kind, const struct lk_user *user,
    const char *token, long long lifetime)
{
	struct lk_notice_site	 site;
	struct lk_notice_args	 a;
	struct lk_outbox	*box;
	char			 err[256];
	long			 n;

	if (!lk_notify_enabled(ctx->cfg, kind) || (box = take(ctx, kind)) ==
	    NULL)
		return;
	site_of(ctx->cfg, &site);
	memset(&a, 0, sizeof(a));
	a.email = user->email;
	a.name = user->name;
	a.token = token;
	a.lifetime = lifetime;
	a.address = lk_notice_has_link(kind) ? NULL : ctx->req->remote_addr;
	(void)lk_strlcpy(box->to, user->email, sizeof(box->to));
	n = lk_notice_format(kind, &site, &a, ctx->now, box->msg,
	    sizeof(box->msg), err, sizeof(err));
	if (n < 0) {
		lk_log(LK_LOG_ERR, "mail: %s to %s not sent: %s",
		    lk_notice_name(kind), user->email, err);
		box->nobody = 1;
		return;
	}
	box->len = (size_t)n;
}

void
lk_notify_nobody(struct lk_ctx *ctx, enum lk_notice kind)
{
	struct lk_outbox	*box;

	if ((box = take(ctx, kind)) != NULL)
		box->nobody = 1;
}

void
lk_notify_flush_drop(struct lk_outbox *box)
{
	lk_explicit_bzero(box->msg, box->len < sizeof(box->msg) ?
	    box->len + 1 : sizeof(box->msg));
	box->queued = 0;
	box->nobody = 0;
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
