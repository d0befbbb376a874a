#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

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
	char	 msg[1024], line[1200];
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
