#include <sys/stat.h>

#include <string.h>
#include <unistd.h>

#include "domain/key.h"
#include "t.h"
#include "tmpdir.h"

#define GOOD	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(loads_one_line)
{
	struct lk_key	k;
	char		err[512];

	CHECK_INT(lk_key_load(&k, tmp_file("k", GOOD "\n", 0600), err,
	    sizeof(err)), 0);
	CHECK_INT(k.len, 64);
	CHECK(memcmp(k.bytes, GOOD, 64) == 0);
	CHECK_INT(lk_key_load(&k, tmp_file("k", GOOD, 0400), err,
	    sizeof(err)), 0);
	CHECK_INT(k.len, 64);
	lk_key_clear(&k);
	CHECK_INT(k.len, 0);
}

TEST(refuses_readable_by_others)
{
	struct lk_key	k;
	char		err[512];

	CHECK_INT(lk_key_load(&k, tmp_file("k", GOOD "\n", 0640), err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "mode 0640") != NULL);
	CHECK_INT(lk_key_load(&k, tmp_file("k", GOOD "\n", 0604), err,
	    sizeof(err)), -1);
	CHECK_INT(k.len, 0);
}

TEST(refuses_short_missing_and_multiline)
{
	struct lk_key	k;
	char		err[512];

	CHECK_INT(lk_key_load(&k, tmp_file("k", "short\n", 0600), err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "at least 43") != NULL);
	CHECK_INT(lk_key_load(&k, tmp_file("k", "", 0600), err,
	    sizeof(err)), -1);
	CHECK_INT(lk_key_load(&k, tmp_file("k", GOOD "\n" GOOD "\n", 0600), err,
	    sizeof(err)), -1);
	CHECK_INT(lk_key_load(&k, tmp_file("k", "0123456789 0123456789 "
	    "0123456789 0123456789 0123456789\n", 0600), err, sizeof(err)), -1);
	CHECK_INT(lk_key_load(&k, "/nonexistent/key", err, sizeof(err)), -1);
	CHECK(strstr(err, "No such file") != NULL);
	/* 43 characters is enough. */
	CHECK_INT(lk_key_load(&k, tmp_file("k",
	    "0123456789012345678901234567890123456789012", 0600), err,
	    sizeof(err)), 0);
}

TEST(generate_makes_private_key_and_never_overwrites)
{
	struct lk_key	k;
	struct stat	st;
	char		err[512], path[512];
	size_t		i;

	(void)snprintf(path, sizeof(path), "%s/new.key", tmp_dir());
	(void)unlink(path);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0600);
	CHECK_INT(st.st_size, 65);
	CHECK_INT(lk_key_load(&k, path, err, sizeof(err)), 0);
	CHECK_INT(k.len, 64);
	for (i = 0; i < k.len; i++)
		CHECK(strchr("0123456789abcdef", k.bytes[i]) != NULL);
	CHECK_INT(lk_key_generate(path, err, sizeof(err)), -1);
	CHECK(strstr(err, "File exists") != NULL);
}

int
main(void)
{
	RUN(loads_one_line);
	RUN(refuses_readable_by_others);
	RUN(refuses_short_missing_and_multiline);
	RUN(generate_makes_private_key_and_never_overwrites);
	tmp_cleanup();
	return T_END();
}
