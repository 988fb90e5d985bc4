/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place lde-bench's cycle counter is chosen per ISA: the
 * free-running counter user space reads without a system call, its
 * instruction's name, and where its rate comes from.
 *
 *   x86-64: rdtsc; the TSC's rate is nowhere user space can read it, so
 *           lde-bench calibrates it against CLOCK_MONOTONIC.
 *   arm64:  the generic timer's virtual count, CNTVCT_EL0 (the kernel lets
 *           EL0 read it: CNTKCTL_EL1.EL0VCTEN, the vDSO's clock), with its
 *           rate in CNTFRQ_EL0 (62.5 MHz under QEMU), set by firmware.
 */
#ifndef LDE_COUNTER_H
#define LDE_COUNTER_H

#if defined(__x86_64__)
#include <x86intrin.h>

/* The instruction, as the results and the homework name it. */
#define LDE_COUNTER_INSN	"rdtsc"
/* The counter, as the table's last lines name it. */
#define LDE_COUNTER_NAME	"TSC"
#define LDE_COUNTER_RATE_FROM	"calibrated against CLOCK_MONOTONIC"

static inline unsigned long long lde_counter_read(void)
{
	return __rdtsc();
}

/* The rate the ISA states, in Hz; 0: none, calibrate. */
static inline unsigned long long lde_counter_stated_hz(void)
{
	return 0;
}
#elif defined(__aarch64__)
#define LDE_COUNTER_INSN	"cntvct_el0"
#define LDE_COUNTER_NAME	"CNTVCT_EL0"
#define LDE_COUNTER_RATE_FROM	"CNTFRQ_EL0"

static inline unsigned long long lde_counter_read(void)
{
	unsigned long long v;

	/* The isb keeps the read from running ahead of earlier instructions. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline unsigned long long lde_counter_stated_hz(void)
{
	unsigned long long hz;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}
#else
#error "lde-bench: no cycle counter for this ISA (cli/lde_counter.h)"
#endif

#endif /* LDE_COUNTER_H */
