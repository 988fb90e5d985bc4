/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A trap's or return's line as a view last made it, kept by thread
 * (lde_who_slot()'s slots) and stage, from after its time on: a loop's
 * lines repeat all but their time (and a return's kernel_ns), so where
 * the event's bytes from cpu on (a return's up to its kernel_ns) and the
 * arch's words and level (lde_arch_changes) are the same, so is the
 * text.  A return's text ends before its kernel_ns.  -j
 * (lde_render_json.c) and the columns
 * (lde_render_columns.c) keep theirs; lde_view_state_test.c holds each
 * line kept against the line made anew, cut anywhere.
 */
#ifndef _LDE_KEPT_LINE_H
#define _LDE_KEPT_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_line.h"
#include "lde_render.h"
#include "lde_trace.h"

#define LDE_KEPT_LINE_KEY \
	(offsetof(struct lde_event, trap) + sizeof(struct lde_trap_part) - \
	 offsetof(struct lde_event, cpu))
/* Copied in blocks of this many bytes: a line's 100 to 200 in a few moves. */
#define LDE_KEPT_LINE_BLOCK	32

struct lde_kept_line {
	unsigned long long key[LDE_KEPT_LINE_KEY / 8];
	unsigned int arch_changes;	/* lde_arch_changes when made */
	bool seen;		/* the key is the last line's */
	size_t len;		/* 0: no text kept */
	char text[448];		/* a whole number of blocks */
};

/* By [trap, return][lde_who_slot()'s slot]. */
struct lde_kept_lines {
	struct lde_kept_line slot[2][LDE_WHO_KEPT];
};

/* The thread's kept line for a trap or a return; NULL for other events. */
static inline struct lde_kept_line *
lde_kept_line_slot(struct lde_kept_lines *k, const struct lde_event *e)
{
	if (!k || (e->stage != LDE_STAGE_TRAP && e->stage != LDE_STAGE_RETURN))
		return NULL;
	return &k->slot[e->stage == LDE_STAGE_RETURN][e->tid % LDE_WHO_KEPT];
}

/* The bytes of a trap (a return) from cpu on that make its kept line. */
static inline size_t lde_kept_line_key_len(const struct lde_event *e)
{
	return e->stage == LDE_STAGE_TRAP ? LDE_KEPT_LINE_KEY :
	       offsetof(struct lde_event, ret.kernel_ns) -
	       offsetof(struct lde_event, cpu);
}

_Static_assert(offsetof(struct lde_event, cpu) % 8 == 0 &&
	       LDE_KEPT_LINE_KEY % 8 == 0 &&
	       (offsetof(struct lde_event, ret.kernel_ns) -
		offsetof(struct lde_event, cpu)) % 8 == 0,
	       "a kept line's key is compared a word at a time");

/*
 * The kept key is e's (the same bytes, the same arch's words).  A word
 * at a time, not memcmp(): under QEMU's TCG the C library's SSE2 memcmp
 * cost the reader more than the text it saved (perf in the guest).
 */
static inline bool lde_kept_line_is(const struct lde_kept_line *k,
				    const struct lde_event *e)
{
	const char *from = (const char *)&e->cpu;
	size_t i, n = lde_kept_line_key_len(e) / 8;

	if (!k->seen || k->arch_changes != lde_arch_changes)
		return false;
	for (i = 0; i < n; i++) {
		unsigned long long w;

		memcpy(&w, from + 8 * i, 8);
		if (w != k->key[i])
			return false;
	}
	return true;
}

/*
 * The kept line appended when it is e's and fits whole; false: the line
 * is to be made (and near the line's end, cut as that is).
 */
static inline bool lde_kept_line_append(const struct lde_kept_line *k,
					struct lde_line *l,
					const struct lde_event *e)
{
	size_t i;

	if (!k->len || lde_line_room(l) < sizeof(k->text) ||
	    !lde_kept_line_is(k, e))
		return false;
	for (i = 0; i < k->len; i += LDE_KEPT_LINE_BLOCK)
		memcpy(l->end + i, k->text + i, LDE_KEPT_LINE_BLOCK);
	l->end += k->len;
	return true;
}

/*
 * After a line was made: the first time, its key kept; the second time
 * in a row, its text from `from` up to `to` too, kept only when the line
 * was whole and fits (lde_line_kept_len()).  A line seen once is not
 * copied: a trace of lines that do not repeat pays for a key, not a text.
 */
static inline void lde_kept_line_keep(struct lde_kept_line *k,
				      const struct lde_line *l,
				      const char *from, const char *to,
				      const struct lde_event *e)
{
	if (!lde_kept_line_is(k, e)) {
		k->len = 0;
		k->seen = true;
		k->arch_changes = lde_arch_changes;
		memcpy(k->key, &e->cpu, lde_kept_line_key_len(e));
		return;
	}
	k->len = lde_line_kept_len(l, from, sizeof(k->text)) ? to - from : 0;
	memcpy(k->text, from, k->len);
}

#endif /* _LDE_KEPT_LINE_H */
