// SPDX-License-Identifier: GPL-2.0
/*
 * System calls' arguments, typed and named: see lde_syscalls.h.  This file
 * knows signatures, wherever they came from (the live kernel's formats, a
 * trace file's header), and prints arguments and return values by them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "lde_names.h"
#include "lde_stats.h"
#include "lde_syscalls.h"

static struct lde_syscall table[LDE_MAX_SYSCALLS];
/* As defined, for a trace file's header. */
static char *signatures[LDE_MAX_SYSCALLS];

#define LDE_MAX_TYPES	128

static struct {
	char name[48];
	char base[48];
} types[LDE_MAX_TYPES];
static int ntypes;

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* "const char * filename": the last word is the name, the rest the type. */
static int split_arg(const char *text, struct lde_syscall_arg *a)
{
	char buf[96];
	char *name;

	snprintf(buf, sizeof(buf), "%s", text);
	trim(buf);
	name = strrchr(buf, ' ');
	if (!name || !name[1])
		return -1;
	*name++ = '\0';
	/* "char *name" is written "char * name": the star stays the type's. */
	while (*name == '*')
		name++;
	trim(buf);
	if (strlen(buf) >= sizeof(a->type) || strlen(name) >= sizeof(a->name))
		return -1;
	strcpy(a->type, buf);
	strcpy(a->name, name);
	return a->type[0] && a->name[0] ? 0 : -1;
}

int lde_syscalls_define(long long nr, const char *signature)
{
	struct lde_syscall sc = { .known = true };
	const char *open = strchr(signature, '('), *p;
	const char *close = strrchr(signature, ')');
	char arg[96];

	if (nr < 0 || nr >= LDE_MAX_SYSCALLS || !open || !close ||
	    close < open)
		return -1;
	for (p = open + 1; p < close; ) {
		const char *end = memchr(p, ',', close - p);
		size_t len;

		if (!end)
			end = close;
		len = end - p;
		if (len >= sizeof(arg) || sc.nargs == LDE_TRAP_ARGS)
			return -1;
		memcpy(arg, p, len);
		arg[len] = '\0';
		trim(arg);
		/* "name(void)" and "name()": no arguments. */
		if (arg[0] && strcmp(arg, "void")) {
			if (split_arg(arg, &sc.args[sc.nargs]))
				return -1;
			sc.nargs++;
		}
		p = end + 1;
	}
	table[nr] = sc;
	free(signatures[nr]);
	signatures[nr] = strdup(signature);
	return 0;
}

void lde_syscalls_define_type(const char *name, const char *base)
{
	int i;

	for (i = 0; i < ntypes; i++)
		if (!strcmp(types[i].name, name))
			break;
	if (i == LDE_MAX_TYPES)
		return;
	snprintf(types[i].name, sizeof(types[i].name), "%s", name);
	snprintf(types[i].base, sizeof(types[i].base), "%s", base);
	if (i == ntypes)
		ntypes++;
}

static const char *base_type(const char *type)
{
	int i;

	for (i = 0; i < ntypes; i++)
		if (!strcmp(types[i].name, type))
			return types[i].base;
	return type;
}

static bool has_word(const char *type, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(type, word); p; p = strstr(p + 1, word))
		if ((p == type || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
	return false;
}

/* A C integer type's size and signedness from its words; false if none. */
static bool integer_type(const char *type, unsigned char *size, bool *sign)
{
	static const char *const words[] = {
		"char", "short", "int", "long", "signed", "unsigned", "_Bool",
	};
	bool any = false;
	unsigned int i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		any |= has_word(type, words[i]);
	if (!any)
		return false;
	*sign = !has_word(type, "unsigned") && !has_word(type, "_Bool");
	if (has_word(type, "long"))
		*size = 8;
	else if (has_word(type, "short"))
		*size = 2;
	else if (has_word(type, "char") || has_word(type, "_Bool"))
		*size = 1;
	else
		*size = 4;
	return true;
}

static bool is_c_string(const char *type)
{
	return !strcmp(type, "const char *");
}

/*
 * Some addresses are passed as unsigned long (mmap's addr, mprotect's
 * start, brk): by their name, they print as pointers do.
 */
static bool is_address_name(const char *name)
{
	return strstr(name, "addr") || !strcmp(name, "start") ||
	       !strcmp(name, "brk");
}

/* A file descriptor is an int, whatever type carries it (mmap's fd). */
static bool is_fd_name(const char *name)
{
	size_t n = strlen(name);

	return n >= 2 && !strcmp(name + n - 2, "fd");
}

static void classify_arg(struct lde_syscall *sc, unsigned int i)
{
	struct lde_syscall_arg *a = &sc->args[i];
	/* "const size_t size": a const value is its type's. */
	const char *base = base_type(strncmp(a->type, "const ", 6) ?
				     a->type : a->type + 6);
	bool sign;

	a->size = 8;
	if (strchr(a->type, '*')) {
		/* A string, unless a size follows: a counted buffer. */
		bool counted = i + 1 < sc->nargs &&
			       !strcmp(sc->args[i + 1].type, "size_t");

		a->kind = is_c_string(a->type) && !counted ?
			  LDE_ARG_STRING : LDE_ARG_POINTER;
		return;
	}
	if (strchr(base, '*')) {
		a->kind = LDE_ARG_POINTER;
		return;
	}
	if (!integer_type(base, &a->size, &sign)) {
		/* Not known to be a number of some size: all of it, in hex. */
		a->size = 8;
		a->kind = LDE_ARG_HEX;
		return;
	}
	if (is_address_name(a->name) && a->size == 8)
		a->kind = LDE_ARG_POINTER;
	else if (is_fd_name(a->name)) {
		a->kind = LDE_ARG_SIGNED;
		a->size = 4;
	} else if (!strcmp(a->type, "umode_t") || !strcmp(a->type, "mode_t"))
		a->kind = LDE_ARG_OCTAL;
	else if (strstr(a->name, "flag") || !strcmp(a->name, "prot"))
		a->kind = LDE_ARG_HEX;
	else
		a->kind = sign ? LDE_ARG_SIGNED : LDE_ARG_UNSIGNED;
}

void lde_syscalls_classify(void)
{
	unsigned int nr, i;

	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		for (i = 0; i < table[nr].nargs; i++)
			classify_arg(&table[nr], i);
}

const struct lde_syscall *lde_syscall_info(long long nr)
{
	if (nr < 0 || nr >= LDE_MAX_SYSCALLS || !table[nr].known)
		return NULL;
	return &table[nr];
}

/*
 * i386 calls that share a name with an x86-64 call but not its arguments:
 * their entries in the kernel's arch/x86/entry/syscalls/syscall_32.tbl
 * are sys_old_mmap and sys_old_select (one pointer to a block of
 * arguments), compat_sys_ia32_clone (tls before child_tid), and the
 * sys_ia32_* calls that take a 64-bit value in two registers.
 */
static bool i386_arguments_differ(const char *name)
{
	static const char *const calls[] = {
		"mmap", "select", "clone", "pread64", "pwrite64", "readahead",
		"fadvise64", "sync_file_range", "fallocate",
	};
	unsigned int i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(name, calls[i]))
			return true;
	return false;
}

long long lde_call_signature_nr(long long nr, unsigned int compat)
{
	const char *name;
	int native;

	if (compat == LDE_COMPAT_NONE)
		return nr;
	if (compat != LDE_COMPAT_I386)
		return -1;
	name = lde_call_name(nr, compat);
	if (!strncmp(name, "syscall_", 8) || i386_arguments_differ(name))
		return -1;
	native = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	return native >= 0 && native < LDE_MAX_SYSCALLS ? native : -1;
}

const struct lde_syscall *lde_call_info(long long nr, unsigned int compat)
{
	return lde_syscall_info(lde_call_signature_nr(nr, compat));
}

unsigned int lde_call_string_args(long long nr, unsigned int compat)
{
	long long native = lde_call_signature_nr(nr, compat);

	return native < 0 ? 0 : lde_syscall_string_args(native);
}

unsigned int lde_syscall_string_args(long long nr)
{
	const struct lde_syscall *sc = lde_syscall_info(nr);
	unsigned int i, mask = 0, n = 0;

	for (i = 0; sc && i < sc->nargs && n < LDE_TRAP_STRS; i++)
		if (sc->args[i].kind == LDE_ARG_STRING) {
			mask |= 1U << i;
			n++;
		}
	return mask;
}

/*
 * The formats do not say what a call returns.  These return an address
 * (strace's RVAL_HEX calls on x86-64), shown in hex.
 */
static bool returns_address(const char *name)
{
	/* And on i386, mmap2 (strace's RVAL_HEX there too). */
	static const char *const calls[] = {
		"mmap", "mremap", "brk", "shmat", "mmap2",
	};
	unsigned int i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (!strcmp(name, calls[i]))
			return true;
	return false;
}

bool lde_syscall_returns_address(long long nr)
{
	return returns_address(lde_syscall_name(nr));
}

void lde_syscalls_write_json(FILE *f)
{
	unsigned int nr;
	int i, first = 1;

	fputs(",\"syscalls\":{", f);
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++) {
		if (!signatures[nr])
			continue;
		fprintf(f, "%s\"%u\":", first ? "" : ",", nr);
		lde_json_str(f, signatures[nr], strlen(signatures[nr]));
		first = 0;
	}
	fputs("},\"types\":{", f);
	for (i = 0; i < ntypes; i++) {
		fprintf(f, "%s", i ? "," : "");
		lde_json_str(f, types[i].name, sizeof(types[i].name));
		fputc(':', f);
		lde_json_str(f, types[i].base, sizeof(types[i].base));
	}
	fputc('}', f);
}

long long lde_syscall_arg_value(const struct lde_syscall_arg *a,
				unsigned long long raw)
{
	unsigned int bits = a->size * 8;

	if (bits >= 64)
		return raw;
	raw &= (1ULL << bits) - 1;
	/* Sign-extend: an int's -100 arrives as 0xffffff9c, or with junk above. */
	if (a->kind == LDE_ARG_SIGNED && raw >> (bits - 1))
		raw |= ~0ULL << bits;
	return raw;
}

bool lde_trap_has_sigmask(const struct lde_event *e)
{
	const char *name;

	/* Asked at every trap: the name's first letter before a call. */
	if (e->trap.compat != LDE_COMPAT_NONE ||
	    !e->trap.args[LDE_SIGRETURN_MASK_READ])
		return false;
	name = lde_syscall_name(e->trap.nr);
	return name[0] == 'r' && !strcmp(name, "rt_sigreturn");
}

long long lde_call_arg_value(const struct lde_syscall_arg *a,
			     unsigned long long raw, unsigned int compat)
{
	struct lde_syscall_arg narrow;

	if (compat != LDE_COMPAT_I386 || a->size <= 4)
		return lde_syscall_arg_value(a, raw);
	/* An i386 long, size_t or pointer is 32 bits. */
	narrow = *a;
	narrow.size = 4;
	return lde_syscall_arg_value(&narrow, raw);
}

const char *lde_trap_string(const struct lde_event *e, unsigned int i,
			    bool *cut)
{
	unsigned int n;

	if (e->stage != LDE_EVENT_TRAP_STRINGS)
		return NULL;
	for (n = 0; n < e->trap_str.nstrs && n < LDE_TRAP_STRS; n++) {
		if (e->trap_str.str_arg[n] != i ||
		    e->trap_str.str_state[n] == LDE_STR_UNREADABLE)
			continue;
		*cut = e->trap_str.str_state[n] == LDE_STR_CUT;
		return e->trap_str.str[n];
	}
	return NULL;
}

static void octal(struct lde_line *l, unsigned long long v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = '0' + (v & 7);
		v >>= 3;
	} while (v);
	if (*p != '0')
		*--p = '0';
	lde_line_mem(l, p, tmp + sizeof(tmp) - p);
}

static void pointer(struct lde_line *l, unsigned long long v)
{
	if (v)
		lde_line_hex(l, v);
	else
		lde_line_lit(l, "NULL");
}

void lde_exec_argv_text(struct lde_line *l, const struct lde_event *exec)
{
	unsigned int i;

	lde_line_char(l, '[');
	for (i = 0; i < exec->exec_ret.argv_read && i < LDE_ARGV_MAX; i++) {
		if (i)
			lde_line_lit(l, ", ");
		lde_line_c_str(l, exec->exec_ret.argv[i], LDE_ARG_LEN);
		if (exec->exec_ret.argv_cut & (1U << i))
			lde_line_lit(l, "...");
	}
	if (exec->exec_ret.argv_read < exec->exec_ret.argc)
		lde_line_lit(l, ", ...");
	lde_line_char(l, ']');
}

void lde_syscall_args_text(struct lde_line *l, const struct lde_event *e,
			   const struct lde_event *exec, bool brief)
{
	const struct lde_syscall *sc = lde_call_info(e->trap.nr,
						     e->trap.compat);
	unsigned int i, shown = 0;
	bool left_out = false;

	if (!sc) {
		/* Nothing known of it: every register it may use, raw. */
		for (i = 0; i < LDE_TRAP_ARGS; i++) {
			if (i)
				lde_line_lit(l, ", ");
			lde_line_hex(l, e->trap.args[i]);
		}
		return;
	}
	for (i = 0; i < sc->nargs; i++) {
		const struct lde_syscall_arg *a = &sc->args[i];
		unsigned long long raw = e->trap.args[i];
		long long v = lde_call_arg_value(a, raw, e->trap.compat);
		const char *s;
		bool cut = false;

		if (brief && (a->kind == LDE_ARG_POINTER ||
			      (a->kind == LDE_ARG_STRING &&
			       !lde_trap_string(e, i, &cut)))) {
			left_out = true;
			continue;
		}
		if (shown++)
			lde_line_lit(l, ", ");
		lde_line_str(l, a->name);
		lde_line_char(l, '=');
		if (exec && !strcmp(a->name, "argv")) {
			lde_exec_argv_text(l, exec);
			continue;
		}
		switch (a->kind) {
		case LDE_ARG_STRING:
			s = lde_trap_string(e, i, &cut);
			if (!s) {
				pointer(l, raw);
				break;
			}
			lde_line_c_str(l, s, LDE_STR_LEN);
			if (cut)
				lde_line_lit(l, "...");
			break;
		case LDE_ARG_POINTER:
			pointer(l, raw);
			break;
		case LDE_ARG_HEX:
			if (v)
				lde_line_hex(l, v);
			else
				lde_line_char(l, '0');
			break;
		case LDE_ARG_OCTAL:
			octal(l, v);
			break;
		case LDE_ARG_SIGNED:
			lde_line_s64(l, v);
			break;
		default:
			lde_line_u64(l, v);
			break;
		}
	}
	if (left_out && shown)
		lde_line_lit(l, ", ...");
	else if (left_out)
		lde_line_lit(l, "...");
}

int lde_syscall_errno(long long ret)
{
	return ret < 0 && ret >= -4095 ? (int)-ret : 0;
}

/*
 * The kernel's own restart codes (include/linux/errno.h), never seen by a
 * program but seen here, at the return, when a signal interrupts a call.
 */
static const char *kernel_errno_name(int err)
{
	switch (err) {
	case 512: return "ERESTARTSYS";
	case 513: return "ERESTARTNOINTR";
	case 514: return "ERESTARTNOHAND";
	case 515: return "ENOIOCTLCMD";
	case 516: return "ERESTART_RESTARTBLOCK";
	}
	return NULL;
}

const char *lde_errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : kernel_errno_name(err);
}

void lde_syscall_ret_text(struct lde_line *l, long long nr, long long ret)
{
	lde_call_ret_text(l, nr, LDE_COMPAT_NONE, ret);
}

bool lde_call_returns_address(long long nr, unsigned int compat)
{
	return returns_address(lde_call_name(nr, compat));
}

void lde_call_ret_text(struct lde_line *l, long long nr, unsigned int compat,
		       long long ret)
{
	lde_ret_text(l, ret, !lde_syscall_errno(ret) &&
			     lde_call_returns_address(nr, compat));
}

void lde_ret_text(struct lde_line *l, long long ret, bool address)
{
	int err = lde_syscall_errno(ret);
	const char *name, *desc;

	if (!err) {
		if (address)
			lde_line_hex(l, ret);
		else
			lde_line_s64(l, ret);
		return;
	}
	/* As strace: -1, as the program sees it, with errno's name. */
	lde_line_lit(l, "-1 ");
	name = lde_errno_name(err);
	if (!name) {
		lde_line_lit(l, "errno ");
		lde_line_u64(l, err);
		return;
	}
	lde_line_str(l, name);
	desc = strerrordesc_np(err);
	if (desc) {
		lde_line_lit(l, " (");
		lde_line_str(l, desc);
		lde_line_char(l, ')');
	}
}
