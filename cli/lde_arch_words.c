// SPDX-License-Identifier: GPL-2.0
/* The chapter's rows in each ISA's words: see lde_arch_words.h. */
#include <stdio.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_line.h"

/* Today's words: syscall lands at MSR_LSTAR, interrupts through the IDT. */
static const struct lde_arch_words x86_64_words = {
	.arch = "x86_64",
	.level_prefix = "CPL ",
	.columns_level_prefix = "cpl ",
	.user_level = 3,
	.kernel_level = 0,
	.saved_pc = "PC",
	.saved_sp = "sp",
	.trap_insn_prefix = "",
	.trap_return = "sysretq",
	.syscall_reg = "MSR_LSTAR",
	.vector_prefix = "IDT ",
	.timer_vector = 236,	/* LOCAL_TIMER_VECTOR */
	.syscall_handler_unknown = "the handler in MSR_LSTAR",
	.timer_handler_unknown = "the local timer's handler",
	.boot_needs_module = "MSR_LSTAR and the IDT need lde.ko",
	.switch_ctx = "thread.sp",
	.card_switch_fmt = "A's regs pushed on its k-stack (%u bytes deep), sp kept in A->thread.sp; B->thread.sp (%u deep) loaded: B resumes at %s",
	/* BPF trampolines came in 5.5, through ftrace's direct calls. */
	.fentry_needs = "Linux 5.5 or later with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS",
	.tested_kernels = "6.1 and 6.12",
};

/*
 * svc #0 from EL0 takes the slot at VBAR_EL1+0x400 (el0t_64_sync), the
 * arch timer's IRQ from EL0 the one at +0x480 (el0t_64_irq); the trap
 * frame keeps the PC from ELR_EL1 and the SP from SP_EL0; eret goes back;
 * cpu_switch_to saves x19-x28, fp, sp and lr in thread.cpu_context.
 */
static const struct lde_arch_words arm64_words = {
	.arch = "aarch64",
	.level_prefix = "EL",
	.columns_level_prefix = "EL",
	.user_level = 0,
	.kernel_level = 1,
	.level_prefix_both = true,
	.saved_pc = "ELR_EL1",
	.saved_sp = "SP_EL0",
	.trap_insn_prefix = "svc #0, ",
	.trap_return = "eret",
	.syscall_reg = "VBAR_EL1+0x400",
	.trap_table_reg = "VBAR_EL1",
	.vector_prefix = "VBAR_EL1+",
	.vector_hex = true,
	.timer_vector = 0x480,
	.syscall_handler_unknown = "the handler at VBAR_EL1+0x400 (vectors)",
	.timer_handler_unknown = "the arch timer's handler",
	.boot_needs_module = "VBAR_EL1's vectors need lde.ko",
	.switch_ctx = "thread.cpu_context",
	.card_switch_fmt = "cpu_switch_to: A->thread.cpu_context (%u deep) saved, B's (%u deep) loaded: B at %s",
	/* Debian 12's arm64 6.1 has none: attaching there failed -524. */
	.fentry_needs = "Linux 6.4 or later (arm64's ftrace direct calls came in 6.4)",
	.tested_kernels = "6.12",
};

#if defined(__aarch64__)
static const struct lde_arch_words *shown = &arm64_words;
#else
static const struct lde_arch_words *shown = &x86_64_words;
#endif

const struct lde_arch_words *lde_arch_words(void)
{
	return shown;
}

const struct lde_arch_words *lde_arch_words_of(const char *arch)
{
	if (!strcmp(arch, "x86_64"))
		return &x86_64_words;
	if (!strcmp(arch, "aarch64") || !strcmp(arch, "arm64"))
		return &arm64_words;
	return NULL;
}

/*
 * -1: the arch's usual level; else what lde.ko read on the traced CPUs.
 * Process-wide, as the words shown (above) and the call names
 * (lde_syscall_names_arch()) are: lde-trace shows one trace a run, live
 * or replayed, and its source sets all three as it opens.  Not moved into
 * the views' context (their env->boot holds the level too): two traces of
 * different arches in one process would still share the words and the
 * names, and what says the level (lde_json_event(), the columns' and the
 * protocol's rows) takes no context to read it from.  So that a level
 * never outlives its arch, choosing an arch's words forgets it.
 */
static int kernel_level_read = -1;
unsigned int lde_arch_changes;

int lde_arch_words_use(const char *arch)
{
	const struct lde_arch_words *w = lde_arch_words_of(arch);

	if (!w)
		return -1;
	shown = w;
	kernel_level_read = -1;
	lde_arch_changes++;
	return 0;
}

/*
 * "cpl 3 -> 0", "EL0 -> EL1": in the default view twice an event, so
 * appended, not printed (lde_line.h): snprintf cost the view more than
 * the rest of its line.
 */
static const char *mode_change(char *buf, const char *prefix,
			       unsigned long long from, unsigned long long to)
{
	struct lde_line l;

	lde_line_start(&l, buf, LDE_ARCH_TEXT_LEN - 1);
	lde_line_str(&l, prefix);
	lde_line_u64(&l, from);
	lde_line_lit(&l, " -> ");
	if (shown->level_prefix_both)
		lde_line_str(&l, prefix);
	lde_line_u64(&l, to);
	*l.end = '\0';
	return buf;
}

const char *lde_arch_mode_change(char *buf, unsigned long long from,
				 unsigned long long to)
{
	return mode_change(buf, shown->level_prefix, from, to);
}

void lde_arch_use_kernel_level(int level)
{
	kernel_level_read = level;
	lde_arch_changes++;
}

unsigned long long lde_arch_kernel_level(void)
{
	return kernel_level_read >= 0 ? (unsigned long long)kernel_level_read :
					 shown->kernel_level;
}

const char *lde_arch_to_kernel(char *buf, unsigned long long from)
{
	return lde_arch_mode_change(buf, from, lde_arch_kernel_level());
}

const char *lde_arch_to_user(char *buf)
{
	return lde_arch_mode_change(buf, lde_arch_kernel_level(),
				    shown->user_level);
}

const char *lde_arch_columns_to_kernel(char *buf, unsigned long long from)
{
	return mode_change(buf, shown->columns_level_prefix, from,
			   lde_arch_kernel_level());
}

const char *lde_arch_columns_to_user(char *buf)
{
	return mode_change(buf, shown->columns_level_prefix,
			   lde_arch_kernel_level(), shown->user_level);
}

const char *lde_arch_vector(char *buf, int vector)
{
	snprintf(buf, LDE_ARCH_TEXT_LEN, shown->vector_hex ? "%s%#x" : "%s%d",
		 shown->vector_prefix, vector);
	return buf;
}

const char *lde_arch_no_fentry(char *buf, size_t size, const char *arch,
			       const char *kernel)
{
	const struct lde_arch_words *w = lde_arch_words_of(arch);
	int n = snprintf(buf, size, "this kernel (%s) cannot attach fentry/fexit programs (ENOTSUPP)",
			 kernel);

	if (w && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ": on %s lde needs %s, and is tested on %s",
			 w->arch, w->fentry_needs, w->tested_kernels);
	return buf;
}
