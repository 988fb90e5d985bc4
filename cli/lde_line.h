/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output text built in place: appenders with no format parsing.
 *
 * lde-trace streams two events per system call.  Measured in the guest,
 * formatting each with printf cost more than the BPF programs that made
 * it, and under single-threaded TCG the reader's time is taken from the
 * traced program.  Event lines are appended to one batch, written when a
 * batch of events has been read.
 *
 * Text never overflows its buffer: an append that does not fit is cut
 * short, and a JSON string cut short still ends in its quote.
 */
#ifndef _LDE_LINE_H
#define _LDE_LINE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct lde_line {
	char *buf;
	char *end;			/* where the next byte goes */
	char *limit;			/* buf + its size */
};

static inline void lde_line_start(struct lde_line *l, char *buf, size_t size)
{
	l->buf = l->end = buf;
	l->limit = buf + size;
}

static inline size_t lde_line_len(const struct lde_line *l)
{
	return l->end - l->buf;
}

static inline size_t lde_line_room(const struct lde_line *l)
{
	return l->limit - l->end;
}

static inline void lde_line_mem(struct lde_line *l, const char *s, size_t n)
{
	char *d = l->end;

	/*
	 * A key's length is known when compiling: where it fits, the
	 * compiler copies it in a few moves.
	 */
	if (__builtin_constant_p(n) && n <= lde_line_room(l)) {
		memcpy(d, s, n);
		l->end += n;
		return;
	}
	if (n > lde_line_room(l))
		n = lde_line_room(l);
	l->end += n;
	/* Other short pieces are not worth a call. */
	if (n > 16) {
		memcpy(d, s, n);
		return;
	}
	while (n--)
		*d++ = *s++;
}

/*
 * len bytes (len <= size) of a text kept in a buffer of size bytes (size
 * known when compiling): where the whole buffer fits, one fixed copy of
 * it, and the end moved by len.
 */
static inline void lde_line_kept(struct lde_line *l, const char *text,
				 size_t len, size_t size)
{
	if (size <= lde_line_room(l)) {
		memcpy(l->end, text, size);
		l->end += len;
		return;
	}
	lde_line_mem(l, text, len);
}

static inline void lde_line_str(struct lde_line *l, const char *s)
{
	lde_line_mem(l, s, strlen(s));
}

/* A string literal: its length is known when compiling. */
#define lde_line_lit(l, lit)	lde_line_mem(l, "" lit, sizeof(lit) - 1)

static inline void lde_line_char(struct lde_line *l, char c)
{
	if (l->end < l->limit)
		*l->end++ = c;
}

/* Decimal, as %llu and %lld. */
void lde_line_u64(struct lde_line *l, unsigned long long v);
void lde_line_s64(struct lde_line *l, long long v);
/*
 * Decimal, as lde_line_u64, for a value that most often shares all but its
 * last six digits with the last one given (times of events in a row): the
 * digits above those six are kept in last and reused while they hold.
 */
struct lde_u64_high {
	unsigned long long high;	/* the value / 10^6 kept; 0: none */
	size_t len;
	char text[20];
};
void lde_line_u64_near(struct lde_line *l, struct lde_u64_high *last,
		       unsigned long long v);
/* As %#llx, but 0 is 0x0. */
void lde_line_hex(struct lde_line *l, unsigned long long v);
/* Nanoseconds as seconds with six decimals, cut to the microsecond. */
void lde_line_secs(struct lde_line *l, unsigned long long ns);
/*
 * Nanoseconds as lde_line_secs, for times of events in a row: the whole
 * seconds and their point are kept in last and reused while they hold.
 */
struct lde_secs_kept {
	unsigned long long secs;
	size_t len;			/* 0: nothing kept */
	char text[24];
};
void lde_line_secs_near(struct lde_line *l, struct lde_secs_kept *last,
			unsigned long long ns);
void lde_line_column_slow(struct lde_line *l, const char *col, size_t width);

/*
 * Spaces up to width since col (a left-justified column), then one more.
 * Several columns a line, every line: where it fits, one fixed copy of
 * spaces and the end moved by as many as are wanted.
 */
static inline void lde_line_column(struct lde_line *l, const char *col,
				   size_t width)
{
	static const char spaces[32] = "                                ";
	size_t used = l->end - col;

	if (width < sizeof(spaces) && lde_line_room(l) >= sizeof(spaces)) {
		memcpy(l->end, spaces, sizeof(spaces));
		l->end += used < width ? width + 1 - used : 1;
		return;
	}
	lde_line_column_slow(l, col, width);
}
/*
 * A JSON string of at most max bytes of s: quotes, backslashes, control
 * characters and bytes above 0x7f escaped (\u00XX), so any comm or path,
 * however cut, stays valid UTF-8 JSON.  Cut short, it leaves less than
 * LDE_LINE_JSON_STR_ROOM bytes of room; whole, it may leave as little.
 */
#define LDE_LINE_JSON_STR_ROOM	7

/*
 * The length of the text made since `from`, to keep for the next line:
 * 0 when the line's end cut it (a number cut leaves no room, a JSON
 * string cut less than LDE_LINE_JSON_STR_ROOM), or when it is longer
 * than size, the room kept for it.
 */
static inline size_t lde_line_kept_len(const struct lde_line *l,
				       const char *from, size_t size)
{
	size_t len = l->end - from;

	return lde_line_room(l) >= LDE_LINE_JSON_STR_ROOM && len <= size ?
	       len : 0;
}
void lde_line_json_str(struct lde_line *l, const char *s, size_t max);
/* At most max bytes of s for a column: control characters shown as '?'. */
void lde_line_printable(struct lde_line *l, const char *s, size_t max);
/*
 * s as a C string literal, quoted, the way strace prints one: \" \\ \n
 * \t \r \v \f escaped, every other byte outside ' '..'~' as \ooo.
 */
void lde_line_c_str(struct lde_line *l, const char *s, size_t max);

/*
 * For text wrapped in a column w wide: the length of the next piece of s
 * that fits, broken at a space, or else after a comma, a slash or an
 * underscore, or else cut.
 */
size_t lde_text_piece_len(const char *s, size_t w);

/* Writes the text out and starts again at the beginning of its buffer. */
static inline void lde_line_flush(struct lde_line *l, FILE *f)
{
	fwrite_unlocked(l->buf, 1, lde_line_len(l), f);
	l->end = l->buf;
}

#endif /* _LDE_LINE_H */
