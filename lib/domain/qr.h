#ifndef LK_QR_H
#define LK_QR_H

#include <stddef.h>

/*
 * A QR code as a small SVG image, for showing an otpauth URI to a phone.
 * libqrencode makes the symbol (error correction level M, the whole text
 * in 8-bit mode, the smallest version that holds it); the image is one
 * <path> of dark modules on a white <rect>, in module units with the
 * 4-module quiet zone, colours as attributes (no style: the app's CSP
 * allows no inline style).
 */

#define LK_QR_TEXT_MAX	512	/* bytes: version 18 (89 modules) at level M */
#define LK_QR_LABEL_MAX	128	/* bytes of the accessible name */

/*
 * The longest image (with its NUL) for LK_QR_TEXT_MAX bytes of text and a
 * LK_QR_LABEL_MAX label of '"' (each escaped to 6 bytes, written twice):
 * at most 45 runs of dark modules in each of 89 rows, each run at most
 * "M92 92h10v1h-10z" (16 bytes), plus the fixed markup: 66128 bytes.  In
 * practice 512 random bytes take about 30 KB, and an otpauth URI of 131
 * bytes (version 8, 49 modules) about 9 KB.
 */
#define LK_QR_SVG_MAX	(89 * 45 * 16 + 2 * 6 * LK_QR_LABEL_MAX + 512)

/*
 * Render text (1 to LK_QR_TEXT_MAX bytes, no NUL) as an SVG QR code whose
 * accessible name (aria-label and <title>, escaped for XML) is label (1 to
 * LK_QR_LABEL_MAX bytes of UTF-8 text without control characters).
 * Returns a malloc'd NUL-terminated string of at most LK_QR_SVG_MAX bytes,
 * or NULL (text or label refused, out of memory, libqrencode failed).  The
 * image holds the text: if it is secret, release it with lk_qr_svg_free.
 */
char	*lk_qr_svg(const char *text, const char *label);

/* Wipe and free an image from lk_qr_svg (NULL is allowed). */
void	 lk_qr_svg_free(char *svg);

#endif
