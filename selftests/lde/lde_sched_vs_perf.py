#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One run of `lde_workload sched` (two spinners on CPU 0, a pipe
ping-pong on CPU 1) seen by `perf sched record -k CLOCK_MONOTONIC` and by
`lde-trace -w` at the same time, held switch by switch:

- nothing lost: the trace file's end line says lde lost no event, and
  perf sched timehist (its stderr in the file) warns of no lost chunk;
- clocks: perf's samples (-k CLOCK_MONOTONIC) and lde's events
  (bpf_ktime_get_ns) both read ktime_get_mono_fast_ns(); lde's times count
  from lde-trace's start, so the two are aligned by the median of
  (perf - lde) over the switches both saw (printed, with its spread);
- every switch of a workload task has its twin: lde's switch event and
  perf's raw sched_switch of the same task on the same CPU with nothing
  else perf saw on that CPU between the two stamps (both tracers stamp
  the same tracepoint call, perf's probe first: it was registered
  first).  A switch only one tracer saw fails, named with its time and
  the state its task left in, and each task's last state in both;
- runs paired by time (through those twins): each tracer's run time is
  its own stamps' difference (switch in to switch out on that CPU), so
  the two differ only by the gaps between the probes at its ends;
- waits compared run by run:
  lde's next_wait_ns against perf sched timehist's "sch delay" (the wait
  from the first sched_waking), or its "wait time" when the task left
  before in state R or R+ (preempted).  A wait that differs by more than
  20 us must be the time between perf's probe and lde's probe of the
  wait's first or last event: lde's start of the wait is perf's first
  sched_waking of the task since it left (or its switch out, when it
  left runnable) with nothing else on that CPU between, and its end the
  switch in's twin.  Under single-threaded TCG a vCPU can stop for
  milliseconds between the two probes (the other vCPU runs), which
  opens such gaps; the kernel puts the task on a run queue only after
  both probes return, so lde's later stamp is the nearer one.
  Agreement (share of waits within 20 us) and the sums' ratio are
  printed, not asserted: they depend on the host's load;
- reasons: a spinner never blocks and is never preempted by the wakeup
  of a spinner (they wake no one): each leaves at a tick or for a woken
  task it names (its wakeup outranked the spinner, or found its slice
  used up); the ping-pong blocks in read() and is otherwise preempted by
  a tick or a wakeup it names; "other" stays under 1% (or one: the
  debug kernel gives a spinner about 75 switches in the run).

LDE_TEST_TIMEOUT_SCALE (20 on make check-debug's kernel) widens the
slack allowed for aligning the clocks as much as the tests' time bounds.

Prints "ok" and the figures, or why not.

    usage: lde_sched_vs_perf.py LDE_TRACE_FILE PERF_TIMEHIST_TXT PERF_SCRIPT_TXT
"""
import bisect
import collections
import json
import os
import re
import sys

TASKS = ('lde-spin', 'lde-ping', 'lde-pong')
# perf 6.1 still prints states with the kernel's old letters
# (TASK_STATE_TO_CHAR_STR "RSDTtZXxKWPNn"): R+ (0x100) comes out as W.
RUNNABLE_PERF = ('R', 'W', 'R+')
RUNNABLE_LDE = ('R', 'R+')

TIME_SCALE = max(1, int(os.environ.get('LDE_TEST_TIMEOUT_SCALE', '1')))
# How far before perf's stamp lde's may fall once the clocks are aligned
# by the median gap: the gap's own spread and timehist's microseconds.
SLACK_NS = 20000 * TIME_SCALE
AGREE_NS = 20000


def read_lde(path):
    """The switch events and the end line's lost count (None: no end)."""
    switches, lost = [], None
    for line in open(path):
        e = json.loads(line)
        if e.get('stage') == 'switch':
            switches.append(e)
        elif e.get('stage') == 'end':
            lost = e.get('lost', 0) + e.get('lost_processes', 0)
    return switches, lost


def read_timehist(path):
    """perf sched timehist --state rows by tid, one per switch out: (time
    ns, the wait before the run as timehist counts it, run, state,
    forgotten: the first row that names no command, ":TID[TID]").  The
    wait is "sch delay" (from the first wakeup), or "wait time" when the
    task left before in state R or R+ (preempted: all of it waiting)."""
    rows = collections.defaultdict(list)
    left = {}
    lost = []	# perf's own warnings (its stderr is in the file too)
    row = re.compile(r'^\s*([\d.]+)\s+\[\d+\]\s+(.+?)\[(\d+)(?:/\d+)?\]\s+'
                     r'([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s*$')
    for line in open(path):
        m = row.match(line)
        if not m:
            if re.search(r'\blost\b', line):
                lost.append(line.strip())
            continue
        t = round(float(m.group(1)) * 1e9)
        wait, delay, run = (round(float(m.group(i)) * 1e6) for i in (4, 5, 6))
        tid = int(m.group(3))
        runnable = left.get(tid) in RUNNABLE_PERF
        nameless = m.group(2) == f':{tid}'
        forgotten = nameless and not (rows[tid] and rows[tid][-1][5])
        rows[tid].append((t, wait if runnable else delay, run, m.group(7),
                          forgotten, nameless))
        left[tid] = m.group(7)
    return rows, lost


SWITCH_RE = re.compile(r'prev_pid=(\d+) .*prev_state=(\S+) ==> .*'
                       r'next_pid=(\d+)')
PID_RE = re.compile(r'(?:^|\s)pid=(\d+)')
# Newer perf (Debian 13's 6.12) prints sched_switch and sched_wakeup(_new)
# its own way, not as the tracepoint's fields: "comm:pid [prio] S ==>
# comm:pid [prio]" and "comm:pid [prio] CPU:nnn".
SWITCH_PRETTY_RE = re.compile(r'^(.*):(\d+) \[-?\d+\] (\S+) ==> '
                              r'(.*):(\d+) \[-?\d+\]')
PID_PRETTY_RE = re.compile(r'^(.*):(\d+) \[-?\d+\]')
LINE_RE = re.compile(r'\[(\d+)\]\s+([\d.]+):\s+sched:(\w+):\s(.*)$')


def read_raw(path):
    """perf script's raw sched events by CPU, in time order: (time ns,
    name, tid, other tid, prev_state)."""
    per_cpu = collections.defaultdict(list)
    for line in open(path):
        m = LINE_RE.search(line)
        if not m:
            continue
        cpu, t, name, rest = (int(m.group(1)), round(float(m.group(2)) * 1e9),
                              m.group(3), m.group(4))
        if name == 'sched_switch':
            m = SWITCH_RE.search(rest)
            if m:
                prev, state, nxt = m.group(1), m.group(2), m.group(3)
            else:
                m = SWITCH_PRETTY_RE.search(rest)
                if not m:
                    sys.exit(f'{path}: a sched_switch perf script printed '
                             f'in a form this script does not know: {line.strip()}')
                prev, state, nxt = m.group(2), m.group(3), m.group(5)
            per_cpu[cpu].append((t, name, int(prev), int(nxt), state))
        else:
            m = PID_RE.search(rest) or PID_PRETTY_RE.search(rest)
            per_cpu[cpu].append((t, name, int(m.group(m.lastindex)) if m else -1,
                                 -1, ''))
    for evs in per_cpu.values():
        evs.sort(key=lambda r: r[0])
    return per_cpu


def clock_offset(switches, per_cpu):
    """perf time - lde time, from the switches both saw: the mode of the
    candidate differences of lde's first switches (10 us bins), refined
    to the median of those within 50 us of it over all switches."""
    by_key = collections.defaultdict(list)
    for cpu, evs in per_cpu.items():
        for t, name, a, b, _ in evs:
            if name == 'sched_switch':
                by_key[(cpu, a, b)].append(t)
    bins = collections.Counter()
    for e in switches[:100]:
        for t in by_key[(e['cpu'], e['prev_tid'], e['next_tid'])]:
            bins[(t - e['ts_ns']) // 10000] += 1
    if not bins:
        return None, 0, 0
    mode = bins.most_common(1)[0][0] * 10000 + 5000
    near = []
    for e in switches:
        ts = by_key[(e['cpu'], e['prev_tid'], e['next_tid'])]
        i = bisect.bisect_left(ts, e['ts_ns'] + mode - 50000)
        while i < len(ts) and ts[i] <= e['ts_ns'] + mode + 50000:
            near.append(ts[i] - e['ts_ns'])
            i += 1
    near.sort()
    return near[len(near) // 2], len(near), near[-1] - near[0]


def twin(evs, times, stamp, match):
    """The perf event of the same tracepoint call as lde's stamp: the
    last one on that CPU matching, at or before stamp + slack, with no
    other event after it and before stamp - slack.  None if not so."""
    i = bisect.bisect_right(times, stamp + SLACK_NS) - 1
    while i >= 0 and not match(evs[i]):
        if evs[i][0] < stamp - SLACK_NS:
            return None	# something else happened between
        i -= 1
    return evs[i] if i >= 0 else None


def main():
    if len(sys.argv) != 4:
        print(__doc__.split('usage: ')[1].strip())
        return 2
    switches, lost = read_lde(sys.argv[1])
    rows, perf_lost = read_timehist(sys.argv[2])
    per_cpu = read_raw(sys.argv[3])
    times = {cpu: [r[0] for r in evs] for cpu, evs in per_cpu.items()}
    comm = {}
    for e in switches:
        comm[e['prev_tid']] = e['prev_comm']
        comm[e['next_tid']] = e['next_comm']
    tids = sorted(t for t, c in comm.items() if c in TASKS)
    bad = []
    print(f'# lde lost {lost} events' if lost is not None else
          '# lde\'s trace file has no end line (lde-trace did not finish)')
    if lost is None or lost:
        bad.append(f'lde lost {lost} events: a larger ring (-b) or a '
                   f'shorter run')
    if perf_lost:
        print('# perf: ' + '; '.join(perf_lost))
        bad.append('perf lost events: a switch it lost has no twin')
    if len(tids) != 4:
        print('\n'.join(bad + [f'expected 4 workload tasks, saw {tids}']))
        return 1
    offset, nr_matched, spread = clock_offset(switches, per_cpu)
    if offset is None:
        print('no switch seen by both tracers')
        return 1
    print(f'# clocks: perf -k CLOCK_MONOTONIC and bpf_ktime_get_ns are '
          f'both ktime_get_mono_fast_ns(); lde counts from its start, '
          f'{offset / 1e9:.6f} s on that clock (median of {nr_matched} '
          f'switches, spread {spread / 1e3:.1f} us)')
    for e in switches:
        e['t'] = e['ts_ns'] + offset

    def switch_twin(e):
        cpu = e['cpu']
        return twin(per_cpu.get(cpu, []), times.get(cpu, []), e['t'],
                    lambda r: r[1] == 'sched_switch' and
                    r[2] == e['prev_tid'] and r[3] == e['next_tid'])

    # perf's switches are held to lde's while lde-trace ran.
    first, last = switches[0]['t'], switches[-1]['t']
    total = collections.Counter()
    # When each task blocked on a page fault (D, outside a system call):
    # it wakes when the page is read, and may then preempt a spinner.
    paged_in = collections.defaultdict(list)
    for e in switches:
        if e['reason'] == 'blocked' and e.get('blocked_in') is None and \
                e['end_state'] == 'D':
            paged_in[e['prev_tid']].append(e['ts_ns'])
    for tid in tids:
        name = f'{comm[tid]}[{tid}]'
        mine = [e for e in switches if tid in (e['prev_tid'], e['next_tid'])]
        # perf's switches of this task while lde traced it, by time.
        theirs = sorted((r[0], cpu, r) for cpu, evs in per_cpu.items()
                        for r in evs if r[1] == 'sched_switch' and
                        tid in (r[2], r[3]) and
                        first - SLACK_NS <= r[0] <= last + SLACK_NS)
        twinned = set()
        wakings = sorted((r[0], cpu, r) for cpu, evs in per_cpu.items()
                         for r in evs if r[1] == 'sched_waking' and
                         r[2] == tid)
        by_out = {r[0]: r for r in rows[tid]}
        out_times = sorted(by_out)
        s = collections.Counter()
        prev_out = None	# lde's last switch out of tid, and its twin
        last_in = None	# lde's switch in of the run going on, and its twin
        gaps = []
        for e in mine:
            tw = switch_twin(e)
            if tw is None:
                bad.append(f'{name}: lde\'s switch at {e["t"] / 1e9:.6f} '
                           f'on CPU {e["cpu"]} ({e["prev_comm"]} '
                           f'{e["end_state"]} -> {e["next_comm"]}) has no '
                           f'twin in perf')
                continue
            twinned.add(tw[0])
            if e['prev_tid'] == tid:
                s['switches'] += 1
                s['run lde'] += e.get('prev_run_ns', 0)
                i = bisect.bisect_left(out_times, tw[0] - 1000)
                row = by_out[out_times[i]] if i < len(out_times) and \
                    abs(out_times[i] - tw[0]) <= 1000 else None
                if row:
                    s['run perf'] += row[2]
                # A run paired: each tracer's figure is its own stamps'
                # difference, so the two differ by the gaps at its ends.
                if row and last_in and last_in[0]['cpu'] == e['cpu'] and \
                        'prev_run_ns' in e and (
                        e['prev_run_ns'] != e['ts_ns'] - last_in[0]['ts_ns']
                        or abs(row[2] - (tw[0] - last_in[1][0])) > 1000):
                    bad.append(f'{name}: the run ending at '
                               f'{tw[0] / 1e9:.6f}: lde '
                               f'{e["prev_run_ns"] / 1e3:.1f} us, perf '
                               f'{row[2] / 1e3:.1f} us, not their switches\' '
                               f'{(e["ts_ns"] - last_in[0]["ts_ns"]) / 1e3:.1f}'
                               f' and {(tw[0] - last_in[1][0]) / 1e3:.1f} us')
                elif row and last_in:
                    s['runs paired'] += 1
                prev_out = (e, tw)
                last_in = None
                continue
            last_in = (e, tw)
            # tid switched in: its wait, run by run.
            if 'next_wait_ns' not in e or prev_out is None:
                continue
            end = prev_out[0]
            i = bisect.bisect_left(out_times, tw[0] + 1000)
            # perf's row for the run this switch in begins: the next out.
            if i >= len(out_times):
                continue
            row = by_out[out_times[i]]
            if abs(row[0] - row[2] - tw[0]) > 2000:
                s['unpaired'] += 1	# perf's row is not this run's
                continue
            # Debian 13's perf (6.12) names an exiting task's last runs
            # ":TID[TID]", the first of them with wait and delay 0: it
            # has dropped the task (its command, its wakeup) and started
            # it anew, so it has no figure for that wait.  Said, not
            # judged.
            if row[4]:
                s['forgotten'] += 1
                continue
            perf_wait, lde_wait = row[1], e['next_wait_ns']
            s['waits'] += 1
            s['wait lde'] += lde_wait
            s['wait perf'] += perf_wait
            if abs(lde_wait - perf_wait) <= AGREE_NS:
                s['agree'] += 1
                continue
            # Explain it: each end of the wait stamped by both tracers in
            # one tracepoint call, perf's probe first.  Its end is the
            # switch in's twin; its start, lde's switch out (left
            # runnable) or the first sched_waking since, with its twin.
            start = e['t'] - lde_wait
            if end['end_state'] in RUNNABLE_LDE:
                p_start = prev_out[1][0] if start == end['t'] else None
            else:
                j = bisect.bisect_right(wakings, (prev_out[1][0], 1 << 30))
                woke = wakings[j] if j < len(wakings) else None
                p_start = None
                if woke and woke[0] < tw[0] and twin(
                        per_cpu[woke[1]], times[woke[1]], start,
                        lambda r: r is woke[2]):
                    p_start = woke[0]
            # perf's own figure is its events' difference (timehist
            # prints microseconds).
            if p_start is None or abs(tw[0] - p_start - perf_wait) > 1000:
                bad.append(f'{name}: the wait before {e["t"] / 1e9:.6f} '
                           f'(after {end["end_state"]}): lde '
                           f'{lde_wait / 1e3:.1f} us, perf '
                           f'{perf_wait / 1e3:.1f} us, and the two do not '
                           f'start at one event' if p_start is None else
                           f'{name}: perf\'s wait before {tw[0] / 1e9:.6f} '
                           f'({perf_wait / 1e3:.1f} us) is not its events\' '
                           f'({(tw[0] - p_start) / 1e3:.1f} us)')
                continue
            s['explained'] += 1
            gaps.append((start - p_start, e['t'] - tw[0]))
        for t, cpu, r in theirs:
            if t not in twinned:
                who = r[2] if r[2] == tid else r[3]
                bad.append(f'{name}: perf\'s switch at {t / 1e9:.6f} on '
                           f'CPU {cpu} ({r[2]} {r[4]} -> {r[3]}) has no twin '
                           f'in lde' + (' (its exit)' if who == r[2] and
                                        r[4] in ('X', 'Z') else ''))
        last_lde = [e for e in mine if e['prev_tid'] == tid][-1:]
        last_perf = [r for _, _, r in theirs if r[2] == tid][-1:]
        s_state = (f'last state lde '
                   f'{last_lde[0]["end_state"] if last_lde else "-"} perf '
                   f'{last_perf[0][4] if last_perf else "-"}')
        nr_perf = sum(1 for _, _, r in theirs if r[2] == tid)
        if s['switches'] != nr_perf:
            bad.append(f'{name}: {s["switches"]} switches out, perf '
                       f'{nr_perf}; {s_state}')
        widest = max(gaps, key=lambda g: abs(g[0]) + abs(g[1]),
                     default=(0, 0))
        ratio = s['wait lde'] / s['wait perf'] if s['wait perf'] else 1
        print(f'# {name}: switches out lde {s["switches"]} perf {nr_perf}, '
              f'{s_state}; runs paired {s["runs paired"]}, ms lde '
              f'{s["run lde"] / 1e6:.3f} perf '
              f'{s["run perf"] / 1e6:.3f}; waits {s["waits"]}, '
              f'{100 * s["agree"] / max(1, s["waits"]):.1f}% within '
              f'{AGREE_NS // 1000} us, the other {s["explained"]} by the '
              f'time between the probes (widest: start {widest[0] / 1e3:+.1f}'
              f' us, end {widest[1] / 1e3:+.1f} us); wait ms lde '
              f'{s["wait lde"] / 1e6:.3f} perf {s["wait perf"] / 1e6:.3f} '
              f'(lde/perf {ratio:.3f})')
        if s['forgotten']:
            print(f'# {name}: perf has no wait for one run near its exit '
                  f'(its timehist had dropped the exiting task), not judged')
        total.update(s)
        reasons = [e for e in switches if e['prev_tid'] == tid]
        page_ins = 0
        for e in reasons:
            why = e['reason']
            if e['end_state'] in ('X', 'Z'):
                continue	# its exit
            # Blocked in D outside a system call: a page fault waiting for
            # the binary's pages from the guest's root (a fresh build's
            # are not cached yet): any task may, spinners too.
            if why == 'blocked' and e.get('blocked_in') is None and \
                    e['end_state'] == 'D':
                page_ins += 1
                continue
            if why in ('wakeup', 'slice') and not e.get('wakeup_comm'):
                bad.append(f'{name}: a {why} without its woken task')
            woken_from_page_in = any(
                t < e['ts_ns'] for t in paged_in.get(e.get('wakeup_tid'), ()))
            if comm[tid] == 'lde-spin' and (
                    why == 'blocked' or
                    (why in ('wakeup', 'slice') and
                     e['wakeup_comm'] == 'lde-spin' and
                     not woken_from_page_in)):
                bad.append(f'{name}: a spinner left by {why} at '
                           f'{e["ts_ns"]}')
            if comm[tid] != 'lde-spin' and why == 'blocked' and \
                    e.get('blocked_in') != 'read':
                bad.append(f'{name}: blocked in {e.get("blocked_in")}')
        if page_ins:
            print(f'# {name}: {page_ins} blocked outside a system call '
                  f'(D: a page fault reading its binary), not judged')
        # "other": need-resched set outside the tick, the wakeup check
        # and a woken task's enqueue: rare, never the rule.
        others = sum(e['reason'] == 'other' for e in reasons)
        if others > max(1, len(reasons) // 100):
            bad.append(f'{name}: {others} of {len(reasons)} switches '
                       f'with reason other')
    print(f'# all: {total["waits"]} waits, '
          f'{100 * total["agree"] / max(1, total["waits"]):.1f}% within '
          f'{AGREE_NS // 1000} us, {total["explained"]} apart by the time '
          f'between the probes')
    kinds = collections.Counter((comm[t], e['reason']) for e in switches
                                for t in tids if e['prev_tid'] == t)
    print('# reasons: ' + ', '.join(f'{c} {r} {n}'
                                    for (c, r), n in sorted(kinds.items())))
    for c, r in (('lde-spin', 'tick'), ('lde-ping', 'blocked'),
                 ('lde-pong', 'blocked')):
        if not kinds[(c, r)]:
            bad.append(f'no {c} switch with reason {r}')
    if bad:
        print('\n'.join(bad[:20]))
        if len(bad) > 20:
            print(f'... and {len(bad) - 20} more')
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
