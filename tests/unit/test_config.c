#include <stdio.h>
#include <string.h>

#include "domain/config.h"
#include "domain/password.h"
#include "t.h"
#include "tmpdir.h"

static int
load(const char *text, char *err, size_t errsz, struct lk_config *cfg)
{
	return lk_config_load(cfg, tmp_file("t.conf", text, 0644), err, errsz);
}

TEST(defaults_follow_the_seed)
{
	struct lk_config	c;

	lk_config_defaults(&c);
	CHECK_INT(c.access_token_expires, 3600);
	CHECK_STR(c.access_cookie_name, "access_token_cookie");
	CHECK_STR(c.access_csrf_cookie_name, "csrf_access_token");
	CHECK_STR(c.access_cookie_path, "/");
	CHECK_STR(c.csrf_header_name, "X-CSRF-TOKEN");
	CHECK_INT(c.csrf_protect, 1);
	CHECK_INT(c.cookie_secure, 1);
	CHECK_INT(c.cookie_samesite, LK_SAMESITE_LAX);
	CHECK_INT(c.csrf_methods, LK_METHOD_POST | LK_METHOD_PUT |
	    LK_METHOD_PATCH | LK_METHOD_DELETE);
	CHECK_INT(c.leeway, 0);
	CHECK_STR(c.login_page, "/login");
	CHECK_STR(c.hash.method, "yescrypt");
	CHECK_INT(c.hash.cost, 5);
	CHECK_INT(c.max_body, 8192);
}

TEST(login_page_is_a_path_of_this_site_or_nothing)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	CHECK_INT(load("login_page = /app/sign-in\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.login_page, "/app/sign-in");
	CHECK_INT(load("login_page =\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.login_page, "");
}

TEST(empty_file_and_comments)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(load("# only a comment\n\n   \n\t# indented\n", err,
	    sizeof(err), &c), 0);
	/* Relative paths resolve against the file's directory. */
	CHECK(strncmp(c.database, tmp_dir(), strlen(tmp_dir())) == 0);
	CHECK(strcmp(c.database + strlen(tmp_dir()), "/latchkey.db") == 0);
	CHECK(strcmp(c.key_file + strlen(tmp_dir()), "/secret.key") == 0);
}

TEST(every_key_parses)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(load(
	    "database = /var/lib/latchkey/users.db\n"
	    "key_file = keys/secret\n"
	    "access_token_expires = 15m\n"
	    "leeway = 30\n"
	    "issuer = https://example.com\n"
	    "audience = app\n"
	    "access_cookie_name = at\n"
	    "access_cookie_path = /api/\n"
	    "access_csrf_cookie_name = ct\n"
	    "access_csrf_cookie_path = /\n"
	    "cookie_domain = example.com\n"
	    "cookie_secure = false\n"
	    "cookie_samesite = Strict\n"
	    "session_cookie = no\n"
	    "csrf_protect = on\n"
	    "csrf_header_name = X-XSRF-TOKEN\n"
	    "csrf_methods = POST, DELETE\n"
	    "hash_method = bcrypt\n"
	    "hash_cost = 10\n"
	    "hash_allow = bcrypt yescrypt\n"
	    "max_body = 4096\n"
	    "name_max = 50\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.database, "/var/lib/latchkey/users.db");
	CHECK(strcmp(c.key_file + strlen(tmp_dir()), "/keys/secret") == 0);
	CHECK_INT(c.access_token_expires, 900);
	CHECK_INT(c.leeway, 30);
	CHECK_STR(c.issuer, "https://example.com");
	CHECK_STR(c.audience, "app");
	CHECK_STR(c.access_cookie_name, "at");
	CHECK_STR(c.access_cookie_path, "/api/");
	CHECK_STR(c.cookie_domain, "example.com");
	CHECK_INT(c.cookie_secure, 0);
	CHECK_INT(c.cookie_samesite, LK_SAMESITE_STRICT);
	CHECK_INT(c.session_cookie, 0);
	CHECK_STR(c.csrf_header_name, "X-XSRF-TOKEN");
	CHECK_INT(c.csrf_methods, LK_METHOD_POST | LK_METHOD_DELETE);
	CHECK_STR(c.hash.method, "bcrypt");
	CHECK_INT(c.hash.cost, 10);
	CHECK_INT(c.hash.allow, LK_HASH_BCRYPT | LK_HASH_YESCRYPT);
	CHECK_INT(c.max_body, 4096);
	CHECK_INT(c.name_max, 50);
}

TEST(session_keys)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(load("refresh_token_expires = 7d\nsession_max = 14d\n"
	    "refresh_grace = 5\ncookie_secure = true\ncookie_host_prefix = yes\n"
	    "throttle_account_max = 3\nthrottle_address_max = 9\n"
	    "throttle_window = 2m\npassword_min = 12\n"
	    "allowed_origins = https://a.example, http://b.example:8080\n"
	    "cors_origins = http://localhost:3000\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.refresh_token_expires, 7 * 86400);
	CHECK_INT(c.session_max, 14 * 86400);
	CHECK_INT(c.refresh_grace, 5);
	CHECK_INT(c.cookie_host_prefix, 1);
	CHECK_INT(c.throttle_account_max, 3);
	CHECK_INT(c.throttle_address_max, 9);
	CHECK_INT(c.throttle_window, 120);
	CHECK_INT(c.password_min, 12);
	CHECK_STR(c.allowed_origins, "https://a.example http://b.example:8080");
	CHECK(lk_config_origin_listed(c.allowed_origins, "http://b.example:8080"));
	CHECK(!lk_config_origin_listed(c.allowed_origins, "http://b.example"));
	CHECK(!lk_config_origin_listed(c.allowed_origins, "https://a.exampl"));
	CHECK(!lk_config_origin_listed(c.allowed_origins, "null"));
	CHECK_STR(c.cors_origins, "http://localhost:3000");
	lk_config_defaults(&c);
	CHECK_INT(c.refresh_token_expires, 30 * 86400);
	CHECK_STR(c.refresh_cookie_name, "refresh_token_cookie");
	CHECK_STR(c.refresh_cookie_path, "/api/refresh");
	CHECK_STR(c.refresh_csrf_cookie_name, "csrf_refresh_token");
	CHECK_INT(c.throttle_account_max, 5);
	CHECK_INT(c.throttle_address_max, 20);
	CHECK_INT(c.throttle_window, 900);
}

TEST(hash_cost_defaults_per_method)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(load("hash_method = bcrypt\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.hash.cost, 12);
}

/* Each bad file fails with "FILE:LINE: ..." naming the right line. */
static void
expect_error(const char *text, const char *where, const char *what)
{
	struct lk_config	c;
	char			err[1024], want[600];

	CHECK_INT(load(text, err, sizeof(err), &c), -1);
	(void)snprintf(want, sizeof(want), "%s/t.conf%s", tmp_dir(), where);
	if (strncmp(err, want, strlen(want)) != 0 ||
	    strstr(err, what) == NULL) {
		fprintf(stderr, "  got: %s\n  want: %s ... %s\n", err, want, what);
		t_now_failed = 1;
	}
}

TEST(site_name_is_text)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	lk_config_defaults(&c);
	CHECK_STR(c.site_name, "latchkey");
	CHECK_INT(load("site_name = Caf\xc3\xa9 du Coin\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.site_name, "Caf\xc3\xa9 du Coin");
	expect_error("site_name =\n", ":1: ", "site_name");
	expect_error("site_name = a\x01b\n", ":1: ", "site_name");
	expect_error("site_name = \xc3\n", ":1: ", "site_name");
}

TEST(second_factor_keys)
{
	struct lk_config	c;
	struct lk_cookie_names	n;
	char			err[LK_CONFIG_ERR_MAX];

	/* The sealing key beside the file by default, and no fixed RP ID. */
	CHECK_INT(load("", err, sizeof(err), &c), 0);
	CHECK(strcmp(c.mfa_key_file + strlen(tmp_dir()), "/mfa.key") == 0);
	CHECK_STR(c.webauthn_rp_id, "");
	/* A login counts as fresh for 15 minutes, 1 s to a day. */
	CHECK_INT(c.fresh_seconds, 900);
	CHECK_INT(load("fresh_seconds = 2m\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.fresh_seconds, 120);
	CHECK_INT(load("fresh_seconds = 0\n", err, sizeof(err), &c), -1);
	CHECK(strstr(err, "fresh_seconds") != NULL);
	CHECK_INT(load("fresh_seconds = 2d\n", err, sizeof(err), &c), -1);
	CHECK_INT(load("", err, sizeof(err), &c), 0);
	lk_config_cookie_names(&c, &n);
	CHECK_STR(n.mfa_pending, "mfa_pending");
	CHECK_INT(load("mfa_key_file = keys/totp.key\n"
	    "webauthn_rp_id = login.example.com\n"
	    "cookie_host_prefix = on\n", err, sizeof(err), &c), 0);
	CHECK(strcmp(c.mfa_key_file + strlen(tmp_dir()), "/keys/totp.key") == 0);
	CHECK_STR(c.webauthn_rp_id, "login.example.com");
	lk_config_cookie_names(&c, &n);
	CHECK_STR(n.mfa_pending, "__Secure-mfa_pending");
	CHECK_INT(load("mfa_key_file = /etc/latchkey/mfa.key\n", err,
	    sizeof(err), &c), 0);
	CHECK_STR(c.mfa_key_file, "/etc/latchkey/mfa.key");
	/* Browsers hand the RP ID over in lower case, without a port. */
	CHECK_INT(load("webauthn_rp_id = Example.com\n", err, sizeof(err), &c),
	    -1);
	CHECK(strstr(err, "webauthn_rp_id: expected a host name in lower case")
	    != NULL);
	CHECK_INT(load("webauthn_rp_id = example.com:8443\n", err, sizeof(err),
	    &c), -1);
	CHECK_INT(load("webauthn_rp_id = 127.0.0.1\n", err, sizeof(err), &c),
	    -1);
	CHECK(strstr(err, "webauthn_rp_id: an IP address is no RP ID") != NULL);
	CHECK_INT(load("webauthn_rp_id = 1.example\n", err, sizeof(err), &c),
	    0);
	CHECK_INT(load("mfa_key_file =\n", err, sizeof(err), &c), -1);
}

TEST(access_rules_is_a_path_or_nothing)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	/* Absent: no rules, any session passes the authorizer. */
	CHECK_INT(load("", err, sizeof(err), &c), 0);
	CHECK_STR(c.access_rules, "");
	/* Beside the configuration file, or where it says. */
	CHECK_INT(load("access_rules = access.rules\n", err, sizeof(err), &c),
	    0);
	CHECK(strncmp(c.access_rules, tmp_dir(), strlen(tmp_dir())) == 0);
	CHECK_STR(c.access_rules + strlen(tmp_dir()), "/access.rules");
	CHECK_INT(load("access_rules = /etc/latchkey/access.rules\n", err,
	    sizeof(err), &c), 0);
	CHECK_STR(c.access_rules, "/etc/latchkey/access.rules");
	/* The file is the authorizer's to read: it need not exist here. */
	CHECK_INT(load("access_rules = no-such.rules\n", err, sizeof(err), &c),
	    0);
	CHECK_INT(load("\naccess_rules =\n", err, sizeof(err), &c), -1);
	CHECK(strstr(err, "t.conf:2: ") != NULL);
	CHECK(strstr(err, "access_rules") != NULL);
}

TEST(mail_keys_default_to_sendmail_and_no_sender)
{
	struct lk_config	c;

	lk_config_defaults(&c);
	CHECK_STR(c.mail_command, "/usr/sbin/sendmail -t -i");
	CHECK_STR(c.mail_from, "");
	CHECK_STR(c.site_url, "");
	CHECK_INT(c.signup_open, 0);
	CHECK_INT(c.reset_token_expires, 30 * 60);
	CHECK_INT(c.invite_token_expires, 7 * 86400);
	CHECK_INT(c.signup_token_expires, 86400);
	CHECK_INT(c.notice_password_changed, 1);
	CHECK_INT(c.notice_password_reset, 1);
	CHECK_INT(c.notice_second_factor, 1);
	CHECK_INT(c.notice_passkey, 1);
}

TEST(mail_keys_parse)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	CHECK_INT(load("mail_command = /usr/bin/msmtp -C /etc/msmtprc -t -i\n"
	    "mail_from = noreply@example.com\n"
	    "site_url = https://login.example.com/app/\n"
	    "signup = open\n"
	    "reset_token_expires = 1h\n"
	    "invite_token_expires = 14d\n"
	    "signup_token_expires = 2h\n"
	    "notice_password_changed = false\n"
	    "notice_password_reset = no\n"
	    "notice_second_factor = off\n"
	    "notice_passkey = 0\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.mail_command, "/usr/bin/msmtp -C /etc/msmtprc -t -i");
	CHECK_STR(c.mail_from, "noreply@example.com");
	/* The final '/' goes: links append "/reset#...". */
	CHECK_STR(c.site_url, "https://login.example.com/app");
	CHECK_INT(c.signup_open, 1);
	CHECK_INT(c.reset_token_expires, 3600);
	CHECK_INT(c.invite_token_expires, 14 * 86400);
	CHECK_INT(c.signup_token_expires, 7200);
	CHECK_INT(c.notice_password_changed + c.notice_password_reset +
	    c.notice_second_factor + c.notice_passkey, 0);
	CHECK_INT(load("site_url = http://127.0.0.1:8080\nsignup = off\n", err,
	    sizeof(err), &c), 0);
	CHECK_STR(c.site_url, "http://127.0.0.1:8080");
	CHECK_INT(c.signup_open, 0);
	CHECK_INT(load("site_url = http://[::1]:8080/\n", err, sizeof(err), &c),
	    0);
	CHECK_STR(c.site_url, "http://[::1]:8080");
}

TEST(mail_keys_refuse_what_could_change_a_message_or_a_command)
{
	/* A shell would give these a meaning; there is no shell. */
	expect_error("mail_command = /usr/sbin/sendmail -t -i; rm -rf /\n",
	    ":1: ", "mail_command");
	expect_error("mail_command = sendmail -t\n", ":1: ", "absolute path");
	expect_error("mail_command = /usr/sbin/sendmail $HOME\n", ":1: ",
	    "mail_command");
	expect_error("mail_command =\n", ":1: ", "mail_command");
	expect_error("mail_from = Site <noreply@example.com>\n", ":1: ",
	    "mail_from");
	expect_error("mail_from = noreply@ex ample.com\n", ":1: ", "mail_from");
	expect_error("mail_from = caf\xc3\xa9@example.com\n", ":1: ",
	    "mail_from");
	expect_error("site_url = https://example.com/?next=x\n", ":1: ",
	    "site_url");
	expect_error("site_url = https://example.com/#x\n", ":1: ", "site_url");
	expect_error("site_url = https://Example.com\n", ":1: ", "site_url");
	expect_error("site_url = https://example.com//evil\n", ":1: ",
	    "site_url");
	expect_error("site_url = https://example.com/a%2fb\n", ":1: ",
	    "site_url");
	expect_error("site_url = javascript:alert(1)\n", ":1: ", "site_url");
	expect_error("site_url = https://\n", ":1: ", "site_url");
	expect_error("site_url = https://user@example.com\n", ":1: ",
	    "site_url");
	expect_error("signup = yes\n", ":1: ", "signup");
	expect_error("reset_token_expires = 10\n", ":1: ",
	    "reset_token_expires");
	expect_error("reset_token_expires = 2d\n", ":1: ",
	    "reset_token_expires");
	expect_error("invite_token_expires = 91d\n", ":1: ",
	    "invite_token_expires");
	expect_error("notice_passkey = maybe\n", ":1: ", "notice_passkey");
	/* Open sign-up mails a link: it needs somewhere to send it from. */
	expect_error("site_url = https://example.com\nsignup = open\n",
	    ":2: ", "needs mail_from and site_url");
	expect_error("signup = open\nmail_from = a@example.com\n", ":1: ",
	    "needs mail_from and site_url");
}

TEST(the_gate_serves_a_folder_under_a_folder_path)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];
	const char		*bad[] = {
		"/members", "members/", "/", "//", "/a//b/", "/a/./b/", "/a/../b/",
		"/../", "/./", "/a%2Fb/", "/a b/", "/a;b/", "/a?b/", "/a\\b/", "",
	};
	size_t			i;
	char			line[128];

	CHECK_INT(load("", err, sizeof(err), &c), 0);
	CHECK_STR(c.gate_folder, "");
	CHECK_STR(c.gate_path, "/members/");
	CHECK_INT(load("gate_folder = members\ngate_path = /team/docs/\n", err,
	    sizeof(err), &c), 0);
	CHECK(strncmp(c.gate_folder, tmp_dir(), strlen(tmp_dir())) == 0);
	CHECK_STR(c.gate_folder + strlen(tmp_dir()), "/members");
	CHECK_STR(c.gate_path, "/team/docs/");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(line, sizeof(line), "gate_path = %s\n", bad[i]);
		if (strcmp(bad[i], "/") == 0) {
			/* The whole site: a folder's path all the same. */
			CHECK_INT(load(line, err, sizeof(err), &c), 0);
			continue;
		}
		CHECK_INT(load(line, err, sizeof(err), &c), -1);
		CHECK(strstr(err, "gate_path: must be a folder's path") != NULL);
	}
}

TEST(errors_name_file_and_line)
{
	expect_error("cookie_secure = true\nbogus = 1\n", ":2: ",
	    "unknown key \"bogus\"");
	expect_error("\n\nno equals sign\n", ":3: ", "expected \"key = value\"");
	expect_error("cookie_secure = maybe\n", ":1: ", "cookie_secure");
	expect_error("access_token_expires = 0\n", ":1: ", "access_token_expires");
	expect_error("access_token_expires = 10x\n", ":1: ", "access_token_expires");
	expect_error("access_token_expires = -5\n", ":1: ", "access_token_expires");
	expect_error("access_token_expires = 99999999999999999999\n", ":1: ",
	    "access_token_expires");
	expect_error("cookie_samesite = lax-ish\n", ":1: ", "cookie_samesite");
	expect_error("csrf_methods = POST, FETCH\n", ":1: ", "csrf_methods");
	expect_error("hash_method = md5\n", ":1: ", "hash_method");
	expect_error("access_cookie_name = a b\n", ":1: ", "access_cookie_name");
	expect_error("access_cookie_name = a;b\n", ":1: ", "access_cookie_name");
	expect_error("access_cookie_path = api\n", ":1: ", "access_cookie_path");
	expect_error("cookie_domain = ex ample.com\n", ":1: ", "cookie_domain");
	expect_error("login_page = //evil.example/\n", ":1: ", "login_page");
	expect_error("login_page = login\n", ":1: ", "login_page");
	expect_error("login_page = https://evil.example/\n", ":1: ", "login_page");
	expect_error("login_page = /login?x=1\n", ":1: ", "login_page");
	expect_error("login_page = /login#x\n", ":1: ", "login_page");
	expect_error("login_page = /\\evil.example\n", ":1: ", "login_page");
	expect_error("max_body = 10\n", ":1: ", "max_body");
	expect_error("leeway = 1\nleeway = 2\n", ":2: ", "set twice");
	expect_error("database =\n", ":1: ", "database");
	expect_error("hash_method = bcrypt\nhash_cost = 3\n", ": ", "hash_cost");
	expect_error("hash_allow = bcrypt\n", ": ", "hash_allow must include");
	expect_error("cookie_secure = false\ncookie_samesite = None\n", ": ",
	    "requires cookie_secure");
	expect_error("access_csrf_cookie_name = access_token_cookie\n", ":1: ",
	    "must differ");
	expect_error("refresh_cookie_name = access_token_cookie\n", ":1: ",
	    "must differ");
	expect_error("cookie_host_prefix = true\ncookie_secure = false\n", ": ",
	    "cookie_host_prefix requires cookie_secure");
	expect_error("cookie_host_prefix = true\naccess_cookie_path = /api/\n",
	    ": ", "cookie_host_prefix needs");
	expect_error("access_token_expires = 40d\n", ": ",
	    "must not be longer than refresh_token_expires");
	expect_error("cors_origins = http://ok.example https://Bad.example\n",
	    ":1: ", "cors_origins");
	expect_error("allowed_origins = https://a.example/path\n", ":1: ",
	    "allowed_origins");
	expect_error("allowed_origins = null\n", ":1: ", "allowed_origins");
	expect_error("throttle_account_max = 0\n", ":1: ", "throttle_account_max");
	expect_error("refresh_grace = 1h\n", ":1: ", "refresh_grace");
}

TEST(trusted_proxies_are_networks)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	/* Loopback by default, both families. */
	CHECK_INT(load("", err, sizeof(err), &c), 0);
	CHECK_INT(c.ntrusted_proxies, 2);
	CHECK(lk_config_trusted_proxy(&c, "127.0.0.1"));
	CHECK(lk_config_trusted_proxy(&c, "127.8.9.10"));
	CHECK(lk_config_trusted_proxy(&c, "::1"));
	CHECK(lk_config_trusted_proxy(&c, "::ffff:127.0.0.1"));
	CHECK(!lk_config_trusted_proxy(&c, "192.0.2.1"));
	CHECK(!lk_config_trusted_proxy(&c, "::2"));
	CHECK(!lk_config_trusted_proxy(&c, ""));
	CHECK(!lk_config_trusted_proxy(&c, "localhost"));
	CHECK(!lk_config_trusted_proxy(&c, NULL));
	/* A list replaces the default; commas or spaces between. */
	CHECK_INT(load("trusted_proxies = 10.0.0.0/8, 192.0.2.7 fd00::/8\n",
	    err, sizeof(err), &c), 0);
	CHECK_INT(c.ntrusted_proxies, 3);
	CHECK(lk_config_trusted_proxy(&c, "10.1.2.3"));
	CHECK(lk_config_trusted_proxy(&c, "192.0.2.7"));
	CHECK(!lk_config_trusted_proxy(&c, "192.0.2.8"));
	CHECK(lk_config_trusted_proxy(&c, "fd12::1"));
	CHECK(!lk_config_trusted_proxy(&c, "127.0.0.1"));
	/* Nothing: no proxy is believed. */
	CHECK_INT(load("trusted_proxies =\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.ntrusted_proxies, 0);
	CHECK(!lk_config_trusted_proxy(&c, "127.0.0.1"));
	expect_error("trusted_proxies = 10.0.0.1/8\n", ":1: ",
	    "\"10.0.0.1/8\" has bits set past its prefix length");
	expect_error("trusted_proxies = 10.0.0.0/33\n", ":1: ",
	    "prefix length out of range");
	expect_error("trusted_proxies = ::1 localhost\n", ":1: ",
	    "\"localhost\" is not an IPv4 or IPv6 address");
	expect_error("trusted_proxies = 10.0.0.0/\n", ":1: ",
	    "trusted_proxies");
}

TEST(cookie_domain_and_host_prefix_exclude_each_other)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	CHECK_INT(load("cookie_domain = example.com\n", err, sizeof(err), &c),
	    0);
	CHECK_STR(c.cookie_domain, "example.com");
	expect_error("cookie_secure = true\ncookie_host_prefix = true\n"
	    "cookie_domain = example.com\n", ":3: ", "cookie_domain cannot be "
	    "combined with cookie_host_prefix: a __Host- cookie is never sent "
	    "to another host");
}

TEST(missing_file)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(lk_config_load(&c, "/nonexistent/latchkey.conf", err,
	    sizeof(err)), -1);
	CHECK_STR(err, "/nonexistent/latchkey.conf: No such file or directory");
}

TEST(long_line_and_nul)
{
	struct lk_config	c;
	char			err[1024], big[4000];

	memset(big, 'a', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(load(big, err, sizeof(err), &c), -1);
	CHECK(strstr(err, ":1: line too long") != NULL);
}

/* Line N of the file names the key set there; others take defaults. */
static void
check_collision(const char *text, const char *line)
{
	struct lk_config	c;
	char			err[512], want[64];

	CHECK_INT(load(text, err, sizeof(err), &c), -1);
	(void)snprintf(want, sizeof(want), "t.conf:%s: ", line);
	if (strstr(err, want) == NULL || strstr(err, "cookie names") == NULL)
		fprintf(stderr, "for %s got: %s\n", text, err);
	CHECK(strstr(err, want) != NULL);
	CHECK(strstr(err, "cookie names") != NULL);
}

TEST(every_pair_of_cookie_names_differs)
{
	struct lk_config	c;
	char			err[512];

	/* All six pairs, each made equal from the file. */
	check_collision("access_cookie_name = csrf_access_token\n", "1");
	check_collision("access_cookie_name = refresh_token_cookie\n", "1");
	check_collision("access_cookie_name = csrf_refresh_token\n", "1");
	check_collision("access_csrf_cookie_name = refresh_token_cookie\n", "1");
	check_collision("# x\naccess_csrf_cookie_name = csrf_refresh_token\n", "2");
	check_collision("refresh_cookie_name = csrf_refresh_token\n", "1");
	/* The later line of the two is the one named. */
	check_collision("refresh_csrf_cookie_name = x\n\naccess_cookie_name = x\n",
	    "3");
	/* Equal names collide without prefixes and still with them (where the
	   refresh cookie's __Secure- form differs from the others' __Host-). */
	check_collision("access_cookie_name = a\nrefresh_cookie_name = a\n", "2");
	check_collision("cookie_host_prefix = true\n"
	    "access_cookie_name = a\nrefresh_cookie_name = a\n", "3");
	/* Distinct names load. */
	CHECK_INT(load("access_cookie_name = a\nrefresh_cookie_name = b\n"
	    "access_csrf_cookie_name = c\nrefresh_csrf_cookie_name = d\n", err,
	    sizeof(err), &c), 0);
}

TEST(a_database_uri_is_no_path)
{
	struct lk_config	c;
	char			err[512];

	CHECK_INT(load("database = postgresql://latchkey@db:5432/lk?sslmode=require\n"
	    "database_password_file = db.password\n", err, sizeof(err), &c), 0);
	CHECK_STR(c.database, "postgresql://latchkey@db:5432/lk?sslmode=require");
	/* The password file is a path like any other. */
	CHECK(strncmp(c.database_password_file, tmp_dir(), strlen(tmp_dir())) ==
	    0);
	CHECK_STR(c.database_password_file + strlen(tmp_dir()), "/db.password");
	CHECK_INT(load("database = postgres:///lk?host=/run/postgresql\n", err,
	    sizeof(err), &c), 0);
	CHECK_STR(c.database, "postgres:///lk?host=/run/postgresql");
	CHECK_STR(c.database_password_file, "");
	/* Anything else stays a path, however it looks. */
	CHECK_INT(load("database = postgresql:/x.db\n", err, sizeof(err), &c), 0);
	CHECK(strncmp(c.database, tmp_dir(), strlen(tmp_dir())) == 0);
	expect_error("database_password_file =\n", ":1: ",
	    "database_password_file");
}

TEST(admin_keys)
{
	struct lk_config	c;
	char			err[LK_CONFIG_ERR_MAX];

	/* On for the members of "admins", from anywhere, after 15 minutes. */
	CHECK_INT(load("", err, sizeof(err), &c), 0);
	CHECK_INT(c.admin, 1);
	CHECK_STR(c.admin_group, "admins");
	CHECK_INT((long long)c.nadmin_networks, 0);
	CHECK_INT(c.admin_fresh_seconds, 900);
	CHECK_INT(c.audit_retention_days, 90);
	CHECK(lk_config_admin_client(&c, "203.0.113.9"));
	CHECK(lk_config_admin_client(&c, "2001:db8::1"));
	CHECK(!lk_config_admin_client(&c, "not an address"));
	CHECK(!lk_config_admin_client(&c, NULL));
	CHECK_INT(load("admin = off\nadmin_group = site-admins\n"
	    "admin_networks = 10.0.0.0/8, fd00::/8\n"
	    "admin_fresh_seconds = 3000000000\n"
	    "audit_retention_days = 7\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.admin, 0);
	CHECK_STR(c.admin_group, "site-admins");
	CHECK_INT((long long)c.nadmin_networks, 2);
	CHECK_INT(c.admin_fresh_seconds, 3000000000LL);
	CHECK_INT(c.audit_retention_days, 7);
	CHECK(lk_config_admin_client(&c, "10.1.2.3"));
	CHECK(lk_config_admin_client(&c, "fd00::7"));
	CHECK(!lk_config_admin_client(&c, "127.0.0.1"));
	CHECK(!lk_config_admin_client(&c, "192.0.2.1"));
	CHECK_INT(load("admin_fresh_seconds = 1\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.admin_fresh_seconds, 1);
	CHECK_INT(load("admin_fresh_seconds = 1h\n", err, sizeof(err), &c), 0);
	CHECK_INT(c.admin_fresh_seconds, 3600);
	expect_error("admin_fresh_seconds = 0\n", ":1: ", "admin_fresh_seconds");
	expect_error("admin_fresh_seconds = -5\n", ":1: ",
	    "admin_fresh_seconds");
	expect_error("admin = maybe\n", ":1: ", "admin");
	expect_error("admin_group =\n", ":1: ", "admin_group");
	expect_error("admin_group = Admins\n", ":1: ", "admin_group");
	expect_error("admin_group = a,b\n", ":1: ", "admin_group");
	expect_error("admin_networks = 10.0.0.1/8\n", ":1: ", "admin_networks");
	expect_error("admin_networks = example.com\n", ":1: ",
	    "admin_networks");
	expect_error("audit_retention_days = 0\n", ":1: ",
	    "audit_retention_days");
}

int
main(void)
{
	RUN(admin_keys);
	RUN(defaults_follow_the_seed);
	RUN(login_page_is_a_path_of_this_site_or_nothing);
	RUN(site_name_is_text);
	RUN(mail_keys_default_to_sendmail_and_no_sender);
	RUN(mail_keys_parse);
	RUN(mail_keys_refuse_what_could_change_a_message_or_a_command);
	RUN(empty_file_and_comments);
	RUN(every_key_parses);
	RUN(a_database_uri_is_no_path);
	RUN(session_keys);
	RUN(hash_cost_defaults_per_method);
	RUN(second_factor_keys);
	RUN(access_rules_is_a_path_or_nothing);
	RUN(the_gate_serves_a_folder_under_a_folder_path);
	RUN(errors_name_file_and_line);
	RUN(trusted_proxies_are_networks);
	RUN(cookie_domain_and_host_prefix_exclude_each_other);
	RUN(missing_file);
	RUN(long_line_and_nul);
	RUN(every_pair_of_cookie_names_differs);
	tmp_cleanup();
	return T_END();
}
