#include <arpa/inet.h>
#include <string.h>

#include "base/net.h"
#include "base/util.h"

int
lk_addr_parse(const char *s, unsigned char out[16])
{
	char		tmp[INET6_ADDRSTRLEN + 1];
	size_t		n = strcspn(s, "%");
	unsigned char	v4[4];

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

int
lk_net_contains(const struct lk_net *net, const unsigned char a[16])
{
	unsigned int	full = net->bits / 8, rest = net->bits % 8;
	unsigned char	mask;

	if (memcmp(net->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a[full] & mask);
}

enum lk_net_err
lk_net_parse(const char *s, struct lk_net *net)
{
	char		 tmp[INET6_ADDRSTRLEN + 1];
	const char	*slash = strchr(s, '/');
	size_t		 n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned char	 v4[4], cleared[16];
	long long	 bits;
	unsigned int	 i;
	int		 v6;

	memset(net, 0, sizeof(*net));
	if (n == 0 || n >= sizeof(tmp))
		return LK_NET_BAD;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		v6 = 0;
		net->addr[10] = net->addr[11] = 0xff;
		memcpy(net->addr + 12, v4, 4);
	} else if (inet_pton(AF_INET6, tmp, net->addr) == 1)
		v6 = 1;
	else
		return LK_NET_BAD;
	if (slash == NULL)
		bits = v6 ? 128 : 32;
	else if (lk_parse_ll(slash + 1, 0, v6 ? 128 : 32, &bits) == -1)
		return LK_NET_PREFIX;
	net->bits = (unsigned int)bits + (v6 ? 0 : 96);
	/* The network with its host bits cleared must be itself. */
	memcpy(cleared, net->addr, sizeof(cleared));
	for (i = net->bits; i < 128; i++)
		cleared[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	if (memcmp(cleared, net->addr, sizeof(cleared)) != 0)
		return LK_NET_HOST_BITS;
	return LK_NET_OK;
}
