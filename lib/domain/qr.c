#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "base/util.h"
#include "domain/qr.h"

#define QUIET	4	/* modules of light margin (ISO/IEC 18004) */

struct buf {
	char	*p;
	size_t	 len, size;
};

static int
put(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append formatted text; -1 once anything did not fit. */
static int
put(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len)
		return -1;
	b->len += (size_t)n;
	return 0;
}

/* Append s with XML's five special characters escaped. */
static int
put_escaped(struct buf *b, const char *s)
{
	const char	*e;
	int		 rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&apos;"; break;
		default: e = NULL; break;
		}
		rc = e != NULL ? put(b, "%s", e) : put(b, "%c", *s);
	}
	return rc;
}

void
lk_qr_svg_free(char *svg)
{
	if (svg == NULL)
		return;
	lk_explicit_bzero(svg, strlen(svg));
	free(svg);
}

char *
lk_qr_svg(const char *text, const char *label)
{
	QRcode		*qr = NULL;
	struct buf	 b = { NULL, 0, LK_QR_SVG_MAX };
	size_t		 tlen, llen;
	int		 x, y, run, w, ok = 0;

	tlen = strnlen(text, LK_QR_TEXT_MAX + 1);
	llen = strnlen(label, LK_QR_LABEL_MAX + 1);
	if (tlen == 0 || tlen > LK_QR_TEXT_MAX || llen == 0 ||
	    llen > LK_QR_LABEL_MAX || lk_utf8_text_len(label, llen) <= 0)
		return NULL;
	/* Level M survives a smudge; 8-bit keeps the text's bytes as they are. */
	if ((qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL ||
	    qr->width <= 0 || (b.p = malloc(b.size)) == NULL)
		goto out;
	w = qr->width + 2 * QUIET;
	if (put(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" "
	    "role=\"img\" aria-label=\"", w, w) == -1 ||
	    put_escaped(&b, label) == -1 || put(&b, "\"><title>") == -1 ||
	    put_escaped(&b, label) == -1 ||
	    put(&b, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
	    "<path fill=\"#000\" d=\"", w, w) == -1)
		goto out;
	/* One subpath per horizontal run of dark modules. */
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x += run) {
			run = 0;
			while (x + run < qr->width &&
			    (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run == 0) {
				run = 1;
				continue;
			}
			if (put(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET,
			    run, run) == -1)
				goto out;
		}
	if (put(&b, "\"/></svg>") == -1)
		goto out;
	ok = 1;
out:
	if (qr != NULL) {
		/* The modules spell the text, which may be a TOTP secret. */
		lk_explicit_bzero(qr->data, (size_t)qr->width * (size_t)qr->width);
		QRcode_free(qr);
	}
	if (!ok && b.p != NULL) {
		lk_explicit_bzero(b.p, b.size);
		free(b.p);
		b.p = NULL;
	}
	return b.p;
}
