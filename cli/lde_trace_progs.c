// SPDX-License-Identifier: GPL-2.0
/*
 * Which of lde-trace's BPF programs load, and how they are set, for the
 * options given and the running kernel: the stages asked for, the
 * process followed, batching, and the names this kernel's BTF has.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lde_syscalls.h"
#include "lde_trace_cli.h"
#include "lde_trace.skel.h"

bool lde_progs_switches_summed(const struct lde_trace_opts *o)
{
	return o->summary && !o->read_path;
}

/*
 * The views for people (lde_view_ops.time_order: the columns, -P, -S,
 * -m, the card, its sequence diagram, the handout) show events in the
 * order they happen on all CPUs.  The kernel sends them as it sends -j's,
 * a batch per CPU at a time, in order per CPU and per thread, and the
 * live session holds them to put them in time order across CPUs
 * (lde_reorder.h; the handout's beside -j too: whatever view wants it),
 * and sends a batch that waits on an idle CPU (lde_live_send_waiting).
 * Not held with -x or -M, whose traps go out at their return, just
 * before it: those come one event at a time, nearly in time order.
 */
bool lde_progs_reordered(const struct lde_trace_opts *o)
{
	return o->time_order && !o->failed_only && !o->min_kernel_ns;
}

/* The running kernel is major.minor or later. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

static bool lde_module_events(void)
{
	return !access("/sys/kernel/tracing/events/lde/lde_trap", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/lde/lde_trap", F_OK);
}

/*
 * The scheduler's side of a switch (lde_sched.bpf.h) watches two kernel
 * functions renamed over time: attach to the name this kernel's BTF has.
 * Without them a switch's reason is "other"; said once.
 */
static void choose_sched_programs(struct lde_trace_bpf *skel,
				  const struct lde_trace_opts *env,
				  const struct btf *btf)
{
	static const char *const tick_names[] = { "sched_tick", "scheduler_tick" };
	static const char *const check_names[] = { "wakeup_preempt",
						   "check_preempt_curr" };
	bool on = env->stages & (1U << LDE_STAGE_SWITCH | 1U << LDE_STAGE_WAKEUP);
	const char *tick = NULL, *check = NULL;
	int i;

	for (i = 0; on && btf && i < 2; i++) {
		if (!tick && btf__find_by_name_kind(btf, tick_names[i], BTF_KIND_FUNC) > 0)
			tick = tick_names[i];
		if (!check && btf__find_by_name_kind(btf, check_names[i], BTF_KIND_FUNC) > 0)
			check = check_names[i];
	}
	if (on && (!tick || !check))
		fprintf(stderr, "lde-trace: warning: this kernel has no %s in its BTF: a runnable task's switch reason is shown as \"other\"\n",
			!tick ? "sched_tick/scheduler_tick" : "wakeup_preempt/check_preempt_curr");
	bpf_program__set_autoload(skel->progs.lde_sched_waking, on);
	bpf_program__set_autoload(skel->progs.lde_sched_wakeup,
				  env->stages & (1U << LDE_STAGE_WAKEUP));
	bpf_program__set_autoload(skel->progs.lde_sched_wakeup_new, on);
	bpf_program__set_autoload(skel->progs.lde_sched_tick, tick);
	bpf_program__set_autoload(skel->progs.lde_sched_tick_exit, tick);
	bpf_program__set_autoload(skel->progs.lde_preempt_check, check);
	bpf_program__set_autoload(skel->progs.lde_preempt_check_exit, check);
	if (tick) {
		bpf_program__set_attach_target(skel->progs.lde_sched_tick, 0, tick);
		bpf_program__set_attach_target(skel->progs.lde_sched_tick_exit, 0, tick);
	}
	if (check) {
		bpf_program__set_attach_target(skel->progs.lde_preempt_check, 0, check);
		bpf_program__set_attach_target(skel->progs.lde_preempt_check_exit, 0, check);
	}
}

/*
 * Load only what the chosen stages need: unneeded programs never attach.
 * The switch program always runs: a thread that leaves its CPU inside a
 * system call takes its open trap along, and the CPU's batch is sent.
 * The timer program runs for the timer stage, and wherever events are
 * batched: it sends what waits in a CPU's batch at each tick.
 */
static void choose_programs(struct lde_trace_bpf *skel,
			    const struct lde_trace_opts *env,
			    const struct btf *vmlinux_btf)
{
	const __u32 syscalls = 1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN;
	bool lde = lde_module_events();
	__u32 s = env->stages;
	bool batched = skel->rodata->batch_bytes > LDE_EVENT_MAX &&
		       !(skel->rodata->aggregate_syscalls && !(s & ~syscalls));

	bpf_program__set_autoload(skel->progs.lde_sys_enter, s & syscalls);
	/* With -x or -M, a trap waits for its return to decide. */
	bpf_program__set_autoload(skel->progs.lde_sys_exit,
				  (s & (1U << LDE_STAGE_RETURN)) ||
				  ((s & syscalls) && skel->rodata->defer_traps));
	bpf_program__set_autoload(skel->progs.lde_timer,
				  batched || (s & (1U << LDE_STAGE_TIMER)));
	bpf_program__set_autoload(skel->progs.lde_exec,
				  s & (1U << LDE_STAGE_EXEC));
	bpf_program__set_autoload(skel->progs.lde_exit,
				  s & (1U << LDE_STAGE_EXIT));
	/* The reap also prunes the exits sent. */
	bpf_program__set_autoload(skel->progs.lde_reap,
				  s & (1U << LDE_STAGE_REAP | 1U << LDE_STAGE_EXIT));
	bpf_program__set_autoload(skel->progs.lde_fault,
				  s & (1U << LDE_STAGE_FAULT));
	/* A traced task's new threads (and children) are marked at fork. */
	bpf_program__set_autoload(skel->progs.lde_fork,
				  env->command || env->pid ||
				  (s & (1U << LDE_STAGE_FORK)));
	bpf_program__set_autoload(skel->progs.lde_mark_process,
				  env->command || env->pid);
	bpf_program__set_autoattach(skel->progs.lde_mark_process, false);
	bpf_program__set_autoload(skel->progs.lde_mod_trap,
				  lde && (s & (1U << LDE_STAGE_LDE_TRAP)));
	bpf_program__set_autoload(skel->progs.lde_mod_return,
				  lde && (s & (1U << LDE_STAGE_LDE_RETURN)));
	/* The plain tracepoint before 6.2, its BTF form since (bpf/). */
	bpf_program__set_autoload(skel->progs.lde_mod_switch,
				  lde && (s & (1U << LDE_STAGE_LDE_SWITCH)) &&
				  !kernel_at_least(6, 2));
	bpf_program__set_autoload(skel->progs.lde_mod_switch_btf,
				  lde && (s & (1U << LDE_STAGE_LDE_SWITCH)) &&
				  kernel_at_least(6, 2));
	choose_sched_programs(skel, env, vmlinux_btf);
	/* Run by lde-trace on a CPU whose batch waits (lde_trace_drain.c). */
	bpf_program__set_autoload(skel->progs.lde_send_batch,
				  lde_progs_reordered(env));
	bpf_program__set_autoattach(skel->progs.lde_send_batch, false);
}

/*
 * The programs' read-only settings, the ring's and maps' sizes, and which
 * programs load: everything decided before the skeleton loads.
 */
void lde_progs_configure(struct lde_trace_bpf *skel,
			 const struct lde_trace_opts *env,
			 const struct btf *vmlinux_btf)
{
	__u32 ring_bytes;
	int nr, ncpus;

	skel->rodata->filter_tgid = env->pid || env->command;
	skel->rodata->follow_forks = env->command != NULL;
	memcpy((char *)skel->rodata->filter_comm, env->comm, LDE_COMM_LEN);
	skel->rodata->stage_mask = env->stages;
	/* -x and -M decide at each return: every call goes by. */
	skel->rodata->defer_traps = env->failed_only || env->min_kernel_ns;
	skel->rodata->failed_only = env->failed_only;
	skel->rodata->min_kernel_ns = env->min_kernel_ns;
	/*
	 * -s: switches are summed in the kernel, so the summary holds every
	 * one even if the ring loses events; sent too only where seen.
	 */
	skel->rodata->aggregate_sched = lde_progs_switches_summed(env);
	skel->rodata->send_switches = !lde_opts_summary_only(env) ||
				      env->output_path || env->write_path;
	skel->rodata->aggregate_syscalls = lde_opts_summary_only(env) &&
					   !env->output_path &&
					   !env->write_path &&
					   !skel->rodata->defer_traps;
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		((__u8 *)skel->rodata->syscall_attrs)[nr] =
			lde_syscall_string_args(nr) |
			(lde_opts_call_wanted(env, nr, 0) ? 0 :
			 LDE_SYSCALL_SKIP);
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		((__u8 *)skel->rodata->compat_syscall_attrs)[nr] =
			lde_call_string_args(nr, LDE_COMPAT_I386) |
			(lde_opts_call_wanted(env, nr, LDE_COMPAT_I386) ? 0 :
			 LDE_SYSCALL_SKIP);
	if (env->ringbuf_kb)
		bpf_map__set_max_entries(skel->maps.events,
					 env->ringbuf_kb * 1024);
	ring_bytes = bpf_map__max_entries(skel->maps.events);
	/* Batches of at most an eighth of the ring: a small ring holds several. */
	skel->rodata->batch_bytes = ring_bytes / 8;
	if (skel->rodata->batch_bytes > LDE_BATCH_BYTES)
		skel->rodata->batch_bytes = LDE_BATCH_BYTES;
	/*
	 * The views for people not put in time order (-x, -M): one event at
	 * a time, nearly in time order (lde_progs_reordered).
	 */
	if (env->time_order && !lde_progs_reordered(env))
		skel->rodata->batch_bytes = LDE_EVENT_MAX;
	/* A batch always has room for the largest event. */
	if (skel->rodata->batch_bytes < LDE_EVENT_MAX)
		skel->rodata->batch_bytes = LDE_EVENT_MAX;
	choose_programs(skel, env, vmlinux_btf);
	/* Wake the reader per quarter of the ring sent, at most 256 KiB. */
	while (skel->rodata->wakeup_shift > 1 &&
	       1U << skel->rodata->wakeup_shift > ring_bytes / 4)
		skel->rodata->wakeup_shift--;
	/* Arrays indexed by CPU: the BPF programs' lookups are inlined. */
	ncpus = libbpf_num_possible_cpus();
	if (ncpus > 0) {
		bpf_map__set_max_entries(skel->maps.cpu_states, ncpus);
		bpf_map__set_max_entries(skel->maps.sched_cpus, ncpus);
		bpf_map__set_max_entries(skel->maps.batches,
					 LDE_BATCH_SLOTS * ncpus);
	}
}
