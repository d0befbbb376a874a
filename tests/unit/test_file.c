/* lib/http/file.c and a file as a response's body (lib/http/response.c). */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"
#include "tmpdir.h"
#include "http/file.h"
#include "http/io.h"
#include "http/response.h"

static char	root[512];

/* DIR/rel (below root) with text in it. */
static void
put(const char *rel, const char *text)
{
	char	path[1024];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	char	path[1024];

	(void)snprintf(root, sizeof(root), "%s/served", tmp_dir());
	(void)mkdir(root, 0755);
	(void)snprintf(path, sizeof(path), "%s/sub", root);
	(void)mkdir(path, 0755);
	put("a.txt", "aaa\n");
	put("sub/b.html", "<p>b</p>\n");
	put(".hidden", "dot\n");
	put("../outside.txt", "outside\n");
	(void)snprintf(path, sizeof(path), "%s/passwd", root);
	CHECK(symlink("/etc/passwd", path) == 0);
	(void)snprintf(path, sizeof(path), "%s/alias.txt", root);
	CHECK(symlink("a.txt", path) == 0);
	(void)snprintf(path, sizeof(path), "%s/up", root);
	CHECK(symlink("..", path) == 0);
	(void)snprintf(path, sizeof(path), "%s/fifo", root);
	CHECK(mkfifo(path, 0644) == 0);
}

/* What lk_file_open answers for rel, its descriptor closed. */
static enum lk_file_res
opens(const char *rel)
{
	struct stat		st;
	enum lk_file_res	r;
	int			fd;

	r = lk_file_open(root, rel, &fd, &st);
	if (fd != -1)
		(void)close(fd);
	else
		CHECK(r == LK_FILE_NONE || r == LK_FILE_ERROR);
	return r;
}

TEST(files_and_folders_below_the_folder_open)
{
	struct stat	st;
	char		buf[16];
	int		fd;

	CHECK_INT(lk_file_open(root, "a.txt", &fd, &st), LK_FILE_OK);
	CHECK_INT(st.st_size, 4);
	CHECK_INT(read(fd, buf, sizeof(buf)), 4);
	(void)close(fd);
	CHECK_INT(opens("sub/b.html"), LK_FILE_OK);
	CHECK_INT(opens("sub"), LK_FILE_DIR);
	CHECK_INT(opens(""), LK_FILE_DIR);
}

TEST(nothing_out_of_the_folder_or_through_a_link)
{
	CHECK_INT(opens("passwd"), LK_FILE_NONE);
	CHECK_INT(opens("alias.txt"), LK_FILE_NONE);
	CHECK_INT(opens("up/outside.txt"), LK_FILE_NONE);
	CHECK_INT(opens("../outside.txt"), LK_FILE_NONE);
	CHECK_INT(opens("sub/../a.txt"), LK_FILE_NONE);
	CHECK_INT(opens("./a.txt"), LK_FILE_NONE);
	CHECK_INT(opens(".hidden"), LK_FILE_NONE);
	CHECK_INT(opens("sub//b.html"), LK_FILE_NONE);
	CHECK_INT(opens("/etc/passwd"), LK_FILE_NONE);
	CHECK_INT(opens("a.txt/x"), LK_FILE_NONE);
	CHECK_INT(opens("missing"), LK_FILE_NONE);
	/* A FIFO neither blocks nor opens. */
	CHECK_INT(opens("fifo"), LK_FILE_NONE);
	CHECK_INT(lk_file_open("/nonexistent/folder", "a.txt", &(int){0},
	    &(struct stat){0}), LK_FILE_ERROR);
}

TEST(open_at_takes_one_regular_file)
{
	struct stat	st;
	int		dir, fd;

	CHECK((dir = open(root, O_RDONLY | O_DIRECTORY)) != -1);
	CHECK_INT(lk_file_open_at(dir, "a.txt", &fd, &st), LK_FILE_OK);
	(void)close(fd);
	CHECK_INT(lk_file_open_at(dir, "alias.txt", &fd, &st), LK_FILE_NONE);
	CHECK_INT(lk_file_open_at(dir, "sub", &fd, &st), LK_FILE_NONE);
	CHECK_INT(lk_file_open_at(dir, "sub/b.html", &fd, &st), LK_FILE_NONE);
	CHECK_INT(lk_file_open_at(dir, "..", &fd, &st), LK_FILE_NONE);
	CHECK_INT(fd, -1);
	(void)close(dir);
}

TEST(types_by_extension)
{
	CHECK_STR(lk_file_type("index.html"), "text/html; charset=utf-8");
	CHECK_STR(lk_file_type("A.HTML"), "text/html; charset=utf-8");
	CHECK_STR(lk_file_type("x.tar.gz"), "application/octet-stream");
	CHECK_STR(lk_file_type("logo.svg"), "image/svg+xml");
	CHECK_STR(lk_file_type("noext"), "application/octet-stream");
	CHECK_STR(lk_file_type("trailing."), "application/octet-stream");
	CHECK_STR(lk_file_type("d.x/noext"), "application/octet-stream");
}

TEST(http_dates_both_ways)
{
	char	out[LK_HTTP_DATE_MAX];
	time_t	t;

	lk_http_date(784111777, out);
	CHECK_STR(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	CHECK_INT(lk_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	CHECK_INT(t, 784111777);
	CHECK_INT(lk_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), -1);
	CHECK_INT(lk_http_date_parse("Sun Nov  6 08:49:37 1994", &t), -1);
	CHECK_INT(lk_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t), -1);
	CHECK_INT(lk_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t), -1);
	CHECK_INT(lk_http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t), -1);
	CHECK_INT(lk_http_date_parse("", &t), -1);
}

static struct lk_response	resp;

/* The response sent into a fake I/O layer: its text into out. */
static void
send_into(char *out, size_t outsz)
{
	struct lk_io	io;

	memset(&io, 0, sizeof(io));
	io.fake = 1;
	io.out = out;
	io.outcap = outsz - 1;
	CHECK_INT(lk_response_send(&resp, &io), 0);
	out[io.outlen] = '\0';
}

TEST(a_file_is_its_body_and_head_its_headers_alone)
{
	struct stat	st;
	char		out[1024];
	int		fd;

	lk_response_reset(&resp);
	CHECK_INT(lk_file_open(root, "a.txt", &fd, &st), LK_FILE_OK);
	lk_response_file(&resp, 200, "text/plain", fd, st.st_size, 0);
	send_into(out, sizeof(out));
	CHECK(strstr(out, "Content-Length: 4\r\n") != NULL);
	CHECK(strstr(out, "Content-Type: text/plain\r\n") != NULL);
	CHECK(strstr(out, "\r\n\r\naaa\n") != NULL);
	lk_response_reset(&resp);
	CHECK_INT(resp.has_file, 0);
	CHECK(fcntl(fd, F_GETFD) == -1);	/* the reset closed it */

	CHECK_INT(lk_file_open(root, "a.txt", &fd, &st), LK_FILE_OK);
	lk_response_file(&resp, 200, "text/plain", fd, st.st_size, 1);
	send_into(out, sizeof(out));
	CHECK(strstr(out, "Content-Length: 4\r\n") != NULL);
	CHECK(strstr(out, "aaa") == NULL);
	CHECK_INT(strlen(strstr(out, "\r\n\r\n")), 4);
	lk_response_reset(&resp);
}

TEST(a_304_carries_no_body_or_length)
{
	char	out[1024];

	lk_response_reset(&resp);
	resp.status = 304;
	lk_response_header(&resp, "Last-Modified", "%s",
	    "Sun, 06 Nov 1994 08:49:37 GMT");
	send_into(out, sizeof(out));
	CHECK(strncmp(out, "Status: 304 Not Modified\r\n", 26) == 0);
	CHECK(strstr(out, "Content-Length") == NULL);
	CHECK(strstr(out, "Content-Type") == NULL);
	CHECK_INT(strlen(strstr(out, "\r\n\r\n")), 4);
	lk_response_reset(&resp);
}

int
main(void)
{
	setup();
	RUN(files_and_folders_below_the_folder_open);
	RUN(nothing_out_of_the_folder_or_through_a_link);
	RUN(open_at_takes_one_regular_file);
	RUN(types_by_extension);
	RUN(http_dates_both_ways);
	RUN(a_file_is_its_body_and_head_its_headers_alone);
	RUN(a_304_carries_no_body_or_length);
	tmp_cleanup();
	return T_END();
}
