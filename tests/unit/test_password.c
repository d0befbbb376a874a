#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "domain/config.h"
#include "domain/password.h"
#include "t.h"

static struct lk_config	cfg;

static void
setup(const char *method, unsigned long cost)
{
	lk_config_defaults(&cfg);
	(void)snprintf(cfg.hash.method, sizeof(cfg.hash.method), "%s", method);
	cfg.hash.cost = cost;
}

TEST(hash_then_verify_yescrypt)
{
	char	h[LK_HASH_MAX + 1], h2[LK_HASH_MAX + 1];

	setup("yescrypt", 5);
	CHECK_INT(lk_password_hash(&cfg.hash, "password123", h, sizeof(h)), 0);
	CHECK(strncmp(h, "$y$j9T$", 7) == 0);
	CHECK_INT(lk_password_verify(&cfg.hash, "password123", h), LK_PW_OK);
	CHECK_INT(lk_password_verify(&cfg.hash, "password124", h), LK_PW_BAD);
	CHECK_INT(lk_password_verify(&cfg.hash, "", h), LK_PW_BAD);
	/* Salted: the same password hashes differently. */
	CHECK_INT(lk_password_hash(&cfg.hash, "password123", h2, sizeof(h2)), 0);
	CHECK(strcmp(h, h2) != 0);
}

TEST(cost_is_explicit_not_library_default)
{
	char	h[LK_HASH_MAX + 1];

	setup("bcrypt", 10);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	CHECK(strncmp(h, "$2b$10$", 7) == 0);
	setup("sha512crypt", 10000);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	CHECK(strncmp(h, "$6$rounds=10000$", 16) == 0);
}

TEST(rehash_when_weaker_or_other_method)
{
	char	h[LK_HASH_MAX + 1];

	/* A bcrypt hash verifies but asks for a yescrypt one. */
	setup("bcrypt", 4);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	setup("yescrypt", 5);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", h), LK_PW_OK_REHASH);
	CHECK_INT(lk_password_verify(&cfg.hash, "nope", h), LK_PW_BAD);
	/* A cheaper yescrypt hash asks for the configured cost. */
	setup("yescrypt", 3);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	setup("yescrypt", 5);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", h), LK_PW_OK_REHASH);
	setup("yescrypt", 3);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", h), LK_PW_OK);
}

TEST(disallowed_and_legacy_methods_never_verify)
{
	char		 h[LK_HASH_MAX + 1];
	struct crypt_data *cd;
	const char	*md5;

	setup("bcrypt", 4);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	setup("yescrypt", 5);
	cfg.hash.allow = LK_HASH_YESCRYPT;
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", h), LK_PW_BAD);

	/* md5crypt, DES: libxcrypt verifies them, we do not. */
	cd = calloc(1, sizeof(*cd));
	md5 = crypt_r("pw", "$1$saltsalt$", cd);
	CHECK(md5 != NULL && md5[0] == '$');
	setup("yescrypt", 5);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", md5), LK_PW_BAD);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", "abJnggxhB/yJU"), LK_PW_BAD);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", "*0"), LK_PW_BAD);
	CHECK_INT(lk_password_verify(&cfg.hash, "pw", ""), LK_PW_BAD);
	free(cd);
}

TEST(every_verification_costs_one_hash)
{
	char		h[LK_HASH_MAX + 1];
	unsigned long	n;

	setup("yescrypt", 5);
	CHECK_INT(lk_password_init(&cfg.hash), 0);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	n = lk_password_hash_count();
	(void)lk_password_verify(&cfg.hash, "pw", h);
	CHECK_INT(lk_password_hash_count() - n, 1);
	(void)lk_password_verify(&cfg.hash, "wrong", h);
	CHECK_INT(lk_password_hash_count() - n, 2);
	lk_password_verify_dummy(&cfg.hash, "anything");
	CHECK_INT(lk_password_hash_count() - n, 3);
	/* A hash we refuse still costs one (dummy) computation. */
	(void)lk_password_verify(&cfg.hash, "pw", "abJnggxhB/yJU");
	CHECK_INT(lk_password_hash_count() - n, 4);
}

TEST(overlong_password_refused)
{
	char	big[LK_PASSWORD_MAX + 10], h[LK_HASH_MAX + 1];

	setup("yescrypt", 5);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(lk_password_hash(&cfg.hash, big, h, sizeof(h)), -1);
	CHECK_INT(lk_password_hash(&cfg.hash, "pw", h, sizeof(h)), 0);
	CHECK_INT(lk_password_verify(&cfg.hash, big, h), LK_PW_BAD);
}

TEST(method_table)
{
	CHECK_INT(lk_password_method_bit("yescrypt"), LK_HASH_YESCRYPT);
	CHECK_INT(lk_password_method_bit("md5crypt"), 0);
	CHECK(lk_password_cost_ok("bcrypt", 4));
	CHECK(!lk_password_cost_ok("bcrypt", 3));
	CHECK(!lk_password_cost_ok("yescrypt", 12));
	CHECK_INT(lk_password_default_cost("sha512crypt"), 5000);
}

int
main(void)
{
	RUN(hash_then_verify_yescrypt);
	RUN(cost_is_explicit_not_library_default);
	RUN(rehash_when_weaker_or_other_method);
	RUN(disallowed_and_legacy_methods_never_verify);
	RUN(every_verification_costs_one_hash);
	RUN(overlong_password_refused);
	RUN(method_table);
	return T_END();
}
