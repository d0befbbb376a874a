#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "util.h"

void
lk_key_clear(struct lk_key *key)
{
	lk_explicit_bzero(key, sizeof(*key));
}

int
lk_key_load(struct lk_key *key, const char *path, char *err, size_t errsz)
{
	struct stat	 st;
	unsigned char	 buf[LK_KEY_MAX + 3];
	ssize_t		 r;
	size_t		 len = 0, i;
	int		 fd, rc = -1;

	lk_key_clear(key);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errsz, "key file %s: not a regular file",
		    path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		(void)snprintf(err, errsz, "key file %s: mode %04o lets group "
		    "or others read it; run chmod 600 on it", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			(void)snprintf(err, errsz, "key file %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	/* One line: strip one trailing newline (and a CR before it). */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > LK_KEY_MAX) {
		(void)snprintf(err, errsz, "key file %s: longer than %d "
		    "characters", path, LK_KEY_MAX);
		goto out;
	}
	for (i = 0; i < len; i++)
		if (buf[i] <= 0x20 || buf[i] >= 0x7f) {
			(void)snprintf(err, errsz, "key file %s: must be one "
			    "line of printable characters without spaces", path);
			goto out;
		}
	if (len < LK_KEY_MIN) {
		(void)snprintf(err, errsz, "key file %s: %zu characters, at "
		    "least %d needed", path, len, LK_KEY_MIN);
		goto out;
	}
	memcpy(key->bytes, buf, len);
	key->len = len;
	rc = 0;
out:
	lk_explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int
lk_key_generate(const char *path, char *err, size_t errsz)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 raw[32];
	char			 line[65 + 1], tmp[4096];
	size_t			 i, off = 0;
	ssize_t			 w;
	int			 fd = -1, rc = -1, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(err, errsz, "key file %s: path too long", path);
		return -1;
	}
	if (lk_random_bytes(raw, sizeof(raw)) == -1) {
		(void)snprintf(err, errsz, "random source: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(raw); i++) {
		line[2 * i] = hex[raw[i] >> 4];
		line[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	line[64] = '\n';
	line[65] = '\0';

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < 65) {
		w = write(fd, line + off, 65 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			(void)snprintf(err, errsz, "%s: %s", tmp,
			    strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* link(2) fails if the target exists: an existing key is never lost. */
	if (link(tmp, path) == -1) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	lk_explicit_bzero(raw, sizeof(raw));
	lk_explicit_bzero(line, sizeof(line));
	return rc;
}
