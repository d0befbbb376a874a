#include <sys/stat.h>

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "base/util.h"

TEST(ct_equal_same_and_different)
{
	CHECK(lk_ct_equal("abc", 3, "abc", 3));
	CHECK(!lk_ct_equal("abc", 3, "abd", 3));
	CHECK(!lk_ct_equal("abc", 3, "abcd", 4));
	CHECK(!lk_ct_equal("", 0, "a", 1));
	CHECK(lk_ct_equal("", 0, "", 0));
}

TEST(uuid4_form_and_uniqueness)
{
	char	a[37], b[37];
	size_t	i;

	CHECK_INT(lk_uuid4(a), 0);
	CHECK_INT(lk_uuid4(b), 0);
	CHECK_INT(strlen(a), 36);
	CHECK(strcmp(a, b) != 0);
	CHECK(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	CHECK(a[14] == '4');
	CHECK(strchr("89ab", a[19]) != NULL);
	for (i = 0; i < 36; i++)
		CHECK(a[i] == '-' || strchr("0123456789abcdef", a[i]) != NULL);
}

TEST(strlcpy_bounds)
{
	char	buf[4];

	CHECK_INT(lk_strlcpy(buf, "abc", sizeof(buf)), 0);
	CHECK_STR(buf, "abc");
	CHECK_INT(lk_strlcpy(buf, "abcd", sizeof(buf)), -1);
	CHECK_STR(buf, "");
}

TEST(parse_ll_strict)
{
	long long	v = 0;

	CHECK_INT(lk_parse_ll("42", 0, 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(lk_parse_ll("101", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("-1", -5, 100, &v), -1);
	CHECK_INT(lk_parse_ll("4x", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll(" 4", 0, 100, &v), -1);
	CHECK_INT(lk_parse_ll("99999999999999999999999", 0, 100, &v), -1);
}

TEST(utf8_text_rules)
{
	CHECK_INT(lk_utf8_text_len("John Doe", 8), 8);
	CHECK_INT(lk_utf8_text_len("J\xc3\xbcrg", 5), 4);
	CHECK_INT(lk_utf8_text_len("\xf0\x9f\x94\x91", 4), 1);
	CHECK_INT(lk_utf8_text_len("a\nb", 3), -1);		/* control */
	CHECK_INT(lk_utf8_text_len("a\0b", 3), -1);		/* NUL */
	CHECK_INT(lk_utf8_text_len("\xc0\xaf", 2), -1);		/* overlong */
	CHECK_INT(lk_utf8_text_len("\xed\xa0\x80", 3), -1);	/* surrogate */
	CHECK_INT(lk_utf8_text_len("\xc3", 1), -1);		/* truncated */
	CHECK_INT(lk_utf8_text_len("\xc2\x85", 2), -1);		/* C1 control */
	CHECK_INT(lk_utf8_text_len("\xff", 1), -1);
}

TEST(ascii_caseeq)
{
	CHECK(lk_ascii_caseeq("Test@Example.COM", "test@example.com"));
	CHECK(!lk_ascii_caseeq("test@example.com", "test@example.co"));
}

TEST(utf8_decode_lengths)
{
	unsigned long	cp = 0;

	CHECK_INT(lk_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
	CHECK_INT(cp, 0x41);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xc3\xbc", 2, &cp), 2);
	CHECK_INT(cp, 0xfc);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xe2\x80\xae", 3, &cp), 3);
	CHECK_INT(cp, 0x202e);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4,
	    &cp), 4);
	CHECK_INT(cp, 0x10ffff);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4,
	    &cp), -1);					/* past U+10FFFF */
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xe0\x80\xaf", 3, &cp),
	    -1);					/* overlong */
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\xe2\x80", 2, &cp), -1);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"\x80", 1, &cp), -1);
	CHECK_INT(lk_utf8_decode((const unsigned char *)"", 0, &cp), -1);
}

TEST(hex_encode_bounds)
{
	char	out[7];

	CHECK_INT(lk_hex_encode("\x00\xab\xff", 3, out, sizeof(out)), 0);
	CHECK_STR(out, "00abff");
	CHECK_INT(lk_hex_encode("\x00\xab\xff", 3, out, 6), -1);
	CHECK_INT(lk_hex_encode("", 0, out, 1), 0);
	CHECK_STR(out, "");
}

TEST(b64url_round_trip_and_strictness)
{
	/* RFC 4648 section 10 vectors, in the URL-safe alphabet. */
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
	    "Zm9vYmE", "Zm9vYmFy" };
	unsigned char	 bin[16];
	char		 out[16];
	size_t		 i;

	for (i = 0; i < 7; i++) {
		CHECK_INT(lk_b64url_encode(plain[i], strlen(plain[i]), out,
		    sizeof(out)), strlen(enc[i]));
		CHECK_STR(out, enc[i]);
		CHECK_INT(LK_B64URL_LEN(strlen(plain[i])), strlen(enc[i]));
		CHECK_INT(lk_b64url_decode(enc[i], strlen(enc[i]), bin,
		    sizeof(bin)), strlen(plain[i]));
		CHECK(memcmp(bin, plain[i], strlen(plain[i])) == 0);
	}
	CHECK_INT(lk_b64url_encode("\xfb\xff", 2, out, sizeof(out)), 3);
	CHECK_STR(out, "-_8");
	CHECK_INT(lk_b64url_encode("foobar", 6, out, 8), -1);	/* 8 + NUL */
	CHECK_INT(lk_b64url_decode("Zm9v", 4, bin, 2), -1);	/* no room */
	CHECK_INT(lk_b64url_decode("Zg==", 4, bin, sizeof(bin)), -1);
	CHECK_INT(lk_b64url_decode("Zm+v", 4, bin, sizeof(bin)), -1);
	CHECK_INT(lk_b64url_decode("Zm9 v", 5, bin, sizeof(bin)), -1);
	CHECK_INT(lk_b64url_decode("Z", 1, bin, sizeof(bin)), -1);
	/* "Zh" decodes to "f" too, but only "Zg" is canonical. */
	CHECK_INT(lk_b64url_decode("Zh", 2, bin, sizeof(bin)), -1);
	CHECK_INT(lk_b64url_decode("Zm9", 3, bin, sizeof(bin)), -1);
}

/* RFC 4648 section 10's vectors, padded, in the standard alphabet. */
TEST(base64_is_padded_with_the_standard_alphabet)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
	    "fooba", "foobar" };
	static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char	out[16];
	size_t	i;

	for (i = 0; i < 7; i++) {
		CHECK_INT(lk_b64_encode(plain[i], strlen(plain[i]), out,
		    sizeof(out)), strlen(enc[i]));
		CHECK_STR(out, enc[i]);
		CHECK_INT(LK_B64_LEN(strlen(plain[i])), strlen(enc[i]));
	}
	CHECK_INT(lk_b64_encode("\xfb\xff", 2, out, sizeof(out)), 4);
	CHECK_STR(out, "+/8=");
	CHECK_INT(lk_b64_encode("fooba", 5, out, 8), -1);	/* 8 + NUL */
	CHECK_INT(lk_b64_encode("fooba", 5, out, 9), 8);
}

TEST(write_all_and_read_private)
{
	char	 dir[] = "/tmp/lk-util-XXXXXX", path[64], buf[16], err[256];
	size_t	 len = 99;
	int	 fd;

	CHECK(mkdtemp(dir) != NULL);
	(void)snprintf(path, sizeof(path), "%s/f", dir);
	CHECK_INT(lk_read_private(path, buf, sizeof(buf), &len, err,
	    sizeof(err)), 0);				/* absent */
	CHECK_INT(len, 0);
	CHECK_STR(buf, "");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK_INT(lk_write_all(fd, "secret\n", 7), 0);
	close(fd);
	CHECK_INT(lk_read_private(path, buf, sizeof(buf), &len, err,
	    sizeof(err)), 1);
	CHECK_INT(len, 7);
	CHECK_STR(buf, "secret\n");
	CHECK_INT(lk_read_private(path, buf, 7, &len, err, sizeof(err)), -1);
	CHECK(strstr(err, "larger than 6 bytes") != NULL);
	CHECK_INT(chmod(path, 0640), 0);
	CHECK_INT(lk_read_private(path, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "mode 0640") != NULL);
	CHECK_STR(buf, "");
	(void)unlink(path);
	CHECK_INT(mkdir(path, 0700), 0);
	CHECK_INT(lk_read_private(path, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "not a regular file") != NULL);
	(void)rmdir(path);
	(void)rmdir(dir);
}

/* The reference vectors of the SipHash paper (key 00..0f, message 00..n-1). */
TEST(siphash24_reference_vectors)
{
	unsigned char	key[16], msg[64];
	size_t		i;

	for (i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	CHECK(lk_siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(lk_siphash24(key, msg, 1) == 0x74f839c593dc67fdULL);
	CHECK(lk_siphash24(key, msg, 7) == 0xab0200f58b01d137ULL);
	CHECK(lk_siphash24(key, msg, 8) == 0x93f5f5799a932462ULL);
	CHECK(lk_siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL);
	CHECK(lk_siphash24(key, msg, 63) == 0x958a324ceb064572ULL);
	key[0] ^= 1;
	CHECK(lk_siphash24(key, msg, 15) != 0xa129ca6149be45e5ULL);
}

/* The user a log line names: the effective one, by name, never cut. */
TEST(effective_user_by_name)
{
	struct passwd	*pw = getpwuid(geteuid());
	char		 buf[64], tiny[2];

	CHECK(pw != NULL);
	CHECK(lk_effective_user(buf, sizeof(buf)) == buf);
	CHECK_STR(buf, pw->pw_name);
	/* Too small for the name: the uid instead, cut but terminated. */
	CHECK(lk_effective_user(tiny, sizeof(tiny)) == tiny);
	CHECK_INT(strlen(tiny), 1);
	CHECK(tiny[0] == 'u');
}

int
main(void)
{
	RUN(ct_equal_same_and_different);
	RUN(uuid4_form_and_uniqueness);
	RUN(strlcpy_bounds);
	RUN(parse_ll_strict);
	RUN(utf8_text_rules);
	RUN(ascii_caseeq);
	RUN(utf8_decode_lengths);
	RUN(hex_encode_bounds);
	RUN(b64url_round_trip_and_strictness);
	RUN(base64_is_padded_with_the_standard_alphabet);
	RUN(write_all_and_read_private);
	RUN(siphash24_reference_vectors);
	RUN(effective_user_by_name);
	return T_END();
}
