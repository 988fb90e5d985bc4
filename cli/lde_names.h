/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names lde-trace prints: stages, system calls (the kernel's, from
 * libseccomp; lde.ko's toy ones, from the ABI header), signals, errnos.
 */
#ifndef _LDE_NAMES_H
#define _LDE_NAMES_H

#include "lde_trace.h"

extern const char *const lde_stage_names[LDE_NR_STAGES];

/* The stage of a name, or -1. */
int lde_stage_of(const char *name);
/* The stage name an event kind is shown as. */
const char *lde_kind_name(unsigned int kind);
/* The kernel's name for a system-call number; syscall_N if none. */
const char *lde_syscall_name(long long nr);
/* The number of a system call's name, or -1. */
int lde_syscall_nr(const char *name);
/*
 * The name of nr in the table compat says (enum lde_compat): the i386
 * table's from libseccomp, as strace names a 32-bit call; syscall_N if
 * none.  And the table's own name: "i386", or NULL for the native one.
 */
const char *lde_call_name(long long nr, unsigned int compat);
const char *lde_compat_name(unsigned int compat);
/* "i386" and the like: the enum lde_compat of a name, or -1. */
int lde_compat_of(const char *name);
/*
 * A replay names calls as the recording did, not as this machine would:
 * by its arch (libseccomp's name, "x86_64", "aarch64"; -1 if unknown),
 * and by the names its header gave, which come first.
 */
int lde_syscall_names_arch(const char *arch);
void lde_syscall_name_set(long long nr, const char *name);
/*
 * The known system-call names closest to name (by edit distance), at most
 * n of them, into out; how many.
 */
int lde_syscall_closest(const char *name, const char **out, int n);
/* lde.ko's toy system call's name, or "unknown". */
const char *lde_toy_syscall_name(long long nr);
/* SIGSEGV and the like; SIG? if none. */
const char *lde_signal_name(int sig);

/*
 * A switch's end state as perf sched and Perfetto write it: R, S, D, T,
 * t, X, Z, P, I, and R+ for preempted; "?" if unknown.  And back: the
 * state of a name, or -1.
 */
const char *lde_end_state_name(unsigned int state);
int lde_end_state_of(const char *name);
/* A switch's reason (enum lde_switch_reason): "tick"...; and back, or -1. */
const char *lde_reason_name(unsigned int reason);
int lde_reason_of(const char *name);

#endif /* _LDE_NAMES_H */
