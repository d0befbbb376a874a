#ifndef LK_EXTERN_H
#define LK_EXTERN_H

/*
 * Helpers shared between library files and not part of the public API.
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
};

/* Read a request parameter (CGI variable) of the current request, or NULL. */
const char *lk_io_param(struct lk_io *io, const char *name);

/* Read up to n bytes of body; returns bytes read (0 at end), -1 on error. */
long	lk_io_read(struct lk_io *io, char *buf, size_t n);

/* Write n bytes; returns 0 or -1. */
int	lk_io_write(struct lk_io *io, const char *buf, size_t n);

#endif
