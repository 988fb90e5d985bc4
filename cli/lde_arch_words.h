/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words each ISA says the chapter's rows in: the mode change, the
 * saved PC and SP, the return-from-trap instruction, where the CPU keeps
 * the trap table, the timer, and what switch() saves.  The views take
 * them from here, for the arch of the trace (its header's "arch", or the
 * machine lde-trace runs on), so an arm64 trace replayed on an x86 host
 * is said in arm64's words.
 */
#ifndef _LDE_ARCH_WORDS_H
#define _LDE_ARCH_WORDS_H

#include <stdbool.h>
#include <stddef.h>

struct lde_arch_words {
	const char *arch;		/* uname's machine: "x86_64" */
	/* A privilege level: "CPL 3", "EL0"; in the columns: "cpl 3". */
	const char *level_prefix, *columns_level_prefix;
	/*
	 * The levels user code and the kernel run at: x86's CPL 3 and 0;
	 * arm64's EL0 and EL1 (EL2 for a kernel with VHE: lde.ko's
	 * CurrentEL says, lde_arch_use_kernel_level()).
	 */
	unsigned long long user_level, kernel_level;
	/* An arrow between levels names the second too: "EL0 -> EL1". */
	bool level_prefix_both;
	/* The saved user PC and SP, as the trap frame holds them. */
	const char *saved_pc, *saved_sp;
	/* Said before a trap's number: "svc #0, " on arm64. */
	const char *trap_insn_prefix;
	const char *trap_return;	/* "sysretq", "eret" */
	/* Where the CPU finds the system-call handler; a vector's name. */
	const char *syscall_reg;	/* "MSR_LSTAR", "VBAR_EL1+0x400" */
	const char *trap_table_reg;	/* arm64: "VBAR_EL1" (= vectors) */
	const char *vector_prefix;	/* "IDT ", "VBAR_EL1+" */
	bool vector_hex;		/* arm64's slots are offsets */
	int timer_vector;		/* when lde.ko did not say */
	const char *syscall_handler_unknown;
	const char *timer_handler_unknown;
	const char *boot_needs_module;
	/* Where switch() keeps a task's registers: "A->thread.sp". */
	const char *switch_ctx;
	/* The card's switch row: A's depth, B's depth, where B resumes. */
	const char *card_switch_fmt;
	/*
	 * The kernel lde-trace's fentry/fexit programs need on this ISA, and
	 * the ones lde is tested on: said when attaching fails ENOTSUPP.
	 */
	const char *fentry_needs, *tested_kernels;
};

/* The words of the trace being shown (the native ISA's until told). */
const struct lde_arch_words *lde_arch_words(void);
/* Shows arch's words from now on: 0, or -1 (an ISA lde has no words for). */
int lde_arch_words_use(const char *arch);
/* The words of arch, or NULL. */
const struct lde_arch_words *lde_arch_words_of(const char *arch);

/*
 * The level the kernel runs at, as lde.ko read it (arm64's CurrentEL, the
 * trace's boot facts), or -1: the arch's usual (kernel_level above).
 * Set after lde_arch_words_use(), which forgets it.
 */
void lde_arch_use_kernel_level(int level);
unsigned long long lde_arch_kernel_level(void);

/*
 * Counts the calls of the two above: text kept from event to event
 * (lde_kept_line.h) is the words' and the level's of the count it was
 * made at.  A variable, read where a function call per event would cost.
 */
extern unsigned int lde_arch_changes;

#define LDE_ARCH_TEXT_LEN	48
/* "CPL 3 -> 0", "EL0 -> EL1": from a level to another, into buf. */
const char *lde_arch_mode_change(char *buf, unsigned long long from,
				 unsigned long long to);
/* Into the kernel from the level a trap saved; back to user mode. */
const char *lde_arch_to_kernel(char *buf, unsigned long long from);
const char *lde_arch_to_user(char *buf);
/* The same in the columns' words: "cpl 3 -> 0", "EL0 -> EL1". */
const char *lde_arch_columns_to_kernel(char *buf, unsigned long long from);
const char *lde_arch_columns_to_user(char *buf);
/* A vector: "IDT 236", "VBAR_EL1+0x480". */
const char *lde_arch_vector(char *buf, int vector);

/*
 * Why kernel (a release) on arch (uname's machine) failed ENOTSUPP (524)
 * to attach fentry/fexit programs, into buf: the kernel that arch needs.
 */
const char *lde_arch_no_fentry(char *buf, size_t size, const char *arch,
			       const char *kernel);

#endif /* _LDE_ARCH_WORDS_H */
