#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "base/util.h"
#include "decide/account.h"
#include "decide/notify.h"
#include "decide/throttle.h"
#include "domain/password.h"
#include "domain/policy.h"

static long long
lifetime(const struct lk_config *cfg, enum lk_link_purpose purpose)
{
	switch (purpose) {
	case LK_LINK_RESET:
		return cfg->reset_token_expires;
	case LK_LINK_INVITE:
		return cfg->invite_token_expires;
	default:
		return cfg->signup_token_expires;
	}
}

int
lk_account_send_link(struct lk_ctx *ctx, enum lk_link_purpose purpose,
    const char *email, const char *name)
{
	struct lk_link_job	 job;
	struct lk_throttle	 t;
	char			 n[24];
	unsigned long		 hashes = lk_onetime_hash_count();
	int			 rc = -1;

	memset(&job, 0, sizeof(job));
	if (lk_throttle_reserve_for(ctx, purpose == LK_LINK_RESET ? "reset" :
	    "signup", email, &t) == -1)
		goto out;
	if (lk_onetime_new(job.token, job.hash) == -1) {
		lk_log(LK_LOG_ERR, "cannot make a link: random source failed");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	job.purpose = purpose;
	job.lifetime = lifetime(ctx->cfg, purpose);
	job.now = ctx->now;
	if (lk_strlcpy(job.email, email, sizeof(job.email)) == -1 ||
	    lk_strlcpy(job.name, name != NULL ? name : "", sizeof(job.name)) ==
	    -1) {
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	/* Nothing of the account is looked at before the answer. */
	lk_notify_link(ctx, purpose == LK_LINK_RESET ? LK_NOTICE_RESET :
	    LK_NOTICE_SIGNUP, &job);
	/* The same line whatever the account: the work it cost. */
	(void)snprintf(n, sizeof(n), "%lu", lk_onetime_hash_count() - hashes);
	lk_log_audit(purpose == LK_LINK_RESET ? "reset_requested" :
	    "signup_requested", ctx->now, ctx->req->remote_addr, email,
	    "hashes", n, (char *)NULL);
	rc = 0;
out:
	lk_explicit_bzero(&job, sizeof(job));
	return rc;
}

void
lk_account_link_job(const struct lk_config *cfg, struct lk_store *store,
    struct lk_outbox *box)
{
	struct lk_link_job	*job = &box->job;
	struct lk_link_new	 ln;
	struct lk_user		 user;
	enum lk_notice		 kind = box->kind;

	if (!box->queued || !box->link)
		return;
	memset(&user, 0, sizeof(user));
	memset(&ln, 0, sizeof(ln));
	ln.purpose = job->purpose;
	ln.email = job->email;
	ln.name = job->name;
	ln.hash = job->hash;
	ln.expires = job->now + job->lifetime;
	box->nobody = 1;
	switch (lk_store_link_add(store, &ln, job->now, &user)) {
	case LK_STORE_OK:
		lk_notify_format(cfg, box, kind, &user, job->token,
		    job->lifetime, job->now);
		lk_metrics_count(job->purpose == LK_LINK_RESET ?
		    LK_M_LINK_RESET_SENT : job->purpose == LK_LINK_INVITE ?
		    LK_M_LINK_INVITE_SENT : LK_M_LINK_SIGNUP_SENT);
		break;
	case LK_STORE_EXISTS:
		/*
		 * A sign-up for an address that has an account: say so.  A
		 * pending one (invited, or signed up and not confirmed) gets
		 * nothing.
		 */
		if (job->purpose != LK_LINK_RESET && !user.disabled &&
		    !lk_store_user_pending(&user))
			lk_notify_format(cfg, box, LK_NOTICE_SIGNUP_EXISTS, &user,
			    NULL, 0, job->now);
		break;
	case LK_STORE_NOT_FOUND:
		break;
	default:
		lk_log(LK_LOG_ERR, "mail: %s to %s not sent: the link could not "
		    "be recorded", lk_notice_name(kind), job->email);
		break;
	}
	box->link = 0;
	lk_explicit_bzero(job, sizeof(*job));
	lk_explicit_bzero(&user, sizeof(user));
}

/* The live link of token for purposes into *out; 0, or -1 denied. */
static int
find(struct lk_ctx *ctx, const char *token, size_t tlen,
    unsigned int purposes, char hash[LK_ONETIME_HASH_LEN + 1],
    struct lk_link *out)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_NOT_FOUND, LK_R_LINK, NULL },
	};
	enum lk_store_res			res;

	/* Not a token we could have made: unknown, like any other. */
	if (lk_onetime_hash(token, tlen, hash) == -1)
		return lk_deny(ctx, LK_R_LINK, NULL);
	res = lk_store_link_find(lk_ctx_store(ctx), hash, purposes, ctx->now,
	    out);
	if (res == LK_STORE_NOT_FOUND)
		lk_log_audit("link_refused", ctx->now, ctx->req->remote_addr,
		    NULL, (char *)NULL);
	return lk_deny_store(ctx, res, refusals, LK_NREFUSALS(refusals));
}

int
lk_account_link_check(struct lk_ctx *ctx, const char *token, size_t tlen,
    unsigned int purposes, struct lk_link *out)
{
	struct lk_throttle	t;
	char			hash[LK_ONETIME_HASH_LEN + 1];
	int			rc;

	memset(out, 0, sizeof(*out));
	/* Nothing is known of whose link it is yet: its client counts. */
	if (lk_throttle_reserve_address(ctx, "reset", &t) == -1)
		return -1;
	rc = find(ctx, token, tlen, purposes, hash, out);
	lk_explicit_bzero(hash, sizeof(hash));
	if (rc == -1)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
lk_account_link_find(struct lk_ctx *ctx, const char *token, size_t tlen,
    const char *password, size_t plen, unsigned int purposes,
    struct lk_account_link *out)
{
	struct lk_throttle	 t;
	const char		*why;

	memset(out, 0, sizeof(*out));
	out->password = password;
	out->password_len = plen;
	if (find(ctx, token, tlen, purposes, out->hash, &out->link) == -1)
		goto err;
	if ((why = lk_policy_password(ctx->cfg, out->password,
	    out->password_len, out->link.user.email)) != NULL) {
		(void)lk_deny(ctx, LK_R_INVALID, why);
		goto err;
	}
	/* Before the hash, and before any second factor's code is checked. */
	if (lk_throttle_reserve_for(ctx, "reset", out->link.user.email, &t) ==
	    -1)
		goto err;
	return 0;
err:
	lk_explicit_bzero(out, sizeof(*out));
	return -1;
}

int
lk_account_link_use(struct lk_ctx *ctx, const struct lk_account_link *l,
    const struct lk_issue *issue)
{
	static const struct lk_store_refusal	refusals[] = {
		{ LK_STORE_NOT_FOUND, LK_R_LINK, NULL },
		{ LK_STORE_CHANGED, LK_R_LINK, NULL },
		{ LK_STORE_USED, LK_R_CODE, NULL },
	};
	struct lk_link_use			u;
	char					hash[LK_HASH_MAX + 1];
	char					account[LK_STORE_KEY_MAX];
	enum lk_store_res			res;
	int					rc = -1;

	if (lk_password_hash(&ctx->cfg->hash, l->password, hash,
	    sizeof(hash)) == -1) {
		lk_log(LK_LOG_ERR, "password hashing failed");
		(void)lk_deny(ctx, LK_R_INTERNAL, NULL);
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.hash = l->hash;
	u.purposes = LK_LINK_BIT(l->link.purpose);
	u.user_id = l->link.user.id;
	u.user_hash = l->link.user.hash;
	u.new_hash = hash;
	u.factor = l->factor;
	u.step = l->step;
	u.recovery = l->factor && l->step < 0 ? l->recovery : NULL;
	u.keep = l->keep;
	/* The mailbox is proved: the login lockout of the account is over. */
	lk_throttle_account_key(l->link.user.email, account, sizeof(account));
	u.throttle_account = account;
	if (l->login_reserved) {
		u.throttle_address = l->login.address;
		u.throttle_window = ctx->cfg->throttle_window;
	}
	if (issue != NULL) {
		u.session = &issue->session;
		u.tokens = &issue->tokens;
	}
	res = lk_store_link_use(lk_ctx_store(ctx), &u, ctx->now);
	if (res == LK_STORE_NOT_FOUND || res == LK_STORE_CHANGED)
		lk_log_audit("link_refused", ctx->now, ctx->req->remote_addr,
		    l->link.user.email, "reason", "used or changed meanwhile",
		    (char *)NULL);
	else if (res == LK_STORE_USED)
		/*
		 * The second factor: spent by another request, or turned off
		 * or on since it was read.  The link stays good.
		 */
		lk_log_audit("reset_code_failed", ctx->now,
		    ctx->req->remote_addr, l->link.user.email, "reason",
		    l->factor ? "code used already" : "second factor turned on",
		    (char *)NULL);
	if ((rc = lk_deny_store(ctx, res, refusals,
	    LK_NREFUSALS(refusals))) == 0)
		lk_metrics_count(l->link.purpose == LK_LINK_RESET ?
		    LK_M_LINK_RESET_USED : l->link.purpose == LK_LINK_INVITE ?
		    LK_M_LINK_INVITE_USED : LK_M_LINK_SIGNUP_USED);
out:
	lk_explicit_bzero(hash, sizeof(hash));
	return rc;
}
