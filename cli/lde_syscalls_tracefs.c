// SPDX-License-Identifier: GPL-2.0
/*
 * The live source of lde_syscalls.h: each system call's arguments as the
 * running kernel's syscall trace events describe them, in tracefs
 * (events/syscalls/sys_enter_NAME/format), read once at start; the
 * typedefs they name (umode_t, pid_t, key_serial_t...) resolved through
 * the kernel's BTF.
 *
 * Numbers and names are libseccomp's, as strace prints them.  A few
 * events are named after the kernel's function, not the call: "newstat"
 * for stat (the "new" ABI of an old call), "umount" for umount2,
 * "sendfile64" for sendfile; lde looks for those names too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "lde_names.h"
#include "lde_syscalls.h"

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* The format of name's sys_enter event, opened; NULL if it has none. */
static FILE *open_format(const char *root, const char *name)
{
	static const struct {
		const char *call, *event;
	} renamed[] = {
		{ "umount2", "umount" },
		{ "sendfile", "sendfile64" },
	};
	char path[512];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_%s/format",
		 root, name);
	f = fopen(path, "re");
	if (f)
		return f;
	snprintf(path, sizeof(path),
		 "%s/events/syscalls/sys_enter_new%s/format", root, name);
	f = fopen(path, "re");
	if (f)
		return f;
	for (i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(name, renamed[i].call))
			return open_format(root, renamed[i].event);
	return NULL;
}

/*
 * A typedef an argument names, as the C type it stands for: "umode_t" is
 * "short unsigned int".  Pointers and enums say so.
 */
/*
 * Whether type was looked up in the BTF already; remembered if not.  A
 * lookup walks every type the kernel has (some 126,000: 1.3 ms natively,
 * tens of ms under TCG), and a few names ("int", "size_t", "pid_t") come
 * back in hundreds of arguments: each is looked up once.
 */
static bool looked_up(const char *type)
{
	static char seen[128][sizeof(((struct lde_syscall_arg *)0)->type)];
	static unsigned int nseen;
	unsigned int i;

	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], type))
			return true;
	if (nseen < sizeof(seen) / sizeof(seen[0]))
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", type);
	return false;
}

static void resolve_type(const struct btf *btf, const char *type)
{
	const struct btf_type *t;
	__s32 id;
	int depth;

	if (!btf || strchr(type, '*') || strchr(type, ' ') ||
	    looked_up(type))
		return;
	id = btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF);
	if (id < 0)
		return;
	t = btf__type_by_id(btf, id);
	for (depth = 0; t && depth < 16; depth++) {
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
			t = btf__type_by_id(btf, t->type);
			continue;
		case BTF_KIND_INT:
			lde_syscalls_define_type(type,
				btf__name_by_offset(btf, t->name_off));
			return;
		case BTF_KIND_PTR:
			lde_syscalls_define_type(type, "void *");
			return;
		case BTF_KIND_ENUM:
			lde_syscalls_define_type(type, "int");
			return;
		default:
			return;
		}
	}
}

/*
 * "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;" gives
 * "const char * filename".  The common_ fields and __syscall_nr are not
 * arguments.
 */
static int read_signature(FILE *f, const char *name, char *sig, size_t size,
			  const struct btf *btf)
{
	char line[512], *field, *end;
	size_t len;
	int nargs = 0;

	len = snprintf(sig, size, "%s(", name);
	while (fgets(line, sizeof(line), f)) {
		struct lde_syscall_arg a;
		char *space;

		field = strstr(line, "field:");
		if (!field)
			continue;
		field += strlen("field:");
		end = strchr(field, ';');
		if (!end)
			continue;
		*end = '\0';
		space = strrchr(field, ' ');
		if (!space || !strncmp(space + 1, "common_", 7) ||
		    !strcmp(space + 1, "__syscall_nr"))
			continue;
		len += snprintf(sig + len, len < size ? size - len : 0, "%s%s",
				nargs ? ", " : "", field);
		*space = '\0';
		snprintf(a.type, sizeof(a.type), "%s", field);
		resolve_type(btf, a.type);
		nargs++;
	}
	len += snprintf(sig + len, len < size ? size - len : 0, ")");
	return len < size ? 0 : -1;
}

int lde_syscalls_read_tracefs(const struct btf *btf)
{
	const char *root = NULL;
	char sig[512], path[512];
	unsigned int i;
	int nr, n = 0;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls",
			 tracefs_roots[i]);
		if (!access(path, R_OK)) {
			root = tracefs_roots[i];
			break;
		}
	}
	if (!root)
		return -ENOENT;
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++) {
		const char *name = lde_syscall_name(nr);
		FILE *f;

		if (!strncmp(name, "syscall_", 8))
			continue;
		f = open_format(root, name);
		if (!f)
			continue;
		if (!read_signature(f, name, sig, sizeof(sig), btf) &&
		    !lde_syscalls_define(nr, sig))
			n++;
		fclose(f);
	}
	lde_syscalls_classify();
	return n;
}
