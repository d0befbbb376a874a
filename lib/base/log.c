#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

/* Long enough for an audit line with every value at its longest. */
#define LOG_LINE_MAX	4096

static const char	*log_prog = "latchkey";
static void		(*log_sink)(const char *, void *);
static void		*log_sink_arg;

static const char *const log_levels[LK_LOG__MAX] = {
	"error",	/* LK_LOG_ERR */
	"warning",	/* LK_LOG_WARN */
	"info",		/* LK_LOG_INFO */
	"debug",	/* LK_LOG_DEBUG */
};

void
lk_log_init(const char *progname)
{
	if (progname != NULL && *progname != '\0')
		log_prog = progname;
}

void
lk_log_set_sink(void (*fn)(const char *, void *), void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void
lk_log(enum lk_log_level level, const char *fmt, ...)
{
	char	 msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 128];
	va_list	 ap;
	size_t	 i;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);

	/* One call, one line: a value from a request cannot forge entries. */
	for (i = 0; msg[i] != '\0'; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';

	if (snprintf(line, sizeof(line), "latchkey[%ld] %s %s: %s\n",
	    (long)getpid(), log_prog,
	    log_levels[level < LK_LOG__MAX ? level : LK_LOG_ERR], msg) < 0)
		return;
	if (log_sink != NULL)
		log_sink(line, log_sink_arg);
	else {
		fputs(line, stderr);
		fflush(stderr);
	}
}

static int
key_ok(const char *k)
{
	if (*k == '\0')
		return 0;
	for (; *k != '\0'; k++)
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return 0;
	return 1;
}

long
lk_log_audit_format(char *out, size_t outsz, const char *const *kv, size_t n)
{
	const unsigned char	*v;
	size_t			 i, o = 0, len;

#define PUT(c) do {							\
	if (o + 1 >= outsz)						\
		goto full;						\
	out[o++] = (char)(c);						\
} while (0)
	for (i = 0; i < n; i++) {
		if (!key_ok(kv[2 * i]))
			goto full;
		if (i > 0)
			PUT(' ');
		for (v = (const unsigned char *)kv[2 * i]; *v != '\0'; v++)
			PUT(*v);
		PUT('=');
		PUT('"');
		v = (const unsigned char *)(kv[2 * i + 1] != NULL ?
		    kv[2 * i + 1] : "");
		for (len = 0; *v != '\0' && len < LK_LOG_VALUE_MAX; v++, len++) {
			if (*v == '"' || *v == '\\') {
				PUT('\\');
				PUT(*v);
			} else if (*v < 0x20 || *v >= 0x7f) {
				PUT('\\');
				PUT('x');
				PUT(lk_hex_lower[*v >> 4]);
				PUT(lk_hex_lower[*v & 0x0f]);
			} else
				PUT(*v);
		}
		if (*v != '\0') {
			PUT('.');
			PUT('.');
			PUT('.');
		}
		PUT('"');
	}
#undef PUT
	out[o] = '\0';
	return (long)o;
full:
	if (outsz > 0)
		out[0] = '\0';
	return -1;
}

#define AUDIT_FIELDS_MAX	12

static lk_log_audit_sink_fn	audit_sink;

void
lk_log_audit_sink(lk_log_audit_sink_fn fn)
{
	audit_sink = fn;
}

void
lk_log_audit(const char *event, long long now, const char *addr,
    const char *user, ...)
{
	const char	*kv[2 * AUDIT_FIELDS_MAX], *k;
	char		 t[24], line[LOG_LINE_MAX - 16];
	size_t		 n = 0;
	va_list		 ap;

	(void)snprintf(t, sizeof(t), "%lld", now);
	kv[n++] = "event";
	kv[n++] = event;
	kv[n++] = "time";
	kv[n++] = t;
	kv[n++] = "addr";
	kv[n++] = addr != NULL && *addr != '\0' ? addr : "-";
	kv[n++] = "user";
	kv[n++] = user != NULL ? user : "";
	va_start(ap, user);
	while ((k = va_arg(ap, const char *)) != NULL && n + 2 <= 2 * AUDIT_FIELDS_MAX) {
		kv[n++] = k;
		kv[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	if (lk_log_audit_format(line, sizeof(line), kv, n / 2) < 0)
		lk_log(LK_LOG_ERR, "audit line for event %.32s does not fit", event);
	else
		lk_log(LK_LOG_INFO, "audit %s", line);
	if (audit_sink != NULL)
		audit_sink(event, now, addr, user, kv + 8, n / 2 - 4);
}
