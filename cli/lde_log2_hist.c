// SPDX-License-Identifier: GPL-2.0
/* Log2 histograms as bcc's tools draw them: see lde_log2_hist.h. */
#include "lde_log2_hist.h"

/* floor(log2(v)), 0 for 0: at most 63, so always a slot. */
unsigned int lde_log2_slot(unsigned long long v)
{
	return v > 1 ? 63 - __builtin_clzll(v) : 0;
}

/*
 * A log2 histogram as bcc's tools draw one: a line per slot up to the last
 * one used, "low -> high : count |bar|", the bar 40 stars for the largest
 * count (20 when the slots go past 2^32, whose bounds need wider columns).
 * Slot s holds [2^s, 2^(s+1) - 1]; slot 0 holds 0 and 1.
 */
void lde_print_log2_hist(FILE *f, const unsigned long long *slots, int n,
			 const char *unit)
{
	unsigned long long most = 0;
	int last = -1, s, wide, stars, width, i;

	for (s = 0; s < n; s++) {
		if (slots[s])
			last = s;
		if (slots[s] > most)
			most = slots[s];
	}
	if (last < 0)
		return;
	wide = last > 32;
	stars = wide ? 20 : 40;
	width = wide ? 20 : 10;
	fprintf(f, "%*s%-*s : count    distribution\n", wide ? 15 : 5, "",
		wide ? 29 : 19, unit);
	for (s = 0; s <= last; s++) {
		unsigned long long low = s ? 1ULL << s : 0;
		unsigned long long high = (1ULL << s) - 1 + (1ULL << s);
		int bar = slots[s] * stars / most;

		fprintf(f, "%*llu -> %-*llu : %-8llu |", width, low, width, high,
			slots[s]);
		for (i = 0; i < stars; i++)
			fputc(i < bar ? '*' : ' ', f);
		fputs("|\n", f);
	}
}
