#ifndef LK_IO_H
#define LK_IO_H

/*
 * Where a request comes from and its answer goes: FastCGI, plain CGI, or
 * (for the runtime's in-process tests) a request held in memory.  Shared
 * by the HTTP files of the library; not part of the public API.
 */

#include <stddef.h>

#include <fcgiapp.h>

/*
 * Where the current request comes from and its response goes: a FastCGI
 * request, or (fcgi NULL) plain CGI on the process's environment, standard
 * input and standard output.
 */
struct lk_io {
	FCGX_Request	*fcgi;
	/*
	 * In-process (the unit tests of the runtime): with fake set, the
	 * parameters ("NAME=value", NULL-terminated), the body, and a buffer
	 * that collects the response.
	 */
	int			 fake;
	const char *const	*params;
	const char		*in;
	size_t			 inlen, inoff;
	char			*out;
	size_t			 outlen, outcap;
};

/* Read a request parameter (CGI variable) of the current request, or NULL. */
const char *lk_io_param(struct lk_io *io, const char *name);

/* Read up to n bytes of body; returns bytes read (0 at end), -1 on error. */
long	lk_io_read(struct lk_io *io, char *buf, size_t n);

/* Write n bytes; returns 0 or -1. */
int	lk_io_write(struct lk_io *io, const char *buf, size_t n);

#endif
