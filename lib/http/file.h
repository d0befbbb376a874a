#ifndef LK_FILE_H
#define LK_FILE_H

#include <sys/stat.h>

#include <stddef.h>
#include <time.h>

/*
 * Files served from a folder, as the gate serves them (lib/decide/gate.h):
 * opened one segment at a time below the folder, never through a symbolic
 * link or out of it; their Content-Type from a small table of extensions;
 * and HTTP's dates (Last-Modified, If-Modified-Since).
 */

/* The largest file served: anything bigger is not (bounded answers). */
#define LK_FILE_SIZE_MAX	(1024LL * 1024 * 1024)

enum lk_file_res {
	LK_FILE_OK,		/* a regular file, open */
	LK_FILE_DIR,		/* a folder (opened: *fd is the folder's) */
	LK_FILE_NONE,		/* nothing servable: missing, a link, a device, ... */
	LK_FILE_ERROR		/* the folder itself cannot be opened */
};

/*
 * Open rel (segments separated by single '/', none empty, ".", ".." or
 * starting with '.', no NUL: "a/b.html", or "" for the folder itself)
 * below the folder dir: each segment with O_NOFOLLOW, so that neither a
 * symbolic link nor anything else leads out of dir; the last opened
 * without blocking (a FIFO).  LK_FILE_OK: a regular file, *fd open for
 * reading and *st its status; LK_FILE_DIR: a folder, *fd open on it;
 * LK_FILE_NONE: rel is refused, missing, a link, or neither a file nor a
 * folder (*fd -1); LK_FILE_ERROR: dir cannot be opened (errno says why).
 */
enum lk_file_res lk_file_open(const char *dir, const char *rel, int *fd,
	    struct stat *st);

/*
 * Open the regular file name (one segment) in the open folder dirfd, as
 * lk_file_open does its last segment: LK_FILE_OK with *fd and *st, or
 * LK_FILE_NONE.
 */
enum lk_file_res lk_file_open_at(int dirfd, const char *name, int *fd,
	    struct stat *st);

/*
 * The Content-Type of a file named name, from its extension (without
 * regard to case): text/html; charset=utf-8 for .html, image/png for
 * .png, and so on; application/octet-stream for any other.
 */
const char *lk_file_type(const char *name);

/* t as an HTTP date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"). */
#define LK_HTTP_DATE_MAX	64
void	lk_http_date(time_t t, char out[LK_HTTP_DATE_MAX]);

/*
 * An HTTP date in the IMF-fixdate form (the one every client sends in
 * If-Modified-Since) into *t.  Returns 0, or -1 if s is not one.
 */
int	lk_http_date_parse(const char *s, time_t *t);

#endif
