#include <string.h>

#include "domain/group.h"
#include "t.h"

#define RULE	" (a group's name is 1 to 64 of a-z, 0-9, '_', '.' and '-', " \
		"starting with a letter or digit)"

TEST(names_of_the_rule_pass)
{
	CHECK(lk_group_name_check("admins") == NULL);
	CHECK(lk_group_name_check("0day.team_x-1") == NULL);
	CHECK(lk_group_name_check("a") == NULL);
	CHECK(lk_group_name_check("a234567890123456789012345678901234567890"
	    "123456789012345678901234") == NULL);
}

TEST(each_error_names_what_is_wrong)
{
	CHECK_STR(lk_group_name_check(""), "it is empty" RULE);
	CHECK_STR(lk_group_name_check("a234567890123456789012345678901234567890"
	    "1234567890123456789012345"), "it is 65 characters long" RULE);
	CHECK_STR(lk_group_name_check("Admins"), "'A' is upper case" RULE);
	CHECK_STR(lk_group_name_check("ops team"), "\\x20 is not allowed" RULE);
	CHECK_STR(lk_group_name_check("a,b"), "',' is not allowed" RULE);
	CHECK_STR(lk_group_name_check("caf\xc3\xa9"), "\\xc3 is not allowed"
	    RULE);
	CHECK_STR(lk_group_name_check("it's"), "\\x27 is not allowed" RULE);
	CHECK_STR(lk_group_name_check("-x"), "it starts with '-'" RULE);
	CHECK_STR(lk_group_name_check("_x"), "it starts with '_'" RULE);
	CHECK_STR(lk_group_name_check(".x"), "it starts with '.'" RULE);
}

TEST(descriptions_are_bounded_text)
{
	char	long_text[402];

	CHECK(lk_group_description_check("") == NULL);
	CHECK(lk_group_description_check("Staff \xc3\xa9quipe") == NULL);
	memset(long_text, 'x', 400);
	long_text[400] = '\0';
	CHECK(lk_group_description_check(long_text) == NULL);
	long_text[400] = 'x';
	long_text[401] = '\0';
	CHECK_STR(lk_group_description_check(long_text),
	    "a group's description is at most 400 bytes");
	CHECK_STR(lk_group_description_check("a\nb"), "a group's description "
	    "must be UTF-8 text without control characters");
	CHECK_STR(lk_group_description_check("\xff"), "a group's description "
	    "must be UTF-8 text without control characters");
}

int
main(void)
{
	RUN(names_of_the_rule_pass);
	RUN(each_error_names_what_is_wrong);
	RUN(descriptions_are_bounded_text);
	return T_END();
}
