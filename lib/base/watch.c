#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "base/watch.h"

/* What changes a file's content, name or mode, or takes its folder away. */
#define FOLDER_EVENTS	(IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
    IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | \
    IN_ONLYDIR)

static long long
mono_second(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == -1)
		return -1;
	return (long long)ts.tv_sec;
}

void
lk_watch_init(struct lk_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

void
lk_watch_close(struct lk_watch *w)
{
	if (w->fd != -1)
		(void)close(w->fd);
	lk_watch_init(w);
}

/* Watch one path: its folder (and a name in it), or itself, a folder. */
static int
watch_one(struct lk_watch *w, const char *path)
{
	char		 dir[PATH_MAX];
	const char	*slash, *name;
	struct stat	 st;
	size_t		 dn;
	int		 wd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (lk_strlcpy(dir, path, sizeof(dir)) == -1)
			return -1;
		name = "";
	} else {
		if ((slash = strrchr(path, '/')) == NULL) {
			(void)lk_strlcpy(dir, ".", sizeof(dir));
			name = path;
		} else {
			dn = slash == path ? 1 : (size_t)(slash - path);
			if (dn >= sizeof(dir))
				return -1;
			memcpy(dir, path, dn);
			dir[dn] = '\0';
			name = slash + 1;
		}
		if (*name == '\0')
			return -1;
	}
	if (strlen(name) >= LK_WATCH_NAME_MAX ||
	    (wd = inotify_add_watch(w->fd, dir, FOLDER_EVENTS)) == -1)
		return -1;
	w->wd[w->n] = wd;
	(void)lk_strlcpy(w->name[w->n], name, LK_WATCH_NAME_MAX);
	w->n++;
	return 0;
}

int
lk_watch_set(struct lk_watch *w, const char *const paths[], size_t n)
{
	size_t	i;

	lk_watch_close(w);
	if (n > LK_WATCH_MAX)
		return -1;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		goto err;
	for (i = 0; i < n; i++)
		if (paths[i] != NULL && watch_one(w, paths[i]) == -1)
			goto err;
	w->fresh = 1;
	return 0;
err:
	lk_watch_close(w);
	return -1;
}

/* Whether event e is one of ours: -1 the watch is lost, 1 ours, 0 not. */
static int
event_ours(const struct lk_watch *w, const struct inotify_event *e)
{
	size_t	i;

	if (e->wd == -1 || (e->mask & (IN_Q_OVERFLOW | IN_IGNORED |
	    IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) != 0)
		return -1;
	for (i = 0; i < w->n; i++)
		if (w->wd[i] == e->wd && (w->name[i][0] == '\0' ||
		    (e->len > 0 && strcmp(w->name[i], e->name) == 0)))
			return 1;
	return 0;
}

int
lk_watch_changed(struct lk_watch *w)
{
	char				 buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*e;
	ssize_t				 len;
	size_t				 off;
	long long			 now = mono_second();
	int				 changed = 0, r;

	if (w->fd == -1)
		return 1;
	/* Every event queued, read to the end: the next call starts afresh. */
	for (;;) {
		len = read(w->fd, buf, sizeof(buf));
		if (len == -1 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		for (off = 0; off + sizeof(*e) <= (size_t)len;
		    off += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)(const void *)(buf + off);
			if ((r = event_ours(w, e)) == -1) {
				lk_watch_close(w);
				return 1;
			}
			changed |= r;
		}
	}
	if (len == -1 && errno != EAGAIN) {
		lk_watch_close(w);
		return 1;
	}
	if (w->fresh || changed || now != w->last || now == -1) {
		w->fresh = 0;
		w->last = now;
		return 1;
	}
	return 0;
}
