/* lib/decide/notify.c: which mail a request queues, and whether it can. */
#include <unistd.h>

#include "t.h"
#include "decide.h"
#include "decide/notify.h"

static struct lk_outbox	box;

/* A site that can mail: mail_from, site_url and a command that runs. */
static void
can_mail(void)
{
	(void)snprintf(d_cfg.mail_from, sizeof(d_cfg.mail_from),
	    "latchkey@app.example");
	(void)snprintf(d_cfg.site_url, sizeof(d_cfg.site_url),
	    "https://app.example");
	(void)snprintf(d_cfg.mail_command, sizeof(d_cfg.mail_command),
	    "/bin/true");
}

TEST(a_site_mails_only_with_sender_site_and_a_command_that_runs)
{
	d_cfg.mail_from[0] = d_cfg.site_url[0] = '\0';
	CHECK(!lk_notify_can_mail(&d_cfg));
	can_mail();
	CHECK(lk_notify_can_mail(&d_cfg));
	(void)snprintf(d_cfg.mail_command, sizeof(d_cfg.mail_command),
	    "/nonexistent/sendmail -t");
	CHECK(!lk_notify_can_mail(&d_cfg));
	can_mail();
	d_cfg.site_url[0] = '\0';
	CHECK(!lk_notify_can_mail(&d_cfg));
	can_mail();
}

TEST(each_notice_follows_its_setting_and_links_always_go)
{
	d_cfg.notice_password_changed = 0;
	d_cfg.notice_passkey = 1;
	CHECK(!lk_notify_enabled(&d_cfg, LK_NOTICE_PASSWORD_CHANGED));
	CHECK(lk_notify_enabled(&d_cfg, LK_NOTICE_PASSKEY_REMOVED));
	CHECK(lk_notify_enabled(&d_cfg, LK_NOTICE_RESET));
	CHECK(!lk_notify_enabled(&d_cfg, LK_NOTICE__MAX));
	d_cfg.notice_password_changed = 1;
}

TEST(a_notice_is_queued_for_after_the_answer_one_per_request)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;

	can_mail();
	d_cfg.notice_password_changed = 1;
	(void)d_user("ann@example.com", &u);
	memset(&box, 0, sizeof(box));
	ctx->outbox = &box;
	lk_notify(ctx, LK_NOTICE_PASSWORD_CHANGED, &u, NULL, 0);
	CHECK(box.queued);
	CHECK_STR(box.to, "ann@example.com");
	CHECK(box.len > 0 && strstr(box.msg, "To: ") != NULL);
	CHECK(strstr(box.msg, "192.0.2.10") != NULL);
	/* A second one in the same request is dropped, and says so. */
	lk_notify(ctx, LK_NOTICE_PASSWORD_CHANGED, &u, NULL, 0);
	CHECK(strstr(d_log, "(one mail per request)") != NULL);
	CHECK_INT(ctx->denial.reason, LK_R_OK);
	lk_notify_flush_drop(&box);
	CHECK(!box.queued);
}

TEST(a_notice_turned_off_queues_nothing)
{
	struct lk_ctx	*ctx = d_ctx(NULL);
	struct lk_user	 u;

	can_mail();
	d_cfg.notice_password_changed = 0;
	(void)d_user("bob@example.com", &u);
	memset(&box, 0, sizeof(box));
	ctx->outbox = &box;
	lk_notify(ctx, LK_NOTICE_PASSWORD_CHANGED, &u, NULL, 0);
	CHECK(!box.queued);
	d_cfg.notice_password_changed = 1;
}

int
main(void)
{
	d_setup();
	RUN(a_site_mails_only_with_sender_site_and_a_command_that_runs);
	RUN(each_notice_follows_its_setting_and_links_always_go);
	RUN(a_notice_is_queued_for_after_the_answer_one_per_request);
	RUN(a_notice_turned_off_queues_nothing);
	d_teardown();
	return T_END();
}
