#include <string.h>

#include "http/method.h"

static const struct {
	const char	*name;
	unsigned int	 bit;
} methods[] = {
	{ "GET", LK_METHOD_GET },
	{ "HEAD", LK_METHOD_HEAD },
	{ "POST", LK_METHOD_POST },
	{ "PUT", LK_METHOD_PUT },
	{ "PATCH", LK_METHOD_PATCH },
	{ "DELETE", LK_METHOD_DELETE },
	{ "OPTIONS", LK_METHOD_OPTIONS },
};

#define NMETHODS	(sizeof(methods) / sizeof(methods[0]))

unsigned int
lk_method_bit(const char *name)
{
	size_t	i;

	for (i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return methods[i].bit;
	return 0;
}

void
lk_method_allow(unsigned int bits, char out[LK_METHOD_ALLOW_MAX])
{
	size_t	i, o = 0, n;

	out[0] = '\0';
	for (i = 0; i < NMETHODS; i++) {
		if ((bits & methods[i].bit) == 0)
			continue;
		n = strlen(methods[i].name);
		/* The table's names fit: 7 names, at most 44 bytes in all. */
		if (o + n + 3 > LK_METHOD_ALLOW_MAX)
			break;
		if (o > 0) {
			out[o++] = ',';
			out[o++] = ' ';
		}
		memcpy(out + o, methods[i].name, n);
		o += n;
		out[o] = '\0';
	}
}

int
lk_method_list(const char *v, unsigned int *bits)
{
	char		 word[16];
	size_t		 n;
	unsigned int	 b, acc = 0;

	while (*v != '\0') {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		n = strcspn(v, " \t,");
		if (n >= sizeof(word))
			return -1;
		memcpy(word, v, n);
		word[n] = '\0';
		if ((b = lk_method_bit(word)) == 0)
			return -1;
		acc |= b;
		v += n;
	}
	*bits = acc;
	return 0;
}
