/*
 * lib/mail: command splitting, addresses, the exact bytes of formatted
 * messages, and running real programs as the mailer.
 *
 * The binary has modes the tests and tests/http/mail.test.js run it in:
 *   --print-sample        write the sample message (an 'é' display name)
 *   --send-sample CMD     send the sample through lk_mail_send and CMD
 *   --child-report DIR    act as a mailer: save what it was given in DIR
 *   --child-exit N        read the message, exit with status N
 *   --child-signal        read the message, die of SIGTERM
 *   --child-read-some     read 16 KiB of the message, then sleep 10 s
 *   --child-close-stdin   close its input unread, exit 0 after 500 ms
 *   --child-grandchild F  start a sleeping grandchild, write its pid to F,
 *                         and sleep
 */

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/mail.h"
#include "t.h"
#include "tmpdir.h"
#include "base/util.h"

#define NOW_2026	1767225600LL	/* Thu, 01 Jan 2026 00:00:00 +0000 */

static char	 self[512];	/* this program's absolute path */
static char	 out[LK_MAIL_MAX];
static char	 err[256];

/* The sample of --print-sample and --send-sample. */
static const struct lk_mail sample = {
	"Café Latchkey", "noreply@example.com",
	"Élodie Dupont", "elodie@example.org",
	"Réinitialisez votre mot de passe 🔑",
	"Bonjour Élodie,\n"
	"\n"
	"Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n"
	"https://login.example.com/reset?token=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5&lang=fr\n"
	".\n"
	"From here on, nothing changes unless you open it.\n"
	"Café = 3 €\n",
	"sample.1",
};

static long
fmt(const struct lk_mail *m)
{
	err[0] = '\0';
	return lk_mail_format(m, NOW_2026, out, sizeof(out), err, sizeof(err));
}

/* A message with everything fixed but what a test changes. */
static struct lk_mail
base(void)
{
	struct lk_mail	m = {
		"Latchkey", "noreply@example.com", "Alice Example",
		"alice@example.org", "Reset your password", "Hello\n",
		"test.1",
	};

	return m;
}

/* The header block of out (up to the blank line), or "" if none. */
static const char *
headers(void)
{
	static char	h[LK_MAIL_MAX];
	const char	*e;

	h[0] = '\0';
	if ((e = strstr(out, "\n\n")) != NULL && (size_t)(e - out) < sizeof(h)) {
		memcpy(h, out, (size_t)(e - out) + 1);
		h[e - out + 1] = '\0';
	}
	return h;
}

/* One header field of out, unfolded lines kept as they are. */
static const char *
field(const char *name)
{
	static char	f[LK_MAIL_MAX];
	const char	*h = headers(), *p, *e;
	size_t		 n = strlen(name);

	f[0] = '\0';
	for (p = h; *p != '\0'; p = strchr(p, '\n') + 1) {
		if (strncmp(p, name, n) != 0 || p[n] != ':')
			continue;
		/* The field ends at a newline not followed by a space. */
		e = strchr(p, '\n');
		while (e != NULL && e[1] == ' ')
			e = strchr(e + 1, '\n');
		if (e != NULL && (size_t)(e - p) < sizeof(f)) {
			memcpy(f, p, (size_t)(e - p));
			f[e - p] = '\0';
		}
		break;
	}
	return f;
}

static int
b64_value(char c)
{
	const char	*a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const char	*p = strchr(a, c);

	return (c != '\0' && p != NULL) ? (int)(p - a) : -1;
}

/*
 * An independent reader of what lk_mail_format wrote in a header field:
 * checks each encoded-word (at most 75 characters, whole UTF-8 text on
 * its own) and each line (at most 76 characters with an encoded-word, 78
 * without), and returns the decoded text of the encoded-words, joined as
 * RFC 2047 6.2 says (whitespace between them dropped), or NULL.
 */
static const char *
decode_words(const char *f)
{
	static char	 text[4096];
	const char	*p, *q, *line, *nl;
	size_t		 n = 0, wl, i, len;
	unsigned long	 acc;
	int		 bits, v, ew;

	for (line = f; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		len = (size_t)(nl - line);
		ew = memmem(line, len, "=?", 2) != NULL;
		if (len > (ew ? 76u : 78u)) {
			fprintf(stderr, "line of %zu characters: %.*s\n", len,
			    (int)len, line);
			return NULL;
		}
		if (*nl == '\0')
			break;
	}
	for (p = f; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = q + 2) {
		if ((q = strstr(p + 10, "?=")) == NULL)
			return NULL;
		wl = (size_t)(q + 2 - p);
		if (wl > 75) {
			fprintf(stderr, "encoded-word of %zu characters\n", wl);
			return NULL;
		}
		acc = 0;
		bits = 0;
		len = n;
		for (i = 10; p + i < q; i++) {
			if (p[i] == '=')
				continue;
			if ((v = b64_value(p[i])) < 0)
				return NULL;
			acc = (acc << 6) | (unsigned long)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n + 1 >= sizeof(text))
					return NULL;
				text[n++] = (char)(acc >> bits);
				acc &= (1UL << bits) - 1;
			}
		}
		if (lk_utf8_text_len(text + len, n - len) < 0) {
			fprintf(stderr, "encoded-word splits a character\n");
			return NULL;
		}
	}
	text[n] = '\0';
	return text;
}

TEST(format_exact_ascii_message)
{
	struct lk_mail	m = base();
	long		n;

	m.body = "Hello Alice,\n\nOpen https://example.com/reset#t=abc\n";
	n = fmt(&m);
	CHECK_STR(out,
	    "From: Latchkey <noreply@example.com>\n"
	    "To: Alice Example <alice@example.org>\n"
	    "Subject: Reset your password\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 +0000\n"
	    "Message-ID: <test.1@example.com>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "Auto-Submitted: auto-generated\n"
	    "\n"
	    "Hello Alice,\n"
	    "\n"
	    "Open https://example.com/reset#t=3Dabc\n");
	CHECK_INT(n, strlen(out));
}

TEST(format_exact_sample_message)
{
	CHECK(fmt(&sample) > 0);
	CHECK_STR(out,
	    "From: =?UTF-8?B?Q2Fmw6kgTGF0Y2hrZXk=?= <noreply@example.com>\n"
	    "To: =?UTF-8?B?w4lsb2RpZSBEdXBvbnQ=?= <elodie@example.org>\n"
	    "Subject: =?UTF-8?B?UsOpaW5pdGlhbGlzZXogdm90cmUgbW90IGRlIHBhc3NlIPCflJE=?=\n"
	    "Date: Thu, 01 Jan 2026 00:00:00 +0000\n"
	    "Message-ID: <sample.1@example.com>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "Auto-Submitted: auto-generated\n"
	    "\n"
	    "Bonjour =C3=89lodie,\n"
	    "\n"
	    "Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :\n"
	    "https://login.example.com/reset?token=3DZm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx=\n"
	    "0Z2FycGx5&lang=3Dfr\n"
	    "=2E\n"
	    "=46rom here on, nothing changes unless you open it.\n"
	    "Caf=C3=A9 =3D 3 =E2=82=AC\n");
}

TEST(date_is_rfc5322_utc)
{
	struct lk_mail	m = base();

	CHECK(lk_mail_format(&m, 951782400LL, out, sizeof(out), err,
	    sizeof(err)) > 0);
	CHECK_STR(field("Date"), "Date: Tue, 29 Feb 2000 00:00:00 +0000");
	CHECK(lk_mail_format(&m, 0, out, sizeof(out), err, sizeof(err)) > 0);
	CHECK_STR(field("Date"), "Date: Thu, 01 Jan 1970 00:00:00 +0000");
	CHECK(lk_mail_format(&m, 253402300799LL, out, sizeof(out), err,
	    sizeof(err)) > 0);
	CHECK_STR(field("Date"), "Date: Fri, 31 Dec 9999 23:59:59 +0000");
	CHECK_INT(lk_mail_format(&m, 253402300800LL, out, sizeof(out), err,
	    sizeof(err)), -1);
	CHECK_INT(lk_mail_format(&m, -1, out, sizeof(out), err, sizeof(err)),
	    -1);
	CHECK_STR(err, "now: out of range");
}

TEST(date_names_every_day_and_month)
{
	static const struct {
		long long	 now;
		const char	*date;
	} cases[] = {
		{ 1767225600LL, "Date: Thu, 01 Jan 2026 00:00:00 +0000" },
		{ 1767312000LL, "Date: Fri, 02 Jan 2026 00:00:00 +0000" },
		{ 1767398400LL, "Date: Sat, 03 Jan 2026 00:00:00 +0000" },
		{ 1767484800LL, "Date: Sun, 04 Jan 2026 00:00:00 +0000" },
		{ 1767571200LL, "Date: Mon, 05 Jan 2026 00:00:00 +0000" },
		{ 1767657600LL, "Date: Tue, 06 Jan 2026 00:00:00 +0000" },
		{ 1767744000LL, "Date: Wed, 07 Jan 2026 00:00:00 +0000" },
		{ 1768482855LL, "Date: Thu, 15 Jan 2026 13:14:15 +0000" },
		{ 1771161255LL, "Date: Sun, 15 Feb 2026 13:14:15 +0000" },
		{ 1773580455LL, "Date: Sun, 15 Mar 2026 13:14:15 +0000" },
		{ 1776258855LL, "Date: Wed, 15 Apr 2026 13:14:15 +0000" },
		{ 1778850855LL, "Date: Fri, 15 May 2026 13:14:15 +0000" },
		{ 1781529255LL, "Date: Mon, 15 Jun 2026 13:14:15 +0000" },
		{ 1784121255LL, "Date: Wed, 15 Jul 2026 13:14:15 +0000" },
		{ 1786799655LL, "Date: Sat, 15 Aug 2026 13:14:15 +0000" },
		{ 1789478055LL, "Date: Tue, 15 Sep 2026 13:14:15 +0000" },
		{ 1792070055LL, "Date: Thu, 15 Oct 2026 13:14:15 +0000" },
		{ 1794748455LL, "Date: Sun, 15 Nov 2026 13:14:15 +0000" },
		{ 1797340455LL, "Date: Tue, 15 Dec 2026 13:14:15 +0000" },
	};
	struct lk_mail	m = base();
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(lk_mail_format(&m, cases[i].now, out, sizeof(out), err,
		    sizeof(err)) > 0);
		CHECK_STR(field("Date"), cases[i].date);
	}
}

TEST(message_id_random_at_sender_domain)
{
	struct lk_mail	m = base();
	char		first[128];
	size_t		i;

	m.message_id = NULL;
	m.from_addr = "latchkey@mail.example.net";
	CHECK(fmt(&m) > 0);
	CHECK_INT(lk_strlcpy(first, field("Message-ID"), sizeof(first)), 0);
	CHECK_INT(strlen(first), strlen("Message-ID: <>@mail.example.net") + 32);
	CHECK(strncmp(first, "Message-ID: <", 13) == 0);
	for (i = 13; i < 13 + 32; i++)
		CHECK(strchr("0123456789abcdef", first[i]) != NULL);
	CHECK_STR(first + 13 + 32, "@mail.example.net>");
	CHECK(fmt(&m) > 0);
	CHECK(strcmp(first, field("Message-ID")) != 0);
	m.message_id = "a b";
	CHECK_INT(fmt(&m), -1);
	m.message_id = "a\nb";
	CHECK_INT(fmt(&m), -1);
	m.message_id = "a>b";
	CHECK_INT(fmt(&m), -1);
}

TEST(name_with_e_acute_is_one_encoded_word)
{
	struct lk_mail	m = base();

	m.to_name = "Élodie";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: =?UTF-8?B?w4lsb2RpZQ==?= <alice@example.org>");
	m.from_name = "Café";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("From"), "From: =?UTF-8?B?Q2Fmw6k=?= <noreply@example.com>");
}

TEST(emoji_in_subject_and_name)
{
	struct lk_mail	m = base();

	m.subject = "Bienvenue 🎉";
	m.to_name = "Jöhn 😀 Dœ";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"), "Subject: =?UTF-8?B?QmllbnZlbnVlIPCfjok=?=");
	CHECK_STR(field("To"),
	    "To: =?UTF-8?B?SsO2aG4g8J+YgCBExZM=?= <alice@example.org>");
}

TEST(long_name_folds_into_encoded_words_at_spaces)
{
	struct lk_mail	m = base();
	const char	*name = "Le Site — très long nom de site pour voir le "
	    "pliage des mots encodés 🎉🎉🎉 fin";

	m.from_name = name;
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("From"),
	    "From: =?UTF-8?B?TGUgU2l0ZSDigJQgdHLDqHMgbG9uZyBub20gZGUgc2l0ZSBwb3VyIA==?=\n"
	    " =?UTF-8?B?dm9pciBsZSBwbGlhZ2UgZGVzIG1vdHMgZW5jb2TDqXMg?=\n"
	    " =?UTF-8?B?8J+OifCfjonwn46JIGZpbg==?= <noreply@example.com>");
	CHECK_STR(decode_words(field("From")), name);
}

TEST(long_texts_round_trip_within_limits)
{
	static const char *const texts[] = {
		"🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
		"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
		    "éééééééééééééééééééééééééééééééé",
		"Ω a 中文 b ε c 日本語 d 🎉 e ü f Ω a 中文 b ε c 日本語 d 🎉 e "
		    "ü f Ω a 中文 b ε c 日本語 d 🎉 e ü f",
		"x🎉xx🎉xxx🎉xxxx🎉xxxxx🎉xxxxxx🎉xxxxxxx🎉xxxxxxxx🎉xxxxxxxxx"
		    "🎉xxxxxxxxxx🎉xxxxxxxxxxx🎉",
	};
	struct lk_mail	m = base();
	size_t		i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		m.to_name = texts[i];
		m.from_name = texts[i];
		m.subject = texts[i];
		CHECK(fmt(&m) > 0);
		CHECK_STR(decode_words(field("From")), texts[i]);
		CHECK_STR(decode_words(field("To")), texts[i]);
		CHECK_STR(decode_words(field("Subject")), texts[i]);
	}
}

TEST(long_ascii_subject_folds_at_spaces)
{
	struct lk_mail	m = base();

	m.subject = "A very long plain ASCII subject line that certainly needs "
	    "folding because it is over seventy-eight characters";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"),
	    "Subject: A very long plain ASCII subject line that certainly needs folding\n"
	    " because it is over seventy-eight characters");
	/* A line of 78 characters stays whole; one of 79 folds. */
	m.subject = "xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx "
	    "xxxxxxxxx y";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"), "Subject: xxxxxxxxx xxxxxxxxx xxxxxxxxx "
	    "xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx\n y");
	m.subject = "xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx xxxxxxxxx "
	    "xxxxxxxxxx y";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"), "Subject: xxxxxxxxx xxxxxxxxx xxxxxxxxx "
	    "xxxxxxxxx xxxxxxxxx xxxxxxxxx\n xxxxxxxxxx y");
	/* A word that no line could hold goes encoded instead. */
	m.subject = "Reset "
	    "0123456789012345678901234567890123456789012345678901234567890123456789";
	CHECK(fmt(&m) > 0);
	CHECK(strncmp(field("Subject"), "Subject: =?UTF-8?B?", 19) == 0);
	CHECK_STR(decode_words(field("Subject")), m.subject);
}

TEST(names_with_specials_are_quoted)
{
	struct lk_mail	m = base();

	m.to_name = "O\"Brien, Pat \\ Jr.";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: \"O\\\"Brien, Pat \\\\ Jr.\" <alice@example.org>");
	m.to_name = "J. Doe";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: \"J. Doe\" <alice@example.org>");
	m.to_name = "Eve <eve@evil.example>";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"),
	    "To: \"Eve <eve@evil.example>\" <alice@example.org>");
	/* Apostrophes and hyphens are atext: no quotes needed. */
	m.to_name = "Ann-Marie O'Neil";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: Ann-Marie O'Neil <alice@example.org>");
	/* The subject is unstructured: specials stay as they are. */
	m.subject = "Sign-in from \"Firefox\" <new>, (today)";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"),
	    "Subject: Sign-in from \"Firefox\" <new>, (today)");
}

TEST(texts_a_reader_would_misread_are_encoded)
{
	struct lk_mail	m = base();

	/* "=?" would be decoded as an encoded-word of the sender's making. */
	m.to_name = "=?x?= Bob";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: =?UTF-8?B?PT94Pz0gQm9i?= <alice@example.org>");
	/* Folding could not keep leading or repeated spaces. */
	m.to_name = " Bob";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("To"), "To: =?UTF-8?B?IEJvYg==?= <alice@example.org>");
	m.subject = "Bob  Smith";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"), "Subject: =?UTF-8?B?Qm9iICBTbWl0aA==?=");
}

TEST(no_display_name_gives_bare_address)
{
	struct lk_mail	m = base();

	m.to_name = NULL;
	m.from_name = "";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("From"), "From: noreply@example.com");
	CHECK_STR(field("To"), "To: alice@example.org");
}

TEST(controls_in_every_header_input_refused)
{
	static const char *const bad[] = {
		"a\rb", "a\nb", "a\r\nBcc: eve@evil.example", "\r\n", "a\tb",
		"a\x01" "b", "a\x1b[31mb", "a\x7f" "b", "a\xc2\x85" "b",
		"a\xc2\x9b" "b", "\xff", "\xc0\xaf", "\xed\xa0\x80",
	};
	struct lk_mail	m;
	size_t		i;
	char		addr[64];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = base();
		m.from_name = bad[i];
		CHECK_INT(fmt(&m), -1);
		CHECK_STR(err, "from_name: not UTF-8 text without control "
		    "characters");
		CHECK_STR(out, "");
		m = base();
		m.to_name = bad[i];
		CHECK_INT(fmt(&m), -1);
		CHECK_STR(err, "to_name: not UTF-8 text without control "
		    "characters");
		m = base();
		m.subject = bad[i];
		CHECK_INT(fmt(&m), -1);
		CHECK_STR(err, "subject: not UTF-8 text without control "
		    "characters");
		(void)snprintf(addr, sizeof(addr), "alice%s@example.org", bad[i]);
		m = base();
		m.to_addr = addr;
		CHECK_INT(fmt(&m), -1);
		CHECK_STR(err, "to_addr: not a plain ASCII address "
		    "(local@domain)");
		m = base();
		m.from_addr = addr;
		CHECK_INT(fmt(&m), -1);
		m = base();
		m.message_id = bad[i];
		CHECK_INT(fmt(&m), -1);
	}
}

TEST(nul_ends_a_header_input)
{
	struct lk_mail	m = base();

	/*
	 * C strings end at NUL: text after one never reaches the message
	 * (callers holding lengths, like the JSON parser, refuse NUL).
	 */
	m.subject = "Hi\0\nBcc: eve@evil.example";
	CHECK(fmt(&m) > 0);
	CHECK_STR(field("Subject"), "Subject: Hi");
	CHECK(strstr(out, "Bcc") == NULL);
}

TEST(body_controls_refused_newline_and_tab_kept)
{
	struct lk_mail	m = base();

	m.body = "a\r\nb\n";
	CHECK_INT(fmt(&m), -1);
	CHECK_STR(err, "body: a control character other than newline and tab");
	m.body = "a\x01" "b\n";
	CHECK_INT(fmt(&m), -1);
	m.body = "a\x7f\n";
	CHECK_INT(fmt(&m), -1);
	m.body = "a\xc2\x80\n";
	CHECK_INT(fmt(&m), -1);
	m.body = "a\xff\n";
	CHECK_INT(fmt(&m), -1);
	CHECK_STR(err, "body: not valid UTF-8");
	m.body = "a\tb\t\n";
	CHECK(fmt(&m) > 0);
	CHECK_STR(strstr(out, "\n\n") + 2, "a\tb=09\n");
}

TEST(body_quoted_printable_rules)
{
	struct lk_mail	m = base();

	/* Trailing space, '=', a final newline added, dot and From lines. */
	m.body = "x = y \n.\n..\nFrom me\nFrom\nfrom x\nlast";
	CHECK(fmt(&m) > 0);
	CHECK_STR(strstr(out, "\n\n") + 2,
	    "x =3D y=20\n=2E\n=2E.\n=46rom me\nFrom\nfrom x\nlast\n");
	m.body = "";
	CHECK(fmt(&m) > 0);
	CHECK_STR(strstr(out, "\n\n") + 2, "");
}

TEST(body_lines_break_softly_at_76)
{
	struct lk_mail	m = base();
	char		body[256], expect[256];

	/* 76 characters fit on one line; 77 need a soft break. */
	memset(body, 'a', 76);
	(void)snprintf(body + 76, sizeof(body) - 76, "\n");
	m.body = body;
	CHECK(fmt(&m) > 0);
	CHECK_STR(strstr(out, "\n\n") + 2, body);
	memset(body, 'a', 77);
	(void)snprintf(body + 77, sizeof(body) - 77, "\n");
	CHECK(fmt(&m) > 0);
	memset(expect, 'a', 75);
	(void)snprintf(expect + 75, sizeof(expect) - 75, "=\naa\n");
	CHECK_STR(strstr(out, "\n\n") + 2, expect);
	/* A character's bytes stay on one line; a '.' after a break too. */
	memset(body, 'a', 73);
	(void)snprintf(body + 73, sizeof(body) - 73, "é.\n");
	CHECK(fmt(&m) > 0);
	memset(expect, 'a', 73);
	(void)snprintf(expect + 73, sizeof(expect) - 73, "=\n=C3=A9.\n");
	CHECK_STR(strstr(out, "\n\n") + 2, expect);
	memset(body, 'a', 75);
	(void)snprintf(body + 75, sizeof(body) - 75, ".\n");
	CHECK(fmt(&m) > 0);
	memset(expect, 'a', 75);
	(void)snprintf(expect + 75, sizeof(expect) - 75, ".\n");
	CHECK_STR(strstr(out, "\n\n") + 2, expect);
	memset(body, 'a', 75);
	(void)snprintf(body + 75, sizeof(body) - 75, "b.\n");
	CHECK(fmt(&m) > 0);
	memset(expect, 'a', 75);
	(void)snprintf(expect + 75, sizeof(expect) - 75, "=\nb.\n");
	CHECK_STR(strstr(out, "\n\n") + 2, expect);
	memset(body, 'a', 75);
	(void)snprintf(body + 75, sizeof(body) - 75, "..\n");
	CHECK(fmt(&m) > 0);
	memset(expect, 'a', 75);
	(void)snprintf(expect + 75, sizeof(expect) - 75, "=\n=2E.\n");
	CHECK_STR(strstr(out, "\n\n") + 2, expect);
}

TEST(every_line_of_a_message_is_short)
{
	const char	*p, *nl;

	CHECK(fmt(&sample) > 0);
	for (p = out; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		CHECK(nl != NULL);
		if (nl == NULL)
			break;
		CHECK((size_t)(nl - p) <= 78);
	}
	for (p = out; *p != '\0'; p++)
		CHECK((unsigned char)*p < 0x80 && *p != '\r');
}

TEST(lengths_bounded)
{
	struct lk_mail	m = base();
	char		name[LK_MAIL_NAME_MAX + 2], subj[LK_MAIL_SUBJECT_MAX + 2];

	memset(name, 'n', LK_MAIL_NAME_MAX);
	name[LK_MAIL_NAME_MAX] = '\0';
	m.to_name = name;
	CHECK(fmt(&m) > 0);
	name[LK_MAIL_NAME_MAX] = 'n';
	name[LK_MAIL_NAME_MAX + 1] = '\0';
	CHECK_INT(fmt(&m), -1);
	CHECK_STR(err, "to_name: longer than 400 bytes");
	m = base();
	memset(subj, 's', LK_MAIL_SUBJECT_MAX + 1);
	subj[LK_MAIL_SUBJECT_MAX + 1] = '\0';
	m.subject = subj;
	CHECK_INT(fmt(&m), -1);
	CHECK_STR(err, "subject: longer than 512 bytes");
	m.subject = "";
	CHECK_INT(fmt(&m), -1);
	CHECK_STR(err, "subject: empty");
	m.subject = NULL;
	CHECK_INT(fmt(&m), -1);
}

TEST(output_that_does_not_fit_refused)
{
	struct lk_mail	m = base();
	char		small[1024];
	long		n;

	n = fmt(&m);
	CHECK(n > 0 && (size_t)n < sizeof(small));
	if (n <= 0 || (size_t)n >= sizeof(small))
		return;
	CHECK_INT(lk_mail_format(&m, NOW_2026, small, (size_t)n + 1, err,
	    sizeof(err)), n);
	CHECK_INT(lk_mail_format(&m, NOW_2026, small, (size_t)n, err,
	    sizeof(err)), -1);
	CHECK_STR(small, "");
	CHECK(strstr(err, "does not fit") != NULL);
	CHECK_INT(lk_mail_format(&m, NOW_2026, small, 0, err, sizeof(err)), -1);
}

TEST(addresses_plain_addr_spec_only)
{
	static const char *const good[] = {
		"a@b", "alice@example.org", "user+tag@example.com",
		"o'neil@example.com", "first.last@sub.example.co.uk",
		"x@xn--bcher-kva.example", "a-b_c=d@a-b.example",
	};
	static const char *const bad[] = {
		"", "a", "@example.com", "a@", "a@@b.c", "a@b@c.d",
		"a b@c.d", " a@b.c", "a@b.c ", "<a@b.c>", "a@b.c>",
		"\"a\"@b.c", "a(b)@c.d", "a,b@c.d", "a@b.c,d@e.f", "a..b@c.d",
		".a@b.c", "a.@b.c", "a@-b.c", "a@b-.c", "a@b..c", "a@b.c.",
		"a@.b.c", "a@[192.0.2.1]", "é@b.c", "a@bü.example",
		"a@b_c.d", "a\\b@c.d", "a:b@c.d", "a;b@c.d",
	};
	char	addr[400];
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!lk_mail_addr_valid(good[i])) {
			fprintf(stderr, "refused %s\n", good[i]);
			CHECK(0);
		}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (lk_mail_addr_valid(bad[i])) {
			fprintf(stderr, "accepted %s\n", bad[i]);
			CHECK(0);
		}
	/* Local part: 64 bytes. */
	memset(addr, 'l', 64);
	(void)snprintf(addr + 64, sizeof(addr) - 64, "@example.com");
	CHECK(lk_mail_addr_valid(addr));
	memset(addr, 'l', 65);
	(void)snprintf(addr + 65, sizeof(addr) - 65, "@example.com");
	CHECK(!lk_mail_addr_valid(addr));
	/* Labels: 63 characters. */
	addr[0] = 'a';
	addr[1] = '@';
	memset(addr + 2, 'd', 63);
	(void)snprintf(addr + 65, sizeof(addr) - 65, ".example");
	CHECK(lk_mail_addr_valid(addr));
	memset(addr + 2, 'd', 64);
	(void)snprintf(addr + 66, sizeof(addr) - 66, ".example");
	CHECK(!lk_mail_addr_valid(addr));
	/* The whole: 254 bytes. */
	memset(addr, 'l', 60);
	addr[60] = '@';
	for (i = 61; i < 254; i++)
		addr[i] = (i - 61) % 10 == 9 ? '.' : 'd';
	addr[253] = 'd';
	addr[254] = '\0';
	CHECK(lk_mail_addr_valid(addr));
	addr[254] = 'd';
	addr[255] = '\0';
	CHECK(!lk_mail_addr_valid(addr));
}

TEST(command_split_into_words)
{
	struct lk_mail_argv	a;

	CHECK_INT(lk_mail_command_parse("/usr/sbin/sendmail -t -i", &a, err,
	    sizeof(err)), 0);
	CHECK_INT(a.argc, 3);
	CHECK_STR(a.argv[0], "/usr/sbin/sendmail");
	CHECK_STR(a.argv[1], "-t");
	CHECK_STR(a.argv[2], "-i");
	CHECK(a.argv[3] == NULL);
	CHECK_INT(lk_mail_command_parse("  /usr/bin/msmtp\t-C  /etc/m.rc "
	    "-t -i\t", &a, err, sizeof(err)), 0);
	CHECK_INT(a.argc, 5);
	CHECK_STR(a.argv[0], "/usr/bin/msmtp");
	CHECK_STR(a.argv[2], "/etc/m.rc");
	CHECK_STR(a.argv[4], "-i");
	CHECK(a.argv[5] == NULL);
	CHECK_INT(lk_mail_command_parse("/usr/sbin/sendmail -t -i "
	    "-fbounce+x=y@example.com -oi -C=/a,b:c%d", &a, err, sizeof(err)),
	    0);
	CHECK_INT(a.argc, 6);
}

TEST(command_refusals)
{
	static const char *const shell[] = {
		"/usr/sbin/sendmail -f 'a b'", "/usr/sbin/sendmail \"-t\"",
		"/usr/sbin/sendmail -C $HOME/x", "/usr/sbin/sendmail -t;id",
		"/usr/sbin/sendmail -t | cat", "/usr/sbin/sendmail `id`",
		"/usr/sbin/sendmail -t > /tmp/x", "/usr/sbin/sendmail -t < x",
		"/usr/sbin/sendmail -t &", "/usr/sbin/* -t",
		"/usr/sbin/sendmail -C ~/x", "/usr/sbin/sendmail a\\ b",
		"/usr/sbin/sendmail -t #x", "/usr/sbin/sendmail (x)",
		"/usr/sbin/sendmail [x]", "/usr/sbin/sendmail {x}",
		"/usr/sbin/sendmail x?", "/usr/sbin/sendmail !x",
	};
	struct lk_mail_argv	a;
	char			cmd[LK_MAIL_CMD_MAX + 8];
	size_t			i;

	for (i = 0; i < sizeof(shell) / sizeof(shell[0]); i++) {
		CHECK_INT(lk_mail_command_parse(shell[i], &a, err, sizeof(err)),
		    -1);
		CHECK(strstr(err, "only a shell would interpret") != NULL);
		CHECK_INT(a.argc, 0);
		CHECK(a.argv[0] == NULL);
	}
	CHECK_INT(lk_mail_command_parse("", &a, err, sizeof(err)), -1);
	CHECK_STR(err, "the mail command is empty");
	CHECK_INT(lk_mail_command_parse(" \t ", &a, err, sizeof(err)), -1);
	CHECK_STR(err, "the mail command is empty");
	CHECK_INT(lk_mail_command_parse("sendmail -t", &a, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "absolute path") != NULL);
	CHECK_INT(lk_mail_command_parse("./sendmail -t", &a, err, sizeof(err)),
	    -1);
	CHECK_INT(lk_mail_command_parse("/usr/sbin/sendmail -t\n-i", &a, err,
	    sizeof(err)), -1);
	CHECK(strstr(err, "control character") != NULL);
	CHECK_INT(lk_mail_command_parse("/usr/sbin/sendmail -t\r", &a, err,
	    sizeof(err)), -1);
	CHECK_INT(lk_mail_command_parse("/usr/sbin/séndmail", &a, err,
	    sizeof(err)), -1);
	/* 1023 bytes are accepted, 1024 are not. */
	memset(cmd, 'x', sizeof(cmd));
	cmd[0] = '/';
	cmd[LK_MAIL_CMD_MAX - 1] = '\0';
	CHECK_INT(lk_mail_command_parse(cmd, &a, err, sizeof(err)), 0);
	cmd[LK_MAIL_CMD_MAX - 1] = 'x';
	cmd[LK_MAIL_CMD_MAX] = '\0';
	CHECK_INT(lk_mail_command_parse(cmd, &a, err, sizeof(err)), -1);
	CHECK_STR(err, "the mail command is longer than 1023 bytes");
	/* 16 words are accepted, 17 are not. */
	CHECK_INT(lk_mail_command_parse("/bin/x 2 3 4 5 6 7 8 9 10 11 12 13 14 "
	    "15 16", &a, err, sizeof(err)), 0);
	CHECK_INT(a.argc, 16);
	CHECK_INT(lk_mail_command_parse("/bin/x 2 3 4 5 6 7 8 9 10 11 12 13 14 "
	    "15 16 17", &a, err, sizeof(err)), -1);
	CHECK_STR(err, "the mail command has more than 16 words");
	CHECK_INT(a.argc, 0);
}

static long long
ms_now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* No child of ours is left, running or a zombie. */
static int
no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

TEST(send_true_is_ok)
{
	long long	t0;
	int		status = -1;

	/* An exit is noticed at once, not at the next tick or deadline. */
	t0 = ms_now();
	CHECK_INT(lk_mail_send("/bin/true", "x\n", 2, 5000, &status, err,
	    sizeof(err)), LK_MAIL_OK);
	CHECK(ms_now() - t0 < 500);
	CHECK_INT(status, 0);
	CHECK_STR(err, "exited with status 0");
	CHECK(no_children());
}

TEST(send_notices_an_exit_at_once)
{
	long long	t0, ms;
	int		status = -1;

	t0 = ms_now();
	CHECK_INT(lk_mail_send("/bin/sleep 0.2", "x\n", 2, 5000, &status, err,
	    sizeof(err)), LK_MAIL_OK);
	ms = ms_now() - t0;
	CHECK(ms >= 200 && ms < 700);
}

TEST(send_false_gives_its_status)
{
	int	status = -1;

	CHECK_INT(lk_mail_send("/bin/false", "x\n", 2, 5000, &status, err,
	    sizeof(err)), LK_MAIL_EXIT);
	CHECK_INT(status, 1);
	CHECK_STR(err, "exited with status 1");
	CHECK(no_children());
}

TEST(send_names_sysexits_and_signals)
{
	char	cmd[LK_MAIL_CMD_MAX];
	int	status = -1;

	(void)snprintf(cmd, sizeof(cmd), "%s --child-exit 75", self);
	CHECK_INT(lk_mail_send(cmd, "x\n", 2, 5000, &status, err, sizeof(err)),
	    LK_MAIL_EXIT);
	CHECK_INT(status, 75);
	CHECK_STR(err, "exited with status 75 (EX_TEMPFAIL)");
	(void)snprintf(cmd, sizeof(cmd), "%s --child-signal", self);
	CHECK_INT(lk_mail_send(cmd, "x\n", 2, 5000, &status, err, sizeof(err)),
	    LK_MAIL_SIGNAL);
	CHECK_INT(status, SIGTERM);
	CHECK(no_children());
}

TEST(send_missing_program_could_not_start)
{
	char		 cmd[LK_MAIL_CMD_MAX], expect[LK_MAIL_CMD_MAX + 64];
	const char	*noexec;
	int		 status = -1;

	CHECK_INT(lk_mail_send("/nonexistent/sendmail -t -i", "x\n", 2, 5000,
	    &status, err, sizeof(err)), LK_MAIL_NOSTART);
	CHECK_INT(status, 0);
	CHECK_STR(err, "could not start /nonexistent/sendmail: No such file or "
	    "directory");
	/* Not executable, for root too: no execute bit at all. */
	noexec = tmp_file("noexec", "#!/bin/sh\n", 0644);
	(void)snprintf(cmd, sizeof(cmd), "%s -t", noexec);
	CHECK_INT(lk_mail_send(cmd, "x\n", 2, 5000, &status, err,
	    sizeof(err)), LK_MAIL_NOSTART);
	(void)snprintf(expect, sizeof(expect), "could not start %s: "
	    "Permission denied", noexec);
	CHECK_STR(err, expect);
	CHECK_INT(lk_mail_send("sendmail -t", "x\n", 2, 5000, &status, err,
	    sizeof(err)), LK_MAIL_NOSTART);
	CHECK(strncmp(err, "could not start: the mail command must", 38) == 0);
	CHECK_INT(lk_mail_send("/bin/true", "x\n", 2, 0, &status, err,
	    sizeof(err)), LK_MAIL_NOSTART);
	CHECK(no_children());
}

TEST(send_slow_program_times_out_and_is_reaped)
{
	long long	t0, ms;
	int		status = -1;

	t0 = ms_now();
	CHECK_INT(lk_mail_send("/bin/sleep 10", "x\n", 2, 1000, &status, err,
	    sizeof(err)), LK_MAIL_TIMEOUT);
	ms = ms_now() - t0;
	CHECK(ms >= 1000 && ms < 1500);
	CHECK_STR(err, "timed out after 1000 ms");
	CHECK(no_children());
}

TEST(send_timeout_holds_while_input_is_not_read)
{
	static char	big[1 << 20];
	long long	t0, ms;
	int		status = -1;

	/* More than a pipe holds, to a program that never reads. */
	memset(big, 'a', sizeof(big));
	t0 = ms_now();
	CHECK_INT(lk_mail_send("/bin/sleep 10", big, sizeof(big), 1000, &status,
	    err, sizeof(err)), LK_MAIL_TIMEOUT);
	ms = ms_now() - t0;
	CHECK(ms >= 1000 && ms < 1500);
	CHECK(no_children());
}

TEST(send_timeout_holds_while_input_is_read_slowly)
{
	static char	big[1 << 20];
	char		cmd[LK_MAIL_CMD_MAX];
	long long	t0, ms;
	int		status = -1;

	/*
	 * The mailer frees a little room in the pipe and stops reading: a
	 * blocking write of more than that room would never return.
	 */
	memset(big, 'a', sizeof(big));
	(void)snprintf(cmd, sizeof(cmd), "%s --child-read-some", self);
	t0 = ms_now();
	CHECK_INT(lk_mail_send(cmd, big, sizeof(big), 1000, &status, err,
	    sizeof(err)), LK_MAIL_TIMEOUT);
	ms = ms_now() - t0;
	CHECK(ms >= 1000 && ms < 1500);
	CHECK(no_children());
}

/* The process's state of a pid: 'Z' for a zombie, 0 if gone. */
static char
proc_state(pid_t pid)
{
	char	path[64], buf[256], *p;
	FILE	*f;
	size_t	n;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2];
}

TEST(send_timeout_kills_what_the_mailer_started)
{
	char		cmd[LK_MAIL_CMD_MAX], pidfile[300], buf[32];
	long long	gpid = 0, t0;
	FILE		*f;
	size_t		n;
	char		st;
	int		status;

	(void)snprintf(pidfile, sizeof(pidfile), "%s/grandchild", tmp_dir());
	(void)snprintf(cmd, sizeof(cmd), "%s --child-grandchild %s", self,
	    pidfile);
	CHECK_INT(lk_mail_send(cmd, "x\n", 2, 500, &status, err, sizeof(err)),
	    LK_MAIL_TIMEOUT);
	CHECK((f = fopen(pidfile, "r")) != NULL);
	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	CHECK_INT(lk_parse_ll(buf, 2, 1LL << 30, &gpid), 0);
	/* Dead: gone, or a zombie until its new parent reaps it. */
	t0 = ms_now();
	while ((st = proc_state((pid_t)gpid)) != 0 && st != 'Z' &&
	    ms_now() - t0 < 1000)
		(void)usleep(10000);
	CHECK(st == 0 || st == 'Z');
	if (st != 0 && st != 'Z')
		(void)kill((pid_t)gpid, SIGKILL);
}

TEST(send_to_program_that_does_not_read_survives_sigpipe)
{
	static char		big[4 << 20];
	struct sigaction	sa;
	int			status = -1;

	memset(big, 'a', sizeof(big));
	CHECK_INT(lk_mail_send("/bin/true", big, sizeof(big), 5000, &status,
	    err, sizeof(err)), LK_MAIL_OK);
	CHECK_INT(status, 0);
	/* Still alive, and SIGPIPE is back to what it was. */
	CHECK_INT(sigaction(SIGPIPE, NULL, &sa), 0);
	CHECK(sa.sa_handler == SIG_DFL);
	CHECK(no_children());
}

static long long
cpu_ms(void)
{
	struct rusage	ru;

	(void)getrusage(RUSAGE_SELF, &ru);
	return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

TEST(send_waits_without_spinning_when_input_is_closed)
{
	static char	big[1 << 20];
	char		cmd[LK_MAIL_CMD_MAX];
	long long	t0;
	int		status = -1;

	/* A mailer that closes its input early, then works for 500 ms. */
	memset(big, 'a', sizeof(big));
	(void)snprintf(cmd, sizeof(cmd), "%s --child-close-stdin", self);
	t0 = cpu_ms();
	CHECK_INT(lk_mail_send(cmd, big, sizeof(big), 5000, &status, err,
	    sizeof(err)), LK_MAIL_OK);
	CHECK(cpu_ms() - t0 < 100);
	CHECK(no_children());
}

static char *
slurp(const char *dir, const char *name)
{
	static char	buf[4][LK_MAIL_MAX];
	static int	which;
	char		path[512], *b;
	FILE		*f;
	size_t		n = 0;

	b = buf[which++ % 4];
	b[0] = '\0';
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(b, 1, LK_MAIL_MAX - 1, f);
		fclose(f);
	}
	b[n] = '\0';
	return b;
}

TEST(send_child_gets_message_stdio_and_nothing_else)
{
	struct sigaction	 ign, old_hup;
	sigset_t		 usr1, old_mask;
	char			 cmd[LK_MAIL_CMD_MAX], dir[300];
	const char		*env, *sig;
	int			 leak_fd, status = -1, rc;
	long			 n;

	(void)snprintf(dir, sizeof(dir), "%s/report", tmp_dir());
	(void)mkdir(dir, 0700);
	(void)snprintf(cmd, sizeof(cmd), "%s --child-report %s", self, dir);
	/* An inherited descriptor without close-on-exec, like FastCGI's. */
	leak_fd = open("/dev/null", O_RDONLY);
	CHECK(leak_fd > 2);
	/* Dispositions and masks that must not reach the mailer. */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &ign, &old_hup);
	(void)sigemptyset(&usr1);
	(void)sigaddset(&usr1, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &usr1, &old_mask);
	(void)setenv("HTTP_COOKIE", "access_token_cookie=secret", 1);
	(void)setenv("HTTP_AUTHORIZATION", "Bearer secret", 1);
	(void)setenv("HOME", "/home/site", 1);
	(void)setenv("LANG", "C.UTF-8", 1);

	n = fmt(&sample);
	CHECK(n > 0);
	rc = lk_mail_send(cmd, out, (size_t)n, 5000, &status, err, sizeof(err));

	(void)sigprocmask(SIG_SETMASK, &old_mask, NULL);
	(void)sigaction(SIGHUP, &old_hup, NULL);
	(void)unsetenv("HTTP_COOKIE");
	(void)unsetenv("HTTP_AUTHORIZATION");
	close(leak_fd);

	CHECK_INT(rc, LK_MAIL_OK);
	CHECK_STR(slurp(dir, "stdin"), out);
	CHECK_STR(slurp(dir, "fds"), "0 1 2\n");
	CHECK_STR(slurp(dir, "stdout"), "/dev/null /dev/null\n");
	sig = slurp(dir, "sig");
	CHECK(strncmp(sig, "SigBlk:\t0000000000000000\nSigIgn:\t", 33) == 0);
	/*
	 * Nothing ignored but glibc's internal signals 32 and 33, which its
	 * posix_spawn leaves ignored for every program it starts.
	 */
	CHECK(strlen(sig) == 33 + 17 && (strtoull(sig + 33, NULL, 16) &
	    ~((1ULL << 31) | (1ULL << 32))) == 0);
	env = slurp(dir, "env");
	CHECK(strstr(env, "HTTP_") == NULL);
	CHECK(strstr(env, "HOME=/home/site\n") != NULL);
	CHECK(strstr(env, "LANG=C.UTF-8\n") != NULL);
	CHECK(strncmp(env, "PATH=", 5) == 0 || strstr(env, "\nPATH=") != NULL);
	CHECK(no_children());
}

TEST(send_child_without_path_gets_a_default)
{
	char		 cmd[LK_MAIL_CMD_MAX], dir[300], *path;
	const char	*env;
	int		 status = -1;

	(void)snprintf(dir, sizeof(dir), "%s/report2", tmp_dir());
	(void)mkdir(dir, 0700);
	(void)snprintf(cmd, sizeof(cmd), "%s --child-report %s", self, dir);
	path = getenv("PATH") != NULL ? strdup(getenv("PATH")) : NULL;
	(void)unsetenv("PATH");
	CHECK_INT(lk_mail_send(cmd, "", 0, 5000, &status, err, sizeof(err)),
	    LK_MAIL_OK);
	if (path != NULL) {
		(void)setenv("PATH", path, 1);
		free(path);
	}
	CHECK_STR(slurp(dir, "stdin"), "");
	env = slurp(dir, "env");
	CHECK(strstr(env, "PATH=/usr/local/bin:/usr/bin:/bin\n") != NULL);
}

/* --child-report: save stdin, open descriptors, signals, environment. */
static int
child_report(const char *dir)
{
	char		 buf[LK_MAIL_MAX], path[512], line[256], l1[256], l2[256];
	FILE		*f, *st;
	DIR		*d;
	struct dirent	*e;
	size_t		 n = 0;
	ssize_t		 r, k;
	char		**ep;
	long long	 fd;
	int		 first = 1;

	while (n < sizeof(buf) && (r = read(0, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
	(void)snprintf(path, sizeof(path), "%s/stdin", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fwrite(buf, 1, n, f);
	fclose(f);

	(void)snprintf(path, sizeof(path), "%s/fds", dir);
	if ((f = fopen(path, "w")) == NULL || (d = opendir("/proc/self/fd")) ==
	    NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    lk_parse_ll(e->d_name, 0, 1 << 20, &fd) == -1 ||
		    fd == dirfd(d) || fd == fileno(f))
			continue;
		fprintf(f, "%s%s", first ? "" : " ", e->d_name);
		first = 0;
	}
	fprintf(f, "\n");
	closedir(d);
	fclose(f);

	(void)snprintf(path, sizeof(path), "%s/stdout", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	k = readlink("/proc/self/fd/1", l1, sizeof(l1) - 1);
	l1[k > 0 ? k : 0] = '\0';
	k = readlink("/proc/self/fd/2", l2, sizeof(l2) - 1);
	l2[k > 0 ? k : 0] = '\0';
	fprintf(f, "%s %s\n", l1, l2);
	fclose(f);

	(void)snprintf(path, sizeof(path), "%s/sig", dir);
	if ((f = fopen(path, "w")) == NULL ||
	    (st = fopen("/proc/self/status", "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), st) != NULL)
		if (strncmp(line, "SigBlk:", 7) == 0 ||
		    strncmp(line, "SigIgn:", 7) == 0)
			fputs(line, f);
	fclose(st);
	fclose(f);

	(void)snprintf(path, sizeof(path), "%s/env", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	for (ep = environ; *ep != NULL; ep++)
		fprintf(f, "%s\n", *ep);
	fclose(f);
	return 0;
}

/* --child-grandchild: a mailer that starts a long-running helper. */
static int
child_grandchild(const char *pidfile)
{
	FILE	*f;
	pid_t	 pid;

	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		(void)execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	if ((f = fopen(pidfile, "w")) == NULL)
		return 1;
	fprintf(f, "%ld\n", (long)pid);
	fclose(f);
	(void)sleep(30);
	return 0;
}

static void
drain_stdin(void)
{
	char	buf[4096];
	ssize_t	r;

	do
		r = read(0, buf, sizeof(buf));
	while (r > 0);
}

static int
print_sample(void)
{
	long	n;

	if ((n = fmt(&sample)) < 0) {
		fprintf(stderr, "test_mail: %s\n", err);
		return 1;
	}
	return fwrite(out, 1, (size_t)n, stdout) == (size_t)n ? 0 : 1;
}

static int
send_sample(const char *cmd)
{
	long	n;
	int	status, res;

	if ((n = fmt(&sample)) < 0) {
		fprintf(stderr, "test_mail: %s\n", err);
		return 1;
	}
	res = lk_mail_send(cmd, out, (size_t)n, 10000, &status, err,
	    sizeof(err));
	printf("%d %d %s\n", res, status, err);
	return res == LK_MAIL_OK ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	long long	code;
	ssize_t		n;

	if (argc == 2 && strcmp(argv[1], "--print-sample") == 0)
		return print_sample();
	if (argc == 3 && strcmp(argv[1], "--send-sample") == 0)
		return send_sample(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--child-report") == 0)
		return child_report(argv[2]);
	if (argc == 3 && strcmp(argv[1], "--child-exit") == 0) {
		drain_stdin();
		return lk_parse_ll(argv[2], 0, 255, &code) == 0 ? (int)code : 1;
	}
	if (argc == 2 && strcmp(argv[1], "--child-signal") == 0) {
		drain_stdin();
		(void)signal(SIGTERM, SIG_DFL);
		(void)raise(SIGTERM);
		return 1;
	}
	if (argc == 2 && strcmp(argv[1], "--child-close-stdin") == 0) {
		close(0);
		(void)usleep(500000);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--child-read-some") == 0) {
		for (code = 0; code < 16384; code += n)
			if ((n = read(0, out, 4096)) <= 0)
				break;
		(void)sleep(10);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--child-grandchild") == 0)
		return child_grandchild(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_mail [--print-sample | "
		    "--send-sample COMMAND]\n");
		return 2;
	}

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	self[n] = '\0';

	RUN(format_exact_ascii_message);
	RUN(format_exact_sample_message);
	RUN(date_is_rfc5322_utc);
	RUN(date_names_every_day_and_month);
	RUN(message_id_random_at_sender_domain);
	RUN(name_with_e_acute_is_one_encoded_word);
	RUN(emoji_in_subject_and_name);
	RUN(long_name_folds_into_encoded_words_at_spaces);
	RUN(long_texts_round_trip_within_limits);
	RUN(long_ascii_subject_folds_at_spaces);
	RUN(names_with_specials_are_quoted);
	RUN(texts_a_reader_would_misread_are_encoded);
	RUN(no_display_name_gives_bare_address);
	RUN(controls_in_every_header_input_refused);
	RUN(nul_ends_a_header_input);
	RUN(body_controls_refused_newline_and_tab_kept);
	RUN(body_quoted_printable_rules);
	RUN(body_lines_break_softly_at_76);
	RUN(every_line_of_a_message_is_short);
	RUN(lengths_bounded);
	RUN(output_that_does_not_fit_refused);
	RUN(addresses_plain_addr_spec_only);
	RUN(command_split_into_words);
	RUN(command_refusals);
	RUN(send_true_is_ok);
	RUN(send_notices_an_exit_at_once);
	RUN(send_false_gives_its_status);
	RUN(send_names_sysexits_and_signals);
	RUN(send_missing_program_could_not_start);
	RUN(send_slow_program_times_out_and_is_reaped);
	RUN(send_timeout_holds_while_input_is_not_read);
	RUN(send_timeout_holds_while_input_is_read_slowly);
	RUN(send_timeout_kills_what_the_mailer_started);
	RUN(send_to_program_that_does_not_read_survives_sigpipe);
	RUN(send_waits_without_spinning_when_input_is_closed);
	RUN(send_child_gets_message_stdio_and_nothing_else);
	RUN(send_child_without_path_gets_a_default);
	tmp_cleanup();
	return T_END();
}
