#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "extern.h"

const char *
lk_io_param(struct lk_io *io, const char *name)
{
	if (io->fcgi != NULL)
		return FCGX_GetParam(name, io->fcgi->envp);
	return getenv(name);
}

long
lk_io_read(struct lk_io *io, char *buf, size_t n)
{
	ssize_t	r;
	int	got;

	if (n > 1024 * 1024)
		n = 1024 * 1024;
	if (io->fcgi != NULL) {
		got = FCGX_GetStr(buf, (int)n, io->fcgi->in);
		return got < 0 ? -1 : got;
	}
	do
		r = read(STDIN_FILENO, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

int
lk_io_write(struct lk_io *io, const char *buf, size_t n)
{
	ssize_t	w;

	if (io->fcgi != NULL)
		return FCGX_PutStr(buf, (int)n, io->fcgi->out) == (int)n ?
		    0 : -1;
	while (n > 0) {
		w = write(STDOUT_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}
