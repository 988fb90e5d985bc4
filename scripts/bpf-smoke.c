// SPDX-License-Identifier: GPL-2.0
/*
 * A smoke test of lde-trace's BPF object on the running kernel, for an
 * arch lde-trace itself is not built for yet (make arm64-bpf-smoke: the
 * arm64 skeleton, linked statically for the arm64 guest's busybox root).
 * It loads every program the kernel has a hook for (not lde.ko's), lets
 * the verifier judge them, attaches them, runs a workload of its own (a
 * getppid, a user-mode spin the timer interrupts, a fork and an exec)
 * and checks that each stage's event came with this arch's registers: a
 * getppid trap (number, PC, SP, privilege) and its return, a switch with
 * where B resumes, a timer tick in user mode with its PC, an exec's
 * return with the entry PC and argv.  Prints what it saw; exit 0 when
 * all were seen, 1 otherwise.
 *
 *   usage: bpf-smoke PROGRAM      (PROGRAM: a binary to exec, e.g. busybox)
 *
 * Built static for arm64 against the arm64 libbpf, libelf, zlib and zstd
 * -dev packages unpacked (dpkg -x) into build/arm64/sysroot, after make
 * arm64-bpf:
 *   aarch64-linux-gnu-gcc -O2 -D_GNU_SOURCE -static -Ibpf -Ibuild/arm64/bpf \
 *     -Ibuild/arm64/sysroot/usr/include -o build/arm64/bpf/bpf-smoke \
 *     scripts/bpf-smoke.c -Lbuild/arm64/sysroot/usr/lib/aarch64-linux-gnu \
 *     -lbpf -lelf -lz -lzstd
 * and run in the guest: scripts/arm64-vm-run.sh -- $PWD/build/arm64/bpf/bpf-smoke
 * /bin/busybox.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lde_trace.h"
#include "lde_trace.skel.h"

static pid_t self, child;
static bool seen_trap, seen_return, seen_switch, seen_timer, seen_exec;

static void show(const struct lde_event *e)
{
	unsigned int kind = e->stage;

	if (kind == LDE_STAGE_TRAP && e->pid == self &&
	    e->trap.nr == SYS_getppid && !seen_trap) {
		seen_trap = true;
		printf("trap     getppid nr=%d pc=%#llx sp=%#llx privilege=%llu\n",
		       e->trap.nr, e->trap.ip, e->trap.sp, e->trap.cpl);
	} else if (kind == LDE_STAGE_RETURN && e->pid == self &&
		   e->ret.nr == SYS_getppid && !seen_return) {
		seen_return = true;
		printf("return   getppid = %lld after %llu ns in the kernel\n",
		       e->ret.ret, e->ret.kernel_ns);
	} else if (kind == LDE_STAGE_SWITCH && e->sw.next_pid == self &&
		   e->sw.next_resume[0] && !seen_switch) {
		seen_switch = true;
		printf("switch   %s -> %s: B resumes at %.*s, user pc %#llx, stacks %u/%u bytes deep\n",
		       e->comm, e->sw.next_comm, LDE_SYM_LEN, e->sw.next_resume,
		       e->sw.next_user_ip, e->sw.prev_depth, e->sw.next_depth);
	} else if (kind == LDE_STAGE_TIMER && e->pid == self &&
		   e->timer.mode == LDE_TIMER_USER && !seen_timer) {
		seen_timer = true;
		printf("timer    in user mode at pc=%#llx\n", e->timer.ip);
	} else if (kind == LDE_EVENT_EXEC_RETURN && e->pid == child &&
		   !seen_exec) {
		seen_exec = true;
		printf("exec     returns to pc=%#llx sp=%#llx argc=%u argv[0]=%.*s registers %s\n",
		       e->exec_ret.entry_ip, e->exec_ret.user_sp,
		       e->exec_ret.argc, LDE_ARG_LEN, e->exec_ret.argv[0],
		       e->exec_ret.regs_cleared ? "cleared" : "NOT cleared");
	}
}

/* A ring-buffer record: a batch of events back to back. */
static int handle_batch(void *ctx, void *data, size_t len)
{
	size_t off = 0, size;

	while (off + __builtin_offsetof(struct lde_event, trap) <= len) {
		const struct lde_event *e = (const void *)((char *)data + off);

		size = lde_event_size(e->stage);
		if (!size || off + size > len)
			break;
		show(e);
		off += size;
	}
	return 0;
}

static const char *first_in_btf(const struct btf *btf, const char *a,
				const char *b)
{
	if (btf__find_by_name_kind(btf, a, BTF_KIND_FUNC) > 0)
		return a;
	if (btf__find_by_name_kind(btf, b, BTF_KIND_FUNC) > 0)
		return b;
	return NULL;
}

static void spin_user(long ms)
{
	struct timespec start, now;
	volatile unsigned long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			n++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 +
		 (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

int main(int argc, char **argv)
{
	struct lde_trace_bpf *skel;
	struct ring_buffer *rb = NULL;
	struct btf *btf;
	const char *tick, *check;
	int ncpus = libbpf_num_possible_cpus(), err, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PROGRAM\n", argv[0]);
		return 2;
	}
	self = getpid();
	skel = lde_trace_bpf__open();
	btf = btf__load_vmlinux_btf();
	if (!skel || !btf || ncpus <= 0) {
		fprintf(stderr, "bpf-smoke: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_map__set_max_entries(skel->maps.cpu_states, ncpus);
	bpf_map__set_max_entries(skel->maps.sched_cpus, ncpus);
	bpf_map__set_max_entries(skel->maps.batches, 2 * ncpus);
	/* lde.ko is not loaded: its events are not here. */
	bpf_program__set_autoload(skel->progs.lde_mod_trap, false);
	bpf_program__set_autoload(skel->progs.lde_mod_return, false);
	bpf_program__set_autoload(skel->progs.lde_mod_switch, false);
	bpf_program__set_autoload(skel->progs.lde_mod_switch_btf, false);
	/* The names this kernel has, as lde-trace chooses them. */
	tick = first_in_btf(btf, "sched_tick", "scheduler_tick");
	check = first_in_btf(btf, "wakeup_preempt", "check_preempt_curr");
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
	/* One event per record: no batch waits for a tick at the end. */
	skel->rodata->batch_bytes = LDE_EVENT_MAX;
	skel->rodata->wakeup_shift = 0;
	err = lde_trace_bpf__load(skel);
	if (err) {
		fprintf(stderr, "bpf-smoke: load: %s\n", strerror(-err));
		return 1;
	}
	printf("loaded: every program passed this kernel's verifier (tick: %s, wakeup check: %s)\n",
	       tick ?: "none", check ?: "none");
	/* The iterator runs only when lde-trace marks a process. */
	bpf_program__set_autoattach(skel->progs.lde_mark_process, false);
	err = lde_trace_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "bpf-smoke: attach: %s\n", strerror(-err));
		return 1;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_batch,
			      NULL, NULL);
	if (!rb)
		return 1;

	syscall(SYS_getppid);
	spin_user(300);
	child = fork();
	if (child == 0) {
		execl(argv[1], argv[1], "true", (char *)NULL);
		_exit(127);
	}
	waitpid(child, NULL, 0);
	for (i = 0; i < 20; i++) {
		ring_buffer__poll(rb, 100);
		if (seen_trap && seen_return && seen_switch && seen_timer &&
		    seen_exec)
			break;
		spin_user(50);
		usleep(1000);
	}
	lde_trace_bpf__detach(skel);
	ring_buffer__consume(rb);
	printf("%s trap, %s return, %s switch, %s timer in user mode, %s exec return\n",
	       seen_trap ? "a" : "NO", seen_return ? "a" : "NO",
	       seen_switch ? "a" : "NO", seen_timer ? "a" : "NO",
	       seen_exec ? "an" : "NO");
	ring_buffer__free(rb);
	lde_trace_bpf__destroy(skel);
	btf__free(btf);
	return seen_trap && seen_return && seen_switch && seen_timer &&
	       seen_exec ? 0 : 1;
}
