// SPDX-License-Identifier: GPL-2.0
/*
 * The rows' words per ISA (lde_arch_words.c): x86-64's exactly as the
 * views said them before there were two ISAs, arm64's in its own, the
 * switch between them by a trace's arch, and arm64's boot facts read from
 * lde.ko's boot file as the views name them.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "lde_arch_words.h"
#include "lde_boot.h"

TEST(x86_64_says_cpl_idt_sysretq_and_thread_sp)
{
	char buf[LDE_ARCH_TEXT_LEN];

	ASSERT_EQ(0, lde_arch_words_use("x86_64"));
	EXPECT_STREQ("CPL 3 -> 0", lde_arch_to_kernel(buf, 3));
	EXPECT_STREQ("CPL 0 -> 3", lde_arch_to_user(buf));
	EXPECT_STREQ("IDT 236", lde_arch_vector(buf, 236));
	EXPECT_STREQ("sysretq", lde_arch_words()->trap_return);
	EXPECT_STREQ("MSR_LSTAR", lde_arch_words()->syscall_reg);
	EXPECT_STREQ("thread.sp", lde_arch_words()->switch_ctx);
	EXPECT_STREQ("", lde_arch_words()->trap_insn_prefix);
	EXPECT_STREQ("PC", lde_arch_words()->saved_pc);
	/* The columns' words, as they were before arm64. */
	EXPECT_STREQ("cpl 3 -> 0", lde_arch_columns_to_kernel(buf, 3));
	EXPECT_STREQ("cpl 0 -> 3", lde_arch_columns_to_user(buf));
	EXPECT_EQ(0, lde_arch_kernel_level());
}

TEST(arm64_says_el_vbar_eret_and_cpu_context)
{
	char buf[LDE_ARCH_TEXT_LEN];

	ASSERT_EQ(0, lde_arch_words_use("aarch64"));
	EXPECT_STREQ("EL0 -> EL1", lde_arch_to_kernel(buf, 0));
	EXPECT_STREQ("EL1 -> EL0", lde_arch_to_user(buf));
	EXPECT_STREQ("VBAR_EL1+0x480", lde_arch_vector(buf, 0x480));
	EXPECT_STREQ("eret", lde_arch_words()->trap_return);
	EXPECT_STREQ("svc #0, ", lde_arch_words()->trap_insn_prefix);
	EXPECT_STREQ("ELR_EL1", lde_arch_words()->saved_pc);
	EXPECT_STREQ("SP_EL0", lde_arch_words()->saved_sp);
	EXPECT_STREQ("thread.cpu_context", lde_arch_words()->switch_ctx);
	EXPECT_NE(NULL, strstr(lde_arch_words()->card_switch_fmt,
			       "cpu_switch_to"));
	/* The kernel runs at EL1 (not x86's 0), in every view's words. */
	EXPECT_EQ(1, lde_arch_kernel_level());
	EXPECT_STREQ("EL0 -> EL1", lde_arch_columns_to_kernel(buf, 0));
	EXPECT_STREQ("EL1 -> EL0", lde_arch_columns_to_user(buf));
	/* The kernel's name for the ISA says the same. */
	EXPECT_EQ(lde_arch_words_of("aarch64"), lde_arch_words_of("arm64"));
}

TEST(an_isa_without_words_keeps_the_ones_shown)
{
	ASSERT_EQ(0, lde_arch_words_use("x86_64"));
	EXPECT_EQ(-1, lde_arch_words_use("riscv64"));
	EXPECT_STREQ("x86_64", lde_arch_words()->arch);
	EXPECT_EQ(NULL, lde_arch_words_of(""));
}

/* lde.ko's boot file in an arm64 guest (6.12, make arm64-boot). */
TEST(arm64_boot_file_names_the_table_and_its_el0_slots)
{
	struct lde_boot b = { 0 };

	ASSERT_TRUE(lde_boot_parse(&b,
		"hz 250\n"
		"kernel_stack_size 16384\n"
		"toy_trap_table entries 7 read_only 1\n"
		"timer arch_timer irq 11 hwirq 27 handler arch_timer_handler_virt cntfrq 62500000\n"
		"kpti 1\n"
		"cpu 0 vbar_el1 vectors el1_sync+0x200 el1h_64_sync el1_irq+0x280 el1h_64_irq el0_sync+0x400 el0t_64_sync el0_irq+0x480 el0t_64_irq current_el 1\n"
		"cpu 1 vbar_el1 vectors el1_sync+0x200 el1h_64_sync el1_irq+0x280 el1h_64_irq el0_sync+0x400 el0t_64_sync el0_irq+0x480 el0t_64_irq current_el 1\n"));
	EXPECT_STREQ("vectors", b.trap_table);
	EXPECT_STREQ("el0t_64_sync", b.syscall_entry);
	EXPECT_STREQ("el0t_64_irq", b.timer_handler);
	EXPECT_STREQ("el0t_64_sync", b.fault_handler);
	EXPECT_EQ(0x480, b.timer_vector);
	EXPECT_EQ(0x400, b.fault_vector);
	EXPECT_EQ(2, b.cpus);
	EXPECT_TRUE(b.same_on_all_cpus);
	EXPECT_EQ(250, b.hz);
	EXPECT_TRUE(b.has_kernel_level);
	EXPECT_EQ(1, b.kernel_level);
	/* The arch timer, as the start-timer rows name it. */
	EXPECT_EQ(11, b.timer_irq);
	EXPECT_EQ(27, b.timer_hwirq);
	EXPECT_STREQ("arch_timer_handler_virt", b.timer_irq_handler);
	EXPECT_EQ(62500000, b.timer_counter_hz);
}

/* A kernel with VHE runs at EL2: lde.ko's CurrentEL says so, the rows too. */
TEST(arm64_kernel_level_is_the_one_lde_ko_read)
{
	char buf[LDE_ARCH_TEXT_LEN];
	struct lde_boot b = { 0 };

	ASSERT_TRUE(lde_boot_parse(&b,
		"cpu 0 vbar_el1 vectors el0_sync+0x400 el0t_64_sync el0_irq+0x480 el0t_64_irq current_el 2\n"));
	ASSERT_TRUE(b.has_kernel_level);
	ASSERT_EQ(0, lde_arch_words_use("aarch64"));
	lde_arch_use_kernel_level(b.kernel_level);
	EXPECT_EQ(2, lde_arch_kernel_level());
	EXPECT_STREQ("EL0 -> EL2", lde_arch_to_kernel(buf, 0));
	EXPECT_STREQ("EL2 -> EL0", lde_arch_columns_to_user(buf));
	/* Unknown (no lde.ko): the arch's usual, EL1. */
	lde_arch_use_kernel_level(-1);
	EXPECT_STREQ("EL0 -> EL1", lde_arch_to_kernel(buf, 0));
}

/*
 * The level lde.ko read belongs to the arch it was read on: choosing
 * another arch's words forgets it (it said "CPL 3 -> 2", an EL read as
 * a CPL, when x86's words followed an arm64 trace's level).
 */
TEST(a_kernel_level_does_not_outlive_its_arch)
{
	char buf[LDE_ARCH_TEXT_LEN];

	ASSERT_EQ(0, lde_arch_words_use("aarch64"));
	lde_arch_use_kernel_level(2);
	EXPECT_STREQ("EL0 -> EL2", lde_arch_to_kernel(buf, 0));
	ASSERT_EQ(0, lde_arch_words_use("x86_64"));
	EXPECT_STREQ("CPL 3 -> 0", lde_arch_to_kernel(buf, 3));
	EXPECT_EQ(0, lde_arch_kernel_level());
	/* An ISA without words changes nothing, the level neither. */
	ASSERT_EQ(0, lde_arch_words_use("aarch64"));
	lde_arch_use_kernel_level(2);
	EXPECT_EQ(-1, lde_arch_words_use("riscv64"));
	EXPECT_EQ(2, lde_arch_kernel_level());
	lde_arch_use_kernel_level(-1);
}

/* x86's boot file has no current_el: nothing is said of it. */
TEST(x86_boot_file_says_no_kernel_level)
{
	struct lde_boot b = { 0 };

	ASSERT_TRUE(lde_boot_parse(&b,
		"hz 250\n"
		"cpu 0 syscall_entry entry_SYSCALL_64 timer_vector 236 timer_handler asm_sysvec_apic_timer_interrupt fault_vector 14 fault_handler asm_exc_page_fault\n"));
	EXPECT_FALSE(b.has_kernel_level);
}

/*
 * fentry/fexit failing ENOTSUPP: said for the arch it ran on (the line
 * spoke of arm64 on every arch), with the kernel that arch needs.
 */
TEST(no_fentry_is_said_for_the_running_arch)
{
	char buf[256];

	lde_arch_no_fentry(buf, sizeof(buf), "x86_64", "6.1.0-57-amd64");
	EXPECT_STREQ("this kernel (6.1.0-57-amd64) cannot attach fentry/fexit programs (ENOTSUPP): on x86_64 lde needs Linux 5.5 or later with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, and is tested on 6.1 and 6.12",
		     buf);
	EXPECT_EQ(NULL, strstr(buf, "arm64"));
	lde_arch_no_fentry(buf, sizeof(buf), "aarch64", "6.1.0-57-arm64");
	EXPECT_STREQ("this kernel (6.1.0-57-arm64) cannot attach fentry/fexit programs (ENOTSUPP): on aarch64 lde needs Linux 6.4 or later (arm64's ftrace direct calls came in 6.4), and is tested on 6.12",
		     buf);
	/* An arch lde has no words for: no guess at what it needs. */
	lde_arch_no_fentry(buf, sizeof(buf), "riscv64", "6.12.1");
	EXPECT_STREQ("this kernel (6.12.1) cannot attach fentry/fexit programs (ENOTSUPP)",
		     buf);
	/* Cut short, never past the buffer. */
	lde_arch_no_fentry(buf, 16, "aarch64", "6.1.0-57-arm64");
	EXPECT_STREQ("this kernel (6.", buf);
}

TEST_HARNESS_MAIN
