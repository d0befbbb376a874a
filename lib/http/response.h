#ifndef LK_RESPONSE_H
#define LK_RESPONSE_H

#include <stddef.h>

#include "base/json.h"
#include "http/request.h"

/*
 * The response under construction: status, extra headers (Set-Cookie,
 * Allow, ...), and a JSON body.  Every response carries
 * "Content-Type: application/json" and "Cache-Control: no-store" (or, for
 * a public document, the cache rule its program sets in cache).
 */

#define LK_RESP_HEADERS_MAX	12
#define LK_RESP_HEADER_MAX	(LK_COOKIE_HEADER_MAX + 512)
/*
 * Room for the largest answer: a TOTP set-up with its QR code (up to
 * 66128 bytes of SVG, qr.h), a list of sessions or passkeys, or a JWK
 * Set of RSA keys (keyring.h).
 */
#define LK_RESP_BODY_MAX	(128 * 1024)

struct lk_io;

struct lk_response {
	int	 status;
	size_t	 nheaders;
	char	 headers[LK_RESP_HEADERS_MAX][LK_RESP_HEADER_MAX];
	size_t	 header_used[LK_RESP_HEADERS_MAX];	/* bytes of each slot that may hold something */
	char	 body[LK_RESP_BODY_MAX];
	size_t	 body_len;
	size_t	 body_used;	/* bytes that may hold something */
	int	 failed;	/* a header or body did not fit: send a 500 */
	int	 bare;		/* the status line alone: no header, no body */
	const char *cache;	/* Cache-Control of a 200; NULL: no-store */
	const char *type;	/* Content-Type; NULL: application/json */
};

/*
 * Wipe the response for the next request.  Only the parts in use are
 * wiped, so a response must start zeroed (static storage, or memset)
 * before its first reset.
 */
void	lk_response_reset(struct lk_response *);

/* Add one header line "Name: value". */
void	lk_response_header(struct lk_response *, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Set status and the body to the JSON object out. */
void	lk_response_json(struct lk_response *, int status,
	    const struct lk_json_out *out);

/*
 * Set status and the body to len bytes of JSON text made elsewhere (an
 * object lk_json_dump wrote), and a newline.
 */
void	lk_response_json_text(struct lk_response *, int status,
	    const char *json, size_t len);

/*
 * Set status, the Content-Type type (a constant) and the body to len
 * bytes of text made elsewhere (the metrics' exposition).
 */
void	lk_response_text(struct lk_response *, int status, const char *type,
	    const char *text, size_t len);

/* Set status and the body {"msg": msg}. */
void	lk_response_msg(struct lk_response *, int status, const char *msg);


/* Write the response to io.  Returns 0, or -1 if the client went away. */
int	lk_response_send(const struct lk_response *, struct lk_io *io);

/* The reason phrase for a status code. */
const char *lk_status_text(int status);

#endif
