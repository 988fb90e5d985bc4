// SPDX-License-Identifier: GPL-2.0
/* OS @ boot, as the running system reports it: see lde_boot.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lde_boot.h"

#define LDE_BOOT_FILE	"/sys/kernel/debug/lde/boot"
#define CLOCKEVENTS	"/sys/devices/system/clockevents"

/* One "cpu N key value ..." line; the first CPU's values are kept. */
static void parse_cpu_line(struct lde_boot *b, char *line)
{
	char *key, *val, *save = NULL;
	struct lde_boot one = { 0 };

	strtok_r(line, " \n", &save);	/* "cpu" */
	strtok_r(NULL, " \n", &save);	/* its number */
	while ((key = strtok_r(NULL, " \n", &save)) &&
	       (val = strtok_r(NULL, " \n", &save))) {
		if (!strcmp(key, "syscall_entry"))
			snprintf(one.syscall_entry, LDE_BOOT_NAME_LEN, "%s", val);
		else if (!strcmp(key, "timer_handler"))
			snprintf(one.timer_handler, LDE_BOOT_NAME_LEN, "%s", val);
		else if (!strcmp(key, "fault_handler"))
			snprintf(one.fault_handler, LDE_BOOT_NAME_LEN, "%s", val);
		else if (!strcmp(key, "timer_vector"))
			one.timer_vector = atoi(val);
		else if (!strcmp(key, "fault_vector"))
			one.fault_vector = atoi(val);
		/*
		 * arm64: VBAR_EL1's slot for a synchronous exception from
		 * EL0 (svc and faults alike), and for an IRQ from EL0 (the
		 * arch timer's tick): each slot's offset is its vector.
		 */
		else if (!strcmp(key, "vbar_el1"))
			snprintf(one.trap_table, LDE_BOOT_NAME_LEN, "%s", val);
		else if (!strcmp(key, "el0_sync+0x400")) {
			snprintf(one.syscall_entry, LDE_BOOT_NAME_LEN, "%s", val);
			snprintf(one.fault_handler, LDE_BOOT_NAME_LEN, "%s", val);
			one.fault_vector = 0x400;
		} else if (!strcmp(key, "el0_irq+0x480")) {
			snprintf(one.timer_handler, LDE_BOOT_NAME_LEN, "%s", val);
			one.timer_vector = 0x480;
		} else if (!strcmp(key, "current_el")) {
			/* The level the kernel runs at: EL1, or EL2 (VHE). */
			one.has_kernel_level = true;
			one.kernel_level = atoi(val);
		}
	}
	if (!b->cpus++) {
		memcpy(b->syscall_entry, one.syscall_entry, LDE_BOOT_NAME_LEN);
		memcpy(b->timer_handler, one.timer_handler, LDE_BOOT_NAME_LEN);
		memcpy(b->fault_handler, one.fault_handler, LDE_BOOT_NAME_LEN);
		memcpy(b->trap_table, one.trap_table, LDE_BOOT_NAME_LEN);
		b->timer_vector = one.timer_vector;
		b->fault_vector = one.fault_vector;
		b->has_kernel_level = one.has_kernel_level;
		b->kernel_level = one.kernel_level;
		b->same_on_all_cpus = true;
		return;
	}
	if (strcmp(b->syscall_entry, one.syscall_entry) ||
	    strcmp(b->timer_handler, one.timer_handler) ||
	    strcmp(b->fault_handler, one.fault_handler))
		b->same_on_all_cpus = false;
}

/* arm64: "timer arch_timer irq 11 hwirq 27 handler NAME cntfrq HZ". */
static void parse_arch_timer_line(struct lde_boot *b, const char *line)
{
	char handler[LDE_BOOT_NAME_LEN];

	if (sscanf(line, "timer arch_timer irq %d hwirq %u handler %63s cntfrq %llu",
		   &b->timer_irq, &b->timer_hwirq, handler,
		   &b->timer_counter_hz) == 4)
		snprintf(b->timer_irq_handler, LDE_BOOT_NAME_LEN, "%s", handler);
}

bool lde_boot_parse(struct lde_boot *b, const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	int ro = 0;

	if (!copy)
		return false;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "cpu ", 4))
			parse_cpu_line(b, line);
		else if (!strncmp(line, "timer arch_timer irq ", 21))
			parse_arch_timer_line(b, line);
		else if (sscanf(line, "hz %d", &b->hz) == 1)
			continue;
		else if (sscanf(line, "kernel_stack_size %u",
				&b->kernel_stack_size) == 1)
			continue;
		else if (sscanf(line, "toy_trap_table entries %d read_only %d",
				&b->toy_entries, &ro) == 2)
			b->toy_read_only = ro;
	}
	free(copy);
	b->module = b->cpus > 0 && b->syscall_entry[0];
	return b->module;
}

static bool read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n > 0;
}

/* The tick device of every CPU: clockevent<N>/current_device. */
static void read_clockevents(struct lde_boot *b)
{
	char path[128], name[LDE_BOOT_NAME_LEN];
	int cpu;

	b->clockevent_same = true;
	for (cpu = 0;; cpu++) {
		snprintf(path, sizeof(path), CLOCKEVENTS "/clockevent%d/current_device",
			 cpu);
		if (!read_text(path, name, sizeof(name)))
			break;
		name[strcspn(name, "\n")] = '\0';
		if (!cpu)
			memcpy(b->clockevent, name, sizeof(name));
		else if (strcmp(b->clockevent, name))
			b->clockevent_same = false;
	}
}

void lde_boot_read(struct lde_boot *b)
{
	char text[8192];

	memset(b, 0, sizeof(*b));
	if (read_text(LDE_BOOT_FILE, text, sizeof(text)))
		lde_boot_parse(b, text);
	read_clockevents(b);
}
