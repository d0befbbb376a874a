#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/config.h"
#include "domain/keyring.h"
#include "domain/token.h"
#include "t.h"
#include "tmpdir.h"
#include "forge.h"

static char	kpath[512];

static void
fresh_key(void)
{
	char	err[512], prev[600];

	(void)snprintf(kpath, sizeof(kpath), "%s/ring.key", tmp_dir());
	(void)snprintf(prev, sizeof(prev), "%s.previous", kpath);
	(void)unlink(kpath);
	(void)unlink(prev);
	if (lk_key_generate(kpath, err, sizeof(err)) == -1)
		fprintf(stderr, "%s\n", err);
}

TEST(kid_is_sha256_prefix)
{
	struct lk_key	k;
	char		err[512];

	fresh_key();
	CHECK_INT(lk_key_load(&k, kpath, err, sizeof(err)), 0);
	CHECK_INT(strlen(k.kid), LK_KID_LEN);
	/* The same as `printf KEY | sha256sum | cut -c1-16`. */
	memset(&k, 0, sizeof(k));
	CHECK_INT(lk_key_load(&k, tmp_file("fixed.key",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
	    0600), err, sizeof(err)), 0);
	CHECK_STR(k.kid, "a8ae6e6ee929abea");
}

TEST(rotate_keeps_old_key_and_tokens)
{
	struct lk_config	 cfg;
	struct lk_keyring	 ring;
	struct lk_claims	 c;
	struct stat		 st;
	char			 err[512], prev[600], *old, *new;
	time_t			 now = time(NULL);

	lk_config_defaults(&cfg);
	fresh_key();
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 0);
	old = t_issue(&cfg, &ring.current, LK_TOKEN_ACCESS, "a@b.c",
	    now, 60, &c);
	CHECK(old != NULL);
	CHECK_INT(lk_keyring_rotate(kpath, LK_KEY_HS256, (long long)now, err, sizeof(err)), 0);
	(void)snprintf(prev, sizeof(prev), "%s.previous", kpath);
	CHECK_INT(stat(prev, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 1);
	CHECK_INT(ring.previous[0].retired, (long long)now);
	CHECK(lk_keyring_find(&ring, ring.previous[0].kid) == &ring.previous[0]);
	CHECK(strcmp(ring.previous[0].kid, ring.current.kid) != 0);
	new = t_issue(&cfg, &ring.current, LK_TOKEN_ACCESS, "a@b.c",
	    now, 60, &c);
	CHECK(new != NULL);
	if (old == NULL || new == NULL)
		return;
	CHECK_INT(lk_token_verify(&cfg, &ring, old, strlen(old), now, &c),
	    LK_TOKEN_OK);
	CHECK_INT(lk_token_verify(&cfg, &ring, new, strlen(new), now, &c),
	    LK_TOKEN_OK);
	/* With the old key alone, the new token does not verify. */
	CHECK_INT(t_verify_key(&cfg, &ring.previous[0], new, strlen(new),
	    now, &c), LK_TOKEN_SIGNATURE);
	free(old);
	free(new);
}

TEST(prune_drops_only_expired_keys)
{
	struct lk_keyring	ring;
	char			err[512];
	size_t			dropped;
	long long		now = (long long)time(NULL);

	fresh_key();
	CHECK_INT(lk_keyring_rotate(kpath, LK_KEY_HS256, now - 1000, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_rotate(kpath, LK_KEY_HS256, now - 10, err, sizeof(err)), 0);
	CHECK_INT(lk_keyring_prune(kpath, now, 100, &dropped, err,
	    sizeof(err)), 0);
	CHECK_INT(dropped, 1);
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), 0);
	CHECK_INT(ring.nprevious, 1);
	CHECK_INT(ring.previous[0].retired, now - 10);
	CHECK_INT(lk_keyring_prune(kpath, now, 100, &dropped, err,
	    sizeof(err)), 0);
	CHECK_INT(dropped, 0);
}

TEST(kid_selects_only_our_keys)
{
	struct lk_config	 cfg;
	struct lk_keyring	 ring;
	struct lk_claims	 c;
	char			 err[512], hdr[128], pl[512];
	char			 secret[LK_KEY_MAX + 1];
	long long		 now = (long long)time(NULL);

	lk_config_defaults(&cfg);
	fresh_key();
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), 0);
	memcpy(secret, ring.current.bytes, ring.current.len);
	secret[ring.current.len] = '\0';
	(void)snprintf(pl, sizeof(pl), "{\"type\":\"access\",\"sub\":\"a@b.c\","
	    "\"jti\":\"j\",\"csrf\":\"c\",\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
	    now, now, now + 60);
	(void)snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"kid\":\"%s\"}",
	    ring.current.kid);
	CHECK_INT(lk_token_verify(&cfg, &ring, forge(hdr, pl, secret,
	    "sha256"), strlen(forge(hdr, pl, secret, "sha256")), now, &c),
	    LK_TOKEN_OK);
	/* Signed with our key, but naming a key we do not have. */
	CHECK_INT(lk_token_verify(&cfg, &ring,
	    forge("{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}", pl, secret,
	    "sha256"), strlen(forge("{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\"}",
	    pl, secret, "sha256")), now, &c), LK_TOKEN_SIGNATURE);
	CHECK_INT(lk_token_verify(&cfg, &ring,
	    forge("{\"alg\":\"HS256\",\"kid\":42}", pl, secret, "sha256"),
	    strlen(forge("{\"alg\":\"HS256\",\"kid\":42}", pl, secret, "sha256")),
	    now, &c), LK_TOKEN_SIGNATURE);
	/* No kid: the current key. */
	CHECK_INT(lk_token_verify(&cfg, &ring,
	    forge("{\"alg\":\"HS256\"}", pl, secret, "sha256"),
	    strlen(forge("{\"alg\":\"HS256\"}", pl, secret, "sha256")), now, &c),
	    LK_TOKEN_OK);
}

TEST(previous_file_must_be_private_and_well_formed)
{
	struct lk_keyring	ring;
	char			err[512], prev[600];
	FILE			*f;

	fresh_key();
	(void)snprintf(prev, sizeof(prev), "%s.previous", kpath);
	f = fopen(prev, "w");
	fputs("deadbeefdeadbeef 1 0123456789012345678901234567890123456789012\n", f);
	fclose(f);
	(void)chmod(prev, 0600);
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), -1);
	CHECK(strstr(err, "kid does not match") != NULL);
	(void)chmod(prev, 0644);
	CHECK_INT(lk_keyring_load(&ring, kpath, err, sizeof(err)), -1);
	CHECK(strstr(err, "mode 0600") != NULL);
}

int
main(void)
{
	RUN(kid_is_sha256_prefix);
	RUN(rotate_keeps_old_key_and_tokens);
	RUN(prune_drops_only_expired_keys);
	RUN(kid_selects_only_our_keys);
	RUN(previous_file_must_be_private_and_well_formed);
	tmp_cleanup();
	return T_END();
}
