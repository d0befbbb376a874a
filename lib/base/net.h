#ifndef LK_NET_H
#define LK_NET_H

/*
 * IP addresses and networks (CIDRs), IPv4 and IPv6 alike: an IPv4 address
 * is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), an IPv4 network as the
 * same with 96 more prefix bits, so that one comparison serves both.
 */

#define LK_NET_TEXT_MAX	64	/* bytes of a network as text, NUL included */

/* An IPv6 network; IPv4 ones as IPv4-mapped (::ffff:0:0/96). */
struct lk_net {
	unsigned char	 addr[16];
	unsigned int	 bits;
};

enum lk_net_err {
	LK_NET_OK,
	LK_NET_BAD,		/* not an address or address/bits */
	LK_NET_PREFIX,		/* the prefix length is out of range */
	LK_NET_HOST_BITS	/* bits set past the prefix length */
};

/*
 * An address as 16 bytes (IPv4 as IPv4-mapped IPv6; an IPv6 zone,
 * "%eth0", left out).  Returns 0, or -1 if s is no address.
 */
int	lk_addr_parse(const char *s, unsigned char out[16]);

/*
 * A network: an address (a network of one), or address/bits with no bit
 * set past the prefix length (10.0.0.0/8, 2001:db8::/32).
 */
enum lk_net_err lk_net_parse(const char *s, struct lk_net *net);

/* Whether network net holds the address a (as lk_addr_parse gives it). */
int	lk_net_contains(const struct lk_net *net, const unsigned char a[16]);

#endif
