/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The log2 histogram slot of a value, for the sums -s makes in the
 * kernel (system-call times, scheduler waits): lde_log2_hist.c's slots.
 */
#ifndef _LDE_LOG2_BPF_H
#define _LDE_LOG2_BPF_H

#include "lde_trace.h"

/* floor(log2(v)) by halving the range: six steps, no loop. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; slot |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; slot |= shift;
	shift = (v > 0xff) << 3; v >>= shift; slot |= shift;
	shift = (v > 0xf) << 2; v >>= shift; slot |= shift;
	shift = (v > 0x3) << 1; v >>= shift; slot |= shift;
	slot |= (v >> 1);
	/*
	 * slot < 64 always (a u64 has 64 bits).  The mask, kept after the
	 * barrier so the compiler cannot hoist it, lets the verifier see it.
	 */
	barrier_var(slot);
	return slot & (LDE_HIST_SLOTS - 1);
}

#endif /* _LDE_LOG2_BPF_H */
