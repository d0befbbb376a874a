#ifndef LK_MAIL_H
#define LK_MAIL_H

#include <stddef.h>

/*
 * Outgoing mail through the sendmail interface: a configured command (by
 * default "/usr/sbin/sendmail -t -i"), run without a shell, with the whole
 * message on its standard input and the recipients in its To header.
 *
 * Messages are built so that no caller-supplied text can add a header or
 * end the headers early: control characters (CR, LF, NUL, tab, DEL, C1)
 * in any header input are refused, non-ASCII names and subjects become
 * RFC 2047 encoded-words, and header lines are folded at 78 characters.
 * The body is UTF-8 text sent quoted-printable: 7-bit clean, so it needs
 * no 8BITMIME on any relay, and its lines are at most 76 characters
 * whatever the caller's lines (a reset link longer than a line included).
 * Lines end in "\n", as the sendmail interface expects on its input.
 */

#define LK_MAIL_CMD_MAX		1024	/* bytes of a command, NUL included */
#define LK_MAIL_ARGV_MAX	16	/* words of a command */
#define LK_MAIL_ADDR_MAX	254	/* an address (RFC 5321 path limit) */
#define LK_MAIL_NAME_MAX	400	/* bytes of a display name */
#define LK_MAIL_SUBJECT_MAX	512	/* bytes of a subject */
#define LK_MAIL_MAX		65536	/* a size for lk_mail_format's buffer */

/*
 * A command split into words.  argv points into buf: use the struct where
 * lk_mail_command_parse filled it, do not copy it.
 */
struct lk_mail_argv {
	char	 buf[LK_MAIL_CMD_MAX];
	char	*argv[LK_MAIL_ARGV_MAX + 1];	/* NULL-terminated */
	size_t	 argc;
};

/*
 * Split a mail command into words separated by spaces or tabs, as execv
 * will see them: no shell, so no quoting, globbing, variables or
 * redirection.  Refuses (returns -1 with a reason in err) an empty or
 * blank command, one of LK_MAIL_CMD_MAX bytes or more, more than
 * LK_MAIL_ARGV_MAX words, a first word that is not an absolute path, any
 * control or non-ASCII byte, and any of the characters " ' ` $ \ ; | & < >
 * ( ) [ ] { } * ? ~ ! # (a shell would give them a meaning this does not,
 * so a command that needs them is refused rather than run differently).
 * Whether the program exists is not checked here.  Use it to validate the
 * configured command when the configuration is loaded; lk_mail_send
 * splits with it too.  Returns 0.
 */
int	lk_mail_command_parse(const char *cmd, struct lk_mail_argv *out,
	    char *err, size_t errsz);

/*
 * Check an address as one plain addr-spec that every mailer reads the
 * same way: a dot-atom local part of at most 64 bytes (RFC 5322 atext,
 * so no spaces, quotes, parentheses, commas or angle brackets), exactly
 * one '@', a domain of letters, digits and hyphens in labels of 1 to 63
 * characters, at most LK_MAIL_ADDR_MAX bytes in all.  Non-ASCII is
 * refused in both parts: SMTPUTF8 is not assumed, and domains are not
 * converted to IDNA (give the A-label, "xn--...", instead).  Domain
 * literals ("[192.0.2.1]") are refused.  Returns 1 if acceptable, else 0.
 */
int	lk_mail_addr_valid(const char *addr);

/* One message; every string is UTF-8 and NUL-terminated. */
struct lk_mail {
	const char	*from_name;	/* the site's name, or NULL/"" for none */
	const char	*from_addr;	/* the sending address (mail_from) */
	const char	*to_name;	/* the recipient's name, or NULL/"" */
	const char	*to_addr;	/* the recipient's address */
	const char	*subject;	/* non-empty */
	const char	*body;		/* text, lines separated by "\n" */
	/*
	 * The part of the Message-ID before '@' (a dot-atom), or NULL for a
	 * fresh random one (32 hex digits).  Only tests set it.
	 */
	const char	*message_id;
};

/*
 * Format m as a whole message into out (NUL-terminated): From, To,
 * Subject, Date (now, seconds since the epoch, as UTC), Message-ID (at the
 * domain of from_addr), MIME-Version, Content-Type (text/plain;
 * charset=utf-8), Content-Transfer-Encoding (quoted-printable),
 * Auto-Submitted (auto-generated), a blank line, and the body ending in a
 * newline.  Returns the length, or -1 with a reason naming the field in
 * err when: a name or the subject is empty where required, too long, not
 * valid UTF-8, or holds a control character; an address fails
 * lk_mail_addr_valid; the body is not valid UTF-8 or holds a control
 * character other than "\n" and tab (CR included: lines end in "\n"
 * only); now is negative or past the year 9999; the random source fails;
 * or the message does not fit in outsz bytes.  The reasons never quote
 * the values.
 */
long	lk_mail_format(const struct lk_mail *m, long long now, char *out,
	    size_t outsz, char *err, size_t errsz);

/* What became of a message handed to lk_mail_send. */
enum lk_mail_res {
	LK_MAIL_OK,		/* the command exited with status 0 */
	LK_MAIL_EXIT,		/* it exited with the non-zero *status (-1:
				   reaped by someone else, status unknown) */
	LK_MAIL_SIGNAL,		/* it was killed by signal *status */
	LK_MAIL_TIMEOUT,	/* it ran past the limit: killed and reaped */
	LK_MAIL_NOSTART,	/* it could not be started */
	LK_MAIL__MAX
};

/*
 * Run the command cmd (split with lk_mail_command_parse) with the len
 * bytes of msg on its standard input, and wait at most timeout_ms
 * milliseconds (1 to 600000) for it to read them and exit.  The result
 * says what happened, with the exit status or signal in *status (0
 * otherwise) and a sentence for the log in err ("exited with status 75
 * (EX_TEMPFAIL)", "timed out after 1000 ms", "could not start
 * /usr/sbin/sendmail: No such file or directory").  The exit status
 * alone decides LK_MAIL_OK: a command that exits 0 without reading the
 * message has still answered 0.
 *
 * The child is reaped on every path (none is left a zombie); on timeout
 * it and its process group are killed with SIGKILL first.  It gets only
 * descriptors 0 (the message), 1 and 2 (both /dev/null): every other
 * descriptor is closed in it, inherited ones (a FastCGI socket) too.  Its
 * signal mask is empty and every signal has its default action, whatever
 * the caller ignores.  Its environment is PATH (the caller's, or
 * "/usr/local/bin:/usr/bin:/bin"), and HOME, USER, LOGNAME, TMPDIR, TZ,
 * LANG, LC_ALL and LC_CTYPE when the caller has them; nothing else, so a
 * CGI request's variables (HTTP_COOKIE, HTTP_AUTHORIZATION, ...) never
 * reach the mailer.  A mailer that reads ~/.msmtprc finds it through
 * HOME or, when HOME is unset, through the user's passwd entry.
 *
 * SIGPIPE is ignored while writing and restored afterwards (the
 * process-wide disposition: call this from a single-threaded process, as
 * latchkey's programs are).  The caller must not reap children it did
 * not start (no SIGCHLD set to SIG_IGN, no waitpid(-1) in a handler).
 */
enum lk_mail_res lk_mail_send(const char *cmd, const char *msg, size_t len,
	    int timeout_ms, int *status, char *err, size_t errsz);

#endif
