#include <string.h>

#include "t.h"
#include "domain/totp.h"

/* RFC 6238 appendix B: the SHA-1 seed is the ASCII "1234567890" twice. */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_LEN	20

static const char *
code_at(long long step)
{
	static char	c[LK_TOTP_DIGITS + 1];

	if (lk_totp_code(rfc_secret, RFC_LEN, step, c) == -1)
		return "(failed)";
	return c;
}

TEST(rfc6238_sha1_vectors_last_six_digits)
{
	static const struct {
		long long	 t;
		const char	*eight;
	} v[] = {
		{ 59LL, "94287082" },
		{ 1111111109LL, "07081804" },
		{ 1111111111LL, "14050471" },
		{ 1234567890LL, "89005924" },
		{ 2000000000LL, "69279037" },
		{ 20000000000LL, "65353130" },
	};
	size_t	i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_STR(code_at(v[i].t / LK_TOTP_PERIOD), v[i].eight + 2);
}

TEST(code_refuses_negative_step_and_empty_secret)
{
	char	c[LK_TOTP_DIGITS + 1];

	CHECK_INT(lk_totp_code(rfc_secret, RFC_LEN, -1, c), -1);
	CHECK_INT(lk_totp_code(rfc_secret, 0, 1, c), -1);
}

TEST(base32_rfc4648_vectors_unpadded)
{
	static const char *v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	char	out[32];
	size_t	i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = strlen(v[i][0]);
		CHECK_INT(lk_base32_encode(v[i][0], n, out, sizeof(out)),
		    strlen(v[i][1]));
		CHECK_STR(out, v[i][1]);
		CHECK_INT(lk_base32_encode(v[i][0], n, out,
		    LK_BASE32_LEN(n) + 1), strlen(v[i][1]));
		memset(out, 0, sizeof(out));
		CHECK_INT(lk_base32_decode(v[i][1], strlen(v[i][1]), out,
		    sizeof(out)), n);
		CHECK(memcmp(out, v[i][0], n) == 0);
	}
	CHECK_INT(lk_base32_encode(rfc_secret, RFC_LEN, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_encode("foo", 3, out, 5), -1);
}

TEST(base32_decode_is_strict)
{
	unsigned char	out[16];

	/* Padding, lower case, spaces, digits outside 2-7. */
	CHECK_INT(lk_base32_decode("MY======", 8, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("my", 2, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZX Q", 5, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZ0Q", 4, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZ1Q", 4, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZ8Q", 4, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZ\0Q", 4, out, sizeof(out)), -1);
	/* Lengths no byte string has, even when the spare bits are zero. */
	CHECK_INT(lk_base32_decode("A", 1, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("AAA", 3, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("AAAAAA", 6, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("AAAAAAAAA", 9, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("AA", 2, out, sizeof(out)), 1);
	/* "MZ" would be "f" with a stray bit: only "MY" spells it. */
	CHECK_INT(lk_base32_decode("MZ", 2, out, sizeof(out)), -1);
	CHECK_INT(lk_base32_decode("MZXR", 4, out, sizeof(out)), -1);
	/* Too small an output. */
	CHECK_INT(lk_base32_decode("MZXW6YTBOI", 10, out, 5), -1);
}

TEST(secret_new_is_random)
{
	unsigned char	a[LK_TOTP_SECRET_LEN], b[LK_TOTP_SECRET_LEN];

	CHECK_INT(lk_totp_secret_new(a), 0);
	CHECK_INT(lk_totp_secret_new(b), 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

TEST(uri_has_exact_parameters_in_order)
{
	char	uri[LK_TOTP_URI_MAX];

	CHECK_INT(lk_totp_uri("Latchkey", "ann@example.com", rfc_secret,
	    RFC_LEN, uri, sizeof(uri)), 0);
	CHECK_STR(uri, "otpauth://totp/Latchkey:ann%40example.com"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Latchkey"
	    "&algorithm=SHA1&digits=6&period=30");
}

TEST(uri_percent_encodes_space_at_colon_amp_and_utf8)
{
	char	uri[LK_TOTP_URI_MAX];

	CHECK_INT(lk_totp_uri("Acme & Co: \xc3\x9cn\xc3\xaf", "a b:c&d@\xc3\xa9"
	    "~x_y.z-1", rfc_secret, RFC_LEN, uri, sizeof(uri)), 0);
	CHECK_STR(uri, "otpauth://totp/Acme%20%26%20Co%3A%20%C3%9Cn%C3%AF:"
	    "a%20b%3Ac%26d%40%C3%A9~x_y.z-1"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	    "&issuer=Acme%20%26%20Co%3A%20%C3%9Cn%C3%AF"
	    "&algorithm=SHA1&digits=6&period=30");
	/* '?', '#', '/', '%', '+', '=' would change the URI's meaning. */
	CHECK_INT(lk_totp_uri("a?b#c/d", "%+=", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), 0);
	CHECK_STR(uri, "otpauth://totp/a%3Fb%23c%2Fd:%25%2B%3D"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=a%3Fb%23c%2Fd"
	    "&algorithm=SHA1&digits=6&period=30");
}

TEST(uri_refuses_bad_names_secrets_and_short_buffers)
{
	char	uri[LK_TOTP_URI_MAX], longname[LK_TOTP_NAME_MAX + 2];

	CHECK_INT(lk_totp_uri("", "ann", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	CHECK_STR(uri, "");
	CHECK_INT(lk_totp_uri("L", "", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	CHECK_INT(lk_totp_uri("L", "a\nb", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	CHECK_INT(lk_totp_uri("L\x7f", "ann", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	CHECK_INT(lk_totp_uri("L", "\xc3", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	CHECK_INT(lk_totp_uri("L", "ann", rfc_secret, 10, uri,
	    sizeof(uri)), -1);
	CHECK_INT(lk_totp_uri("L", "ann", rfc_secret, RFC_LEN, uri, 40), -1);
	CHECK_STR(uri, "");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_INT(lk_totp_uri(longname, "ann", rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), -1);
	/* The longest names, all escaped, fit LK_TOTP_URI_MAX. */
	memset(longname, '&', LK_TOTP_NAME_MAX);
	longname[LK_TOTP_NAME_MAX] = '\0';
	CHECK_INT(lk_totp_uri(longname, longname, rfc_secret, RFC_LEN, uri,
	    sizeof(uri)), 0);
	CHECK_INT(strlen(uri), sizeof(uri) - 1);
}

TEST(verify_accepts_the_current_step)
{
	long long	step = -5, now = 1111111111LL;
	char		code[LK_TOTP_DIGITS + 1];

	memcpy(code, code_at(now / 30), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_OK);
	CHECK_INT(step, now / 30);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "050471", now, 0,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_OK);
}

TEST(verify_allows_one_step_of_skew_not_two)
{
	long long	step, now = 1111111111LL, cur = now / 30;
	char		code[LK_TOTP_DIGITS + 1];

	memcpy(code, code_at(cur - 1), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_OK);
	CHECK_INT(step, cur - 1);
	memcpy(code, code_at(cur + 1), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_OK);
	CHECK_INT(step, cur + 1);
	step = -5;
	memcpy(code, code_at(cur - 2), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_WRONG);
	memcpy(code, code_at(cur + 2), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_WRONG);
	CHECK_INT(step, -5);
	/* Step 0 has no step before it. */
	memcpy(code, code_at(0), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, 10, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_OK);
	CHECK_INT(step, 0);
}

TEST(verify_refuses_replay_of_same_and_earlier_steps)
{
	long long	step = -5, now = 1111111111LL, cur = now / 30;
	char		code[LK_TOTP_DIGITS + 1];

	memcpy(code, code_at(cur), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1, cur,
	    &step), LK_TOTP_REPLAY);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1, cur + 1,
	    &step), LK_TOTP_REPLAY);
	memcpy(code, code_at(cur - 1), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1, cur,
	    &step), LK_TOTP_REPLAY);
	CHECK_INT(step, -5);
	/* The next step after the recorded one is fine. */
	memcpy(code, code_at(cur + 1), sizeof(code));
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, code, now, 1, cur,
	    &step), LK_TOTP_OK);
	CHECK_INT(step, cur + 1);
}

/*
 * Steps 910737 and 910738 of the RFC secret share code 911617 (found by
 * search).  With 910737 used, the code is still good for 910738, where
 * liboath's oath_totp_validate stops at the first (used) match.
 */
TEST(verify_picks_the_unused_step_of_a_shared_code)
{
	long long	step = -5;

	CHECK_STR(code_at(910737), "911617");
	CHECK_STR(code_at(910738), "911617");
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "911617",
	    910737LL * 30, 1, 910737, &step), LK_TOTP_OK);
	CHECK_INT(step, 910738);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "911617",
	    910737LL * 30, 1, 910738, &step), LK_TOTP_REPLAY);
}

TEST(verify_refuses_malformed_codes)
{
	static const char *bad[] = {
		"", "05047", "0504711", "050471\n", "050471 ", " 050471",
		"+50471", "-50471", "05 471", "0504a1", ("\xd9\xa0" "50471"),
		"050471\xc2\xa0", "0x5047",
	};
	long long	step = -5, now = 1111111111LL;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, bad[i], now, 1,
		    LK_TOTP_NO_STEP, &step), LK_TOTP_MALFORMED);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, NULL, now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_MALFORMED);
	CHECK_INT(step, -5);
	/* Six digits that match no step are wrong, not malformed. */
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "000000", now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_WRONG);
}

TEST(verify_refuses_bad_arguments)
{
	long long	step = -5, now = 1111111111LL;

	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "050471", now,
	    LK_TOTP_WINDOW_MAX + 1, LK_TOTP_NO_STEP, &step), LK_TOTP_ERROR);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "050471", now, -1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_ERROR);
	CHECK_INT(lk_totp_verify(rfc_secret, RFC_LEN, "050471", -30, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_ERROR);
	CHECK_INT(lk_totp_verify(rfc_secret, 0, "050471", now, 1,
	    LK_TOTP_NO_STEP, &step), LK_TOTP_ERROR);
	CHECK_INT(step, -5);
}

int
main(void)
{
	RUN(rfc6238_sha1_vectors_last_six_digits);
	RUN(code_refuses_negative_step_and_empty_secret);
	RUN(base32_rfc4648_vectors_unpadded);
	RUN(base32_decode_is_strict);
	RUN(secret_new_is_random);
	RUN(uri_has_exact_parameters_in_order);
	RUN(uri_percent_encodes_space_at_colon_amp_and_utf8);
	RUN(uri_refuses_bad_names_secrets_and_short_buffers);
	RUN(verify_accepts_the_current_step);
	RUN(verify_allows_one_step_of_skew_not_two);
	RUN(verify_refuses_replay_of_same_and_earlier_steps);
	RUN(verify_picks_the_unused_step_of_a_shared_code);
	RUN(verify_refuses_malformed_codes);
	RUN(verify_refuses_bad_arguments);
	return T_END();
}
