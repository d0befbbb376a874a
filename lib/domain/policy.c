#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "domain/password.h"
#include "domain/policy.h"

/*
 * Passwords at the top of every published breach list.  A short list
 * stops the guesses an online attacker tries first; throttling stops the
 * rest.
 */
static const char *const common[] = {
	"000000", "00000000", "0123456789", "1111111", "11111111", "112233",
	"121212", "123123", "123123123", "123321", "1234", "12345", "123456",
	"1234567", "12345678", "123456789", "1234567890", "123456a",
	"1234qwer", "123abc", "123qwe", "147258369", "159753", "1q2w3e",
	"1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "222222", "555555", "654321",
	"666666", "696969", "7777777", "777777", "87654321", "88888888",
	"987654321", "999999", "a123456", "aa123456", "aaaaaa", "abc123",
	"abcd1234", "access", "admin", "admin123", "administrator",
	"asdasd", "asdf1234", "asdfgh", "asdfghjkl", "azerty", "baseball",
	"batman", "changeme", "charlie", "computer", "daniel", "dragon",
	"football", "freedom", "hello123", "hunter2", "iloveyou", "letmein",
	"letmein1", "login", "lovely", "master", "michael", "monkey",
	"mustang", "p@ssw0rd", "pass1234", "passw0rd", "password",
	"password1", "password12", "password123", "password1234", "princess",
	"q1w2e3r4", "q1w2e3r4t5y6", "qazwsx", "qwe123", "qwerty",
	"qwerty123", "qwerty1234", "qwertyuiop", "secret", "shadow",
	"starwars", "sunshine", "superman", "trustno1", "welcome",
	"welcome1", "whatever", "zaq12wsx", "zxcvbnm",
};

const char *
lk_policy_email(const char *email)
{
	const char	*at, *p;
	size_t		 len;

	len = strlen(email);
	if (len < 3 || len > LK_EMAIL_MAX)
		return "The email address must have 3 to 254 characters";
	if ((at = strchr(email, '@')) == NULL || strchr(at + 1, '@') != NULL ||
	    at == email || at[1] == '\0')
		return "The email address must be name@domain";
	for (p = email; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "The email address must not contain spaces or "
			    "control characters";
	/* Non-ASCII is allowed but must be well-formed UTF-8. */
	if (lk_utf8_text_len(email, len) < 0)
		return "The email address must be valid text";
	return NULL;
}

/* Characters that reorder or hide the text around them. */
static int
is_invisible_format(unsigned long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) ||	/* embeddings, overrides */
	    (cp >= 0x2066 && cp <= 0x2069) ||		/* isolates */
	    cp == 0x200e || cp == 0x200f || cp == 0x061c; /* marks */
}

/*
 * Other format characters that show nothing and hide or join text: the
 * soft hyphen, the Mongolian vowel separator, zero-width space, word
 * joiner and invisible operators, the deprecated format controls, the
 * byte order mark, interlinear annotations.  Left alone: the zero-width
 * (non-)joiners, which Persian, Indic scripts and emoji sequences need,
 * and tag characters, which flag emoji need.
 */
static int
is_invisible(unsigned long cp)
{
	return cp == 0x00ad || cp == 0x180e || cp == 0x200b ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x206a && cp <= 0x206f) ||
	    cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

const char *
lk_policy_name(const struct lk_config *cfg, const char *name, size_t len)
{
	static char	 msg[128];
	const unsigned char *p = (const unsigned char *)name;
	unsigned long	 cp;
	long		 chars;
	size_t		 i;
	int		 k;

	chars = lk_utf8_text_len(name, len);
	if (chars < 1 || (size_t)chars > cfg->name_max ||
	    len > LK_NAME_MAX_BYTES || name[0] == ' ' || name[len - 1] == ' ') {
		(void)snprintf(msg, sizeof(msg), "Field \"name\" must be 1 to "
		    "%zu characters of text without leading or trailing spaces",
		    cfg->name_max);
		return msg;
	}
	for (i = 0; i < len; i += (size_t)k) {
		if ((k = lk_utf8_decode(p + i, len - i, &cp)) < 0)
			return "Field \"name\" must be text";
		if (is_invisible_format(cp))
			return "Field \"name\" must not contain invisible "
			    "characters that change the direction of text";
		if (is_invisible(cp))
			return "Field \"name\" must not contain invisible "
			    "characters";
	}
	return NULL;
}

const char *
lk_policy_password(const struct lk_config *cfg, const char *password,
    size_t len, const char *email)
{
	static char	msg[96];
	long		chars;
	size_t		i;

	chars = lk_utf8_text_len(password, len);
	if (chars < 0)
		return "The password must be text without control characters";
	if ((size_t)chars < cfg->password_min) {
		(void)snprintf(msg, sizeof(msg), "The password must have at "
		    "least %zu characters", cfg->password_min);
		return msg;
	}
	if (len >= LK_PASSWORD_MAX)
		return "The password is too long";
	if (email != NULL && strcasecmp(password, email) == 0)
		return "The password must not be the email address";
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (strcasecmp(password, common[i]) == 0)
			return "The password is too common";
	return NULL;
}
