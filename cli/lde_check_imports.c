// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check: what the student's program imports to read the
 * time, from its ELF file: a clock read in the vDSO makes no system call
 * for the trace to see.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lde_check.h"
#include "lde_check_run.h"

/* PROGRAM as execvp would find it. */
int lde_check_program_path(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[4096], *dir, *save;

	if (strchr(name, '/')) {
		snprintf(buf, size, "%s", name);
		return 0;
	}
	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, size, "%s/%s", dir, name);
		if (!access(buf, X_OK))
			return 0;
	}
	return -1;
}

/*
 * The clocks a dynamically linked program takes from the C library: its
 * undefined dynamic symbols.  libelf bounds every read by the file.
 */
unsigned int lde_check_imported_timers(const char *path)
{
	static const struct {
		const char *name;
		unsigned int timer;
	} names[] = {
		{ "gettimeofday", LDE_TIMER_GETTIMEOFDAY },
		{ "clock_gettime", LDE_TIMER_CLOCK_GETTIME },
		{ "clock_gettime64", LDE_TIMER_CLOCK_GETTIME },
		{ "time", LDE_TIMER_TIME },
	};
	unsigned int timers = 0;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n, k;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, i, &sym) ||
			    sym.st_shndx != SHN_UNDEF)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			for (k = 0; s && k < sizeof(names) / sizeof(names[0]); k++)
				if (!strcmp(s, names[k].name))
					timers |= names[k].timer;
		}
	}
	elf_end(elf);
	close(fd);
	return timers;
}
