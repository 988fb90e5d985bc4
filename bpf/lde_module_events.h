/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of lde.ko's trace events (module/lde_trace.h) as a BPF
 * program attached to them reads them: the common header, then the
 * TP_STRUCT__entry fields, C-aligned.  tracefs describes the same layout
 * in events/lde/<name>/format; selftests/lde/lde_layout_test.c checks
 * that every field here sits where that file says.
 *
 * The includer provides __u8/__u32/__u64 and bool.
 */
#ifndef _LDE_MODULE_EVENTS_H
#define _LDE_MODULE_EVENTS_H

#define LDE_MOD_COMM_LEN	16	/* TASK_COMM_LEN */

struct lde_trap_ctx {
	__u64 common;
	__u32 nr;
	__u64 args[6];
	unsigned long user_ip;
	__u8 user_cpl;
};

struct lde_return_ctx {
	__u64 common;
	__u32 nr;
	long ret;
	__u64 kernel_ns;
};

struct lde_switch_ctx {
	__u64 common;
	int prev_pid, prev_tid;
	char prev_comm[LDE_MOD_COMM_LEN];
	int next_pid, next_tid;
	char next_comm[LDE_MOD_COMM_LEN];
	bool nonvoluntary;
	unsigned int prev_state;
	__u32 prev_stack_depth, next_stack_depth;
};

#endif /* _LDE_MODULE_EVENTS_H */
