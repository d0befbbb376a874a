#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "domain/qr.h"
#include "t.h"

#define URI	"otpauth://totp/Latchkey:ann%40example.com?secret=" \
	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Latchkey&algorithm=SHA1" \
	"&digits=6&period=30"
#define SIDE_MAX	(177 + 8)
#define HEAD	"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "

/* The dark modules an image draws, read back from its one path. */
struct grid {
	int		side;		/* viewBox width and height */
	unsigned char	dark[SIDE_MAX][SIDE_MAX];
};

static int
parse_svg(const char *svg, struct grid *g)
{
	const char	*p, *d;
	int		 x, y, n, n2, used, i, side2;

	memset(g, 0, sizeof(*g));
	if ((p = strstr(svg, "viewBox=\"0 0 ")) == NULL ||
	    sscanf(p, "viewBox=\"0 0 %d %d\"", &g->side, &side2) != 2 ||
	    g->side != side2 || g->side <= 8 || g->side > SIDE_MAX)
		return -1;
	if ((d = strstr(svg, " d=\"")) == NULL)
		return -1;
	for (d += 4; *d == 'M'; d += used) {
		used = 0;
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4 ||
		    used == 0 || n != n2 || n < 1 || x < 0 || y < 0 ||
		    x + n > g->side || y >= g->side)
			return -1;
		for (i = 0; i < n; i++) {
			if (g->dark[y][x + i])
				return -1;	/* drawn twice */
			g->dark[y][x + i] = 1;
		}
	}
	return strcmp(d, "\"/></svg>") == 0 ? 0 : -1;
}

/* Compare the drawn modules with libqrencode's own matrix, offset by 4. */
static int
matches(const struct grid *g, const char *text)
{
	QRcode	*qr;
	int	 x, y, want, ok = 1;

	if ((qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL)
		return 0;
	if (g->side != qr->width + 8)
		ok = 0;
	for (y = 0; ok && y < g->side; y++)
		for (x = 0; x < g->side; x++) {
			want = x >= 4 && y >= 4 && x < qr->width + 4 &&
			    y < qr->width + 4 &&
			    (qr->data[(y - 4) * qr->width + x - 4] & 1);
			if (g->dark[y][x] != want)
				ok = 0;
		}
	QRcode_free(qr);
	return ok;
}

/* Every run ends where the row's dark modules end. */
static int
runs_maximal(const char *svg, const struct grid *g)
{
	const char	*d = strstr(svg, " d=\"") + 4;
	int		 x, y, n, n2, used;

	for (; *d == 'M'; d += used) {
		used = 0;
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4)
			return 0;
		if ((x > 0 && g->dark[y][x - 1]) ||
		    (x + n < g->side && g->dark[y][x + n]))
			return 0;
	}
	return 1;
}

static struct grid	grid;

TEST(svg_draws_libqrencode_matrix_with_quiet_zone)
{
	char	*svg;

	CHECK((svg = lk_qr_svg(URI, "QR code")) != NULL);
	if (svg == NULL)
		return;
	CHECK_INT(parse_svg(svg, &grid), 0);
	CHECK(matches(&grid, URI));
	CHECK(runs_maximal(svg, &grid));
	lk_qr_svg_free(svg);
}

/*
 * The 15 format bits beside the top-left finder, unmasked with
 * 101010000010010, start with the error correction level: 00 is M.
 * Read here from the drawn image, not from libqrencode.
 */
TEST(symbol_uses_error_correction_level_m)
{
	static const int pos[15][2] = {	/* (x, y) in the symbol, bit 14 first */
		{ 0, 8 }, { 1, 8 }, { 2, 8 }, { 3, 8 }, { 4, 8 }, { 5, 8 },
		{ 7, 8 }, { 8, 8 }, { 8, 7 }, { 8, 5 }, { 8, 4 }, { 8, 3 },
		{ 8, 2 }, { 8, 1 }, { 8, 0 },
	};
	char		*svg;
	unsigned	 bits = 0;
	int		 i;

	CHECK((svg = lk_qr_svg(URI, "QR code")) != NULL);
	if (svg == NULL || parse_svg(svg, &grid) == -1) {
		CHECK(0);
		lk_qr_svg_free(svg);
		return;
	}
	for (i = 0; i < 15; i++)
		bits = bits << 1 | grid.dark[pos[i][1] + 4][pos[i][0] + 4];
	bits ^= 0x5412;
	CHECK_INT(bits >> 13, 0);
	lk_qr_svg_free(svg);
}

TEST(svg_markup_is_accessible_and_has_no_style)
{
	char	*svg;

	CHECK((svg = lk_qr_svg(URI, "Scan with your app")) != NULL);
	if (svg == NULL)
		return;
	CHECK(strncmp(svg, HEAD, strlen(HEAD)) == 0);
	CHECK(strstr(svg, " shape-rendering=\"crispEdges\"") != NULL);
	CHECK(strstr(svg, " role=\"img\" aria-label=\"Scan with your app\"")
	    != NULL);
	CHECK(strstr(svg, "<title>Scan with your app</title>") != NULL);
	CHECK(strstr(svg, "style") == NULL);
	CHECK(strstr(svg, "<path fill=\"#000\" d=\"M") != NULL);
	CHECK(strstr(strstr(svg, "<path") + 1, "<path") == NULL);
	CHECK(strstr(svg, "<rect width=\"") != NULL);
	CHECK(strstr(svg, "fill=\"#fff\"") != NULL);
	lk_qr_svg_free(svg);
}

TEST(label_is_escaped_for_xml)
{
	char	*svg;

	CHECK((svg = lk_qr_svg("x", "a<b>&\"c'\xc3\xa9")) != NULL);
	if (svg == NULL)
		return;
	CHECK(strstr(svg, "aria-label=\"a&lt;b&gt;&amp;&quot;c&apos;\xc3\xa9\"")
	    != NULL);
	CHECK(strstr(svg, "<title>a&lt;b&gt;&amp;&quot;c&apos;\xc3\xa9</title>")
	    != NULL);
	lk_qr_svg_free(svg);
}

TEST(refuses_empty_long_and_bad_inputs)
{
	char	text[LK_QR_TEXT_MAX + 2], label[LK_QR_LABEL_MAX + 2];

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memset(label, 'a', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	CHECK(lk_qr_svg("", "QR") == NULL);
	CHECK(lk_qr_svg(text, "QR") == NULL);		/* 513 bytes */
	CHECK(lk_qr_svg("x", "") == NULL);
	CHECK(lk_qr_svg("x", label) == NULL);		/* 129 bytes */
	CHECK(lk_qr_svg("x", "a\nb") == NULL);
	CHECK(lk_qr_svg("x", "a\xc3") == NULL);
}

/* The longest text and the worst label stay within LK_QR_SVG_MAX. */
TEST(longest_input_fits_documented_bound)
{
	char		 text[LK_QR_TEXT_MAX + 1], label[LK_QR_LABEL_MAX + 1];
	char		*svg;
	unsigned	 seed = 12345;
	size_t		 i;

	/* Printable bytes a linear congruential generator picks. */
	for (i = 0; i < LK_QR_TEXT_MAX; i++) {
		seed = seed * 1103515245u + 12345u;
		text[i] = (char)(0x21 + (seed >> 16) % 94);
	}
	text[LK_QR_TEXT_MAX] = '\0';
	memset(label, '"', LK_QR_LABEL_MAX);
	label[LK_QR_LABEL_MAX] = '\0';
	CHECK((svg = lk_qr_svg(text, label)) != NULL);
	if (svg == NULL)
		return;
	CHECK(strlen(svg) < LK_QR_SVG_MAX);
	CHECK_INT(parse_svg(svg, &grid), 0);
	CHECK_INT(grid.side, 89 + 8);
	CHECK(matches(&grid, text));
	printf("# %zu bytes of text: %zu bytes of SVG (bound %d)\n",
	    strlen(text), strlen(svg), LK_QR_SVG_MAX);
	lk_qr_svg_free(svg);
	CHECK((svg = lk_qr_svg(URI, "QR code")) != NULL);
	if (svg != NULL)
		printf("# %zu bytes of otpauth URI: %zu bytes of SVG\n",
		    strlen(URI), strlen(svg));
	lk_qr_svg_free(svg);
}

int
main(void)
{
	RUN(svg_draws_libqrencode_matrix_with_quiet_zone);
	RUN(symbol_uses_error_correction_level_m);
	RUN(svg_markup_is_accessible_and_has_no_style);
	RUN(label_is_escaped_for_xml);
	RUN(refuses_empty_long_and_bad_inputs);
	RUN(longest_input_fits_documented_bound);
	return T_END();
}
