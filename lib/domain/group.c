#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "domain/group.h"

#define RULE	"(a group's name is 1 to 64 of a-z, 0-9, '_', '.' and '-', " \
		"starting with a letter or digit)"

_Static_assert(LK_GROUP_NAME_MAX == 64 && LK_GROUP_DESCRIPTION_MAX == 400,
    "the messages say 64 and 400");

/* c as the message shows it: 'c' if printable, else \xNN. */
static void
show_byte(unsigned char c, char *out, size_t outsz)
{
	if (c > 0x20 && c < 0x7f && c != '\'')
		(void)snprintf(out, outsz, "'%c'", c);
	else
		(void)snprintf(out, outsz, "\\x%02x", c);
}

const char *
lk_group_name_check(const char *name)
{
	static char	 msg[192];
	char		 c[8];
	size_t		 n = strlen(name), i;

	if (n == 0)
		return "it is empty " RULE;
	if (n > LK_GROUP_NAME_MAX) {
		(void)snprintf(msg, sizeof(msg), "it is %zu characters long %s",
		    n, RULE);
		return msg;
	}
	i = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-");
	if (i < n) {
		show_byte((unsigned char)name[i], c, sizeof(c));
		(void)snprintf(msg, sizeof(msg), "%s is %s %s", c,
		    name[i] >= 'A' && name[i] <= 'Z' ? "upper case" :
		    "not allowed", RULE);
		return msg;
	}
	if (name[0] == '_' || name[0] == '.' || name[0] == '-') {
		(void)snprintf(msg, sizeof(msg), "it starts with '%c' %s",
		    name[0], RULE);
		return msg;
	}
	return NULL;
}

const char *
lk_group_description_check(const char *text)
{
	size_t	n = strlen(text);

	if (n > LK_GROUP_DESCRIPTION_MAX)
		return "a group's description is at most 400 bytes";
	if (n > 0 && lk_utf8_text_len(text, n) < 0)
		return "a group's description must be UTF-8 text without "
		    "control characters";
	return NULL;
}
