/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lde-trace knows of each system call's arguments: names and types,
 * as the running kernel describes them in its syscall trace-event formats
 * (tracefs events/syscalls/sys_enter_NAME/format), never a hand-typed
 * table.  Read live by lde_syscalls_tracefs.c, or from a trace file's
 * header, which carries them for a reader anywhere.
 *
 * How an argument is printed follows from its type (and, for flags and
 * modes, its name):
 *   const char *   a string, read by the trap program, unless the next
 *                  argument is a size_t: then it is a counted buffer
 *                  (write's buf) and stays a pointer
 *   other pointers hex (NULL for 0)
 *   *addr*, start, brk (unsigned long): addresses, as pointers
 *   *fd            a file descriptor: an int, whatever carries it
 *   *flag*, prot   hex
 *   umode_t        octal
 *   integers       signed or unsigned, at their size: typedefs resolve
 *                  through the kernel's BTF
 */
#ifndef _LDE_SYSCALLS_H
#define _LDE_SYSCALLS_H

#include <stdbool.h>
#include <stdio.h>

#include "lde_line.h"
#include "lde_trace.h"

enum lde_arg_kind {
	LDE_ARG_SIGNED,
	LDE_ARG_UNSIGNED,
	LDE_ARG_HEX,
	LDE_ARG_OCTAL,
	LDE_ARG_POINTER,
	LDE_ARG_STRING,
};

struct lde_syscall_arg {
	char type[48];		/* as the format writes it: "const char *" */
	char name[32];
	unsigned char kind;	/* enum lde_arg_kind */
	unsigned char size;	/* bytes of the value that count */
};

struct lde_syscall {
	bool known;
	unsigned int nargs;
	struct lde_syscall_arg args[LDE_TRAP_ARGS];
};

/*
 * A system call's signature, as the header carries it:
 * "openat(int dfd, const char * filename, int flags, umode_t mode)".
 * The name before the parenthesis is the format's.  0, or -1 if malformed.
 */
int lde_syscalls_define(long long nr, const char *signature);
/* A typedef an argument type names, and the C type it resolves to. */
void lde_syscalls_define_type(const char *name, const char *base);
/* Classifies every argument defined: after the types are known. */
void lde_syscalls_classify(void);

/* NULL if nothing is known of nr. */
const struct lde_syscall *lde_syscall_info(long long nr);
/* Bit i: argument i of nr is a string the trap program reads. */
unsigned int lde_syscall_string_args(long long nr);
/* Calls that return an address (mmap, brk...): their return is hex. */
bool lde_syscall_returns_address(long long nr);

/*
 * A call of the i386 table (enum lde_compat) is decoded by the signature
 * of the x86-64 call of the same name, each argument 32 bits wide, when
 * the kernel's i386 entry takes the same arguments; nr of the native
 * table is itself.  -1: no signature decodes it (its registers are shown
 * raw).
 */
long long lde_call_signature_nr(long long nr, unsigned int compat);
const struct lde_syscall *lde_call_info(long long nr, unsigned int compat);
unsigned int lde_call_string_args(long long nr, unsigned int compat);
/* "3", "-1 ENOENT (...)", "0x7f2c1000" for call nr of table compat. */
void lde_call_ret_text(struct lde_line *l, long long nr, unsigned int compat,
		       long long ret);
/* Whether call nr of table compat returns an address (shown in hex). */
bool lde_call_returns_address(long long nr, unsigned int compat);
/* The same text for a call known to return an address or not. */
void lde_ret_text(struct lde_line *l, long long ret, bool address);

/* ,"syscalls":{...},"types":{...} for a trace file's header. */
void lde_syscalls_write_json(FILE *f);

/*
 * A trap of x86-64's rt_sigreturn that carries the mask its frame
 * restores (see lde_trace.h).
 */
bool lde_trap_has_sigmask(const struct lde_event *e);

/* The argument's value as its type says: sign-extended or masked. */
long long lde_syscall_arg_value(const struct lde_syscall_arg *a,
				unsigned long long raw);
/* The same for a call of table compat: 32 bits at most for i386. */
long long lde_call_arg_value(const struct lde_syscall_arg *a,
			     unsigned long long raw, unsigned int compat);
/* The string event e read for argument i, or NULL (unreadable, not read). */
const char *lde_trap_string(const struct lde_event *e, unsigned int i,
			    bool *cut);

/*
 * "dfd=-100, filename=\"/etc/hosts\", flags=0x80000, mode=0".  With
 * exec, the return of the execve that trap e made: argv is shown as the
 * new program received it.  Brief: pointers left out, "..." in their
 * place (the protocol view, for people reading the chapter).
 */
void lde_syscall_args_text(struct lde_line *l, const struct lde_event *e,
			   const struct lde_event *exec, bool brief);
/*
 * argv as the new program received it, from the return of its execve:
 * ["ls", "-l"], a cut string marked "...", ", ..." for those not read.
 */
void lde_exec_argv_text(struct lde_line *l, const struct lde_event *exec);
/* "3", "-1 ENOENT (No such file or directory)", "0x7f2c1000" */
void lde_syscall_ret_text(struct lde_line *l, long long nr, long long ret);
/* The errno a return value says, or 0 if it is not a failure. */
int lde_syscall_errno(long long ret);
/* ENOENT for 2, the kernel's ERESTARTSYS for 512; NULL if none. */
const char *lde_errno_name(int err);

/*
 * The live kernel's formats (lde_syscalls_tracefs.c), their typedefs
 * resolved through the kernel's BTF (NULL: left as named): the number of
 * system calls described, or -errno.
 */
struct btf;
int lde_syscalls_read_tracefs(const struct btf *vmlinux_btf);

#endif /* _LDE_SYSCALLS_H */
