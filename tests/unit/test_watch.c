#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "tmpdir.h"
#include "base/watch.h"

/*
 * Whether the watch answers "nothing changed" within a few questions: it
 * answers "maybe" once when a new second begins, so one answer alone
 * could be that.
 */
static int
settles(struct lk_watch *w)
{
	int	i;

	for (i = 0; i < 3; i++)
		if (!lk_watch_changed(w))
			return 1;
	return 0;
}

/* Whether touching what do does makes the watch answer "maybe", every time of 3. */
static int
noticed(struct lk_watch *w, void (*act)(void))
{
	int	i;

	for (i = 0; i < 3; i++) {
		if (!settles(w))
			return 0;
		act();
		if (!lk_watch_changed(w))
			return 0;
	}
	return 1;
}

/* Whether it stays quiet after act, at least once in 3 tries. */
static int
ignored(struct lk_watch *w, void (*act)(void))
{
	int	i;

	for (i = 0; i < 3; i++) {
		if (!settles(w))
			return 0;
		act();
		if (!lk_watch_changed(w))
			return 1;
	}
	return 0;
}

static char	key[512], other[600], sub[512];

static void
rewrite_key(void)
{
	(void)tmp_file("key", "two\n", 0600);
}

static void
replace_key(void)
{
	char	tmp[600];

	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", key);
	(void)tmp_file("key.tmp", "three\n", 0600);
	(void)rename(tmp, key);
}

static void
chmod_key(void)
{
	static int	flip;

	(void)chmod(key, (flip ^= 1) ? 0400 : 0600);
}

static void
remove_key(void)
{
	(void)unlink(key);
	(void)tmp_file("key", "again\n", 0600);
}

static void
write_other(void)
{
	(void)tmp_file("other", "x\n", 0600);
}

static void
write_in_sub(void)
{
	FILE	*f;
	char	 p[600];

	(void)snprintf(p, sizeof(p), "%s/k1.pem", sub);
	if ((f = fopen(p, "w")) != NULL) {
		fputs("pem\n", f);
		fclose(f);
	}
}

TEST(a_watched_file_changed_is_noticed_another_is_not)
{
	struct lk_watch	 w;
	const char	*paths[] = { key, NULL };

	lk_watch_init(&w);
	(void)snprintf(key, sizeof(key), "%s", tmp_file("key", "one\n", 0600));
	(void)snprintf(other, sizeof(other), "%s", tmp_file("other", "o\n", 0600));
	CHECK_INT(lk_watch_set(&w, paths, 2), 0);
	/* Just set: look once. */
	CHECK_INT(lk_watch_changed(&w), 1);
	CHECK(settles(&w));
	CHECK(noticed(&w, rewrite_key));
	CHECK(noticed(&w, replace_key));
	CHECK(noticed(&w, chmod_key));
	CHECK(noticed(&w, remove_key));
	/* Another file of the same folder (the database beside the key). */
	CHECK(ignored(&w, write_other));
	lk_watch_close(&w);
	CHECK_INT(w.fd, -1);
	CHECK_INT(lk_watch_changed(&w), 1);
}

TEST(a_watched_folder_notices_any_file_in_it)
{
	struct lk_watch	 w;
	const char	*paths[] = { sub };

	lk_watch_init(&w);
	(void)snprintf(sub, sizeof(sub), "%s/pub", tmp_dir());
	(void)mkdir(sub, 0700);
	CHECK_INT(lk_watch_set(&w, paths, 1), 0);
	CHECK(noticed(&w, write_in_sub));
	/* The folder removed: the watch is lost and says "maybe" from then on. */
	(void)snprintf(other, sizeof(other), "%s/k1.pem", sub);
	(void)unlink(other);
	(void)rmdir(sub);
	CHECK_INT(lk_watch_changed(&w), 1);
	CHECK_INT(w.fd, -1);
	CHECK_INT(lk_watch_changed(&w), 1);
	lk_watch_close(&w);
}

TEST(no_watch_always_says_maybe)
{
	struct lk_watch	 w;
	const char	*paths[] = { "/nonexistent-folder-of-latchkey/key" };

	lk_watch_init(&w);
	CHECK_INT(lk_watch_changed(&w), 1);
	CHECK_INT(lk_watch_changed(&w), 1);
	CHECK_INT(lk_watch_set(&w, paths, 1), -1);
	CHECK_INT(w.fd, -1);
	CHECK_INT(lk_watch_changed(&w), 1);
	CHECK_INT(lk_watch_changed(&w), 1);
}

int
main(void)
{
	RUN(a_watched_file_changed_is_noticed_another_is_not);
	RUN(a_watched_folder_notices_any_file_in_it);
	RUN(no_watch_always_says_maybe);
	tmp_cleanup();
	return T_END();
}
