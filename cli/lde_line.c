// SPDX-License-Identifier: GPL-2.0
#include "lde_line.h"

/* "00" "01" ... "99": two digits per division. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Digits of v < 10^8, written back from end: 32-bit arithmetic. */
static char *digits_below_1e8(char *end, unsigned int v)
{
	while (v >= 100) {
		unsigned int pair = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, digit_pairs + 2 * pair, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * v, 2);
	} else {
		*--end = '0' + v;
	}
	return end;
}

/* The eight digits of v < 10^8, zeros in front, written back from end. */
static char *eight_digits(char *end, unsigned int v)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int pair = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, digit_pairs + 2 * pair, 2);
	}
	return end;
}

/* How many decimal digits v has: a guess from its bit length, then one test. */
static unsigned int decimal_digits(unsigned long long v)
{
	static const unsigned long long pow10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
		100000000000ULL, 1000000000000ULL, 10000000000000ULL,
		100000000000000ULL, 1000000000000000ULL,
		10000000000000000ULL, 100000000000000000ULL,
		1000000000000000000ULL, 10000000000000000000ULL,
	};
	/* 1233 / 4096 is just above log10(2). */
	unsigned int guess = (64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return guess + (v >= pow10[guess]);
}

void lde_line_u64(struct lde_line *l, unsigned long long v)
{
	char tmp[20], *end = tmp + sizeof(tmp), *p;

	if (v < 10) {		/* cpu numbers, privilege levels, flags */
		lde_line_char(l, '0' + v);
		return;
	}
	/* Where it fits, straight into the line, from its last digit back. */
	if (lde_line_room(l) >= sizeof(tmp)) {
		l->end += decimal_digits(v);
		end = l->end;
	}
	/* Eight digits at a time first: most divisions are 32-bit ones. */
	p = end;
	while (v >= 100000000) {
		unsigned int low = v % 100000000;

		v /= 100000000;
		p = eight_digits(p, low);
	}
	p = digits_below_1e8(p, v);
	if (end == tmp + sizeof(tmp))
		lde_line_mem(l, p, end - p);
}

/* The six digits of v < 10^6, zeros in front, at d. */
static inline void six_digits(char *d, unsigned int v)
{
	memcpy(d, digit_pairs + 2 * (v / 10000), 2);
	memcpy(d + 2, digit_pairs + 2 * (v / 100 % 100), 2);
	memcpy(d + 4, digit_pairs + 2 * (v % 100), 2);
}

void lde_line_u64_near(struct lde_line *l, struct lde_u64_high *last,
		       unsigned long long v)
{
	unsigned long long high = v / 1000000;
	char six[6];

	if (!high) {
		lde_line_u64(l, v);
		return;
	}
	/* The common case, where it fits: whole copies, then the length. */
	if (high == last->high &&
	    lde_line_room(l) >= sizeof(last->text) + sizeof(six)) {
		memcpy(l->end, last->text, sizeof(last->text));
		l->end += last->len;
		six_digits(l->end, v % 1000000);
		l->end += sizeof(six);
		return;
	}
	if (high != last->high) {
		char *from = l->end;

		lde_line_u64(l, high);
		last->len = l->end - from;
		/* Digits a full line cut short are not kept. */
		last->high = lde_line_room(l) ? high : 0;
		memcpy(last->text, from, last->len);
	} else {
		lde_line_mem(l, last->text, last->len);
	}
	six_digits(six, v % 1000000);
	lde_line_mem(l, six, sizeof(six));
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
	char six[6];

	lde_line_u64(l, usec / 1000000);
	lde_line_char(l, '.');
	six_digits(six, usec % 1000000);
	lde_line_mem(l, six, sizeof(six));
}

void lde_line_secs_near(struct lde_line *l, struct lde_secs_kept *last,
			unsigned long long ns)
{
	unsigned long long usec = ns / 1000;
	unsigned long long secs = usec / 1000000;
	char six[6];

	if (!last->len || secs != last->secs) {
		struct lde_line kept;

		lde_line_start(&kept, last->text, sizeof(last->text));
		lde_line_u64(&kept, secs);
		lde_line_char(&kept, '.');
		last->secs = secs;
		last->len = lde_line_len(&kept);
	}
	lde_line_kept(l, last->text, last->len, sizeof(last->text));
	six_digits(six, usec % 1000000);
	lde_line_mem(l, six, sizeof(six));
}

void lde_line_column_slow(struct lde_line *l, const char *col, size_t width)
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
		if (lde_line_room(l) < LDE_LINE_JSON_STR_ROOM)
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
		lde_line_char(l, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
				 '?' : s[i]);
}

void lde_line_c_str(struct lde_line *l, const char *s, size_t max)
{
	size_t i;

	lde_line_char(l, '"');
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];
		char esc = 0;

		/* Cut short, but keep room for one escape and the quote. */
		if (lde_line_room(l) < 6)
			break;
		switch (c) {
		case '"': esc = '"'; break;
		case '\\': esc = '\\'; break;
		case '\n': esc = 'n'; break;
		case '\t': esc = 't'; break;
		case '\r': esc = 'r'; break;
		case '\v': esc = 'v'; break;
		case '\f': esc = 'f'; break;
		}
		if (esc) {
			lde_line_char(l, '\\');
			lde_line_char(l, esc);
		} else if (c < ' ' || c > '~') {
			char oct[4] = { '\\', '0' + (c >> 6), '0' + ((c >> 3) & 7),
					'0' + (c & 7) };

			lde_line_mem(l, oct, sizeof(oct));
		} else {
			lde_line_char(l, c);
		}
	}
	lde_line_char(l, '"');
}

size_t lde_text_piece_len(const char *s, size_t w)
{
	size_t n = strlen(s), cut;

	if (n <= w)
		return n;
	for (cut = w; cut > w / 2; cut--)
		if (s[cut] == ' ')
			return cut;
	for (cut = w; cut > w / 2; cut--)
		if (strchr(",/_", s[cut - 1]))
			return cut;
	return w;
}
