/*
 * The node's counter file (lib/base/metrics.c): made on first use, shared
 * by processes (a child's counts show in the parent's mapping), checked
 * on map, replaced when of another version, never written when not ours,
 * and written out in the Prometheus text format.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/metrics.h"
#include "t.h"

static char	dir[] = "/tmp/lk-metrics-XXXXXX";
static char	file[256];
static char	text[64 * 1024];
static char	err[512];

static const char *
written(void)
{
	size_t	len = 0;

	text[0] = '\0';
	if (lk_metrics_write(text, sizeof(text), &len) != 0)
		return "(failed)";
	return text;
}

static int
has(const char *line)
{
	char	want[512];

	(void)snprintf(want, sizeof(want), "\n%s\n", line);
	return strstr(written(), want) != NULL;
}

TEST(a_missing_file_is_made_private_and_zeroed)
{
	struct stat	st;

	(void)unlink(file);
	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), -1);
	CHECK_INT(lk_metrics_on(), 0);
	CHECK_INT(lk_metrics_open(file, LK_METRICS_CREATE, err, sizeof(err)), 0);
	CHECK_INT(lk_metrics_on(), 1);
	CHECK_INT(stat(file, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, (long long)lk_metrics_file_size());
	CHECK(has("latchkey_logins_total{result=\"success\"} 0"));
	CHECK(has("latchkey_logouts_total 0"));
	CHECK(has("# TYPE latchkey_refreshes_total counter"));
}

TEST(counts_add_up_across_processes_and_reopening)
{
	pid_t	pid;
	int	i, status;

	CHECK_INT(lk_metrics_open(file, LK_METRICS_CREATE, err, sizeof(err)), 0);
	lk_metrics_count(LK_M_LOGIN_BAD_CREDENTIALS);
	if ((pid = fork()) == 0) {
		/* A plain-CGI process: maps, counts once, exits. */
		if (lk_metrics_open(file, 0, err, sizeof(err)) != 0)
			_exit(1);
		for (i = 0; i < 1000; i++)
			lk_metrics_count(LK_M_LOGIN_BAD_CREDENTIALS);
		lk_metrics_refusal(3, "origin");
		lk_metrics_oidc("token", "invalid_grant");
		lk_metrics_request("login", 3000000);
		_exit(0);
	}
	for (i = 0; i < 1000; i++)
		lk_metrics_count(LK_M_LOGIN_BAD_CREDENTIALS);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	CHECK(has("latchkey_logins_total{result=\"bad_credentials\"} 2001"));
	lk_metrics_refusal(3, "origin");
	CHECK(has("latchkey_refusals_total{reason=\"origin\"} 2"));
	CHECK(has("latchkey_oidc_requests_total{endpoint=\"token\","
	    "result=\"invalid_grant\"} 1"));
	lk_metrics_request("login", 400000);
	lk_metrics_request("login", 20000000000LL);
	CHECK(has("latchkey_request_duration_seconds_bucket{program=\"login\","
	    "le=\"0.0005\"} 1"));
	CHECK(has("latchkey_request_duration_seconds_bucket{program=\"login\","
	    "le=\"0.0025\"} 1"));
	CHECK(has("latchkey_request_duration_seconds_bucket{program=\"login\","
	    "le=\"0.005\"} 2"));
	CHECK(has("latchkey_request_duration_seconds_bucket{program=\"login\","
	    "le=\"5\"} 2"));
	CHECK(has("latchkey_request_duration_seconds_bucket{program=\"login\","
	    "le=\"+Inf\"} 3"));
	CHECK(has("latchkey_request_duration_seconds_sum{program=\"login\"} "
	    "20.003400000"));
	CHECK(has("latchkey_request_duration_seconds_count{program=\"login\"} 3"));
	/* Another process later, the counts still there. */
	lk_metrics_close();
	CHECK_STR(written(), "(failed)");
	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), 0);
	CHECK(has("latchkey_logins_total{result=\"bad_credentials\"} 2001"));
}

TEST(names_outside_the_alphabet_are_not_counted)
{
	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), 0);
	lk_metrics_refusal(1, "Bad\"name");
	lk_metrics_refusal(1, "");
	lk_metrics_oidc("token", "a\nb");
	CHECK(strstr(written(), "Bad") == NULL);
	CHECK(strstr(written(), "a\nb") == NULL);
}

TEST(a_file_not_ours_is_never_written)
{
	char		other[300];
	int		fd;
	char		buf[16];
	struct stat	st;

	(void)snprintf(other, sizeof(other), "%s/other", dir);
	fd = open(other, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	CHECK(fd != -1);
	CHECK(ftruncate(fd, (off_t)lk_metrics_file_size()) == 0);
	CHECK(write(fd, "not counters", 12) == 12);
	(void)close(fd);
	CHECK_INT(lk_metrics_open(other, LK_METRICS_CREATE | LK_METRICS_REPLACE,
	    err, sizeof(err)), -1);
	CHECK_INT(lk_metrics_on(), 0);
	/* Counting with none mapped is a no-op, not a crash. */
	lk_metrics_count(LK_M_LOGOUT);
	lk_metrics_request("login", 1);
	fd = open(other, O_RDONLY);
	CHECK(read(fd, buf, 12) == 12);
	(void)close(fd);
	CHECK(memcmp(buf, "not counters", 12) == 0);
	CHECK_INT(stat(other, &st), 0);
	CHECK_INT(st.st_size, (long long)lk_metrics_file_size());
	/* Nor one that is cut short, nor a folder that does not exist. */
	CHECK(truncate(other, 100) == 0);
	CHECK_INT(lk_metrics_open(other, LK_METRICS_CREATE, err, sizeof(err)),
	    -1);
	CHECK_INT(lk_metrics_open("/nonexistent/folder/metrics",
	    LK_METRICS_CREATE, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/folder/metrics") != NULL);
}

TEST(a_file_of_another_version_is_replaced_only_when_asked)
{
	int	fd;
	char	byte = 9;

	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), 0);
	lk_metrics_count(LK_M_LOGOUT);
	lk_metrics_close();
	/* The header's format version, just after the magic. */
	fd = open(file, O_WRONLY);
	CHECK(pwrite(fd, &byte, 1, 8) == 1);
	(void)close(fd);
	CHECK_INT(lk_metrics_open(file, LK_METRICS_CREATE, err, sizeof(err)),
	    -1);
	CHECK_INT(lk_metrics_open(file, LK_METRICS_REPLACE, err, sizeof(err)),
	    0);
	CHECK(has("latchkey_logouts_total 0"));
}

TEST(a_removed_file_is_made_anew_at_the_next_check)
{
	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), 0);
	CHECK_INT(lk_metrics_check(100, err, sizeof(err)), 0);
	lk_metrics_count(LK_M_LOGOUT);
	CHECK(has("latchkey_logouts_total 1"));
	CHECK_INT(unlink(file), 0);
	/* Within the same second nothing is looked at. */
	CHECK_INT(lk_metrics_check(100, err, sizeof(err)), 0);
	CHECK(has("latchkey_logouts_total 1"));
	CHECK_INT(lk_metrics_check(101, err, sizeof(err)), 0);
	CHECK(has("latchkey_logouts_total 0"));
	CHECK(access(file, F_OK) == 0);
}

TEST(output_that_does_not_fit_says_so)
{
	char	small[64];
	size_t	len = 0;

	CHECK_INT(lk_metrics_open(file, 0, err, sizeof(err)), 0);
	CHECK_INT(lk_metrics_write(small, sizeof(small), &len), -2);
	CHECK(strlen(small) < sizeof(small));
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	(void)snprintf(file, sizeof(file), "%s/latchkey.metrics", dir);
	RUN(a_missing_file_is_made_private_and_zeroed);
	RUN(counts_add_up_across_processes_and_reopening);
	RUN(names_outside_the_alphabet_are_not_counted);
	RUN(a_file_not_ours_is_never_written);
	RUN(a_file_of_another_version_is_replaced_only_when_asked);
	RUN(a_removed_file_is_made_anew_at_the_next_check);
	RUN(output_that_does_not_fit_says_so);
	lk_metrics_close();
	(void)unlink(file);
	{
		char	other[300];

		(void)snprintf(other, sizeof(other), "%s/other", dir);
		(void)unlink(other);
	}
	(void)rmdir(dir);
	return T_END();
}
