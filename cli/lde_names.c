// SPDX-License-Identifier: GPL-2.0
/* Names lde-trace prints: see lde_names.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include <linux/lde.h>
#include "lde_names.h"

const char *const lde_stage_names[LDE_NR_STAGES] = {
	[LDE_STAGE_TRAP] = "trap",
	[LDE_STAGE_RETURN] = "return",
	[LDE_STAGE_SWITCH] = "switch",
	[LDE_STAGE_TIMER] = "timer",
	[LDE_STAGE_EXEC] = "exec",
	[LDE_STAGE_EXIT] = "exit",
	[LDE_STAGE_FAULT] = "fault",
	[LDE_STAGE_LDE_TRAP] = "lde_trap",
	[LDE_STAGE_LDE_RETURN] = "lde_return",
	[LDE_STAGE_LDE_SWITCH] = "lde_switch",
	[LDE_STAGE_FORK] = "fork",
	[LDE_STAGE_REAP] = "reap",
	[LDE_STAGE_WAKEUP] = "wakeup",
};

static const char *const toy_names[LDE_NR_SYSCALLS] = LDE_SYSCALL_NAMES;

/* task_state_index()'s order: include/linux/sched.h's TASK_REPORT bits. */
static const char *const end_state_names[] = {
	"R", "S", "D", "T", "t", "X", "Z", "P", "I",
};

static const char *const reason_names[LDE_NR_REASONS] = {
	[LDE_REASON_BLOCKED] = "blocked",
	[LDE_REASON_TICK] = "tick",
	[LDE_REASON_WAKEUP] = "wakeup",
	[LDE_REASON_YIELD] = "yield",
	[LDE_REASON_OTHER] = "other",
	[LDE_REASON_SLICE] = "slice",
};

const char *lde_end_state_name(unsigned int state)
{
	if (state == LDE_END_STATE_PREEMPTED)
		return "R+";
	if (state < sizeof(end_state_names) / sizeof(end_state_names[0]))
		return end_state_names[state];
	return "?";
}

int lde_end_state_of(const char *name)
{
	unsigned int i;

	if (!strcmp(name, "R+"))
		return LDE_END_STATE_PREEMPTED;
	for (i = 0; i < sizeof(end_state_names) / sizeof(end_state_names[0]); i++)
		if (!strcmp(name, end_state_names[i]))
			return i;
	return -1;
}

const char *lde_reason_name(unsigned int reason)
{
	return reason < LDE_NR_REASONS ? reason_names[reason] : "other";
}

int lde_reason_of(const char *name)
{
	int i;

	for (i = 0; i < LDE_NR_REASONS; i++)
		if (!strcmp(name, reason_names[i]))
			return i;
	return -1;
}

int lde_stage_of(const char *name)
{
	int i;

	for (i = 0; i < LDE_NR_STAGES; i++)
		if (!strcmp(name, lde_stage_names[i]))
			return i;
	return -1;
}

const char *lde_kind_name(unsigned int kind)
{
	return lde_stage_names[lde_kind_stage(kind)];
}

/*
 * Names by number: libseccomp's for names_arch (this machine's, or a
 * replayed recording's), and those a recording's header gave, which come
 * first.
 */
static char *names[LDE_MAX_SYSCALLS];
static uint32_t names_arch = SCMP_ARCH_NATIVE;

int lde_syscall_names_arch(const char *arch)
{
	uint32_t token = seccomp_arch_resolve_name(arch);
	int nr;

	if (!token)
		return -1;
	names_arch = token;
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++) {
		free(names[nr]);
		names[nr] = NULL;
	}
	return 0;
}

void lde_syscall_name_set(long long nr, const char *name)
{
	if (nr < 0 || nr >= LDE_MAX_SYSCALLS)
		return;
	free(names[nr]);
	names[nr] = strdup(name);
}

/*
 * nr's name: cache[nr], resolved by libseccomp for arch the first time;
 * else "syscall_NR", written into unknown.
 */
static const char *cached_name(char **cache, uint32_t arch, long long nr,
			       char *unknown, size_t size)
{
	if (nr >= 0 && nr < LDE_MAX_SYSCALLS) {
		if (!cache[nr])
			cache[nr] = seccomp_syscall_resolve_num_arch(arch, nr);
		if (cache[nr])
			return cache[nr];
	}
	snprintf(unknown, size, "syscall_%lld", nr);
	return unknown;
}

const char *lde_syscall_name(long long nr)
{
	static char unknown[32];

	return cached_name(names, names_arch, nr, unknown, sizeof(unknown));
}

const char *lde_call_name(long long nr, unsigned int compat)
{
	static char *cache[LDE_MAX_SYSCALLS];
	static char unknown[32];

	if (compat != LDE_COMPAT_I386)
		return lde_syscall_name(nr);
	return cached_name(cache, SCMP_ARCH_X86, nr, unknown, sizeof(unknown));
}

const char *lde_compat_name(unsigned int compat)
{
	return compat == LDE_COMPAT_I386 ? "i386" : NULL;
}

int lde_compat_of(const char *name)
{
	return strcmp(name, "i386") ? -1 : LDE_COMPAT_I386;
}

int lde_syscall_nr(const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(names_arch, name);

	if (nr >= 0 && nr < LDE_MAX_SYSCALLS &&
	    !strcmp(lde_syscall_name(nr), name))
		return nr;
	/* A name the recording's header gave that libseccomp does not. */
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		if (names[nr] && !strcmp(names[nr], name))
			return nr;
	return -1;
}

/* Levenshtein distance, for names of at most 63 bytes. */
static int edit_distance(const char *a, const char *b)
{
	int la = strnlen(a, 63), lb = strnlen(b, 63), i, j;
	int row[64], diag, up;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

int lde_syscall_closest(const char *name, const char **out, int n)
{
	int best[8], found = 0, nr, d, i;
	const char *s;

	if (n > 8)
		n = 8;
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++) {
		s = lde_syscall_name(nr);
		if (!strncmp(s, "syscall_", 8))
			continue;
		d = edit_distance(name, s);
		/* Insert in order of distance, the first found first. */
		for (i = found; i > 0 && best[i - 1] > d; i--) {
			if (i < n) {
				best[i] = best[i - 1];
				out[i] = out[i - 1];
			}
		}
		if (i < n) {
			best[i] = d;
			out[i] = s;
			if (found < n)
				found++;
		}
	}
	return found;
}

const char *lde_toy_syscall_name(long long nr)
{
	if (nr >= 0 && nr < LDE_NR_SYSCALLS && toy_names[nr])
		return toy_names[nr];
	return "unknown";
}

const char *lde_signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}
