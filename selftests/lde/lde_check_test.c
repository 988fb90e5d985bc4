// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check on the homework's example answers
 * (Documentation/homework/), each verdict as the kernel's events give it:
 * a careful answer gets no wrong; the same unpinned gets a wrong naming
 * the CPUs and sched_setaffinity; a gettimeofday loop called a system
 * call gets a wrong saying it never trapped; figures ten times off get a
 * wrong with both figures.  lde-bench is taken beside $LDE_TRACE (it runs
 * lde-trace from its own directory), the answers beside this test.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lde_test_util.h"

#define OUT_MAX	(64 * 1024)

static char out[OUT_MAX];

/*
 * Smaller than the answers' defaults, still a loop (1000 calls) and a
 * ping-pong (100 round trips) several times over: every call is traced.
 */
#define CALLS	"5000"
#define TRIPS	"500"

/* lde-bench --check -j -- ANSWER ARGS: its JSON Lines in out; exit status. */
static int check(struct __test_metadata *_metadata, const char *answer,
		 const char *arg1, const char *arg2, const char *arg3)
{
	const char *tracer = getenv("LDE_TRACE");
	char bench[PATH_MAX], prog[PATH_MAX], dir[PATH_MAX], self[PATH_MAX];
	ssize_t n;
	size_t len = 0;
	int p[2], status;
	pid_t pid;

	if (!tracer)
		return -1;
	snprintf(dir, sizeof(dir), "%s", tracer);
	snprintf(bench, sizeof(bench), "%s/lde-bench", dirname(dir));
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(prog, sizeof(prog), "%s/homework_%s", dirname(self), answer);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		setenv("LDE_TRACE", tracer, 1);
		execl(bench, "lde-bench", "--check", "-j", "--", prog, arg1,
		      arg2, arg3, (char *)NULL);
		_exit(126);
	}
	close(p[1]);
	while (len < OUT_MAX - 1 && (n = read(p[0], out + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	TH_LOG("lde-bench --check -j -- %s %s %s %s:\n%s", prog,
	       arg1 ? arg1 : "", arg2 ? arg2 : "", arg3 ? arg3 : "", out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The JSON line of one check, or NULL; copied into line. */
static const char *finding(const char *check, char *line, size_t size)
{
	char key[64];
	const char *p, *end;

	snprintf(key, sizeof(key), "{\"check\":\"%s\",", check);
	p = strstr(out, key);
	if (!p)
		return NULL;
	end = strchr(p, '\n');
	snprintf(line, size, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
	return line;
}

static bool says(const char *check, const char *verdict, const char *text)
{
	char line[4096], v[32];

	if (!finding(check, line, sizeof(line)))
		return false;
	snprintf(v, sizeof(v), "\"verdict\":\"%s\"", verdict);
	return strstr(line, v) && (!text || strstr(line, text));
}

/* No verdict is wrong but those of the printed figures. */
static bool only_figures_wrong(void)
{
	const char *p = out, *key = "\"verdict\":\"wrong\"";

	while ((p = strstr(p, key))) {
		const char *line = p;

		while (line > out && line[-1] != '\n')
			line--;
		if (strncmp(line, "{\"check\":\"syscall-figure\",", 26) &&
		    strncmp(line, "{\"check\":\"switch-figure\",", 25))
			return false;
		p += strlen(key);
	}
	return true;
}

/*
 * The printed figures are held against the kernel's own timing within a
 * factor of 2.  In the arm64 guest, under TCG, that is not sound: a system
 * call costs about 60 times an x86 guest's and the guest's speed swings
 * several-fold from one second to the next, so a careful answer's
 * lmbench figure and lde-bench's own, taken seconds apart in one trace,
 * were 91.2 and 185.4 us (ratio 0.49) in one make check.  There every
 * other verdict is still asserted; the figures' verdicts are only shown.
 */
#if defined(__aarch64__)
#define FIGURES_JUDGED	false
#else
#define FIGURES_JUDGED	true
#endif

/* Each check traces a program and lde-bench's reference under TCG. */
FIXTURE(check) {};
FIXTURE_SETUP(check) {}
FIXTURE_TEARDOWN(check) {}

TEST_F_TIMEOUT(check, a_careful_answer_gets_no_wrong, 300)
{
	int status = check(_metadata, "careful", CALLS, TRIPS, NULL);

	if (status < 0)
		SKIP(return, "LDE_TRACE does not name lde-trace");
	EXPECT_TRUE(says("syscall-loop", "ok", "read calls in a row"));
	EXPECT_TRUE(says("switch-cpus", "ok", "sched_setaffinity"));
	EXPECT_TRUE(says("switch-rate", "ok", NULL));
	EXPECT_TRUE(says("timer", "ok", "clock_gettime"));
	if (!FIGURES_JUDGED) {
		TH_LOG("arm64 under TCG: the figures' verdicts are shown, not judged (see FIGURES_JUDGED)");
		EXPECT_TRUE(status == 0 || status == 1);
		EXPECT_TRUE(only_figures_wrong());
		return;
	}
	EXPECT_EQ(0, status);
	EXPECT_EQ(NULL, strstr(out, "\"verdict\":\"wrong\""));
	EXPECT_TRUE(says("syscall-figure", "ok", NULL));
	EXPECT_TRUE(says("switch-figure", "ok", NULL));
}

/*
 * Unpinned, the two ends usually run on two CPUs (the guest's vCPUs share
 * a last-level cache, so a woken process goes to its own idle CPU: 61% of
 * switch-ins on one, 2100 of 3237 wakeups across CPUs, in one run), but
 * not always: on a quiet host the scheduler once kept both on CPU 1 (96%
 * of switch-ins).  Either way nothing pinned them, and that is what is
 * wrong: the test asserts the CPUs named, whichever they were, and the
 * missing sched_setaffinity.
 */
TEST_F_TIMEOUT(check, the_same_unpinned_is_wrong_naming_cpus_and_sched_setaffinity, 300)
{
	int status = check(_metadata, "careful", "--no-pin", CALLS, TRIPS);

	if (status < 0)
		SKIP(return, "LDE_TRACE does not name lde-trace");
	EXPECT_EQ(1, status);
	EXPECT_TRUE(says("switch-cpus", "wrong", "ran on CPU "));
	EXPECT_TRUE(says("switch-cpus", "wrong", "no sched_setaffinity"));
	EXPECT_TRUE(says("switch-cpus", "wrong", "Pin both to one CPU with sched_setaffinity"));
}

TEST_F_TIMEOUT(check, a_gettimeofday_loop_called_a_system_call_never_trapped, 300)
{
	int status = check(_metadata, "gettimeofday_loop", "200000", NULL, NULL);

	if (status < 0)
		SKIP(return, "LDE_TRACE does not name lde-trace");
	EXPECT_EQ(1, status);
	EXPECT_TRUE(says("syscall-loop", "wrong", "never entered the kernel"));
	EXPECT_TRUE(says("syscall-loop", "wrong", "gettimeofday, which the vDSO answers"));
}

TEST_F_TIMEOUT(check, figures_ten_times_off_are_wrong_with_both_figures, 300)
{
	int status = check(_metadata, "careful", "--miscount", CALLS, TRIPS);

	if (status < 0)
		SKIP(return, "LDE_TRACE does not name lde-trace");
	EXPECT_EQ(1, status);
	EXPECT_TRUE(says("syscall-figure", "wrong", "it printed"));
	EXPECT_TRUE(says("syscall-figure", "wrong", "the kernel timed a call of the timed loop at"));
	EXPECT_TRUE(says("switch-figure", "wrong", "the kernel timed half a round trip of the ping-pong at"));
	/* What was measured is still sound: only the arithmetic is wrong. */
	EXPECT_TRUE(says("switch-cpus", "ok", NULL));
}

LDE_HARNESS_MAIN
