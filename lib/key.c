#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "key.h"
#include "util.h"

int
lk_key_set(struct lk_key *key, const void *bytes, size_t len)
{
	unsigned char	md[LK_SHA256_LEN];
	long long	retired = key->retired;

	lk_key_clear(key);
	if (len == 0 || len > LK_KEY_MAX)
		return -1;
	memcpy(key->bytes, bytes, len);
	key->len = len;
	key->retired = retired;
	/* kid = the first LK_KID_LEN hex digits of SHA-256 of the key. */
	lk_sha256(key->bytes, key->len, md);
	(void)lk_hex_encode(md, LK_KID_LEN / 2, key->kid, sizeof(key->kid));
	lk_hmac_sha256_key(&key->hmac, key->bytes, key->len);
	lk_explicit_bzero(md, sizeof(md));
	return 0;
}

void
lk_key_clear(struct lk_key *key)
{
	lk_explicit_bzero(key, sizeof(*key));
}

int
lk_key_load(struct lk_key *key, const char *path, char *err, size_t errsz)
{
	char	 buf[LK_KEY_MAX + 3], why[1280];
	size_t	 len, i;
	int	 r, rc = -1;

	lk_key_clear(key);
	r = lk_read_private(path, buf, sizeof(buf), &len, why, sizeof(why));
	if (r == 0) {
		(void)snprintf(err, errsz, "key file %s: %s", path,
		    strerror(ENOENT));
		return -1;
	}
	if (r == -1) {
		(void)snprintf(err, errsz, "key file %s", why);
		return -1;
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
		if ((unsigned char)buf[i] <= 0x20 ||
		    (unsigned char)buf[i] >= 0x7f) {
			(void)snprintf(err, errsz, "key file %s: must be one "
			    "line of printable characters without spaces", path);
			goto out;
		}
	if (len < LK_KEY_MIN) {
		(void)snprintf(err, errsz, "key file %s: %zu characters, at "
		    "least %d needed", path, len, LK_KEY_MIN);
		goto out;
	}
	(void)lk_key_set(key, buf, len);
	rc = 0;
out:
	lk_explicit_bzero(buf, sizeof(buf));
	return rc;
}

int
lk_key_generate(const char *path, char *err, size_t errsz)
{
	unsigned char		 raw[32];
	char			 line[65 + 1], tmp[4096];
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
	(void)lk_hex_encode(raw, sizeof(raw), line, sizeof(line));
	line[64] = '\n';
	line[65] = '\0';

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (lk_write_all(fd, line, 65) == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto out;
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

#define PREV_FILE_MAX	(LK_KEYS_MAX * (LK_KEY_MAX + 64))

static int
previous_path(const char *path, char *out, size_t outsz)
{
	int	n = snprintf(out, outsz, "%s.previous", path);

	return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* Parse "KID RETIRED SECRET" lines into ring->previous. */
static int
parse_previous(struct lk_keyring *ring, char *text, const char *ppath,
    char *err, size_t errsz)
{
	char		*line, *next, *sp1, *sp2;
	size_t		 n = 0, len, i;
	long long	 retired;
	struct lk_key	*k;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		n++;
		if (ring->nprevious >= LK_KEYS_MAX ||
		    (sp1 = strchr(line, ' ')) == NULL ||
		    (sp2 = strchr(sp1 + 1, ' ')) == NULL) {
			(void)snprintf(err, errsz, "%s:%zu: expected \"KID "
			    "RETIRED SECRET\" (at most %d lines)", ppath, n,
			    LK_KEYS_MAX);
			return -1;
		}
		*sp1 = *sp2 = '\0';
		k = &ring->previous[ring->nprevious];
		len = strlen(sp2 + 1);
		if (lk_parse_ll(sp1 + 1, 0, 253402300799LL, &retired) == -1 ||
		    len < LK_KEY_MIN || len > LK_KEY_MAX) {
			(void)snprintf(err, errsz, "%s:%zu: bad line", ppath, n);
			return -1;
		}
		for (i = 0; i < len; i++)
			if ((unsigned char)sp2[1 + i] <= 0x20 ||
			    (unsigned char)sp2[1 + i] >= 0x7f) {
				(void)snprintf(err, errsz, "%s:%zu: bad key", ppath, n);
				return -1;
			}
		k->retired = retired;
		if (lk_key_set(k, sp2 + 1, len) == -1 ||
		    strcmp(k->kid, line) != 0) {
			(void)snprintf(err, errsz, "%s:%zu: kid does not match "
			    "the key", ppath, n);
			return -1;
		}
		ring->nprevious++;
	}
	return 0;
}

int
lk_keyring_load(struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	char	ppath[4096], *text;
	size_t	n;
	int	rc = -1;

	memset(ring, 0, sizeof(*ring));
	if (lk_key_load(&ring->current, path, err, errsz) == -1)
		return -1;
	if (previous_path(path, ppath, sizeof(ppath)) == -1) {
		(void)snprintf(err, errsz, "%s: path too long", path);
		goto out;
	}
	if ((text = malloc(PREV_FILE_MAX)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		goto out;
	}
	/* No file is no previous key: lk_read_private leaves "" in text. */
	if (lk_read_private(ppath, text, PREV_FILE_MAX, &n, err, errsz) >= 0 &&
	    parse_previous(ring, text, ppath, err, errsz) == 0)
		rc = 0;
	lk_explicit_bzero(text, PREV_FILE_MAX);
	free(text);
out:
	if (rc == -1)
		lk_keyring_clear(ring);
	return rc;
}

const struct lk_key *
lk_keyring_find(const struct lk_keyring *ring, const char *kid)
{
	size_t	i;

	if (strcmp(ring->current.kid, kid) == 0)
		return &ring->current;
	for (i = 0; i < ring->nprevious; i++)
		if (strcmp(ring->previous[i].kid, kid) == 0)
			return &ring->previous[i];
	return NULL;
}

void
lk_keyring_clear(struct lk_keyring *ring)
{
	lk_explicit_bzero(ring, sizeof(*ring));
}

/* Write text to path through a synced temporary file and rename(2). */
static int
replace_file(const char *path, const char *text, size_t len, char *err,
    size_t errsz)
{
	char	tmp[4096];
	int	fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (lk_write_all(fd, text, len) == -1 || fsync(fd) == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* The text of a previous-keys file holding ring's previous keys. */
static long
format_previous(const struct lk_keyring *ring, char *out, size_t outsz)
{
	size_t	i, len = 0;
	int	n;

	out[0] = '\0';
	for (i = 0; i < ring->nprevious; i++) {
		n = snprintf(out + len, outsz - len, "%s %lld %.*s\n",
		    ring->previous[i].kid, ring->previous[i].retired,
		    (int)ring->previous[i].len,
		    (const char *)ring->previous[i].bytes);
		if (n < 0 || (size_t)n >= outsz - len)
			return -1;
		len += (size_t)n;
	}
	return (long)len;
}

/*
 * Write ring's previous keys to PATH.previous (synced, renamed into
 * place, mode 0600).  Returns 0 or -1.
 */
static int
write_previous(const struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	char	*text, ppath[4096];
	long	 len;
	int	 rc = -1;

	if ((text = malloc(PREV_FILE_MAX)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (previous_path(path, ppath, sizeof(ppath)) == 0 &&
	    (len = format_previous(ring, text, PREV_FILE_MAX)) >= 0 &&
	    replace_file(ppath, text, (size_t)len, err, errsz) == 0)
		rc = 0;
	lk_explicit_bzero(text, PREV_FILE_MAX);
	free(text);
	return rc;
}

/* The keyring in a heap allocation (keys stay off the stack), or NULL. */
static struct lk_keyring *
ring_load(const char *path, char *err, size_t errsz)
{
	struct lk_keyring	*ring;

	if ((ring = calloc(1, sizeof(*ring))) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (lk_keyring_load(ring, path, err, errsz) == -1) {
		free(ring);
		return NULL;
	}
	return ring;
}

static void
ring_free(struct lk_keyring *ring)
{
	if (ring != NULL) {
		lk_keyring_clear(ring);
		free(ring);
	}
}

int
lk_keyring_rotate(const char *path, long long now, char *err, size_t errsz)
{
	struct lk_keyring	*ring;
	struct stat		 st;
	char			 ppath[4096], newkey[4096];
	int			 rc = -1;

	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	if (ring->nprevious >= LK_KEYS_MAX) {
		(void)snprintf(err, errsz, "%d previous keys kept already: run "
		    "'latchkey key prune' first", LK_KEYS_MAX);
		goto out;
	}
	ring->previous[ring->nprevious] = ring->current;
	ring->previous[ring->nprevious].retired = now;
	ring->nprevious++;
	if (previous_path(path, ppath, sizeof(ppath)) == -1 ||
	    write_previous(ring, path, err, errsz) == -1)
		goto out;
	/* The new key, made beside the old one, then moved over it. */
	if (snprintf(newkey, sizeof(newkey), "%s.new", path) >= (int)sizeof(newkey))
		goto out;
	(void)unlink(newkey);
	if (lk_key_generate(newkey, err, errsz) == -1)
		goto out;
	/*
	 * An administrator rotating as root keeps the files readable by the
	 * web server's user that owns the old key.
	 */
	if (geteuid() == 0 && stat(path, &st) == 0 &&
	    (chown(newkey, st.st_uid, st.st_gid) == -1 ||
	    chown(ppath, st.st_uid, st.st_gid) == -1)) {
		(void)snprintf(err, errsz, "%s: %s", newkey, strerror(errno));
		(void)unlink(newkey);
		goto out;
	}
	if (rename(newkey, path) == -1) {
		(void)snprintf(err, errsz, "%s: %s", path, strerror(errno));
		(void)unlink(newkey);
		goto out;
	}
	rc = 0;
out:
	ring_free(ring);
	return rc;
}

int
lk_keyring_prune(const char *path, long long now, long long max_lifetime,
    size_t *dropped, char *err, size_t errsz)
{
	struct lk_keyring	*ring;
	size_t			 i, kept = 0;
	int			 rc = 0;

	*dropped = 0;
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	for (i = 0; i < ring->nprevious; i++) {
		if (ring->previous[i].retired + max_lifetime < now) {
			(*dropped)++;
			continue;
		}
		ring->previous[kept++] = ring->previous[i];
	}
	ring->nprevious = kept;
	if (*dropped > 0)
		rc = write_previous(ring, path, err, errsz);
	ring_free(ring);
	return rc;
}
