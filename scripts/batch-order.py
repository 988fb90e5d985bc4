#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A trace file as lde-trace -j -w records it, made from one in time order.

  usage: batch-order.py IN SORTED BATCHES

SORTED gets IN's events in time order (ties by CPU, then as they came:
as lde-trace's reorder puts them); BATCHES the same events as -j's per-CPU
batches bring them, the header saying "order":"cpu": each CPU's events in
its order, a few at a time, CPUs taking turns, and the last CPU's final
third at the very end, as an idle CPU's batch comes when the trace ends.
Every line but the header is IN's own, byte for byte.  For
scripts/replay-check.sh: a replay for people of BATCHES must show SORTED.
"""
import json
import re
import sys

CHUNK = 7


def main():
    src, sorted_path, batches_path = sys.argv[1:4]
    with open(src, encoding='utf-8') as f:
        lines = f.read().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    end = [l for l in body if json.loads(l).get('stage') == 'end']
    events = []
    for i, l in enumerate(body):
        e = json.loads(l)
        if e.get('stage') != 'end':
            events.append((e.get('ts_ns', 0), e.get('cpu', 0), i, l))
    events.sort()
    with open(sorted_path, 'w', encoding='utf-8') as f:
        f.write(header)
        f.writelines(l for _, _, _, l in events)
        f.writelines(end)

    per_cpu = {}
    for _, cpu, _, l in events:
        per_cpu.setdefault(cpu, []).append(l)
    cpus = sorted(per_cpu)
    last = per_cpu[cpus[-1]]
    tail = last[len(last) - len(last) // 3:]
    del last[len(last) - len(tail):]
    out = []
    while any(per_cpu.values()):
        for cpu in cpus:
            out += per_cpu[cpu][:CHUNK]
            del per_cpu[cpu][:CHUNK]
    out += tail
    # Whatever order the header said (a file of this lde-trace says
    # "time"), it says "cpu" now, once.
    marked = re.sub(r',"order":"[a-z]*"', '', header)
    marked = marked.replace('"clock":"CLOCK_MONOTONIC"',
                            '"clock":"CLOCK_MONOTONIC","order":"cpu"', 1)
    assert json.loads(marked).get('order') == 'cpu', 'no clock in the header'
    assert marked.count('"order":') == 1, marked[:300]
    with open(batches_path, 'w', encoding='utf-8') as f:
        f.write(marked)
        f.writelines(out)
        f.writelines(end)


if __name__ == '__main__':
    main()
