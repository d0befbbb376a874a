#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http/file.h"

static const char *const days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Extensions and their types: what a members' area holds. */
static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "pdf", "application/pdf" },
	{ "zip", "application/zip" },
	{ "wasm", "application/wasm" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "svg", "image/svg+xml" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
};

const char *
lk_file_type(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Whether seg (len bytes) may name something served. */
static int
segment_ok(const char *seg, size_t len)
{
	return len > 0 && len <= NAME_MAX && seg[0] != '.' &&
	    memchr(seg, '\0', len) == NULL;
}

enum lk_file_res
lk_file_open_at(int dirfd, const char *name, int *fd, struct stat *st)
{
	int	f;

	*fd = -1;
	if (!segment_ok(name, strlen(name)) || strchr(name, '/') != NULL)
		return LK_FILE_NONE;
	/* No blocking on a FIFO, no following a link, no terminal taken. */
	f = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (f == -1)
		return LK_FILE_NONE;
	if (fstat(f, st) == -1 || !S_ISREG(st->st_mode)) {
		(void)close(f);
		return LK_FILE_NONE;
	}
	*fd = f;
	return LK_FILE_OK;
}

enum lk_file_res
lk_file_open(const char *dir, const char *rel, int *fd, struct stat *st)
{
	char		 seg[NAME_MAX + 1];
	const char	*p = rel, *slash;
	size_t		 len;
	int		 d, next;

	*fd = -1;
	if ((d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return LK_FILE_ERROR;
	while (*p != '\0') {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (!segment_ok(p, len))
			goto none;
		memcpy(seg, p, len);
		seg[len] = '\0';
		next = openat(d, seg, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
		(void)close(d);
		d = next;
		if (d == -1 || fstat(d, st) == -1)
			goto none;
		if (S_ISREG(st->st_mode)) {
			/* A file is the end of the path: nothing below it. */
			if (slash != NULL)
				goto none;
			*fd = d;
			return LK_FILE_OK;
		}
		if (!S_ISDIR(st->st_mode))
			goto none;
		p += len + (slash != NULL);
	}
	if (fstat(d, st) == -1 || !S_ISDIR(st->st_mode))
		goto none;
	*fd = d;
	return LK_FILE_DIR;
none:
	if (d != -1)
		(void)close(d);
	return LK_FILE_NONE;
}

void
lk_http_date(time_t t, char out[LK_HTTP_DATE_MAX])
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 || tm.tm_year > 8099) {
		t = 0;
		(void)gmtime_r(&t, &tm);
	}
	(void)snprintf(out, LK_HTTP_DATE_MAX, "%s, %02d %s %04d %02d:%02d:%02d "
	    "GMT", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
lk_http_date_parse(const char *s, time_t *t)
{
	struct tm	tm;
	char		day[4], mon[4], gmt[4];
	int		d, y, h, mi, se, n = 0;
	size_t		i;

	/* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes exactly. */
	if (strlen(s) != 29 || s[3] != ',' ||
	    sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n",
	    day, &d, mon, &y, &h, &mi, &se, gmt, &n) != 8 || n != 29 ||
	    strcmp(gmt, "GMT") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	for (i = 0; i < 12 && strcmp(mon, months[i]) != 0; i++)
		;
	if (i == 12 || d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return -1;
	tm.tm_mon = (int)i;
	tm.tm_mday = d;
	tm.tm_year = y - 1900;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*t = timegm(&tm);
	return *t == (time_t)-1 ? -1 : 0;
}
