/*
 * loadgen: a small closed-loop HTTP/1.1 load generator for loopback tests
 * and benchmarks.  C connections each send one request, wait for the whole
 * response, and send the next (keep-alive), for D seconds or N requests.
 * One thread and epoll, so that on a small machine the generator takes as
 * little CPU from the server as it can.
 *
 *   loadgen [-c conns] [-d seconds] [-n requests] [-m method]
 *           [-H "Name: value"]... [-b body] [-w warmup-seconds]
 *           http://127.0.0.1:PORT/path
 *
 * Prints one JSON object: requests completed, per-status counts, transport
 * errors (refused, reset, closed mid-response, timeouts), requests/s and
 * latency percentiles in milliseconds.  Requests finished during the
 * warm-up are not counted.  Exits 0 unless it could not run at all.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN		1024
#define BUFSZ		(256 * 1024)
#define TIMEOUT_US	(30 * 1000000LL)

struct conn {
	int		 fd;
	int		 connected;
	size_t		 sent;
	size_t		 got;
	int64_t		 start;		/* µs, when the request was sent */
	char		*buf;
};

static struct sockaddr_in addr;
static char	*req;
static size_t	 reqlen;
static int	 ep;
static long	 status_count[600];
static long	 errors, completed;
static uint32_t	*lat;			/* µs */
static size_t	 nlat, latcap;

static int64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen [-c conns] [-d seconds] [-n requests] "
	    "[-m method] [-H header]... [-b body] [-w warmup] "
	    "http://127.0.0.1:PORT/path\n");
	exit(2);
}

static int
conn_open(struct conn *c)
{
	struct epoll_event	ev;
	int			one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return -1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->connected = 0;
	c->sent = c->got = 0;
	c->start = now_us();
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == -1 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1) {
		(void)epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
}

static void
want(struct conn *c, uint32_t events)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	(void)epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Find a header's value in [h, end); returns NULL if absent. */
static const char *
header(const char *h, const char *end, const char *name, size_t *vlen)
{
	size_t		 n = strlen(name);
	const char	*p = h, *eol, *v;

	while (p < end) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			v = p + n + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

/*
 * Whether buf[0..len) holds a whole response.  Returns its length, 0 if
 * more is needed, -1 if malformed.  Sets *status and *close.
 */
static long
complete(const char *buf, size_t len, int *status, int *closeconn)
{
	const char	*hend, *v, *p, *end = buf + len;
	size_t		 vlen, hlen;
	long		 cl, chunk;
	char		*e;

	if ((hend = memmem(buf, len, "\r\n\r\n", 4)) == NULL)
		return len > BUFSZ / 2 ? -1 : 0;
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0)
		return -1;
	*status = (int)strtol(buf + 9, NULL, 10);
	hlen = (size_t)(hend - buf) + 4;
	*closeconn = (v = header(buf, hend, "Connection", &vlen)) != NULL &&
	    vlen == 5 && strncasecmp(v, "close", 5) == 0;
	if ((v = header(buf, hend, "Content-Length", &vlen)) != NULL) {
		cl = strtol(v, &e, 10);
		if (cl < 0)
			return -1;
		return len >= hlen + (size_t)cl ? (long)(hlen + (size_t)cl) : 0;
	}
	if ((v = header(buf, hend, "Transfer-Encoding", &vlen)) != NULL &&
	    vlen >= 7 && strncasecmp(v, "chunked", 7) == 0) {
		p = buf + hlen;
		for (;;) {
			if ((e = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
				return 0;
			chunk = strtol(p, NULL, 16);
			if (chunk < 0)
				return -1;
			p = e + 2;
			if (chunk == 0) {
				/* No trailers from our servers: one CRLF. */
				if (end - p < 2)
					return 0;
				return (long)(p + 2 - buf);
			}
			if (end - p < chunk + 2)
				return 0;
			p += chunk + 2;
		}
	}
	if (*status == 204 || *status == 304 || *status / 100 == 1)
		return (long)hlen;
	/* Body until close. */
	*closeconn = 1;
	return 0;
}

static void
record(int status, int64_t us, int counting)
{
	if (!counting)
		return;
	completed++;
	if (status >= 0 && status < 600)
		status_count[status]++;
	if (nlat == latcap) {
		latcap = latcap ? latcap * 2 : 65536;
		if ((lat = realloc(lat, latcap * sizeof(*lat))) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	lat[nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	size_t	i;

	if (nlat == 0)
		return 0;
	i = (size_t)(p * (double)(nlat - 1) + 0.5);
	return lat[i] / 1000.0;
}

int
main(int argc, char *argv[])
{
	static struct conn	 conns[MAXCONN];
	struct epoll_event	 evs[256];
	const char		*method = "GET", *body = NULL, *url, *p, *slash;
	char			 hdrs[8192] = "", hostport[64];
	int			 nconn = 64, ch, i, n, st, cl, port, counting;
	double			 dur = 10, warm = 0;
	long			 maxreq = 0, r, started = 0;
	int64_t			 t0, tend, tcount, t;
	size_t			 hl = 0;
	struct conn		*c;
	ssize_t			 k;

	while ((ch = getopt(argc, argv, "b:c:d:H:m:n:w:")) != -1) {
		switch (ch) {
		case 'b': body = optarg; break;
		case 'c': nconn = (int)strtol(optarg, NULL, 10); break;
		case 'd': dur = strtod(optarg, NULL); break;
		case 'H':
			n = snprintf(hdrs + hl, sizeof(hdrs) - hl, "%s\r\n",
			    optarg);
			if (n < 0 || (size_t)n >= sizeof(hdrs) - hl)
				usage();
			hl += (size_t)n;
			break;
		case 'm': method = optarg; break;
		case 'n': maxreq = strtol(optarg, NULL, 10); break;
		case 'w': warm = strtod(optarg, NULL); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || nconn < 1 || nconn > MAXCONN)
		usage();
	url = argv[optind];
	if (strncmp(url, "http://", 7) != 0)
		usage();
	p = url + 7;
	if ((slash = strchr(p, '/')) == NULL || (size_t)(slash - p) >= sizeof(hostport))
		usage();
	memcpy(hostport, p, (size_t)(slash - p));
	hostport[slash - p] = '\0';
	if ((p = strchr(hostport, ':')) == NULL)
		usage();
	port = (int)strtol(p + 1, NULL, 10);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	hostport[p - hostport] = '\0';
	if (inet_pton(AF_INET, hostport, &addr.sin_addr) != 1)
		usage();
	hostport[strlen(hostport)] = ':';

	reqlen = strlen(method) + strlen(slash) + strlen(hostport) + hl +
	    (body ? strlen(body) : 0) + 128;
	if ((req = malloc(reqlen)) == NULL)
		return 1;
	n = snprintf(req, reqlen, "%s %s HTTP/1.1\r\nHost: %s\r\n%s"
	    "Content-Length: %zu\r\n\r\n%s", method, slash, hostport, hdrs,
	    body ? strlen(body) : 0, body ? body : "");
	if (body == NULL && (strcmp(method, "GET") == 0 ||
	    strcmp(method, "HEAD") == 0))
		n = snprintf(req, reqlen, "%s %s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
		    method, slash, hostport, hdrs);
	reqlen = (size_t)n;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return 1;
	t0 = now_us();
	tcount = t0 + (int64_t)(warm * 1e6);
	tend = tcount + (int64_t)(dur * 1e6);
	for (i = 0; i < nconn; i++) {
		conns[i].fd = -1;
		if ((conns[i].buf = malloc(BUFSZ)) == NULL)
			return 1;
		if (conn_open(&conns[i]) == -1)
			errors++;
		started++;
	}
	for (;;) {
		t = now_us();
		if (t >= tend || (maxreq > 0 && completed >= maxreq))
			break;
		/* Reopen connections that failed; time out stuck requests. */
		for (i = 0; i < nconn; i++) {
			c = &conns[i];
			if (c->fd != -1 && t - c->start > TIMEOUT_US) {
				conn_close(c);
				if (t >= tcount)
					errors++;
			}
			if (c->fd == -1 && (maxreq == 0 || started < maxreq)) {
				started++;
				if (conn_open(c) == -1 && t >= tcount)
					errors++;
			}
		}
		n = epoll_wait(ep, evs, 256, 100);
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c->fd == -1)
				continue;
			counting = now_us() >= tcount;
			if (c->sent < reqlen) {
				if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
					conn_close(c);
					if (counting)
						errors++;
					continue;
				}
				if (!(evs[i].events & EPOLLOUT))
					continue;
				k = send(c->fd, req + c->sent, reqlen - c->sent,
				    MSG_NOSIGNAL);
				if (k < 0 && errno != EAGAIN) {
					conn_close(c);
					if (counting)
						errors++;
					continue;
				}
				if (k > 0)
					c->sent += (size_t)k;
				if (c->sent == reqlen)
					want(c, EPOLLIN);
				continue;
			}
			k = recv(c->fd, c->buf + c->got, BUFSZ - c->got, 0);
			if (k < 0 && errno == EAGAIN)
				continue;
			if (k <= 0) {
				/* Closed: a whole response only if body-until-close. */
				conn_close(c);
				if (counting)
					errors++;
				continue;
			}
			c->got += (size_t)k;
			st = 0;
			cl = 0;
			r = complete(c->buf, c->got, &st, &cl);
			if (r == 0)
				continue;
			t = now_us();
			if (r < 0) {
				conn_close(c);
				if (counting)
					errors++;
				continue;
			}
			record(st, t - c->start, counting);
			if (cl || (size_t)r != c->got) {
				conn_close(c);
				continue;
			}
			if (maxreq > 0 && started >= maxreq) {
				conn_close(c);
				continue;
			}
			started++;
			c->sent = c->got = 0;
			c->start = t;
			k = send(c->fd, req, reqlen, MSG_NOSIGNAL);
			if (k > 0)
				c->sent = (size_t)k;
			if (c->sent != reqlen)
				want(c, EPOLLOUT);
		}
	}
	t = now_us();
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	{
		double	 secs = (double)(t - (tcount > t0 ? tcount : t0)) / 1e6;
		int	 first = 1;
		long	 ok = 0;

		for (i = 200; i < 300; i++)
			ok += status_count[i];
		printf("{\"requests\":%ld,\"ok\":%ld,\"errors\":%ld,"
		    "\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,"
		    "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
		    "\"status\":{", completed, ok, errors, secs,
		    secs > 0 ? completed / secs : 0, pct(0.50), pct(0.90),
		    pct(0.99), nlat ? lat[nlat - 1] / 1000.0 : 0);
		for (i = 0; i < 600; i++)
			if (status_count[i]) {
				printf("%s\"%d\":%ld", first ? "" : ",", i,
				    status_count[i]);
				first = 0;
			}
		printf("}}\n");
	}
	return 0;
}
