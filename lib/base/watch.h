#ifndef LK_WATCH_H
#define LK_WATCH_H

/*
 * Whether a few files may have changed, without looking at them: an
 * inotify watch on the folders that hold them, read without blocking.  A
 * FastCGI process asks it before each request instead of stat(2)ing the
 * files (two path walks a request for the key file and its previous
 * keys); when it says "maybe", the caller looks as before.  It says
 * "maybe" for any event naming a watched file, when the kernel's queue
 * overflowed or a folder went, when there is no watch, and once a second
 * whatever happens (a file changed by another machine over NFS sends no
 * event here).  Each watch is one inotify instance of the user's
 * (fs.inotify.max_user_instances, 128 by default): past that, setting one
 * fails and the caller looks every time, as without it.
 */

#include <stddef.h>

#define LK_WATCH_MAX	4	/* files (or folders) watched at once */
#define LK_WATCH_NAME_MAX	256	/* bytes of a watched file's name */

struct lk_watch {
	int	 fd;		/* inotify; -1: none */
	size_t	 n;
	int	 wd[LK_WATCH_MAX];
	char	 name[LK_WATCH_MAX][LK_WATCH_NAME_MAX];	/* "": any in the folder */
	int	 fresh;		/* set, not yet asked */
	long long last;		/* second (monotonic) of the last "maybe" */
};

/* A watch that watches nothing (every question answers "maybe"). */
void	lk_watch_init(struct lk_watch *);

/*
 * Watch the n paths (at most LK_WATCH_MAX; NULL ones are skipped): a
 * folder for anything in it, a file (or a name not there yet) through its
 * folder.  Replaces what w watched.  Returns 0, or -1 (no inotify, a
 * folder that is not there, a path too long): w then watches nothing.
 */
int	lk_watch_set(struct lk_watch *, const char *const paths[], size_t n);

/*
 * Whether the watched files may have changed since the last call: 1
 * (look at them), or 0 (nothing happened to them, and a look was taken
 * less than a second ago).  Events are read before it answers 1, so a
 * change made after that is seen by the next call.  A watch that lost a
 * folder (deleted, moved, the queue overflowed) closes and answers 1
 * from then on, until set again.
 */
int	lk_watch_changed(struct lk_watch *);

/* Stop watching (w watches nothing). */
void	lk_watch_close(struct lk_watch *);

#endif
