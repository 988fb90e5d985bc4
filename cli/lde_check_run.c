// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check: runs a student's program under lde-trace, keeps what
 * it prints, and hands the trace and the text to the findings
 * (lde_check.h).
 *
 *   lde-bench --check -- PROGRAM ARGS
 *     lde-trace -q -w TRACE -e ... -- lde-bench --check-run FD -- PROGRAM ARGS
 *       lde-bench -j -n 40     the reference, its JSON to FD, traced alike
 *       PROGRAM ARGS           its standard output to the checker's pipe
 *
 * The reference runs inside the same trace as the program, before it, so
 * both pay the tracer's cost per call and per switch: what the program
 * printed compares with what lde-bench measured, not with an untraced
 * figure two or three times smaller.  lde-trace hands its command its own
 * standard output, and with -q prints nothing else there: what comes down
 * the pipe is the program's alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lde_check.h"
#include "lde_check_run.h"
#include "lde_trace_file.h"

/* What the program printed that the checker reads; the rest is only shown. */
#define OUTPUT_KEPT	(256 * 1024)
#define REFERENCE_MAX	(16 * 1024)

static int self_path(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* -- inside the trace: lde-bench --check-run FD -- PROGRAM ARGS ------------- */

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	       WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 127;
}

int lde_check_child(int fd, char **argv)
{
	char self[PATH_MAX];
	pid_t ref, prog;
	int status;

	if (self_path(self, sizeof(self)))
		return 127;
	/* The reference first, pinned as lde-bench pins itself: a process apart. */
	ref = fork();
	if (ref == 0) {
		if (dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execl(self, "lde-bench", "-j", "-n", "40", (char *)NULL);
		_exit(127);
	}
	if (ref < 0 || wait_status(ref))
		dprintf(fd, "\nreference failed\n");
	prog = fork();
	if (prog == 0) {
		close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "lde-bench: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (prog < 0)
		return 127;
	dprintf(fd, "\nprogram %d\n", prog);
	status = wait_status(prog);
	dprintf(fd, "exit %d\n", status);
	close(fd);
	return status;
}

/* -- lde-bench's reference, as its -j printed it ---------------------------- */

static double median_of(const char *json, const char *name)
{
	char key[128];
	const char *p;
	double v;

	snprintf(key, sizeof(key), "\"%s\":{", name);
	p = strstr(json, key);
	if (!p)
		return 0;
	p = strstr(p, "\"median\":");
	if (!p || sscanf(p + 9, "%lf", &v) != 1)
		return 0;
	return v;
}

static void read_reference(const char *text, struct lde_check_reference *ref)
{
	const char *p = strstr(text, "\"context_switch_ns\":{\"processes\":");

	ref->getppid_ns = median_of(text, "syscall: getppid via syscall(2)");
	ref->read0_ns = median_of(text, "syscall: 0-byte read");
	ref->gettimeofday_step_ns = median_of(text, "timer: gettimeofday back-to-back");
	ref->clock_gettime_step_ns = median_of(text, "timer: clock_gettime(MONOTONIC) back-to-back");
	ref->rdtsc_step_ns = median_of(text, "timer: rdtsc back-to-back");
	if (p)
		sscanf(p + strlen("\"context_switch_ns\":{\"processes\":"),
		       "%lf", &ref->switch_ns);
}

/* -- lde-bench --check -- PROGRAM ARGS ------------------------------------- */

static void check_event(void *check, const struct lde_event *e)
{
	lde_check_event(check, e);
}

static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/*
 * The program's output, shown as it comes (on stderr under -j, where
 * stdout is the findings' JSON) and kept, up to OUTPUT_KEPT, for reading.
 */
static size_t relay_output(int fd, char *kept, bool json)
{
	FILE *show = json ? stderr : stdout;
	size_t len = 0;
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, n, show);
		fflush(show);
		if (len < OUTPUT_KEPT - 1) {
			size_t k = (size_t)n < OUTPUT_KEPT - 1 - len ?
				   (size_t)n : OUTPUT_KEPT - 1 - len;

			memcpy(kept + len, buf, k);
			len += k;
		}
	}
	kept[len] = '\0';
	return len;
}

static void feed_lines(struct lde_check *c, char *text)
{
	char *line, *save;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		lde_check_output_line(c, line);
}

static int run_traced(const char *trace_path, char **argv, int out_fd,
		      int ref_fd, const char *self)
{
	char tracer[PATH_MAX], fd_text[16], dir[PATH_MAX];
	const char *env_tracer = getenv("LDE_TRACE");
	char *args[64 + 16];
	int n = 0, i;

	if (env_tracer) {
		snprintf(tracer, sizeof(tracer), "%s", env_tracer);
	} else {
		snprintf(dir, sizeof(dir), "%s", self);
		snprintf(tracer, sizeof(tracer), "%s/lde-trace", dirname(dir));
	}
	snprintf(fd_text, sizeof(fd_text), "%d", ref_fd);
	args[n++] = "lde-trace";
	args[n++] = "-q";
	args[n++] = "-w";
	args[n++] = (char *)trace_path;
	args[n++] = "-e";
	args[n++] = "trap,return,switch,wakeup,exec,exit,fork";
	args[n++] = "--";
	args[n++] = (char *)self;
	args[n++] = "--check-run";
	args[n++] = fd_text;
	args[n++] = "--";
	for (i = 0; argv[i] && i < 64; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (argv[i]) {
		fprintf(stderr, "lde-bench: --check takes at most 64 arguments\n");
		_exit(2);
	}
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(2);
	execv(tracer, args);
	fprintf(stderr, "lde-bench: cannot run lde-trace (%s): %s; set LDE_TRACE to its path\n",
		tracer, strerror(errno));
	_exit(2);
}

int lde_check_main(char **argv, bool json)
{
	static struct lde_finding findings[LDE_CHECK_MAX_FINDINGS];
	struct lde_check_reference ref = {};
	struct lde_trace_reader reader;
	char self[PATH_MAX], trace_path[PATH_MAX], prog[PATH_MAX];
	char *kept = NULL, *refs = NULL, *p;
	int out[2] = { -1, -1 }, refp[2] = { -1, -1 };
	int ret = 2, fd, n, status, program_pid = 0, exit_status = 0;
	const char *tmp = getenv("TMPDIR");
	struct lde_check *c = NULL;
	pid_t tracer;

	trace_path[0] = '\0';
	if (self_path(self, sizeof(self))) {
		perror("lde-bench: /proc/self/exe");
		return 2;
	}
	snprintf(trace_path, sizeof(trace_path), "%s/lde-check-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(trace_path);
	kept = malloc(OUTPUT_KEPT);
	refs = malloc(REFERENCE_MAX);
	if (fd < 0 || !kept || !refs || pipe2(out, O_CLOEXEC) ||
	    pipe(refp)) {
		fprintf(stderr, "lde-bench: cannot set up the check: %s\n",
			strerror(errno));
		if (fd < 0)
			trace_path[0] = '\0';
		goto cleanup;
	}
	close(fd);
	fcntl(refp[0], F_SETFD, FD_CLOEXEC);
	tracer = fork();
	if (tracer < 0) {
		perror("lde-bench: fork");
		goto cleanup;
	}
	if (tracer == 0)
		run_traced(trace_path, argv, out[1], refp[1], self);
	close(out[1]);
	close(refp[1]);
	out[1] = refp[1] = -1;

	relay_output(out[0], kept, json);
	status = wait_status(tracer);
	read_all(refp[0], refs, REFERENCE_MAX);
	p = strstr(refs, "\nprogram ");
	if (!p || sscanf(p, "\nprogram %d", &program_pid) != 1) {
		fprintf(stderr, "lde-bench: the program was not run under lde-trace (it exited %d): see above\n",
			status);
		goto cleanup;
	}
	p = strstr(p, "\nexit ");
	if (p)
		sscanf(p, "\nexit %d", &exit_status);
	read_reference(refs, &ref);

	c = lde_check_new(program_pid);
	if (!c)
		goto cleanup;
	feed_lines(c, kept);
	if (!lde_check_program_path(argv[0], prog, sizeof(prog)))
		lde_check_timers(c, lde_check_imported_timers(prog));
	if (lde_trace_file_open(&reader, trace_path))
		goto cleanup;
	/* Its calls by the recording's numbers ("": x86_64, before arch). */
	if (lde_check_arch(c, reader.header.arch[0] ? reader.header.arch :
			   "x86_64")) {
		fprintf(stderr, "lde-bench: %s: the recording's arch \"%s\" is not one libseccomp knows\n",
			trace_path, reader.header.arch);
		lde_trace_file_close_reader(&reader);
		goto cleanup;
	}
	n = lde_trace_file_replay(&reader, check_event, c);
	lde_trace_file_close_reader(&reader);
	if (n)
		goto cleanup;
	lde_check_end(c, reader.end.lost, exit_status);
	n = lde_check_findings(c, &ref, findings);
	ret = lde_check_print(stdout, findings, n, json) ? 1 : 0;

cleanup:
	if (trace_path[0])
		unlink(trace_path);
	for (n = 0; n < 2; n++) {
		if (out[n] >= 0)
			close(out[n]);
		if (refp[n] >= 0)
			close(refp[n]);
	}
	lde_check_free(c);
	free(kept);
	free(refs);
	return ret;
}
