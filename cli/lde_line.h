/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output line built in place, then written with one fwrite.
 *
 * lde-trace streams two events per system call.  Measured in the guest,
 * formatting each with printf cost more than the BPF programs that made
 * it, and under single-threaded TCG the reader's time is taken from the
 * traced program; these appenders do no format parsing.
 *
 * A line never overflows: an append that does not fit is cut short, and a
 * JSON string cut short still ends in its quote.
 */
#ifndef _LDE_LINE_H
#define _LDE_LINE_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define LDE_LINE_MAX	2048

struct lde_line {
	char *end;			/* where the next byte goes */
	char buf[LDE_LINE_MAX];
};

static inline void lde_line_start(struct lde_line *l)
{
	l->end = l->buf;
}

static inline size_t lde_line_len(const struct lde_line *l)
{
	return l->end - l->buf;
}

static inline void lde_line_mem(struct lde_line *l, const char *s, size_t n)
{
	size_t room = LDE_LINE_MAX - lde_line_len(l);

	if (n > room)
		n = room;
	memcpy(l->end, s, n);
	l->end += n;
}

static inline void lde_line_str(struct lde_line *l, const char *s)
{
	lde_line_mem(l, s, strlen(s));
}

/* A string literal: its length is known when compiling. */
#define lde_line_lit(l, lit)	lde_line_mem(l, "" lit, sizeof(lit) - 1)

static inline void lde_line_char(struct lde_line *l, char c)
{
	if (lde_line_len(l) < LDE_LINE_MAX)
		*l->end++ = c;
}

/* Decimal, as %llu and %lld. */
void lde_line_u64(struct lde_line *l, unsigned long long v);
void lde_line_s64(struct lde_line *l, long long v);
/* As %#llx, but 0 is 0x0. */
void lde_line_hex(struct lde_line *l, unsigned long long v);
/* Nanoseconds as seconds with six decimals, cut to the microsecond. */
void lde_line_secs(struct lde_line *l, unsigned long long ns);
/* Spaces up to width since col (a left-justified column), then one more. */
void lde_line_column(struct lde_line *l, const char *col, size_t width);
/*
 * A JSON string of at most max bytes of s: quotes, backslashes, control
 * characters and bytes above 0x7f escaped (\u00XX), so any comm or path,
 * however cut, stays valid UTF-8 JSON.
 */
void lde_line_json_str(struct lde_line *l, const char *s, size_t max);
/* At most max bytes of s for a column: control characters shown as '?'. */
void lde_line_printable(struct lde_line *l, const char *s, size_t max);

static inline void lde_line_write(const struct lde_line *l, FILE *f)
{
	fwrite_unlocked(l->buf, 1, lde_line_len(l), f);
}

#endif /* _LDE_LINE_H */
