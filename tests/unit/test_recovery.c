#include <string.h>

#include "domain/recovery.h"
#include "t.h"

#define CODE	"ABCD-EFGH-JKMN-PQRS-TUVW"
/* printf 'ABCDEFGHJKMNPQRSTUVW' | sha256sum */
#define CODE_HASH \
	"d1d5079c636ac8353aa6acc43178ca940837a4dbc13028a5d93376fff410df65"

static char	set[LK_RECOVERY_COUNT][LK_RECOVERY_LEN + 1];

static const char *
hash_of(const char *s)
{
	static char	out[LK_RECOVERY_HASH_LEN + 1];

	if (lk_recovery_hash(s, strlen(s), out) == -1)
		return "(refused)";
	return out;
}

TEST(generate_gives_ten_well_formed_codes)
{
	size_t	i, j;

	CHECK_INT(LK_RECOVERY_LEN, 24);
	CHECK_INT(lk_recovery_generate(set), 0);
	for (i = 0; i < LK_RECOVERY_COUNT; i++) {
		CHECK_INT(strlen(set[i]), LK_RECOVERY_LEN);
		for (j = 0; j < LK_RECOVERY_LEN; j++) {
			if (j % 5 == 4)
				CHECK(set[i][j] == '-');
			else
				CHECK(set[i][j] != '\0' &&
				    strchr(LK_RECOVERY_ALPHABET, set[i][j]) != NULL);
		}
		CHECK(strpbrk(set[i], "0O1IL") == NULL);
	}
}

TEST(alphabet_has_no_look_alikes_and_gives_80_bits)
{
	/* 31^20 > 2^99; 31^16 < 2^80 (why not four groups of four). */
	CHECK_INT(strlen(LK_RECOVERY_ALPHABET), 31);
	CHECK(strpbrk(LK_RECOVERY_ALPHABET, "0O1IL") == NULL);
	CHECK(LK_RECOVERY_CHARS * 4.95 >= 80);
}

TEST(codes_are_unique_within_and_across_sets)
{
	char	other[LK_RECOVERY_COUNT][LK_RECOVERY_LEN + 1];
	size_t	i, j;

	CHECK_INT(lk_recovery_generate(set), 0);
	CHECK_INT(lk_recovery_generate(other), 0);
	for (i = 0; i < LK_RECOVERY_COUNT; i++)
		for (j = 0; j < LK_RECOVERY_COUNT; j++) {
			if (i != j)
				CHECK(strcmp(set[i], set[j]) != 0);
			CHECK(strcmp(set[i], other[j]) != 0);
		}
}

/*
 * 1000 sets are 200000 characters, about 6452 of each symbol (standard
 * deviation about 79): none may be off by 6% (4.9 deviations).  A draw
 * modulo 31 without rejection favours 8 symbols by 12.5%, and shows.
 */
TEST(characters_are_spread_over_the_whole_alphabet)
{
	const char	*a = LK_RECOVERY_ALPHABET, *p;
	long		 count[31] = { 0 };
	size_t		 s, i, j;
	long		 expect = 1000L * LK_RECOVERY_COUNT * LK_RECOVERY_CHARS / 31;

	for (s = 0; s < 1000; s++) {
		CHECK_INT(lk_recovery_generate(set), 0);
		for (i = 0; i < LK_RECOVERY_COUNT; i++)
			for (j = 0; set[i][j] != '\0'; j++)
				if ((p = strchr(a, set[i][j])) != NULL)
					count[p - a]++;
	}
	for (i = 0; i < 31; i++) {
		CHECK(count[i] > expect * 94 / 100);
		CHECK(count[i] < expect * 106 / 100);
	}
}

TEST(hash_is_sha256_of_the_normalised_code)
{
	CHECK_STR(hash_of(CODE), CODE_HASH);
	CHECK_STR(hash_of("ABCDEFGHJKMNPQRSTUVW"), CODE_HASH);
}

TEST(hash_normalises_case_dashes_and_spaces)
{
	CHECK_STR(hash_of("abcd-efgh-jkmn-pqrs-tuvw"), CODE_HASH);
	CHECK_STR(hash_of("abcd efgh jkmn pqrs tuvw"), CODE_HASH);
	CHECK_STR(hash_of("  AbCd--EfGh - jkmn pqrstuvw "), CODE_HASH);
	CHECK_STR(hash_of("abcdefghjkmnpqrstuvw"), CODE_HASH);
}

TEST(hash_of_generated_codes_matches_typed_form)
{
	char	typed[LK_RECOVERY_LEN + 1], h[LK_RECOVERY_HASH_LEN + 1];
	size_t	i, j;

	CHECK_INT(lk_recovery_generate(set), 0);
	for (i = 0; i < LK_RECOVERY_COUNT; i++) {
		CHECK_INT(lk_recovery_hash(set[i], strlen(set[i]), h), 0);
		CHECK_INT(strlen(h), LK_RECOVERY_HASH_LEN);
		for (j = 0; j <= LK_RECOVERY_LEN; j++)
			typed[j] = set[i][j] >= 'A' && set[i][j] <= 'Z' ?
			    (char)(set[i][j] - 'A' + 'a') : set[i][j];
		CHECK_STR(hash_of(typed), h);
	}
}

TEST(hash_refuses_wrong_length_alphabet_and_long_input)
{
	char	out[LK_RECOVERY_HASH_LEN + 1], pad[LK_RECOVERY_INPUT_MAX + 2];

	CHECK_STR(hash_of(""), "(refused)");
	CHECK_STR(hash_of("ABCD-EFGH-JKMN-PQRS-TUV"), "(refused)");
	CHECK_STR(hash_of("ABCD-EFGH-JKMN-PQRS-TUVWX"), "(refused)");
	CHECK_STR(hash_of("0BCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("OBCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("1BCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("IBCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("lBCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("ABCD_EFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("ABCD\tEFGH-JKMN-PQRS-TUVW"), "(refused)");
	CHECK_STR(hash_of("\xc3\x81" "BCD-EFGH-JKMN-PQRS-TUVW"), "(refused)");
	/* A NUL is not the end of the input. */
	CHECK_INT(lk_recovery_hash(CODE "\0", sizeof(CODE), out), -1);
	CHECK_STR(out, "");
	CHECK_INT(lk_recovery_hash("ABCD-EFGH-JKMN-PQRS-TU\0W",
	    sizeof(CODE) - 1, out), -1);
	/* Spaces count towards the input bound. */
	memset(pad, ' ', sizeof(pad));
	memcpy(pad, CODE, strlen(CODE));
	CHECK_INT(lk_recovery_hash(pad, LK_RECOVERY_INPUT_MAX, out), 0);
	CHECK_STR(out, CODE_HASH);
	CHECK_INT(lk_recovery_hash(pad, LK_RECOVERY_INPUT_MAX + 1, out), -1);
	CHECK_STR(out, "");
}

int
main(void)
{
	RUN(generate_gives_ten_well_formed_codes);
	RUN(alphabet_has_no_look_alikes_and_gives_80_bits);
	RUN(codes_are_unique_within_and_across_sets);
	RUN(characters_are_spread_over_the_whole_alphabet);
	RUN(hash_is_sha256_of_the_normalised_code);
	RUN(hash_normalises_case_dashes_and_spaces);
	RUN(hash_of_generated_codes_matches_typed_form);
	RUN(hash_refuses_wrong_length_alphabet_and_long_input);
	return T_END();
}
