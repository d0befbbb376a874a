/*
 * The node's counter file: a header, the fixed counters, named slots
 * (refusals, OpenID requests) and one histogram per program, every count
 * a 64-bit integer updated with C11 atomic adds on the shared mapping.
 * Processes of the node share it; none ever holds a lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/metrics.h"

#define MAGIC		UINT64_C(0x7363697274656d6c)	/* "lmetrics" */
#define FORMAT		1
#define BUCKETS		14	/* the bounds below and +Inf */

/* What a fixed counter is: its family, and its labels. */
struct fixed {
	const char	*family;
	const char	*labels;	/* "" for none */
};

struct family {
	const char	*name;
	const char	*help;
};

static const struct family families[] = {
	{ "latchkey_logins_total", "Password steps of logins, by result." },
	{ "latchkey_second_steps_total",
	    "Second steps of logins, by type and result." },
	{ "latchkey_passkey_logins_total", "Passkey sign-ins, by result." },
	{ "latchkey_refreshes_total", "Refresh requests, by result." },
	{ "latchkey_logouts_total", "Logouts." },
	{ "latchkey_authorizer_decisions_total",
	    "Decisions of the authorizer, by decision." },
	{ "latchkey_forward_auth_decisions_total",
	    "Decisions of the forward-auth endpoint, by decision." },
	{ "latchkey_links_sent_total",
	    "One-time links sent by mail, by purpose." },
	{ "latchkey_links_used_total", "One-time links used, by purpose." },
	{ "latchkey_store_errors_total",
	    "Store operations that failed (the error log says why)." },
};

static const struct fixed fixed[LK_M__MAX] = {
	[LK_M_LOGIN_SUCCESS] = { "latchkey_logins_total", "result=\"success\"" },
	[LK_M_LOGIN_SECOND_FACTOR] = { "latchkey_logins_total",
	    "result=\"second_factor\"" },
	[LK_M_LOGIN_BAD_CREDENTIALS] = { "latchkey_logins_total",
	    "result=\"bad_credentials\"" },
	[LK_M_LOGIN_DISABLED] = { "latchkey_logins_total",
	    "result=\"disabled\"" },
	[LK_M_LOGIN_THROTTLED] = { "latchkey_logins_total",
	    "result=\"throttled\"" },
	[LK_M_SECOND_TOTP_SUCCESS] = { "latchkey_second_steps_total",
	    "type=\"totp\",result=\"success\"" },
	[LK_M_SECOND_TOTP_FAILURE] = { "latchkey_second_steps_total",
	    "type=\"totp\",result=\"failure\"" },
	[LK_M_SECOND_TOTP_EXPIRED] = { "latchkey_second_steps_total",
	    "type=\"totp\",result=\"expired\"" },
	[LK_M_SECOND_TOTP_THROTTLED] = { "latchkey_second_steps_total",
	    "type=\"totp\",result=\"throttled\"" },
	[LK_M_SECOND_RECOVERY_SUCCESS] = { "latchkey_second_steps_total",
	    "type=\"recovery_code\",result=\"success\"" },
	[LK_M_SECOND_RECOVERY_FAILURE] = { "latchkey_second_steps_total",
	    "type=\"recovery_code\",result=\"failure\"" },
	[LK_M_SECOND_RECOVERY_EXPIRED] = { "latchkey_second_steps_total",
	    "type=\"recovery_code\",result=\"expired\"" },
	[LK_M_SECOND_RECOVERY_THROTTLED] = { "latchkey_second_steps_total",
	    "type=\"recovery_code\",result=\"throttled\"" },
	[LK_M_PASSKEY_SUCCESS] = { "latchkey_passkey_logins_total",
	    "result=\"success\"" },
	[LK_M_PASSKEY_FAILURE] = { "latchkey_passkey_logins_total",
	    "result=\"failure\"" },
	[LK_M_REFRESH_ROTATED] = { "latchkey_refreshes_total",
	    "result=\"rotated\"" },
	[LK_M_REFRESH_REPLAYED] = { "latchkey_refreshes_total",
	    "result=\"replayed\"" },
	[LK_M_REFRESH_REUSE_DETECTED] = { "latchkey_refreshes_total",
	    "result=\"reuse_detected\"" },
	[LK_M_REFRESH_EXPIRED] = { "latchkey_refreshes_total",
	    "result=\"expired\"" },
	[LK_M_REFRESH_REVOKED] = { "latchkey_refreshes_total",
	    "result=\"revoked\"" },
	[LK_M_LOGOUT] = { "latchkey_logouts_total", "" },
	[LK_M_AUTHORIZER_ALLOW] = { "latchkey_authorizer_decisions_total",
	    "decision=\"allow\"" },
	[LK_M_AUTHORIZER_LOGIN] = { "latchkey_authorizer_decisions_total",
	    "decision=\"login\"" },
	[LK_M_AUTHORIZER_DENY] = { "latchkey_authorizer_decisions_total",
	    "decision=\"deny\"" },
	[LK_M_FORWARD_AUTH_ALLOW] = { "latchkey_forward_auth_decisions_total",
	    "decision=\"allow\"" },
	[LK_M_FORWARD_AUTH_LOGIN] = { "latchkey_forward_auth_decisions_total",
	    "decision=\"login\"" },
	[LK_M_FORWARD_AUTH_DENY] = { "latchkey_forward_auth_decisions_total",
	    "decision=\"deny\"" },
	[LK_M_LINK_RESET_SENT] = { "latchkey_links_sent_total",
	    "purpose=\"reset\"" },
	[LK_M_LINK_INVITE_SENT] = { "latchkey_links_sent_total",
	    "purpose=\"invite\"" },
	[LK_M_LINK_SIGNUP_SENT] = { "latchkey_links_sent_total",
	    "purpose=\"signup\"" },
	[LK_M_LINK_RESET_USED] = { "latchkey_links_used_total",
	    "purpose=\"reset\"" },
	[LK_M_LINK_INVITE_USED] = { "latchkey_links_used_total",
	    "purpose=\"invite\"" },
	[LK_M_LINK_SIGNUP_USED] = { "latchkey_links_used_total",
	    "purpose=\"signup\"" },
	[LK_M_STORE_ERROR] = { "latchkey_store_errors_total", "" },
};

/* The histogram's upper bounds, in nanoseconds and as written. */
static const long long bound_ns[BUCKETS - 1] = {
	500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
	100000000, 250000000, 500000000, 1000000000, 2500000000LL,
	5000000000LL
};
static const char *const bound_text[BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "5", "+Inf"
};

enum slot_kind { SLOT_REFUSAL = 1, SLOT_OIDC = 2 };
enum slot_state { SLOT_FREE, SLOT_WRITING, SLOT_READY };

/* A named series: claimed once (FREE -> WRITING -> READY), then counted. */
struct slot {
	_Atomic uint32_t state;
	uint32_t	 kind;
	char		 a[LK_METRICS_NAME_MAX + 1];
	char		 b[LK_METRICS_NAME_MAX + 1];
	_Atomic uint64_t count;
};

struct program {
	_Atomic uint32_t state;
	char		 name[LK_METRICS_NAME_MAX + 1];
	_Atomic uint64_t bucket[BUCKETS];	/* each alone, not cumulative */
	_Atomic uint64_t sum_ns;
};

struct file {
	uint64_t	 magic;
	uint32_t	 format;
	uint32_t	 size;
	uint64_t	 layout;	/* hash of what the slots stand for */
	uint64_t	 created;	/* seconds since the epoch */
	_Atomic uint64_t fixed[LK_M__MAX];
	struct slot	 slot[LK_METRICS_SLOTS];
	struct program	 program[LK_METRICS_PROGRAMS];
};

_Static_assert(sizeof(struct file) < UINT32_MAX, "size fits the header");

static struct file	*map;
static char		 map_path[4096];
static dev_t		 map_dev;
static ino_t		 map_ino;
static long long	 map_checked;

/* The layout's fingerprint: FNV-1a over the names and the sizes. */
static uint64_t
layout_hash(void)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i, j;
	const char	*s[2];

	for (i = 0; i < LK_M__MAX; i++) {
		s[0] = fixed[i].family;
		s[1] = fixed[i].labels;
		for (j = 0; j < 2; j++)
			for (; *s[j] != '\0'; s[j]++)
				h = (h ^ (unsigned char)*s[j]) *
				    UINT64_C(0x100000001b3);
		h = (h ^ '|') * UINT64_C(0x100000001b3);
	}
	for (i = 0; i < BUCKETS - 1; i++)
		h = (h ^ (uint64_t)bound_ns[i]) * UINT64_C(0x100000001b3);
	h = (h ^ LK_METRICS_SLOTS) * UINT64_C(0x100000001b3);
	h = (h ^ LK_METRICS_PROGRAMS) * UINT64_C(0x100000001b3);
	return h;
}

size_t
lk_metrics_file_size(void)
{
	return sizeof(struct file);
}

int
lk_metrics_on(void)
{
	return map != NULL;
}

void
lk_metrics_close(void)
{
	if (map != NULL)
		(void)munmap(map, sizeof(*map));
	map = NULL;
	map_path[0] = '\0';
}

/* Whether the mapped bytes are a file of this layout. */
static int
ours(const struct file *f, int *other_layout)
{
	*other_layout = 0;
	if (f->magic != MAGIC)
		return 0;
	if (f->format != FORMAT || f->size != sizeof(*f) ||
	    f->layout != layout_hash()) {
		*other_layout = 1;
		return 0;
	}
	return 1;
}

/*
 * Make a fresh file beside path, and put it in place: linked if none is
 * there (so that of two processes making it, one wins and both map the
 * winner's), or renamed over one when replace is set.
 */
static int
make(const char *path, int replace, char *err, size_t errsz)
{
	char		 tmp[sizeof(map_path) + 32];
	struct file	 head;
	int		 fd, n, rc = -1;

	n = snprintf(tmp, sizeof(tmp), "%s.%ld.new", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		(void)snprintf(err, errsz, "%s: name too long", path);
		return -1;
	}
	(void)unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1) {
		(void)snprintf(err, errsz, "cannot create %s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	memset(&head, 0, offsetof(struct file, fixed));
	head.magic = MAGIC;
	head.format = FORMAT;
	head.size = sizeof(struct file);
	head.layout = layout_hash();
	head.created = (uint64_t)time(NULL);
	if (ftruncate(fd, (off_t)sizeof(struct file)) == -1 ||
	    pwrite(fd, &head, offsetof(struct file, fixed), 0) !=
	    (ssize_t)offsetof(struct file, fixed) || fsync(fd) == -1) {
		(void)snprintf(err, errsz, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (replace) {
		if (rename(tmp, path) == -1) {
			(void)snprintf(err, errsz, "cannot replace %s: %s",
			    path, strerror(errno));
			goto out;
		}
	} else if (link(tmp, path) == -1 && errno != EEXIST) {
		(void)snprintf(err, errsz, "cannot create %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	(void)close(fd);
	(void)unlink(tmp);
	return rc;
}

/* Open and map path as it is now; 1 if it is another layout's. */
static int
map_file(const char *path, char *err, size_t errsz, int *other_layout)
{
	struct stat	 st;
	struct file	*f;
	int		 fd;

	*other_layout = 0;
	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		(void)snprintf(err, errsz, "cannot open %s: %s", path,
		    strerror(errno));
		return errno == ENOENT ? -2 : -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)snprintf(err, errsz, "%s is not a regular file", path);
		(void)close(fd);
		return -1;
	}
	if (st.st_size != (off_t)sizeof(struct file)) {
		(void)close(fd);
		/* Of another size: ours if its header says so. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd != -1) {
			struct file	h;

			if (pread(fd, &h, offsetof(struct file, fixed), 0) ==
			    (ssize_t)offsetof(struct file, fixed) &&
			    h.magic == MAGIC)
				*other_layout = 1;
			(void)close(fd);
		}
		(void)snprintf(err, errsz, "%s is not a counter file of this "
		    "version", path);
		return -1;
	}
	f = mmap(NULL, sizeof(struct file), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	(void)close(fd);
	if (f == MAP_FAILED) {
		(void)snprintf(err, errsz, "cannot map %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!ours(f, other_layout)) {
		(void)munmap(f, sizeof(struct file));
		(void)snprintf(err, errsz, "%s is not a counter file of this "
		    "version", path);
		return -1;
	}
	lk_metrics_close();
	map = f;
	map_dev = st.st_dev;
	map_ino = st.st_ino;
	(void)snprintf(map_path, sizeof(map_path), "%s", path);
	return 0;
}

int
lk_metrics_open(const char *path, int how, char *err, size_t errsz)
{
	int	r, other;

	lk_metrics_close();
	if (path == NULL || *path == '\0' || strlen(path) >= sizeof(map_path)) {
		(void)snprintf(err, errsz, "no counter file");
		return -1;
	}
	if ((r = map_file(path, err, errsz, &other)) == 0)
		return 0;
	if (r == -2 && (how & LK_METRICS_CREATE)) {
		if (make(path, 0, err, errsz) == -1)
			return -1;
	} else if (other && (how & LK_METRICS_REPLACE)) {
		if (make(path, 1, err, errsz) == -1)
			return -1;
	} else
		return -1;
	return map_file(path, err, errsz, &other);
}

int
lk_metrics_check(long long now, char *err, size_t errsz)
{
	struct stat	st;
	char		path[sizeof(map_path)];

	if (map == NULL || now == map_checked)
		return 0;
	map_checked = now;
	if (stat(map_path, &st) == 0 && st.st_dev == map_dev &&
	    st.st_ino == map_ino)
		return 0;
	(void)snprintf(path, sizeof(path), "%s", map_path);
	return lk_metrics_open(path, LK_METRICS_CREATE, err, errsz);
}

void
lk_metrics_count(enum lk_metric m)
{
	if (map != NULL && (unsigned int)m < LK_M__MAX)
		atomic_fetch_add_explicit(&map->fixed[m], 1,
		    memory_order_relaxed);
}

/* Whether s is a name we write as it is: [a-z0-9_], 1 to NAME_MAX. */
static int
good_name(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= LK_METRICS_NAME_MAX || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i > 0;
}

/*
 * Claim (or find) a slot among n of size sz at base whose state word and
 * names are at offsets, in order: every process looks from the first, so
 * two claiming one name meet on the same free slot.  A slot left half
 * written (its process died) is skipped after a short wait.
 */
static struct slot *
slot_of(uint32_t kind, const char *a, const char *b)
{
	struct slot	*s;
	size_t		 i;
	uint32_t	 st;
	int		 spin;

	if (map == NULL || !good_name(a) || (b != NULL && !good_name(b)))
		return NULL;
	for (i = 0; i < LK_METRICS_SLOTS; i++) {
		s = &map->slot[i];
		st = atomic_load_explicit(&s->state, memory_order_acquire);
		if (st == SLOT_FREE) {
			uint32_t	want = SLOT_FREE;

			if (atomic_compare_exchange_strong(&s->state, &want,
			    SLOT_WRITING)) {
				s->kind = kind;
				(void)snprintf(s->a, sizeof(s->a), "%s", a);
				(void)snprintf(s->b, sizeof(s->b), "%s",
				    b != NULL ? b : "");
				atomic_store_explicit(&s->state, SLOT_READY,
				    memory_order_release);
				return s;
			}
			st = want;
		}
		for (spin = 0; st == SLOT_WRITING && spin < 1000; spin++)
			st = atomic_load_explicit(&s->state,
			    memory_order_acquire);
		if (st == SLOT_READY && s->kind == kind &&
		    strcmp(s->a, a) == 0 && strcmp(s->b, b != NULL ? b : "") == 0)
			return s;
	}
	return NULL;
}

void
lk_metrics_refusal(unsigned int reason, const char *name)
{
	struct slot	*s;

	(void)reason;
	if ((s = slot_of(SLOT_REFUSAL, name, NULL)) != NULL)
		atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

void
lk_metrics_oidc(const char *endpoint, const char *result)
{
	struct slot	*s;

	if ((s = slot_of(SLOT_OIDC, endpoint, result)) != NULL)
		atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
}

/* The histogram of program, claimed as a slot is. */
static struct program *
program_of(const char *name)
{
	struct program	*p;
	size_t		 i;
	uint32_t	 st;
	int		 spin;

	if (map == NULL || !good_name(name))
		return NULL;
	for (i = 0; i < LK_METRICS_PROGRAMS; i++) {
		p = &map->program[i];
		st = atomic_load_explicit(&p->state, memory_order_acquire);
		if (st == SLOT_FREE) {
			uint32_t	want = SLOT_FREE;

			if (atomic_compare_exchange_strong(&p->state, &want,
			    SLOT_WRITING)) {
				(void)snprintf(p->name, sizeof(p->name), "%s",
				    name);
				atomic_store_explicit(&p->state, SLOT_READY,
				    memory_order_release);
				return p;
			}
			st = want;
		}
		for (spin = 0; st == SLOT_WRITING && spin < 1000; spin++)
			st = atomic_load_explicit(&p->state,
			    memory_order_acquire);
		if (st == SLOT_READY && strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

void
lk_metrics_request(const char *program, long long ns)
{
	static struct program	*cached;
	static const char	*cached_name;
	static struct file	*cached_map;
	struct program		*p;
	size_t			 b;

	if (map == NULL)
		return;
	/* A program counts under one name: found once per mapping. */
	if (cached_map == map && cached_name == program)
		p = cached;
	else {
		p = program_of(program);
		cached = p;
		cached_name = program;
		cached_map = map;
	}
	if (p == NULL)
		return;
	if (ns < 0)
		ns = 0;
	for (b = 0; b < BUCKETS - 1 && ns > bound_ns[b]; b++)
		;
	atomic_fetch_add_explicit(&p->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->sum_ns, (uint64_t)ns,
	    memory_order_relaxed);
}

/* Append printf-style text; -2 once out of room (and stays so). */
static int __attribute__((format(printf, 4, 5)))
out(char *buf, size_t bufsz, size_t *len, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (*len >= bufsz)
		return -2;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, bufsz - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= bufsz - *len) {
		buf[*len] = '\0';
		*len = bufsz;
		return -2;
	}
	*len += (size_t)n;
	return 0;
}

static uint64_t
load(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

int
lk_metrics_write(char *buf, size_t bufsz, size_t *len)
{
	size_t		 f, i, b;
	int		 any, rc = 0;
	uint64_t	 cum;
	struct slot	*s;
	struct program	*p;

	if (map == NULL || bufsz == 0 || *len >= bufsz)
		return -1;
	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		rc |= out(buf, bufsz, len, "# HELP %s %s\n# TYPE %s counter\n",
		    families[f].name, families[f].help, families[f].name);
		for (i = 0; i < LK_M__MAX; i++) {
			if (strcmp(fixed[i].family, families[f].name) != 0)
				continue;
			if (fixed[i].labels[0] == '\0')
				rc |= out(buf, bufsz, len, "%s %llu\n",
				    fixed[i].family,
				    (unsigned long long)load(&map->fixed[i]));
			else
				rc |= out(buf, bufsz, len, "%s{%s} %llu\n",
				    fixed[i].family, fixed[i].labels,
				    (unsigned long long)load(&map->fixed[i]));
		}
	}
	rc |= out(buf, bufsz, len, "# HELP latchkey_refusals_total Requests "
	    "refused, by reason.\n# TYPE latchkey_refusals_total counter\n");
	for (i = 0; i < LK_METRICS_SLOTS; i++) {
		s = &map->slot[i];
		if (atomic_load_explicit(&s->state, memory_order_acquire) ==
		    SLOT_READY && s->kind == SLOT_REFUSAL && good_name(s->a))
			rc |= out(buf, bufsz, len, "latchkey_refusals_total"
			    "{reason=\"%s\"} %llu\n", s->a,
			    (unsigned long long)load(&s->count));
	}
	any = 0;
	for (i = 0; i < LK_METRICS_SLOTS; i++) {
		s = &map->slot[i];
		if (atomic_load_explicit(&s->state, memory_order_acquire) !=
		    SLOT_READY || s->kind != SLOT_OIDC || !good_name(s->a) ||
		    !good_name(s->b))
			continue;
		if (!any)
			rc |= out(buf, bufsz, len, "# HELP "
			    "latchkey_oidc_requests_total Requests of the "
			    "OpenID provider, by endpoint and result.\n"
			    "# TYPE latchkey_oidc_requests_total counter\n");
		any = 1;
		rc |= out(buf, bufsz, len, "latchkey_oidc_requests_total"
		    "{endpoint=\"%s\",result=\"%s\"} %llu\n", s->a, s->b,
		    (unsigned long long)load(&s->count));
	}
	rc |= out(buf, bufsz, len, "# HELP latchkey_request_duration_seconds "
	    "Time the programs took to answer, by program.\n"
	    "# TYPE latchkey_request_duration_seconds histogram\n");
	for (i = 0; i < LK_METRICS_PROGRAMS; i++) {
		p = &map->program[i];
		if (atomic_load_explicit(&p->state, memory_order_acquire) !=
		    SLOT_READY || !good_name(p->name))
			continue;
		cum = 0;
		for (b = 0; b < BUCKETS; b++) {
			cum += load(&p->bucket[b]);
			rc |= out(buf, bufsz, len,
			    "latchkey_request_duration_seconds_bucket"
			    "{program=\"%s\",le=\"%s\"} %llu\n", p->name,
			    bound_text[b], (unsigned long long)cum);
		}
		rc |= out(buf, bufsz, len,
		    "latchkey_request_duration_seconds_sum{program=\"%s\"} "
		    "%llu.%09llu\n", p->name,
		    (unsigned long long)(load(&p->sum_ns) / 1000000000u),
		    (unsigned long long)(load(&p->sum_ns) % 1000000000u));
		rc |= out(buf, bufsz, len,
		    "latchkey_request_duration_seconds_count{program=\"%s\"} "
		    "%llu\n", p->name, (unsigned long long)cum);
	}
	if (rc != 0) {
		*len = bufsz - 1;
		return -2;
	}
	return 0;
}
