#include <sys/pidfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "domain/mail.h"

/* RFC 5322 2.1.1: header lines of at most 78 characters. */
#define LINE_MAX_HDR	78
/* RFC 2047 2: a line holding an encoded-word is at most 76 characters. */
#define LINE_MAX_EW	76
/* RFC 2047 2: an encoded-word is at most 75 characters. */
#define EW_MAX		75
#define EW_OVERHEAD	12	/* "=?UTF-8?B?" and "?=" */
/* RFC 2045 6.7: encoded lines of at most 76 characters, '=' included. */
#define QP_LINE_MAX	76
#define LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define DOMAIN_MAX	253

/* Characters a shell would treat specially, refused in commands. */
static const char	shell_chars[] = "\"'`$\\;|&<>()[]{}*?~!#";

/* A message being written: a bounded buffer and the current column. */
struct out {
	char	*p;
	size_t	 cap;		/* bytes of p, the NUL included */
	size_t	 len;
	size_t	 col;		/* characters on the current line */
	size_t	 linetok;	/* header tokens on the current line */
	int	 line_ew;	/* the current line holds an encoded-word */
	int	 full;
};

/* The environment variables the mailer gets, when the caller has them. */
static const char *const env_keep[] = {
	"PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TZ", "LANG", "LC_ALL",
	"LC_CTYPE",
};
#define ENV_KEEP_N	(sizeof(env_keep) / sizeof(env_keep[0]))

/* sysexits.h, which mailers use to say why they failed. */
static const char *const sysexits[] = {
	"EX_USAGE", "EX_DATAERR", "EX_NOINPUT", "EX_NOUSER", "EX_NOHOST",
	"EX_UNAVAILABLE", "EX_SOFTWARE", "EX_OSERR", "EX_OSFILE",
	"EX_CANTCREAT", "EX_IOERR", "EX_TEMPFAIL", "EX_PROTOCOL",
	"EX_NOPERM", "EX_CONFIG",
};

int
lk_mail_command_parse(const char *cmd, struct lk_mail_argv *out, char *err,
    size_t errsz)
{
	size_t		len, i;
	int		inword = 0;
	unsigned char	c;

	out->buf[0] = '\0';
	out->argv[0] = NULL;
	out->argc = 0;
	len = strnlen(cmd, LK_MAIL_CMD_MAX);
	if (len >= LK_MAIL_CMD_MAX) {
		(void)snprintf(err, errsz, "the mail command is longer than "
		    "%d bytes", LK_MAIL_CMD_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)cmd[i];
		if (c == ' ' || c == '\t')
			continue;
		if (c < 0x21 || c > 0x7e) {
			(void)snprintf(err, errsz, "the mail command has a "
			    "control character or non-ASCII byte");
			return -1;
		}
		if (strchr(shell_chars, c) != NULL) {
			(void)snprintf(err, errsz, "the mail command has '%c', "
			    "which only a shell would interpret: it runs "
			    "without one (no quoting, globbing or variables)",
			    c);
			return -1;
		}
	}
	memcpy(out->buf, cmd, len + 1);
	for (i = 0; i < len; i++) {
		if (out->buf[i] == ' ' || out->buf[i] == '\t') {
			out->buf[i] = '\0';
			inword = 0;
			continue;
		}
		if (inword)
			continue;
		if (out->argc == LK_MAIL_ARGV_MAX) {
			(void)snprintf(err, errsz, "the mail command has more "
			    "than %d words", LK_MAIL_ARGV_MAX);
			goto err;
		}
		out->argv[out->argc++] = out->buf + i;
		inword = 1;
	}
	out->argv[out->argc] = NULL;
	if (out->argc == 0) {
		(void)snprintf(err, errsz, "the mail command is empty");
		goto err;
	}
	if (out->argv[0][0] != '/') {
		(void)snprintf(err, errsz, "the mail command must start with "
		    "an absolute path (such as /usr/sbin/sendmail)");
		goto err;
	}
	return 0;
err:
	out->argv[0] = NULL;
	out->argc = 0;
	return -1;
}

/* RFC 5322 3.2.3 atext. */
static int
is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' &&
	    strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 5322 3.2.3 dot-atom-text: atext runs joined by single dots. */
static int
dot_atom_ok(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

int
lk_mail_addr_valid(const char *addr)
{
	const char	*at, *d;
	size_t		 len, i, label = 0;
	unsigned char	 c;

	len = strnlen(addr, LK_MAIL_ADDR_MAX + 1);
	if (len > LK_MAIL_ADDR_MAX)
		return 0;
	if ((at = strchr(addr, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	if ((size_t)(at - addr) > LOCAL_MAX ||
	    !dot_atom_ok(addr, (size_t)(at - addr)))
		return 0;
	d = at + 1;
	if (strlen(d) > DOMAIN_MAX)
		return 0;
	for (i = 0; d[i] != '\0'; i++) {
		c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-') {
			if (label == 0 && c == '-')
				return 0;
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return label > 0 && d[i - 1] != '-';
}

static void
put(struct out *o, const char *s, size_t n)
{
	const char	*nl;

	if (o->full || n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	if ((nl = memrchr(s, '\n', n)) != NULL)
		o->col = n - (size_t)(nl - s) - 1;
	else
		o->col += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Start a header field: "Name:". */
static void
hdr_begin(struct out *o, const char *name)
{
	put_str(o, name);
	put(o, ":", 1);
	o->linetok = 0;
	o->line_ew = 0;
}

static void
hdr_fold(struct out *o)
{
	put(o, "\n", 1);
	o->linetok = 0;
	o->line_ew = 0;
}

/*
 * Add one token after a space, folding before it when the line would grow
 * past its limit (76 if it holds an encoded-word, else 78).  Folding only
 * ever replaces that space by newline-space, so unfolding restores the
 * text exactly.  A token too long for any line still goes out whole.
 */
static void
hdr_token(struct out *o, const char *tok, size_t n, int ew)
{
	size_t	limit;

	limit = (ew || o->line_ew) ? LINE_MAX_EW : LINE_MAX_HDR;
	if (o->linetok > 0 && o->col + 1 + n > limit)
		hdr_fold(o);
	put(o, " ", 1);
	put(o, tok, n);
	o->linetok++;
	if (ew)
		o->line_ew = 1;
}

static void
hdr_end(struct out *o)
{
	put(o, "\n", 1);
}

/*
 * Write text (valid UTF-8) as B encoded-words, each holding whole
 * characters and sized to the room left on its line.  Spaces of the text
 * are inside the encoded-words: the whitespace between adjacent words is
 * not part of the text (RFC 2047 6.2), so folding changes nothing.  A
 * word ends after a space of the text when one fits, because readers
 * that do not follow 6.2 (Python's email.headerregistry in a display
 * name, some mail clients) show a space between encoded-words: they then
 * show one space too many, not a word cut in two.
 */
static void
put_encoded(struct out *o, const char *s, size_t len)
{
	char		 word[EW_MAX + 1];
	unsigned long	 cp;
	size_t		 i = 0, n, room, bytes, wl, sp;
	int		 k;

	while (i < len && !o->full) {
		room = LINE_MAX_EW > o->col + 1 ? LINE_MAX_EW - o->col - 1 : 0;
		if (room > EW_MAX)
			room = EW_MAX;
		bytes = room > EW_OVERHEAD ? (room - EW_OVERHEAD) / 4 * 3 : 0;
		for (n = 0; i + n < len; n += (size_t)k) {
			k = lk_utf8_decode((const unsigned char *)s + i + n,
			    len - i - n, &cp);
			if (k < 0 || n + (size_t)k > bytes)
				break;
		}
		if (i + n < len)
			for (sp = n; sp > 1; sp--)
				if (s[i + sp - 1] == ' ') {
					n = sp;
					break;
				}
		if (n == 0) {
			/* Not even one character fits here: a new line. */
			if (o->linetok == 0) {
				o->full = 1;	/* only for invalid UTF-8 */
				return;
			}
			hdr_fold(o);
			continue;
		}
		memcpy(word, "=?UTF-8?B?", 10);
		/* Cannot fail: n was sized so that the word fits. */
		wl = 10 + (size_t)lk_b64_encode(s + i, n, word + 10,
		    sizeof(word) - 10);
		memcpy(word + wl, "?=", 2);
		wl += 2;
		hdr_token(o, word, wl, 1);
		i += n;
	}
}

enum text_form {
	FORM_LITERAL,	/* the words as they are */
	FORM_QUOTED,	/* one quoted-string, escapes for '"' and '\' */
	FORM_ENCODED,	/* RFC 2047 encoded-words */
};

/*
 * How to write text in a header whose name takes namelen characters:
 * literally (words of printable ASCII, atext only in a phrase), as a
 * quoted-string (a phrase of other printable ASCII), or encoded.  Encoded
 * also when the text has non-ASCII, leading, trailing or repeated spaces
 * (folding could not keep them), a word too long to fold, or "=?" (which
 * a reader would otherwise decode as an encoded-word of its own).
 */
static enum text_form
text_form(const char *s, size_t len, int phrase, size_t namelen)
{
	size_t	i, word = 0, room;
	int	atoms = 1;

	room = LINE_MAX_HDR - namelen - 2;
	if (len == 0 || s[0] == ' ' || s[len - 1] == ' ' ||
	    memmem(s, len, "=?", 2) != NULL)
		return FORM_ENCODED;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return FORM_ENCODED;
		if (s[i] == ' ') {
			if (s[i + 1] == ' ')
				return FORM_ENCODED;
			word = 0;
			continue;
		}
		/* Count the quote and escape a quoted form might add. */
		word += (s[i] == '"' || s[i] == '\\') ? 2 : 1;
		if (word + 2 > room)
			return FORM_ENCODED;
		if (!is_atext((unsigned char)s[i]))
			atoms = 0;
	}
	return (!phrase || atoms) ? FORM_LITERAL : FORM_QUOTED;
}

/* Write text, split at its single spaces, as header tokens. */
static void
put_words(struct out *o, const char *s, size_t len, int quoted)
{
	char	 tok[LINE_MAX_HDR + 1];
	size_t	 i, n = 0;

	if (quoted)
		tok[n++] = '"';
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == ' ') {
			if (quoted && i == len)
				tok[n++] = '"';
			hdr_token(o, tok, n, 0);
			n = 0;
			continue;
		}
		/* text_form bounded each word to fit tok. */
		if (quoted && (s[i] == '"' || s[i] == '\\'))
			tok[n++] = '\\';
		tok[n++] = s[i];
	}
}

static void
put_text(struct out *o, const char *s, int phrase, size_t namelen)
{
	size_t	len = strlen(s);

	switch (text_form(s, len, phrase, namelen)) {
	case FORM_LITERAL:
		put_words(o, s, len, 0);
		break;
	case FORM_QUOTED:
		put_words(o, s, len, 1);
		break;
	case FORM_ENCODED:
		put_encoded(o, s, len);
		break;
	}
}

/* An address header: "Name: display <addr>" or "Name: addr". */
static void
put_mailbox(struct out *o, const char *name, const char *display,
    const char *addr)
{
	char	tok[LK_MAIL_ADDR_MAX + 3];
	int	n;

	hdr_begin(o, name);
	if (display != NULL && display[0] != '\0') {
		put_text(o, display, 1, strlen(name));
		n = snprintf(tok, sizeof(tok), "<%s>", addr);
	} else
		n = snprintf(tok, sizeof(tok), "%s", addr);
	/* addr passed lk_mail_addr_valid: it fits. */
	if (n > 0 && (size_t)n < sizeof(tok))
		hdr_token(o, tok, (size_t)n, 0);
	else
		o->full = 1;
	hdr_end(o);
}

/*
 * Check a header text: at most max bytes, valid UTF-8, no control
 * characters of any kind (CR and LF would start a header of their own).
 */
static int
check_text(const char *what, const char *s, size_t max, int required,
    char *err, size_t errsz)
{
	size_t	len;

	if (s == NULL || s[0] == '\0') {
		if (!required)
			return 0;
		(void)snprintf(err, errsz, "%s: empty", what);
		return -1;
	}
	if ((len = strnlen(s, max + 1)) > max) {
		(void)snprintf(err, errsz, "%s: longer than %zu bytes", what,
		    max);
		return -1;
	}
	if (lk_utf8_text_len(s, len) < 0) {
		(void)snprintf(err, errsz, "%s: not UTF-8 text without "
		    "control characters", what);
		return -1;
	}
	return 0;
}

/* The body: UTF-8 with no control characters but newline and tab. */
static int
check_body(const char *s, size_t len, char *err, size_t errsz)
{
	unsigned long	cp;
	size_t		i;
	int		k;

	for (i = 0; i < len; i += (size_t)k) {
		if ((k = lk_utf8_decode((const unsigned char *)s + i, len - i,
		    &cp)) < 0) {
			(void)snprintf(err, errsz, "body: not valid UTF-8");
			return -1;
		}
		if ((cp < 0x20 && cp != '\n' && cp != '\t') ||
		    (cp >= 0x7f && cp <= 0x9f)) {
			(void)snprintf(err, errsz, "body: a control character "
			    "other than newline and tab");
			return -1;
		}
	}
	return 0;
}

/*
 * Quoted-printable (RFC 2045 6.7) of checked text, one output line per
 * input line plus soft breaks.  Besides what the rules demand ('=',
 * non-ASCII, whitespace at a line's end), a '.' or "From " starting an
 * output line is encoded too: a sendmail run without -i ends the message
 * at a lone ".", and mbox stores turn "From " into ">From " (RFC 2049 3).
 * A character's bytes are never split across a soft break.
 */
static void
put_body(struct out *o, const char *s, size_t len)
{
	char		 tok[12];
	unsigned long	 cp;
	size_t		 i, end, col, tl, k, j;
	unsigned char	 c;
	int		 klen;

	for (i = 0; i < len && !o->full; i = end + 1) {
		end = i;
		while (end < len && s[end] != '\n')
			end++;
		col = 0;
		while (i < end) {
			c = (unsigned char)s[i];
			k = 1;
			if (c >= 0x80) {
				klen = lk_utf8_decode((const unsigned char *)s +
				    i, end - i, &cp);
				k = klen > 0 ? (size_t)klen : 1;
			}
			if (c >= 0x80 || c == '=' ||
			    ((c == ' ' || c == '\t') && i + 1 == end) ||
			    (col == 0 && c == '.') ||
			    (col == 0 && end - i >= 5 &&
			    memcmp(s + i, "From ", 5) == 0)) {
				for (j = 0; j < k; j++) {
					c = (unsigned char)s[i + j];
					tok[3 * j] = '=';
					tok[3 * j + 1] = lk_hex_upper[c >> 4];
					tok[3 * j + 2] = lk_hex_upper[c & 15];
				}
				tl = 3 * k;
			} else {
				tok[0] = (char)c;
				tl = 1;
			}
			/* The last token of a line needs no room for '='. */
			if (col + tl > (i + k == end ? QP_LINE_MAX :
			    QP_LINE_MAX - 1)) {
				put(o, "=\n", 2);
				col = 0;
				continue;	/* col 0 may encode differently */
			}
			put(o, tok, tl);
			col += tl;
			i += k;
		}
		put(o, "\n", 1);
	}
}

long
lk_mail_format(const struct lk_mail *m, long long now, char *out,
    size_t outsz, char *err, size_t errsz)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec",
	};
	struct out	 o;
	struct tm	 tm;
	time_t		 t;
	unsigned char	 rnd[16];
	char		 id[2 * sizeof(rnd) + 1], line[128];
	const char	*left, *domain;
	size_t		 bodylen;
	int		 n;

	if (outsz > 0)
		out[0] = '\0';
	if (check_text("from_name", m->from_name, LK_MAIL_NAME_MAX, 0,
	    err, errsz) == -1 ||
	    check_text("to_name", m->to_name, LK_MAIL_NAME_MAX, 0,
	    err, errsz) == -1 ||
	    check_text("subject", m->subject, LK_MAIL_SUBJECT_MAX, 1,
	    err, errsz) == -1)
		return -1;
	if (m->from_addr == NULL || !lk_mail_addr_valid(m->from_addr)) {
		(void)snprintf(err, errsz, "from_addr: not a plain ASCII "
		    "address (local@domain)");
		return -1;
	}
	if (m->to_addr == NULL || !lk_mail_addr_valid(m->to_addr)) {
		(void)snprintf(err, errsz, "to_addr: not a plain ASCII "
		    "address (local@domain)");
		return -1;
	}
	bodylen = m->body != NULL ? strlen(m->body) : 0;
	if (check_body(m->body, bodylen, err, errsz) == -1)
		return -1;
	/* 253402300799 is 9999-12-31T23:59:59Z: four-digit years only. */
	t = (time_t)now;
	if (now < 0 || now > 253402300799LL || gmtime_r(&t, &tm) == NULL) {
		(void)snprintf(err, errsz, "now: out of range");
		return -1;
	}
	if (m->message_id != NULL) {
		if (strnlen(m->message_id, LOCAL_MAX + 1) > LOCAL_MAX ||
		    !dot_atom_ok(m->message_id, strlen(m->message_id))) {
			(void)snprintf(err, errsz, "message_id: not a "
			    "dot-atom of at most %d bytes", LOCAL_MAX);
			return -1;
		}
		left = m->message_id;
	} else {
		if (lk_random_bytes(rnd, sizeof(rnd)) == -1 ||
		    lk_hex_encode(rnd, sizeof(rnd), id, sizeof(id)) == -1) {
			(void)snprintf(err, errsz, "message_id: the random "
			    "source failed");
			return -1;
		}
		left = id;
	}
	domain = strchr(m->from_addr, '@') + 1;

	memset(&o, 0, sizeof(o));
	o.p = out;
	o.cap = outsz;
	if (outsz == 0)
		o.full = 1;

	put_mailbox(&o, "From", m->from_name, m->from_addr);
	put_mailbox(&o, "To", m->to_name, m->to_addr);
	hdr_begin(&o, "Subject");
	put_text(&o, m->subject, 0, strlen("Subject"));
	hdr_end(&o);
	n = snprintf(line, sizeof(line), "Date: %s, %02d %s %04d "
	    "%02d:%02d:%02d +0000\n", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	if (n < 0 || (size_t)n >= sizeof(line))
		o.full = 1;
	else
		put(&o, line, (size_t)n);
	put_str(&o, "Message-ID: <");
	put_str(&o, left);
	put_str(&o, "@");
	put_str(&o, domain);
	put_str(&o, ">\n");
	put_str(&o, "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "Auto-Submitted: auto-generated\n"
	    "\n");
	put_body(&o, m->body != NULL ? m->body : "", bodylen);

	if (o.full) {
		if (outsz > 0)
			out[0] = '\0';
		(void)snprintf(err, errsz, "the message does not fit in %zu "
		    "bytes", outsz);
		return -1;
	}
	return (long)o.len;
}

static long long
monotonic_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Move a descriptor above 2, so that dup2 onto 0, 1 or 2 cannot no-op. */
static int
fd_above_stdio(int fd)
{
	int	nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

/* The mailer's environment: env_keep's variables, the first of each. */
static void
build_env(char **envp)
{
	static char	 default_path[] = "PATH=/usr/local/bin:/usr/bin:/bin";
	char		**e;
	size_t		 i, n = 0, len;
	int		 have_path = 0;

	for (i = 0; i < ENV_KEEP_N; i++) {
		len = strlen(env_keep[i]);
		for (e = environ; e != NULL && *e != NULL; e++)
			if (strncmp(*e, env_keep[i], len) == 0 &&
			    (*e)[len] == '=')
				break;
		if (e == NULL || *e == NULL)
			continue;
		envp[n++] = *e;
		if (i == 0)
			have_path = 1;
	}
	if (!have_path)
		envp[n++] = default_path;
	envp[n] = NULL;
}

/* Kill the child and its process group, and reap the child. */
static void
kill_reap(pid_t pid)
{
	pid_t	r;

	(void)kill(-pid, SIGKILL);
	(void)kill(pid, SIGKILL);
	do
		r = waitpid(pid, NULL, 0);
	while (r == -1 && errno == EINTR);
}

static enum lk_mail_res
wait_result(int ws, int *status, char *err, size_t errsz)
{
	int	code;

	if (WIFEXITED(ws)) {
		code = WEXITSTATUS(ws);
		*status = code;
		if (code == 0) {
			(void)snprintf(err, errsz, "exited with status 0");
			return LK_MAIL_OK;
		}
		if (code >= 64 && code < 64 + (int)(sizeof(sysexits) /
		    sizeof(sysexits[0])))
			(void)snprintf(err, errsz, "exited with status %d (%s)",
			    code, sysexits[code - 64]);
		else
			(void)snprintf(err, errsz, "exited with status %d",
			    code);
		return LK_MAIL_EXIT;
	}
	*status = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
	(void)snprintf(err, errsz, "killed by signal %d", *status);
	return LK_MAIL_SIGNAL;
}

/* A mailer running: its process, the write end of its input, its pidfd. */
struct mailer {
	pid_t	pid;	/* -1: none, or reaped */
	int	in;	/* -1: closed */
	int	pidfd;	/* -1: none (poll in short steps) */
};

/*
 * Start the command a with the read end of a pipe as its input, /dev/null
 * as its output, no other descriptor, default signals and an empty mask,
 * in a process group of its own, with build_env's environment.  Returns 0
 * with m filled, or -1 with a reason in err (m then holds nothing).
 */
static int
mailer_start(struct mailer *m, const struct lk_mail_argv *a, char *err,
    size_t errsz)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 sigs;
	char				*envp[ENV_KEEP_N + 2];
	int				 p[2] = { -1, -1 };
	int				 rc = 0, fa_ok = 0, attr_ok = 0, ret = -1;

	m->pid = -1;
	m->in = -1;
	m->pidfd = -1;
	if (pipe2(p, O_CLOEXEC) == -1 ||
	    (p[0] = fd_above_stdio(p[0])) == -1 ||
	    (p[1] = fd_above_stdio(p[1])) == -1 ||
	    fcntl(p[1], F_SETFL, O_NONBLOCK) == -1) {
		(void)snprintf(err, errsz, "could not start %s: pipe: %s",
		    a->argv[0], strerror(errno));
		goto out;
	}
	/*
	 * Descriptors 0-2 only: the FastCGI listening socket, a client's
	 * connection or the database would otherwise outlive the request in
	 * the mailer (and in whatever it starts).
	 */
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto spawn_err;
	fa_ok = 1;
	if ((rc = posix_spawn_file_actions_adddup2(&fa, p[0], 0)) != 0 ||
	    (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
	    O_WRONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, 1, 2)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0)
		goto spawn_err;
	/*
	 * Ignored signals stay ignored across exec: reset all of them, and
	 * the mask, so the mailer starts as it would from a login shell.  Its
	 * own process group lets a timeout kill whatever it started too.
	 */
	if ((rc = posix_spawnattr_init(&attr)) != 0)
		goto spawn_err;
	attr_ok = 1;
	(void)sigfillset(&sigs);
	(void)sigdelset(&sigs, SIGKILL);
	(void)sigdelset(&sigs, SIGSTOP);
	if ((rc = posix_spawnattr_setsigdefault(&attr, &sigs)) != 0)
		goto spawn_err;
	(void)sigemptyset(&sigs);
	if ((rc = posix_spawnattr_setsigmask(&attr, &sigs)) != 0 ||
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP)) != 0)
		goto spawn_err;
	build_env(envp);
	/* glibc reports a failed exec here, not as an exit status. */
	if ((rc = posix_spawn(&m->pid, a->argv[0], &fa, &attr, a->argv,
	    envp)) != 0) {
		m->pid = -1;
		goto spawn_err;
	}
	m->in = p[1];
	p[1] = -1;
	/* Without pidfd (kernels before 5.3), poll in short steps instead. */
	m->pidfd = pidfd_open(m->pid, 0);
	ret = 0;
	goto out;

spawn_err:
	(void)snprintf(err, errsz, "could not start %s: %s", a->argv[0],
	    strerror(rc));
out:
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/*
 * Feed msg[0..len) to the mailer's input, closed once all of it is
 * written (or the mailer stopped reading), until the mailer exits or the
 * monotonic clock (monotonic_ms) reaches deadline.  Returns 1 when it
 * exited (reaped: its wait status in *ws), 0 at the deadline (it still
 * runs), -1 when someone else reaped it (errno says how).
 */
static int
mailer_feed(struct mailer *m, const char *msg, size_t len,
    long long deadline, int *ws)
{
	struct pollfd	pfds[2];
	long long	left;
	size_t		off = 0, chunk;
	ssize_t		w;
	pid_t		r;
	nfds_t		nfds;

	if (len == 0 && m->in != -1) {
		close(m->in);
		m->in = -1;
	}
	for (;;) {
		if ((r = waitpid(m->pid, ws, WNOHANG)) == m->pid) {
			m->pid = -1;
			return 1;
		}
		if (r == -1 && errno != EINTR) {
			m->pid = -1;
			return -1;
		}
		if ((left = deadline - monotonic_ms()) <= 0)
			return 0;
		nfds = 0;
		if (m->in != -1) {
			pfds[nfds].fd = m->in;
			pfds[nfds].events = POLLOUT;
			pfds[nfds++].revents = 0;
		}
		if (m->pidfd != -1) {
			pfds[nfds].fd = m->pidfd;
			pfds[nfds].events = POLLIN;
			pfds[nfds++].revents = 0;
		}
		if (m->pidfd == -1 && left > 10)
			left = 10;
		/* On a poll error, the loop still ends at the deadline. */
		if (poll(pfds, nfds, (int)left) == -1 || m->in == -1 ||
		    pfds[0].revents == 0)
			continue;
		chunk = len - off < 65536 ? len - off : 65536;
		w = write(m->in, msg + off, chunk);
		if (w > 0)
			off += (size_t)w;
		else if (w == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* Written, or the reader is gone (EPIPE): end its input. */
		if (w <= 0 || off == len) {
			close(m->in);
			m->in = -1;
		}
	}
}

/*
 * Done with the mailer: one still running is killed with its process
 * group and reaped (none is left a zombie), and its descriptors closed.
 */
static void
mailer_reap(struct mailer *m)
{
	if (m->pid != -1)
		kill_reap(m->pid);
	m->pid = -1;
	if (m->pidfd != -1)
		close(m->pidfd);
	m->pidfd = -1;
	if (m->in != -1)
		close(m->in);
	m->in = -1;
}

enum lk_mail_res
lk_mail_send(const char *cmd, const char *msg, size_t len, int timeout_ms,
    int *status, char *err, size_t errsz)
{
	struct lk_mail_argv	 a;
	struct mailer		 m;
	struct sigaction	 ign, oldpipe;
	char			 perr[256];
	int			 ws = 0, ignoring = 0, fed;
	enum lk_mail_res	 res;

	*status = 0;
	if (timeout_ms < 1 || timeout_ms > 600000) {
		(void)snprintf(err, errsz, "could not start: timeout %d ms "
		    "out of range", timeout_ms);
		return LK_MAIL_NOSTART;
	}
	if (lk_mail_command_parse(cmd, &a, perr, sizeof(perr)) == -1) {
		(void)snprintf(err, errsz, "could not start: %s", perr);
		return LK_MAIL_NOSTART;
	}
	/*
	 * Checked before the spawn too: where posix_spawn is a fork and an
	 * exec (valgrind, other C libraries) a missing mailer would be only
	 * an exit status 127.
	 */
	if (access(a.argv[0], X_OK) == -1) {
		(void)snprintf(err, errsz, "could not start %s: %s",
		    a.argv[0], strerror(errno));
		return LK_MAIL_NOSTART;
	}
	if (mailer_start(&m, &a, err, errsz) == -1)
		return LK_MAIL_NOSTART;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &oldpipe) == 0)
		ignoring = 1;
	fed = mailer_feed(&m, msg, len, monotonic_ms() + timeout_ms, &ws);
	if (fed == 1)
		res = wait_result(ws, status, err, errsz);
	else if (fed == -1) {
		/* Someone else reaped it: no status to give. */
		(void)snprintf(err, errsz, "lost the mail command: %s",
		    strerror(errno));
		*status = -1;
		res = LK_MAIL_EXIT;
	} else {
		(void)snprintf(err, errsz, "timed out after %d ms",
		    timeout_ms);
		res = LK_MAIL_TIMEOUT;
	}
	mailer_reap(&m);
	if (ignoring)
		(void)sigaction(SIGPIPE, &oldpipe, NULL);
	return res;
}
