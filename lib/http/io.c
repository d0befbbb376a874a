#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "base/util.h"
#include "http/io.h"

static const char *
fake_param(struct lk_io *io, const char *name)
{
	size_t	i, n = strlen(name);

	for (i = 0; io->params != NULL && io->params[i] != NULL; i++)
		if (strncmp(io->params[i], name, n) == 0 &&
		    io->params[i][n] == '=')
			return io->params[i] + n + 1;
	return NULL;
}

const char *
lk_io_param(struct lk_io *io, const char *name)
{
	if (io->fake)
		return fake_param(io, name);
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
	if (io->fake) {
		if (n > io->inlen - io->inoff)
			n = io->inlen - io->inoff;
		if (n == 0)
			return 0;
		memcpy(buf, io->in + io->inoff, n);
		io->inoff += n;
		return (long)n;
	}
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
	if (io->fake) {
		if (n > io->outcap - io->outlen)
			return -1;
		memcpy(io->out + io->outlen, buf, n);
		io->outlen += n;
		return 0;
	}
	if (io->fcgi != NULL)
		return FCGX_PutStr(buf, (int)n, io->fcgi->out) == (int)n ?
		    0 : -1;
	return lk_write_all(STDOUT_FILENO, buf, n);
}
