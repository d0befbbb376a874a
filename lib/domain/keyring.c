#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/util.h"
#include "domain/jwk.h"
#include "domain/keyring.h"

/* A JWKS file: room for certificate chains ("x5c") beside the keys. */
#define JWKS_FILE_MAX	65536
/* One line of KEY_FILE.previous: "KID RETIRED ALG PUBLIC" at most. */
#define PREV_LINE_MAX	(LK_KID_LEN + 24 + 8 + LK_B64URL_LEN(LK_KEY_DER_MAX))
#define PREV_FILE_MAX	(LK_KEYS_MAX * (PREV_LINE_MAX + 1) + 1)

static int
previous_path(const char *path, char *out, size_t outsz)
{
	int	n = snprintf(out, outsz, "%s.previous", path);

	return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

/* "ALG PUBLIC" of a previous-keys line into k: the public half of a key pair. */
static int
parse_public(struct lk_key *k, char *text, const char *where, char *err,
    size_t errsz)
{
	unsigned char		 der[LK_KEY_DER_MAX];
	const unsigned char	*p = der;
	enum lk_key_alg		 alg;
	EVP_PKEY		*pkey;
	char			*sp, why[256];
	long			 n;

	if ((sp = strchr(text, ' ')) == NULL)
		goto bad;
	*sp = '\0';
	if (lk_key_alg_parse(text, &alg) == -1 || alg == LK_KEY_HS256 ||
	    (n = lk_b64url_decode(sp + 1, strlen(sp + 1), der,
	    sizeof(der))) <= 0 ||
	    (pkey = d2i_PUBKEY(NULL, &p, n)) == NULL || p != der + n) {
		ERR_clear_error();
		goto bad;
	}
	if (lk_key_set_pkey(k, pkey, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", where, why);
		return -1;
	}
	if (k->alg != alg) {
		(void)snprintf(err, errsz, "%s: an %s key, not %s", where,
		    lk_key_alg_name(k->alg), text);
		lk_key_clear(k);
		return -1;
	}
	return 0;
bad:
	(void)snprintf(err, errsz, "%s: bad line", where);
	return -1;
}

/*
 * Parse "KID RETIRED SECRET" (HS256) and "KID RETIRED ALG PUBLIC" lines
 * into ring->previous.
 */
static int
parse_previous(struct lk_keyring *ring, char *text, const char *ppath,
    char *err, size_t errsz)
{
	char		*line, *next, *sp1, *sp2, where[4200];
	size_t		 n = 0, len, i;
	long long	 retired;
	struct lk_key	*k;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		n++;
		(void)snprintf(where, sizeof(where), "%s:%zu", ppath, n);
		if (ring->nprevious >= LK_KEYS_MAX ||
		    (sp1 = strchr(line, ' ')) == NULL ||
		    (sp2 = strchr(sp1 + 1, ' ')) == NULL) {
			(void)snprintf(err, errsz, "%s: expected \"KID "
			    "RETIRED SECRET\" or \"KID RETIRED ALG PUBLIC\" "
			    "(at most %d lines)", where, LK_KEYS_MAX);
			return -1;
		}
		*sp1 = *sp2 = '\0';
		k = &ring->previous[ring->nprevious];
		if (lk_parse_ll(sp1 + 1, 0, 253402300799LL, &retired) == -1) {
			(void)snprintf(err, errsz, "%s: bad line", where);
			return -1;
		}
		if (strchr(sp2 + 1, ' ') != NULL) {
			if (parse_public(k, sp2 + 1, where, err, errsz) == -1)
				return -1;
		} else {
			len = strlen(sp2 + 1);
			if (len < LK_KEY_MIN || len > LK_KEY_MAX) {
				(void)snprintf(err, errsz, "%s: bad line", where);
				return -1;
			}
			for (i = 0; i < len; i++)
				if ((unsigned char)sp2[1 + i] <= 0x20 ||
				    (unsigned char)sp2[1 + i] >= 0x7f) {
					(void)snprintf(err, errsz, "%s: bad key",
					    where);
					return -1;
				}
			(void)lk_key_set(k, sp2 + 1, len);
		}
		ring->nprevious++;
		k->retired = retired;
		if (strcmp(k->kid, line) != 0) {
			(void)snprintf(err, errsz, "%s: kid does not match "
			    "the key", where);
			return -1;
		}
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

/*
 * Read a file others may read but not write, of at most bufsz - 1 bytes,
 * NUL-terminated: a regular file (no symbolic link followed), opened at
 * dirfd (or AT_FDCWD).  Returns 0 with *len set, or -1 with a reason.
 */
static int
read_public(int dirfd, const char *name, const char *shown, char *buf,
    size_t bufsz, size_t *len, char *err, size_t errsz)
{
	struct stat	st;
	int		fd, rc = -1;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		(void)snprintf(err, errsz, "%s: %s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errsz, "%s: not a regular file", shown);
		goto out;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)snprintf(err, errsz, "%s: mode %04o lets group or others "
		    "write it: whoever can could add a key (chmod go-w)", shown,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	switch (lk_read_all(fd, buf, bufsz, len)) {
	case 0:
		rc = 0;
		break;
	case 1:
		(void)snprintf(err, errsz, "%s: larger than %zu bytes", shown,
		    bufsz - 2);
		break;
	default:
		(void)snprintf(err, errsz, "%s: %s", shown, strerror(errno));
		break;
	}
out:
	close(fd);
	return rc;
}

/* Whether name is "KID.pem" (LK_KID_LEN lower-case hex digits). */
static int
kid_name(const char *name)
{
	return strlen(name) == LK_KID_LEN + 4 &&
	    strspn(name, "0123456789abcdef") == LK_KID_LEN &&
	    strcmp(name + LK_KID_LEN, ".pem") == 0;
}

/* Whether name ends in ".pem". */
static int
pem_name(const char *name)
{
	size_t	n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".pem") == 0;
}

/* The public keys of a directory, each KID.pem. */
static int
load_dir(struct lk_keyring *ring, int dfd, const char *path, char *err,
    size_t errsz)
{
	DIR		*d;
	struct dirent	*e;
	struct lk_key	*k;
	char		 shown[4200], why[256], *text;
	size_t		 len;
	int		 rc = -1;

	if ((text = malloc(LK_KEY_PEM_MAX + 2)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		close(dfd);
		return -1;
	}
	if ((d = fdopendir(dfd)) == NULL) {
		(void)snprintf(err, errsz, "public keys %s: %s", path,
		    strerror(errno));
		close(dfd);
		free(text);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !pem_name(e->d_name))
			continue;
		(void)snprintf(shown, sizeof(shown), "public keys %s/%s", path,
		    e->d_name);
		if (ring->nprevious >= LK_RING_MAX) {
			(void)snprintf(err, errsz, "public keys %s: more than "
			    "%d keys", path, LK_RING_MAX);
			goto out;
		}
		if (read_public(dirfd(d), e->d_name, shown, text,
		    LK_KEY_PEM_MAX + 2, &len, err, errsz) == -1)
			goto out;
		k = &ring->previous[ring->nprevious];
		if (lk_key_set_public_pem(k, text, len, why, sizeof(why)) ==
		    -1) {
			(void)snprintf(err, errsz, "%s: %s", shown, why);
			goto out;
		}
		ring->nprevious++;
		if (!kid_name(e->d_name) ||
		    strncmp(e->d_name, k->kid, LK_KID_LEN) != 0) {
			(void)snprintf(err, errsz, "%s: the file of key %s must "
			    "be named %s.pem", shown, k->kid, k->kid);
			goto out;
		}
		if (lk_keyring_find(ring, k->kid) != k) {
			(void)snprintf(err, errsz, "%s: key %s twice", shown,
			    k->kid);
			goto out;
		}
	}
	if (ring->nprevious == 0) {
		(void)snprintf(err, errsz, "public keys %s: no KID.pem public "
		    "key in it", path);
		goto out;
	}
	rc = 0;
out:
	closedir(d);
	free(text);
	return rc;
}

int
lk_keyring_load_public(struct lk_keyring *ring, const char *path, char *err,
    size_t errsz)
{
	struct stat	 st;
	char		*text = NULL, why[4400];
	size_t		 len;
	int		 fd, rc = -1;

	memset(ring, 0, sizeof(*ring));
	ring->verify_only = 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 ||
	    fstat(fd, &st) == -1) {
		(void)snprintf(err, errsz, "public keys %s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			(void)snprintf(err, errsz, "public keys %s: mode %04o "
			    "lets group or others add a key (chmod go-w)", path,
			    (unsigned)(st.st_mode & 07777));
			close(fd);
			goto out;
		}
		/* load_dir closes fd. */
		if (load_dir(ring, fd, path, err, errsz) == 0)
			rc = 0;
		goto out;
	}
	close(fd);
	if ((text = malloc(JWKS_FILE_MAX + 2)) == NULL) {
		(void)snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (read_public(AT_FDCWD, path, path, text, JWKS_FILE_MAX + 2, &len,
	    why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "public keys %s", why);
		goto out;
	}
	if (lk_keyring_jwks_parse(text, len, ring, why, sizeof(why)) == -1) {
		(void)snprintf(err, errsz, "public keys %s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	free(text);
	if (rc == -1) {
		lk_keyring_clear(ring);
		ring->verify_only = 1;
	}
	return rc;
}

const struct lk_key *
lk_keyring_find(const struct lk_keyring *ring, const char *kid)
{
	size_t	i;

	if (!ring->verify_only && strcmp(ring->current.kid, kid) == 0)
		return &ring->current;
	for (i = 0; i < ring->nprevious; i++)
		if (strcmp(ring->previous[i].kid, kid) == 0)
			return &ring->previous[i];
	return NULL;
}

int
lk_keyring_live(const struct lk_keyring *ring, const struct lk_key *key,
    long long now, long long max_lifetime)
{
	if (key == &ring->current || ring->verify_only || key->retired == 0)
		return 1;
	return key->retired + max_lifetime >= now;
}

void
lk_keyring_clear(struct lk_keyring *ring)
{
	size_t	i;

	lk_key_clear(&ring->current);
	for (i = 0; i < LK_RING_MAX; i++)
		lk_key_clear(&ring->previous[i]);
	lk_explicit_bzero(ring, sizeof(*ring));
}

/* What identifies one file's content: it changes when the file does. */
static uint64_t
stamp_of(int dirfd, const char *name)
{
	static const unsigned char	 zero[16];
	struct stat			 st;
	struct {
		unsigned long long	 dev, ino, size, sec, nsec, mode;
		uint64_t		 name;
	}				 id;

	memset(&id, 0, sizeof(id));
	id.name = lk_siphash24(zero, name, strlen(name));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		id.dev = (unsigned long long)st.st_dev;
		id.ino = (unsigned long long)st.st_ino;
		id.size = (unsigned long long)st.st_size;
		id.sec = (unsigned long long)st.st_mtim.tv_sec;
		id.nsec = (unsigned long long)st.st_mtim.tv_nsec;
		id.mode = (unsigned long long)st.st_mode;
	}
	return lk_siphash24(zero, &id, sizeof(id));
}

uint64_t
lk_keyring_stamp(const char *path, int public)
{
	char		 ppath[4096];
	DIR		*d;
	struct dirent	*e;
	uint64_t	 acc = 1;
	int		 fd;

	if (!public)
		return previous_path(path, ppath, sizeof(ppath)) == 0 ?
		    stamp_of(AT_FDCWD, path) ^ (stamp_of(AT_FDCWD, ppath) * 3) :
		    stamp_of(AT_FDCWD, path);
	/* A JWKS file (or nothing there). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_DIRECTORY)) == -1)
		return stamp_of(AT_FDCWD, path);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	/*
	 * The KID.pem files, summed whatever order readdir gives; other
	 * files (temporary ones of key publish among them) do not count.
	 */
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && pem_name(e->d_name))
			acc += stamp_of(dirfd(d), e->d_name);
	closedir(d);
	return acc;
}

int
lk_keyring_watch(struct lk_watch *w, const char *path, int public)
{
	char		 ppath[4096];
	const char	*paths[2] = { path, NULL };

	/* A JWKS file or a folder of KID.pem files; the key and its previous keys. */
	if (!public && previous_path(path, ppath, sizeof(ppath)) == 0)
		paths[1] = ppath;
	return lk_watch_set(w, paths, 2);
}

/* Write text to path through a synced temporary file and rename(2). */
static int
replace_file(const char *path, const char *text, size_t len, mode_t mode,
    char *err, size_t errsz)
{
	char	tmp[4096];
	int	fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		(void)snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || lk_write_all(fd, text, len) == -1 ||
	    fsync(fd) == -1) {
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
	const struct lk_key	*k;
	unsigned char		 der[LK_KEY_DER_MAX];
	char			 pub[LK_B64URL_LEN(LK_KEY_DER_MAX) + 1];
	size_t			 i, len = 0;
	long			 d;
	int			 n;

	out[0] = '\0';
	for (i = 0; i < ring->nprevious; i++) {
		k = &ring->previous[i];
		if (k->alg == LK_KEY_HS256)
			n = snprintf(out + len, outsz - len, "%s %lld %.*s\n",
			    k->kid, k->retired, (int)k->len,
			    (const char *)k->bytes);
		else if ((d = lk_key_public_der(k, der, sizeof(der))) < 0 ||
		    lk_b64url_encode(der, (size_t)d, pub, sizeof(pub)) < 0)
			return -1;
		else
			n = snprintf(out + len, outsz - len, "%s %lld %s %s\n",
			    k->kid, k->retired, lk_key_alg_name(k->alg), pub);
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
	if (previous_path(path, ppath, sizeof(ppath)) == -1 ||
	    (len = format_previous(ring, text, PREV_FILE_MAX)) < 0)
		(void)snprintf(err, errsz, "%s: cannot write the previous keys",
		    path);
	else if (replace_file(ppath, text, (size_t)len, 0600, err,
	    errsz) == 0)
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
lk_keyring_rotate(const char *path, enum lk_key_alg alg, long long now,
    char *err, size_t errsz)
{
	struct lk_keyring	*ring;
	struct lk_key		*old;
	struct stat		 st;
	char			 ppath[4096], newkey[4096];
	int			 rc = -1;

	if (lk_key_alg_name(alg) == NULL) {
		(void)snprintf(err, errsz, "no such algorithm");
		return -1;
	}
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	if (ring->nprevious >= LK_KEYS_MAX) {
		(void)snprintf(err, errsz, "%d previous keys kept already: run "
		    "'latchkey key prune' first", LK_KEYS_MAX);
		goto out;
	}
	/* The current key moves to the previous keys: no copy owns twice. */
	old = &ring->previous[ring->nprevious++];
	*old = ring->current;
	memset(&ring->current, 0, sizeof(ring->current));
	old->retired = now;
	if (previous_path(path, ppath, sizeof(ppath)) == -1 ||
	    write_previous(ring, path, err, errsz) == -1)
		goto out;
	/* The new key, made beside the old one, then moved over it. */
	if (snprintf(newkey, sizeof(newkey), "%s.new", path) >= (int)sizeof(newkey))
		goto out;
	(void)unlink(newkey);
	if ((alg == LK_KEY_HS256 ? lk_key_generate(newkey, err, errsz) :
	    lk_key_generate_pair(newkey, alg, err, errsz)) == -1)
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
	size_t			 i, n, kept = 0;
	int			 rc = 0;

	*dropped = 0;
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	n = ring->nprevious;
	for (i = 0; i < n; i++) {
		if (!lk_keyring_live(ring, &ring->previous[i], now,
		    max_lifetime)) {
			(*dropped)++;
			lk_key_clear(&ring->previous[i]);
			continue;
		}
		if (kept != i) {
			/* Moved down: the old slot owns nothing any more. */
			ring->previous[kept] = ring->previous[i];
			memset(&ring->previous[i], 0, sizeof(ring->previous[i]));
		}
		kept++;
	}
	ring->nprevious = kept;
	if (*dropped > 0)
		rc = write_previous(ring, path, err, errsz);
	ring_free(ring);
	return rc;
}

/* The public PEM of key into DIR/KID.pem. */
static int
publish_one(const struct lk_key *key, const char *dir, char *err,
    size_t errsz)
{
	BIO	*mem;
	char	*text, path[4096];
	long	 len;
	int	 rc = -1;

	if (snprintf(path, sizeof(path), "%s/%s.pem", dir, key->kid) >=
	    (int)sizeof(path)) {
		(void)snprintf(err, errsz, "%s: path too long", dir);
		return -1;
	}
	if ((mem = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(mem, key->pkey) != 1 ||
	    (len = BIO_get_mem_data(mem, &text)) <= 0)
		(void)snprintf(err, errsz, "%s: cannot encode the key", path);
	else
		rc = replace_file(path, text, (size_t)len, 0644, err, errsz);
	BIO_free(mem);
	ERR_clear_error();
	return rc;
}

/* Remove DIR/KID.pem files of keys ring does not publish. */
static int
unpublish(const struct lk_keyring *ring, const char *dir, long long now,
    long long max_lifetime, size_t *removed, char *err, size_t errsz)
{
	const struct lk_key	*k;
	DIR			*d;
	struct dirent		*e;
	char			 kid[LK_KID_LEN + 1];
	int			 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		(void)snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!kid_name(e->d_name))
			continue;
		memcpy(kid, e->d_name, LK_KID_LEN);
		kid[LK_KID_LEN] = '\0';
		if ((k = lk_keyring_find(ring, kid)) != NULL &&
		    k->alg != LK_KEY_HS256 &&
		    lk_keyring_live(ring, k, now, max_lifetime))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == -1) {
			(void)snprintf(err, errsz, "%s/%s: %s", dir, e->d_name,
			    strerror(errno));
			rc = -1;
			break;
		}
		(*removed)++;
	}
	closedir(d);
	return rc;
}

int
lk_keyring_publish(const char *path, const char *dir, long long now,
    long long max_lifetime, size_t *written, size_t *removed, char *err,
    size_t errsz)
{
	struct lk_keyring	*ring;
	const struct lk_key	*k;
	struct stat		 st;
	size_t			 i;
	int			 rc = -1;

	*written = *removed = 0;
	if ((ring = ring_load(path, err, errsz)) == NULL)
		return -1;
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		(void)snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		(void)snprintf(err, errsz, "%s: not a directory that only its "
		    "owner may write", dir);
		goto out;
	}
	for (i = 0; i <= ring->nprevious; i++) {
		k = i == 0 ? &ring->current : &ring->previous[i - 1];
		if (k->alg == LK_KEY_HS256 ||
		    !lk_keyring_live(ring, k, now, max_lifetime))
			continue;
		if (publish_one(k, dir, err, errsz) == -1)
			goto out;
		(*written)++;
	}
	rc = unpublish(ring, dir, now, max_lifetime, removed, err, errsz);
out:
	ring_free(ring);
	return rc;
}

long
lk_keyring_jwks_write(const struct lk_keyring *ring, long long now,
    long long max_lifetime, char *out, size_t outsz)
{
	const struct lk_key	*keys[LK_RING_MAX + 1];
	const struct lk_key	*k;
	size_t			 i, n = 0;

	for (i = 0; i <= ring->nprevious && i <= LK_RING_MAX; i++) {
		k = i == 0 ? &ring->current : &ring->previous[i - 1];
		if ((i == 0 && ring->verify_only) || k->pkey == NULL ||
		    !lk_keyring_live(ring, k, now, max_lifetime))
			continue;
		keys[n++] = k;
	}
	return lk_jwk_keys_write(keys, n, out, outsz);
}

int
lk_keyring_jwks_parse(const char *text, size_t len, struct lk_keyring *ring,
    char *err, size_t errsz)
{
	memset(ring, 0, sizeof(*ring));
	ring->verify_only = 1;
	if (lk_jwk_keys_parse(text, len, ring->previous, LK_RING_MAX,
	    &ring->nprevious, err, errsz) == -1) {
		lk_keyring_clear(ring);
		ring->verify_only = 1;
		return -1;
	}
	return 0;
}
