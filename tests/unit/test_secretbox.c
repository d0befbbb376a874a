#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domain/secretbox.h"
#include "t.h"
#include "tmpdir.h"
#include "base/util.h"

#define HEX64	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SECRET	"12345678901234567890"
#define AAD	"user:42"

static struct lk_secretbox_key	key;

static int
load_key(const char *text)
{
	char	err[1400];

	return lk_secretbox_key_load(&key, tmp_file("mfa.key", text, 0600),
	    err, sizeof(err));
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

TEST(key_generate_makes_private_hex_file_and_never_overwrites)
{
	struct lk_secretbox_key	 k;
	struct stat		 st;
	struct dirent		*de;
	DIR			*dir;
	FILE			*f;
	char			 err[1400], path[512], before[80], after[80];
	int			 others = 0;

	(void)snprintf(path, sizeof(path), "%s/gen.key", tmp_dir());
	(void)unlink(path);
	CHECK_INT(lk_secretbox_key_generate(path, err, sizeof(err)), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, 65);
	CHECK_INT(lk_secretbox_key_load(&k, path, err, sizeof(err)), 0);
	CHECK(!all_zero(k.bytes, sizeof(k.bytes)));
	memset(before, 0, sizeof(before));
	memset(after, 0, sizeof(after));
	if ((f = fopen(path, "r")) != NULL) {
		CHECK(fgets(before, sizeof(before), f) != NULL);
		fclose(f);
	}
	CHECK_INT(lk_secretbox_key_generate(path, err, sizeof(err)), -1);
	CHECK(strstr(err, "File exists") != NULL);
	if ((f = fopen(path, "r")) != NULL) {
		CHECK(fgets(after, sizeof(after), f) != NULL);
		fclose(f);
	}
	CHECK_STR(after, before);
	/* No temporary file is left behind. */
	if ((dir = opendir(tmp_dir())) != NULL) {
		while ((de = readdir(dir)) != NULL)
			if (strstr(de->d_name, ".tmp.") != NULL)
				others++;
		closedir(dir);
	}
	CHECK_INT(others, 0);
	(void)unlink(path);
	lk_secretbox_key_clear(&k);
	CHECK(all_zero(&k, sizeof(k)));
}

TEST(key_load_takes_64_hex_digits_and_an_optional_newline)
{
	static const unsigned char want[LK_SECRETBOX_KEY_LEN] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
		0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33,
		0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
		0xee, 0xff,
	};

	CHECK_INT(load_key(HEX64 "\n"), 0);
	CHECK(memcmp(key.bytes, want, sizeof(want)) == 0);
	CHECK_INT(load_key(HEX64), 0);
	CHECK(memcmp(key.bytes, want, sizeof(want)) == 0);
	CHECK_INT(load_key("00112233445566778899AABBCCDDEEFF"
	    "00112233445566778899AABBCCDDEEFF"), 0);
	CHECK(memcmp(key.bytes, want, sizeof(want)) == 0);
}

TEST(key_load_refuses_other_content_and_wipes)
{
	CHECK_INT(load_key(HEX64), 0);
	CHECK_INT(load_key(""), -1);
	CHECK(all_zero(&key, sizeof(key)));
	CHECK_INT(load_key(HEX64 "\n\n"), -1);
	CHECK_INT(load_key(HEX64 "\r\n"), -1);
	CHECK_INT(load_key(" " HEX64), -1);
	CHECK_INT(load_key(HEX64 "0"), -1);
	CHECK_INT(load_key(HEX64 "00"), -1);
	CHECK_INT(load_key("0" HEX64 "\n"), -1);
	CHECK_INT(load_key(&HEX64[1]), -1);
	CHECK_INT(load_key("g0112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff"), -1);
	CHECK_INT(load_key("0x112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff"), -1);
	CHECK(all_zero(&key, sizeof(key)));
	/* A bad last digit: the 31 bytes before it must not stay behind. */
	CHECK_INT(load_key("00112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeefz"), -1);
	CHECK(all_zero(&key, sizeof(key)));
}

TEST(key_load_refuses_group_or_world_access_and_missing_files)
{
	char	err[1400], link_path[512];

	CHECK_INT(lk_secretbox_key_load(&key, tmp_file("k", HEX64, 0640), err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "mode 0640") != NULL);
	CHECK_INT(lk_secretbox_key_load(&key, tmp_file("k", HEX64, 0604), err,
	    sizeof(err)), -1);
	CHECK_INT(lk_secretbox_key_load(&key, tmp_file("k", HEX64, 0660), err,
	    sizeof(err)), -1);
	CHECK_INT(lk_secretbox_key_load(&key, tmp_file("k", HEX64, 0400), err,
	    sizeof(err)), 0);
	CHECK_INT(lk_secretbox_key_load(&key, "/nonexistent/mfa.key", err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "No such file") != NULL);
	(void)snprintf(link_path, sizeof(link_path), "%s/link.key", tmp_dir());
	(void)unlink(link_path);
	CHECK_INT(symlink(tmp_file("k", HEX64, 0600), link_path), 0);
	CHECK_INT(lk_secretbox_key_load(&key, link_path, err, sizeof(err)), -1);
	CHECK(all_zero(&key, sizeof(key)));
}

TEST(seal_open_round_trip)
{
	char	sealed[LK_SECRETBOX_SEALED_LEN(20) + 1], other[sizeof(sealed)];
	char	out[64];
	long	n;

	CHECK_INT(load_key(HEX64), 0);
	n = lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), sealed,
	    sizeof(sealed));
	CHECK_INT(n, LK_SECRETBOX_SEALED_LEN(20));
	CHECK_INT(strlen(sealed), LK_SECRETBOX_SEALED_LEN(20));
	CHECK(strncmp(sealed, "v1.", 3) == 0);
	CHECK(strstr(sealed, SECRET) == NULL);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), AAD,
	    strlen(AAD), out, sizeof(out)), 20);
	CHECK(memcmp(out, SECRET, 20) == 0);
	/* The same plaintext seals differently each time (fresh nonce). */
	CHECK_INT(lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), other,
	    sizeof(other)), n);
	CHECK(strcmp(sealed, other) != 0);
	CHECK(strncmp(sealed + 3, other + 3, 16) != 0);
	/* Empty plaintext and empty aad are fine. */
	CHECK_INT(lk_secretbox_seal(&key, "", 0, NULL, 0, sealed,
	    sizeof(sealed)), LK_SECRETBOX_SEALED_LEN(0));
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), NULL, 0,
	    out, sizeof(out)), 0);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), AAD,
	    strlen(AAD), out, sizeof(out)), -1);
}

TEST(seal_refuses_oversized_input_and_small_output)
{
	static char	big[LK_SECRETBOX_DATA_MAX + 1];
	char		sealed[LK_SECRETBOX_SEALED_LEN(LK_SECRETBOX_DATA_MAX + 1) + 1];

	CHECK_INT(load_key(HEX64), 0);
	CHECK_INT(lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), sealed,
	    LK_SECRETBOX_SEALED_LEN(20)), -1);
	CHECK_INT(lk_secretbox_seal(&key, big, sizeof(big), AAD, strlen(AAD),
	    sealed, sizeof(sealed)), -1);
	CHECK_INT(lk_secretbox_seal(&key, SECRET, 20, big, sizeof(big),
	    sealed, sizeof(sealed)), -1);
	CHECK_INT(lk_secretbox_seal(&key, big, LK_SECRETBOX_DATA_MAX, big,
	    LK_SECRETBOX_DATA_MAX, sealed, sizeof(sealed)),
	    LK_SECRETBOX_SEALED_LEN(LK_SECRETBOX_DATA_MAX));
}

/* Flip one bit of the i-th raw byte (nonce ‖ ciphertext ‖ tag). */
static int
tamper(const char *sealed, size_t i, char *out, size_t outsz)
{
	unsigned char	raw[128];
	long		n;

	n = lk_b64url_decode(sealed + 3, strlen(sealed) - 3, raw, sizeof(raw));
	if (n <= 0 || i >= (size_t)n)
		return -1;
	raw[i] ^= 0x01;
	memcpy(out, "v1.", 3);
	return lk_b64url_encode(raw, (size_t)n, out + 3, outsz - 3) < 0 ? -1 : 0;
}

TEST(open_refuses_any_changed_byte_of_nonce_ciphertext_or_tag)
{
	char	sealed[LK_SECRETBOX_SEALED_LEN(20) + 1], bad[sizeof(sealed)];
	char	out[64];
	size_t	i;
	int	opened = 0;

	CHECK_INT(load_key(HEX64), 0);
	CHECK(lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), sealed,
	    sizeof(sealed)) > 0);
	for (i = 0; i < LK_SECRETBOX_NONCE_LEN + 20 + LK_SECRETBOX_TAG_LEN;
	    i++) {
		CHECK_INT(tamper(sealed, i, bad, sizeof(bad)), 0);
		memset(out, 'x', sizeof(out));
		if (lk_secretbox_open(&key, bad, strlen(bad), AAD, strlen(AAD),
		    out, sizeof(out)) != -1)
			opened++;
		CHECK(all_zero(out, sizeof(out)));
	}
	CHECK_INT(opened, 0);
}

TEST(open_refuses_other_aad_and_other_key)
{
	char	sealed[LK_SECRETBOX_SEALED_LEN(20) + 1], out[64];

	CHECK_INT(load_key(HEX64), 0);
	CHECK(lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), sealed,
	    sizeof(sealed)) > 0);
	/* A row copied to user 43 does not open there. */
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), "user:43",
	    7, out, sizeof(out)), -1);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), "user:4",
	    6, out, sizeof(out)), -1);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), NULL, 0,
	    out, sizeof(out)), -1);
	CHECK_INT(load_key("f0112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff"), 0);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), AAD,
	    strlen(AAD), out, sizeof(out)), -1);
}

TEST(open_refuses_other_versions_bad_base64url_and_short_input)
{
	char	sealed[LK_SECRETBOX_SEALED_LEN(20) + 8], bad[sizeof(sealed)];
	char	out[64], shortest[3 + LK_B64URL_LEN(27) + 1];
	size_t	len;

	CHECK_INT(load_key(HEX64), 0);
	CHECK(lk_secretbox_seal(&key, SECRET, 20, AAD, strlen(AAD), sealed,
	    sizeof(sealed)) > 0);
	len = strlen(sealed);
#define REFUSED(s, n) CHECK_INT(lk_secretbox_open(&key, (s), (n), AAD,	\
	strlen(AAD), out, sizeof(out)), -1)
	memcpy(bad, sealed, len + 1);
	bad[1] = '2';
	REFUSED(bad, len);				/* "v2." */
	bad[0] = 'V'; bad[1] = '1';
	REFUSED(bad, len);				/* "V1." */
	REFUSED(sealed + 3, len - 3);			/* no prefix */
	REFUSED(sealed, 2);
	REFUSED(sealed, 3);
	REFUSED("", 0);
	memcpy(bad, sealed, len + 1);
	bad[10] = '+';
	REFUSED(bad, len);				/* base64, not url */
	memcpy(bad, sealed, len + 1);
	bad[len] = '=';
	bad[len + 1] = '\0';
	REFUSED(bad, len + 1);				/* padding */
	REFUSED(sealed, len - 1);			/* truncated */
	memcpy(bad, sealed, len + 1);
	bad[len] = 'A';
	REFUSED(bad, len + 1);				/* one more character */
	/* 27 bytes: one short of nonce and tag. */
	memcpy(shortest, "v1.", 3);
	CHECK(lk_b64url_encode("012345678901234567890123456", 27, shortest + 3,
	    sizeof(shortest) - 3) > 0);
	REFUSED(shortest, strlen(shortest));
	/* Output smaller than the plaintext. */
	CHECK_INT(lk_secretbox_open(&key, sealed, len, AAD, strlen(AAD), out,
	    19), -1);
#undef REFUSED
}

/*
 * Test case 16 of the GCM specification (McGrew and Viega): AES-256, a
 * 96-bit IV and associated data.  Sealed text is its IV ‖ C ‖ T.
 */
TEST(open_matches_gcm_spec_test_case_16)
{
	static const unsigned char iv_c_t[] = {
		0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca,
		0xf8, 0x88,
		0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07, 0xf4, 0x7f,
		0x37, 0xa3, 0x2a, 0x84, 0x42, 0x7d, 0x64, 0x3a, 0x8c, 0xdc,
		0xbf, 0xe5, 0xc0, 0xc9, 0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55,
		0xd1, 0xaa, 0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d,
		0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38, 0xc5, 0xf6,
		0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a, 0xbc, 0xc9, 0xf6, 0x62,
		0x76, 0xfc, 0x6e, 0xce, 0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf,
		0x88, 0x53, 0xbb, 0x2d, 0x55, 0x1b,
	};
	static const unsigned char aad[] = {
		0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed,
		0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef, 0xab, 0xad, 0xda, 0xd2,
	};
	static const unsigned char plain[] = {
		0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5, 0xa5, 0x59,
		0x09, 0xc5, 0xaf, 0xf5, 0x26, 0x9a, 0x86, 0xa7, 0xa9, 0x53,
		0x15, 0x34, 0xf7, 0xda, 0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31,
		0x8a, 0x72, 0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53,
		0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25, 0xb1, 0x6a,
		0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57, 0xba, 0x63, 0x7b, 0x39,
	};
	char		sealed[3 + LK_B64URL_LEN(sizeof(iv_c_t)) + 1];
	unsigned char	out[sizeof(plain)];

	CHECK_INT(load_key("feffe9928665731c6d6a8f9467308308"
	    "feffe9928665731c6d6a8f9467308308"), 0);
	memcpy(sealed, "v1.", 3);
	CHECK(lk_b64url_encode(iv_c_t, sizeof(iv_c_t), sealed + 3,
	    sizeof(sealed) - 3) > 0);
	CHECK_INT(lk_secretbox_open(&key, sealed, strlen(sealed), aad,
	    sizeof(aad), out, sizeof(out)), sizeof(plain));
	CHECK(memcmp(out, plain, sizeof(plain)) == 0);
}

int
main(void)
{
	RUN(key_generate_makes_private_hex_file_and_never_overwrites);
	RUN(key_load_takes_64_hex_digits_and_an_optional_newline);
	RUN(key_load_refuses_other_content_and_wipes);
	RUN(key_load_refuses_group_or_world_access_and_missing_files);
	RUN(seal_open_round_trip);
	RUN(seal_refuses_oversized_input_and_small_output);
	RUN(open_refuses_any_changed_byte_of_nonce_ciphertext_or_tag);
	RUN(open_refuses_other_aad_and_other_key);
	RUN(open_refuses_other_versions_bad_base64url_and_short_input);
	RUN(open_matches_gcm_spec_test_case_16);
	lk_secretbox_key_clear(&key);
	tmp_cleanup();
	return T_END();
}
