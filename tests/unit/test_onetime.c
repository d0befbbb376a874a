/*
 * lib/onetime: tokens of one-time links, their hashes, and what is not a
 * token.  The hashes were computed apart: python3 -c 'import hashlib;
 * print(hashlib.sha256(bytes(range(32))).hexdigest())'.
 */
#include <string.h>

#include "domain/onetime.h"
#include "t.h"

/* bytes 0..31, base64url without padding */
#define SEQ_TOKEN	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define SEQ_HASH	\
	"630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"

static const char *
hash_of(const char *t)
{
	static char	out[LK_ONETIME_HASH_LEN + 1];

	if (lk_onetime_hash(t, strlen(t), out) == -1)
		return "(refused)";
	return out;
}

TEST(a_token_hashes_to_the_sha256_of_its_bytes)
{
	CHECK_INT(LK_ONETIME_TOKEN_LEN, 43);
	CHECK_STR(hash_of(SEQ_TOKEN), SEQ_HASH);
	CHECK_STR(hash_of("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
}

TEST(new_tokens_are_random_and_hash_as_given)
{
	char	t1[LK_ONETIME_TOKEN_LEN + 1], h1[LK_ONETIME_HASH_LEN + 1];
	char	t2[LK_ONETIME_TOKEN_LEN + 1], h2[LK_ONETIME_HASH_LEN + 1];
	unsigned long	before = lk_onetime_hash_count();

	CHECK_INT(lk_onetime_new(t1, h1), 0);
	CHECK_INT(lk_onetime_new(t2, h2), 0);
	CHECK_INT(strlen(t1), LK_ONETIME_TOKEN_LEN);
	CHECK_INT(strlen(h1), LK_ONETIME_HASH_LEN);
	CHECK(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == LK_ONETIME_TOKEN_LEN);
	CHECK(strcmp(t1, t2) != 0);
	CHECK(strcmp(h1, h2) != 0);
	CHECK_STR(hash_of(t1), h1);
	CHECK_STR(hash_of(t2), h2);
	CHECK_INT(lk_onetime_hash_count() - before, 4);
}

TEST(anything_else_is_no_token)
{
	unsigned long	before;
	char		h[LK_ONETIME_HASH_LEN + 1];

	/* One short, one long, padded, standard base64, a blank, a NUL. */
	CHECK_STR(hash_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh"),
	    "(refused)");
	CHECK_STR(hash_of(SEQ_TOKEN "A"), "(refused)");
	CHECK_STR(hash_of(SEQ_TOKEN "="), "(refused)");
	CHECK_STR(hash_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh+"),
	    "(refused)");
	CHECK_STR(hash_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd Hh"),
	    "(refused)");
	CHECK_INT(lk_onetime_hash(SEQ_TOKEN "\0", 43, h), 0);
	CHECK_INT(lk_onetime_hash("AAECAwQFBgcICQoLDA0ODxAR\0hMUFRYXGBkaGxwdHh8",
	    43, h), -1);
	CHECK_STR(h, "");
	/* The last character carries two unused bits: they must be zero. */
	CHECK_STR(hash_of("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9"),
	    "(refused)");
	CHECK_STR(hash_of(""), "(refused)");
	/* A refusal costs no hash. */
	before = lk_onetime_hash_count();
	CHECK_STR(hash_of("x"), "(refused)");
	CHECK_INT(lk_onetime_hash_count(), before);
}

int
main(void)
{
	RUN(a_token_hashes_to_the_sha256_of_its_bytes);
	RUN(new_tokens_are_random_and_hash_as_given);
	RUN(anything_else_is_no_token);
	return T_END();
}
