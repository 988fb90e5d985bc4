// SPDX-License-Identifier: GPL-2.0
/*
 * The timeline's events kept (lde_svg.h): each event, compactly, as a
 * mark until the end, when the time span is known; each process seen,
 * with the name it was last seen by, for its colour and the legend.
 * Bounded: past MAX_MARKS the rest are counted, not kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_render.h"
#include "lde_svg_internal.h"

#define MAX_MARKS	(1ULL << 25)

struct pid_slot {
	unsigned int pid;
	int index;
};

struct lde_svg *lde_svg_new(const struct lde_svg_opts *opts)
{
	struct lde_svg *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	s->switches_only = true;
	s->ncpus = 1;
	lde_tid_table_init(&s->by_pid, sizeof(struct pid_slot),
			   LDE_TID_TABLE_LIMIT);
	return s;
}

void lde_svg_free(struct lde_svg *s)
{
	if (!s)
		return;
	free(s->marks);
	free(s->procs);
	lde_tid_table_free(&s->by_pid);
	free(s);
}

/* The process pid's index, made on first sight; -1 for the idle task. */
static int proc_of(struct lde_svg *s, unsigned int pid, const char *comm,
		   bool traced)
{
	struct pid_slot *slot;
	struct proc *p;

	if (!pid)
		return -1;
	slot = lde_tid_get(&s->by_pid, pid);
	if (!slot)
		return -1;
	if (!slot->index) {
		if (s->nprocs == s->procs_cap) {
			size_t want = s->procs_cap ? s->procs_cap * 2 : 64;
			struct proc *more = realloc(s->procs,
						    want * sizeof(*more));

			if (!more)
				return -1;
			s->procs = more;
			s->procs_cap = want;
		}
		p = &s->procs[s->nprocs];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		slot->index = ++s->nprocs;
	}
	p = &s->procs[slot->index - 1];
	/* Named as it is last seen: a process that execs takes the new name. */
	if (traced || !p->comm[0])
		memcpy(p->comm, comm, LDE_COMM_LEN);
	p->traced |= traced;
	return slot->index - 1;
}

void lde_svg_add(struct lde_svg *s, const struct lde_event *e)
{
	unsigned int stage = lde_kind_stage(e->stage);
	bool sw = stage == LDE_STAGE_SWITCH;
	struct mark *m;

	if (stage == LDE_STAGE_LDE_SWITCH || stage == LDE_STAGE_WAKEUP ||
	    stage == LDE_STAGE_LDE_TRAP || stage == LDE_STAGE_LDE_RETURN)
		return;
	if (s->n == s->cap) {
		size_t want = s->cap ? s->cap * 2 : 4096;
		struct mark *more;

		if (want > MAX_MARKS ||
		    !(more = realloc(s->marks, want * sizeof(*more)))) {
			s->dropped++;
			return;
		}
		s->marks = more;
		s->cap = want;
	}
	m = &s->marks[s->n++];
	memset(m, 0, sizeof(*m));
	m->t = e->ts_ns - s->opts.start_ns;
	m->cpu = e->cpu < 4096 ? e->cpu : 4095;
	m->tid = e->tid;
	m->pid = e->pid;
	m->stage = stage;
	if (!sw)
		s->switches_only = false;
	/* A switch is sent when prev or next is traced: it names both. */
	m->proc = proc_of(s, e->pid, e->comm,
			  !sw || lde_prev_traced(e->sw.known));
	m->next_proc = -1;
	if (m->cpu + 1 > s->ncpus)
		s->ncpus = m->cpu + 1;
	switch (stage) {
	case LDE_STAGE_TRAP:
		m->arg = e->trap.nr;
		m->compat = e->trap.compat;
		break;
	case LDE_STAGE_RETURN:
		m->arg = e->ret.nr;
		m->compat = e->ret.compat;
		break;
	case LDE_STAGE_SWITCH:
		m->next_tid = e->sw.next_tid;
		m->next_pid = e->sw.next_pid;
		m->next_kthread = !e->sw.next_user_ip;
		m->nonvoluntary = e->sw.nonvoluntary;
		m->next_proc = proc_of(s, e->sw.next_pid, e->sw.next_comm,
				       lde_next_traced(e->sw.known));
		break;
	case LDE_STAGE_TIMER:
		m->mode = e->timer.mode;
		break;
	case LDE_STAGE_FORK:
		m->arg = e->fork.child_pid;
		break;
	case LDE_STAGE_EXIT:
		m->arg = e->exit.code;
		break;
	}
}
