// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace's live session: a source of events (lde_trace_cli.h) that
 * opens, loads and attaches the BPF programs (which ones: lde_trace_progs.c),
 * starts the command or watches -p's process, polls the ring buffer until
 * the trace ends (the views for people's events held by lde_reorder.c
 * until they can go in time order), and detaches.  What it reads out of
 * the BPF object (the batches, what is left after detach, the kernel's
 * own sums and lost counts) is lde_trace_drain.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/membarrier.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lde_arch_words.h"
#include "lde_libbpf_log.h"
#include "lde_syscalls.h"
#include "lde_trace_cli.h"
#include "lde_trace.skel.h"
#include "lde_trace_live.h"

/* A signal ends the trace: the one thing a handler may set. */
static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Every program but the trap's, then the trap's: a trap it sees finds the
 * return and switch programs in place, so its return is seen too.  (A
 * slow kernel attaches one program at a time while traced tasks run: a
 * trap seen before its return's program was there stayed open.)
 */
static int attach_trap_last(struct lde_trace_bpf *skel)
{
	struct bpf_program *trap = skel->progs.lde_sys_enter;
	int err;

	bpf_program__set_autoattach(trap, false);
	err = lde_trace_bpf__attach(skel);
	if (err || !bpf_program__autoload(trap))
		return err;
	skel->links.lde_sys_enter = bpf_program__attach(trap);
	return skel->links.lde_sys_enter ? 0 : -errno;
}

/*
 * The process traced from the start (-p, or the command), every thread of
 * it, marked in the kernel by lde_mark_process, with the fork program
 * attached first: a thread it starts meanwhile is marked at its fork.
 */
static int mark_traced_process(struct lde_trace_bpf *skel, pid_t tgid)
{
	struct bpf_link *iter = NULL;
	int fd = -1, err = 0;
	char buf[64];
	ssize_t n;

	skel->links.lde_fork = bpf_program__attach(skel->progs.lde_fork);
	if (!skel->links.lde_fork)
		return -errno;
	/* Attached: the skeleton's attach leaves it be. */
	bpf_program__set_autoattach(skel->progs.lde_fork, false);
	skel->bss->mark_tgid = tgid;
	iter = bpf_program__attach_iter(skel->progs.lde_mark_process, NULL);
	if (!iter) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(iter));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = -errno;
out:
	skel->bss->mark_tgid = 0;
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(iter);
	return err;
}

/* Fork the command stopped before exec; it starts when released. */
static pid_t spawn_stopped(char **argv, int *release_fd)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);	/* lde-trace gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "lde-trace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	*release_fd = go[1];
	return pid;
}

/*
 * -p: a pidfd for the process, readable once all its threads have exited
 * (as strace -p and perf trace -p end with it); -1 after saying why not.
 */
static int open_traced_process(pid_t pid)
{
	int fd = pidfd_open(pid, 0);

	if (fd >= 0)
		return fd;
	if (errno == ESRCH)
		fprintf(stderr, "lde-trace: no such pid: %d\n", pid);
	else if (errno == EINVAL)
		fprintf(stderr, "lde-trace: %d is not a process's id (a thread's?): -p takes a process id\n",
			pid);
	else
		fprintf(stderr, "lde-trace: cannot watch pid %d: %s\n", pid,
			strerror(errno));
	return -1;
}

/*
 * The live session waits on one epoll set: the ring buffer's (libbpf's
 * own epoll set, nested) and, with -p, the process's pidfd.
 */
static int open_wait_set(struct ring_buffer *rb, int pidfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = epoll_create1(EPOLL_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	ev.data.fd = ring_buffer__epoll_fd(rb);
	if (epoll_ctl(fd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	ev.data.fd = pidfd;
	if (pidfd >= 0 && epoll_ctl(fd, EPOLL_CTL_ADD, pidfd, &ev))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* -w: the file opens with what only the live system knows. */
static void make_header(struct lde_trace_run *run)
{
	struct lde_trace_header *h = &run->header;
	struct utsname u;

	memset(h, 0, sizeof(*h));
	h->format = LDE_TRACE_FORMAT;
	h->cpus = libbpf_num_possible_cpus();
	h->stages = run->opts->stages;
	h->boot = run->boot;
	if (!uname(&u)) {
		snprintf(h->kernel, sizeof(h->kernel), "%.*s",
			 (int)sizeof(h->kernel) - 1, u.release);
		snprintf(h->arch, sizeof(h->arch), "%.*s",
			 (int)sizeof(h->arch) - 1, u.machine);
	}
	snprintf(h->version, sizeof(h->version), "lde-trace %s", LDE_VERSION);
}

/*
 * -524 is the kernel's ENOTSUPP: no trampoline for fentry/fexit (arm64
 * kernels before 6.4, Debian 12's arm64 6.1 among them, have no ftrace
 * direct calls); which kernel the running arch needs is the arch
 * layer's to say.
 */
#define LDE_ENOTSUPP	524

static void say_cannot(const struct lde_trace_run *run, const char *what,
		       int err, const char *more)
{
	char why[256];

	if (err == -LDE_ENOTSUPP)
		fprintf(stderr, "lde-trace: cannot %s: %s\n", what,
			lde_arch_no_fentry(why, sizeof(why), run->header.arch,
					   run->kernel));
	else
		fprintf(stderr, "lde-trace: cannot %s: %s%s\n", what,
			strerror(-err), more);
}

/* How long a CPU's batch may wait (LDE_TRACE_BATCH_WAIT_MS): 0, -1. */
static int batch_wait(struct live *s)
{
	const char *ms = getenv("LDE_TRACE_BATCH_WAIT_MS");
	char *end;
	long v;

	s->batch_wait_ns = LDE_BATCH_WAIT_MS * 1000000ULL;
	if (!ms)
		return 0;
	errno = 0;
	v = strtol(ms, &end, 10);
	if (errno || *end || end == ms || v < 0 || v > 60000) {
		fprintf(stderr, "lde-trace: LDE_TRACE_BATCH_WAIT_MS=%s: not whole milliseconds from 0 to 60000\n",
			ms);
		return -1;
	}
	s->batch_wait_ns = v * 1000000ULL;
	return 0;
}

/* Opens, loads and attaches: events wait in the ring from here. */
static int live_open(struct lde_trace_run *run)
{
	const struct lde_trace_opts *o = run->opts;
	struct btf *vmlinux_btf = NULL;
	struct lde_trace_bpf *skel;
	struct utsname u;
	struct live *s;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "lde-trace: %s\n", strerror(ENOMEM));
		return 1;
	}
	s->pidfd = s->wait_fd = s->release_fd = -1;
	run->source = s;
	if (batch_wait(s))
		return 1;
	lde_trace_views_needs(run);
	lde_libbpf_log_init(o->verbose, stderr);
	libbpf_set_print(lde_libbpf_print);
	if (!uname(&u))
		snprintf(run->kernel, sizeof(run->kernel), "%s", u.release);
	if (getenv("LDE_TRACE_RAW")) {
		s->raw_records = fopen(getenv("LDE_TRACE_RAW"), "we");
		if (!s->raw_records) {
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				getenv("LDE_TRACE_RAW"), strerror(errno));
			return 1;
		}
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "lde-trace: this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF\n");
		return 1;
	}
	if (o->pid) {
		s->pidfd = open_traced_process(o->pid);
		if (s->pidfd < 0)
			return 1;
	}
	/* OS @ boot: what lde.ko reads of the CPUs, and the tick devices. */
	lde_boot_read(&run->boot);
	lde_arch_use_kernel_level(run->boot.has_kernel_level ?
				  (int)run->boot.kernel_level : -1);
	/*
	 * The kernel's BTF, parsed once for what lde-trace asks of it (the
	 * system calls' typedefs, the scheduler's function names): on a
	 * slow machine each parse is a visible part of the start.  (libbpf
	 * parses its own for the programs' CO-RE relocations.)
	 */
	if (o->stages & (1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN |
			 1U << LDE_STAGE_SWITCH | 1U << LDE_STAGE_WAKEUP))
		vmlinux_btf = btf__load_vmlinux_btf();
	/* Each system call's arguments, as this kernel describes them. */
	if (o->stages & (1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN)) {
		err = lde_syscalls_read_tracefs(vmlinux_btf);
		if (err <= 0)
			fprintf(stderr, "lde-trace: warning: no syscall trace-event formats in tracefs (%s): arguments are shown raw\n",
				err ? strerror(-err) : "none found");
	}
	make_header(run);

	skel = s->skel = lde_trace_bpf__open();
	if (!skel) {
		fprintf(stderr, "lde-trace: cannot open the BPF object: %s\n",
			strerror(errno));
		btf__free(vmlinux_btf);
		return 1;
	}
	lde_progs_configure(skel, o, vmlinux_btf);
	btf__free(vmlinux_btf);
	run->trace_cpus = libbpf_num_possible_cpus();
	s->reordered = lde_progs_reordered(o);
	run->header.cpu_order = !s->reordered;
	if (s->reordered)
		lde_reorder_init(&s->order, run->trace_cpus,
				 LDE_REORDER_WINDOW_NS, LDE_REORDER_MAX_BYTES,
				 lde_trace_show_in_order, run);

	err = lde_trace_bpf__load(skel);
	if (err) {
		if (err == -EPERM || errno == EPERM)
			fprintf(stderr, "lde-trace: permission denied: run as root, or with CAP_BPF and CAP_PERFMON\n");
		else
			say_cannot(run, "load the BPF programs", err,
				   " (-v shows why)");
		return 1;
	}
	err = lde_live_map_batches(s);
	if (err) {
		fprintf(stderr, "lde-trace: cannot map the event batches: %s\n",
			strerror(-err));
		return 1;
	}

	if (o->command) {
		s->child = spawn_stopped(o->command, &s->release_fd);
		if (s->child < 0) {
			fprintf(stderr, "lde-trace: fork: %s\n", strerror(errno));
			s->child = 0;
			return 1;
		}
	}
	run->root_pid = o->pid ? o->pid : s->child;
	if (run->root_pid) {
		err = mark_traced_process(skel, run->root_pid);
		if (err) {
			fprintf(stderr, "lde-trace: cannot mark the traced process: %s\n",
				strerror(-err));
			return 1;
		}
	}

	/* Before the first event can be made: times count from here. */
	run->start_ns = now_ns();
	/* Until the first look at the batches, any event may still come. */
	if (s->reordered)
		lde_reorder_wait_for(&s->order, run->start_ns);
	/*
	 * libbpf's lines wait while attaching: an ENOTSUPP is said in one
	 * line below, and libbpf's lines of it are dropped; any other line
	 * (a warning of an attach that worked, another failure's) comes out.
	 */
	lde_libbpf_hold();
	err = attach_trap_last(skel);
	lde_libbpf_release(err == -LDE_ENOTSUPP ? err : 0);
	if (err) {
		say_cannot(run, "attach", err, " (-v shows why)");
		return 1;
	}
	s->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), lde_live_batch,
				 run, NULL);
	if (!s->rb) {
		fprintf(stderr, "lde-trace: cannot open the ring buffer\n");
		return 1;
	}
	s->wait_fd = open_wait_set(s->rb, s->pidfd);
	if (s->wait_fd < 0) {
		fprintf(stderr, "lde-trace: epoll: %s\n", strerror(-s->wait_fd));
		return 1;
	}
	return 0;
}

/*
 * After detach: a program that was running as it was detached finishes
 * before what it wrote is read, mostly.  MEMBARRIER_CMD_GLOBAL waits for
 * an RCU grace period (synchronize_rcu(), on more than one online CPU),
 * and the kernel runs tracepoint and fentry/fexit programs alike inside
 * an RCU read-side section (a trampoline's __bpf_prog_enter takes it: a
 * CPU still in the trampoline before it is not waited for).  What is
 * not waited for, or a kernel that refuses the call (nohz_full), is left
 * to the drain's wait for a busy batch; so the call's result is not
 * checked.
 */
static void wait_for_running_programs(void)
{
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

/* Polls until the command ends, -p's process ends, -d, or a signal. */
static int live_run(struct lde_trace_run *run)
{
	const struct lde_trace_opts *o = run->opts;
	struct live *s = run->source;
	unsigned long long deadline = 0, lost;
	int err;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o->duration)
		deadline = run->start_ns + o->duration * 1000000000ULL;
	if (s->child) {
		/* Release the command: traced from its exec on. */
		if (write(s->release_fd, "g", 1) != 1)
			exiting = 1;
		close(s->release_fd);
		s->release_fd = -1;
	}

	while (!exiting) {
		struct epoll_event ready[2];
		bool process_ended = false;
		int i, n = epoll_wait(s->wait_fd, ready, 2, 100);
		unsigned long long read_from = now_ns();

		for (i = 0; i < n; i++)
			process_ended |= ready[i].data.fd == s->pidfd;
		err = ring_buffer__consume(s->rb);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "lde-trace: ring buffer: %s\n",
				strerror(-err));
			break;
		}
		/*
		 * The ring read to its end: what was stamped a window before
		 * it was read is out, though nothing newer came; but not what
		 * a CPU's batch may still hold, until the next look.
		 */
		if (s->reordered) {
			lde_reorder_wait_for(&s->order,
					     lde_live_send_waiting(run, now_ns()));
			lde_reorder_advance(&s->order, read_from);
		}
		/* Live even into a pipe: a batch out as soon as it is read. */
		if (err > 0 || s->reordered)
			lde_trace_flush(run);
		if (process_ended) {
			fprintf(stderr, "lde-trace: process %d has exited: the trace ends\n",
				o->pid);
			break;
		}
		if (deadline && now_ns() >= deadline)
			break;
		if (s->child && waitpid(s->child, &s->status, WNOHANG) == s->child) {
			s->child = 0;
			break;
		}
	}
	/*
	 * No new events from here: then what is in the ring, then batches,
	 * then the ring again, for what a program still running as it was
	 * detached sent meanwhile.
	 */
	lde_trace_bpf__detach(s->skel);
	wait_for_running_programs();
	ring_buffer__consume(s->rb);
	s->lost = lde_live_drain_batches(run);
	ring_buffer__consume(s->rb);
	/* Everything is read: what the reorder holds goes out, in order. */
	if (s->reordered)
		lde_reorder_flush(&s->order);
	s->lost_unread = lde_live_lost(s->skel, LDE_LOST_EVENTS, &lost);
	s->lost += lost + s->cut_records;
	err = lde_live_lost(s->skel, LDE_LOST_FORKS, &s->lost_forks);
	s->lost_unread = s->lost_unread ? s->lost_unread : err;
	err = lde_live_lost(s->skel, LDE_LOST_UNDECIDED, &s->undecided);
	s->lost_unread = s->lost_unread ? s->lost_unread : err;
	err = lde_live_skipped_runs(s->skel, &s->skipped_runs);
	s->lost_unread = s->lost_unread ? s->lost_unread : err;
	return 0;
}

static void live_end(struct lde_trace_run *run, struct lde_view_end *end)
{
	struct live *s = run->source;

	end->lost = s->lost;
	end->lost_processes = s->lost_forks;
	end->add_kernel_sums = lde_live_add_kernel_sums;
	end->session = run;
}

static void live_note(struct lde_trace_run *run, const struct lde_view_end *end)
{
	struct live *s = run->source;

	fprintf(stderr, "lost %llu events\n", s->lost);
	if (s->cut_records)
		fprintf(stderr, "lde-trace: %llu ring records ended in bytes that are no event: counted one lost each, at least\n",
			s->cut_records);
	if (s->skipped_runs)
		fprintf(stderr, "lde-trace: the kernel skipped %llu runs of lde-trace's programs (a program does not run again on a CPU where it is running): events they would have sent are not in the trace\n",
			s->skipped_runs);
	if (s->lost_unread)
		fprintf(stderr, "lde-trace: the kernel's lost counters or its skipped runs could not be read (%s): more may have been lost than said\n",
			strerror(-s->lost_unread));
	if (s->lost_forks)
		fprintf(stderr, "lost %llu processes or threads: not followed, no memory for their traced mark (task storage)\n",
			s->lost_forks);
	if (s->order.late)
		fprintf(stderr, "lde-trace: %llu events came after later ones were shown (up to %.1f ms late, more than lde-trace waited for them): shown as they came, out of time order\n",
			s->order.late, s->order.late_max_ns / 1e6);
	if (s->order.forced)
		fprintf(stderr, "lde-trace: %llu events shown before their %.0f ms window passed: more than %lu MiB of events were held to put them in time order\n",
			s->order.forced, s->order.window_ns / 1e6,
			(unsigned long)(s->order.max_bytes >> 20));
	lde_trace_say_unheld(s->order.unheld);
	if (run->opts->verbose && s->reordered)
		fprintf(stderr, "lde-trace: %llu times a CPU's batch waited longer than a tick (an idle CPU's) and lde-trace sent it (%llu times it could not)\n",
			s->sent_waiting, s->unsent_waiting);
	if (s->undecided)
		fprintf(stderr, "lde-trace: %llu events not decided: their task's traced mark could not be looked up (this kernel's task storage was busy on that CPU), whether the task was traced or not\n",
			s->undecided);
}

/* The command's exit code is lde-trace's, unless lde-trace failed. */
static int live_close(struct lde_trace_run *run, int err)
{
	struct live *s = run->source;
	int exit_code = 0;

	if (!s)
		return err;
	/* Interrupted: the command is left running; its code is not known. */
	if (run->opts->command && !s->child)
		exit_code = WIFEXITED(s->status) ? WEXITSTATUS(s->status) :
			    WIFSIGNALED(s->status) ? 128 + WTERMSIG(s->status) : 0;
	/* Never released (an error before the trace): it exits, 127. */
	if (s->release_fd >= 0)
		close(s->release_fd);
	if (s->wait_fd >= 0)
		close(s->wait_fd);
	if (s->pidfd >= 0)
		close(s->pidfd);
	ring_buffer__free(s->rb);
	if (s->reordered)
		lde_reorder_free(&s->order);
	if (s->batches)
		munmap((void *)s->batches, s->batches_len);
	lde_trace_bpf__destroy(s->skel);
	if (s->raw_records && fclose(s->raw_records) && !err)
		err = 1;
	free(s);
	run->source = NULL;
	return err ? err : exit_code;
}

const struct lde_trace_source lde_live_source = {
	.open = live_open,
	.run = live_run,
	.end = live_end,
	.note = live_note,
	.close = live_close,
};
