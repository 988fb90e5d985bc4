// SPDX-License-Identifier: GPL-2.0
#include "lde_line.h"

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

void lde_line_u64(struct lde_line *l, unsigned long long v)
{
	char tmp[20], *p = tmp + sizeof(tmp);

	if (v < 10) {		/* cpu numbers, privilege levels, flags */
		lde_line_char(l, '0' + v);
		return;
	}
	/* From the last digit back, two at a time. */
	while (v >= 100) {
		unsigned int pair = v % 100;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[2 * pair];
		p[1] = digit_pairs[2 * pair + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = digit_pairs[2 * v];
		p[1] = digit_pairs[2 * v + 1];
	} else {
		*--p = '0' + v;
	}
	lde_line_mem(l, p, tmp + sizeof(tmp) - p);
}

void lde_line_s64(struct lde_line *l, long long v)
{
	if (v < 0) {
		lde_line_char(l, '-');
		/* -(v + 1) + 1: no overflow at LLONG_MIN. */
		lde_line_u64(l, (unsigned long long)-(v + 1) + 1);
		return;
	}
	lde_line_u64(l, v);
}

void lde_line_hex(struct lde_line *l, unsigned long long v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[18], *p = tmp + sizeof(tmp);

	do {
		*--p = hex[v & 0xf];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	lde_line_mem(l, p, tmp + sizeof(tmp) - p);
}

void lde_line_secs(struct lde_line *l, unsigned long long ns)
{
	/* Cut, not rounded: the event had happened by then. */
	unsigned long long usec = ns / 1000;
	unsigned int frac = usec % 1000000;
	char six[6];
	int i;

	lde_line_u64(l, usec / 1000000);
	lde_line_char(l, '.');
	for (i = 5; i >= 0; i--) {
		six[i] = '0' + frac % 10;
		frac /= 10;
	}
	lde_line_mem(l, six, sizeof(six));
}

void lde_line_column(struct lde_line *l, const char *col, size_t width)
{
	size_t used = l->end - col;

	do
		lde_line_char(l, ' ');
	while (++used < width + 1);
}

void lde_line_json_str(struct lde_line *l, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	lde_line_char(l, '"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		/* Cut short, but keep room for one escape and the quote. */
		if (lde_line_room(l) < 7)
			break;
		if (c == '"' || c == '\\') {
			lde_line_char(l, '\\');
			lde_line_char(l, c);
		} else if (c < 0x20 || c >= 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4],
					hex[c & 0xf] };

			lde_line_mem(l, esc, sizeof(esc));
		} else {
			lde_line_char(l, c);
		}
	}
	lde_line_char(l, '"');
}

void lde_line_printable(struct lde_line *l, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		lde_line_char(l, (s[i] >= 0 && s[i] < 0x20) || s[i] == 0x7f ?
				 '?' : s[i]);
}
