#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# The fuzz target's seeds, cut from the recorded traces: each trace's
# events in windows of 32, each window under its trace's header with only
# the signatures its events name.  A whole trace (70-135 KB, a 25 KB
# header) takes the fuzzer tens of milliseconds; a window, about one, so
# the same minute tries twenty times the inputs, over the same events.
# Every other window's header says "order":"cpu" (a file recorded a batch
# per CPU), which sends its events through the reorder, as -r does.
#   usage: fuzz-seeds.py OUT_DIR TRACE...
import json
import os
import sys

WINDOW = 32

out = sys.argv[1]
for path in sys.argv[2:]:
    with open(path, 'rb') as f:
        lines = f.read().split(b'\n')
    header = json.loads(lines[0])
    events = [l for l in lines[1:] if l and not l.startswith(b'{"stage":"end"')]
    base = os.path.basename(path).rsplit('.', 1)[0]
    for start in range(0, len(events), WINDOW):
        window = events[start:start + WINDOW]
        nrs = set()
        for line in window:
            e = json.loads(line)
            if 'nr' in e:
                nrs.add(str(e['nr']))
        h = dict(header)
        h['syscalls'] = {k: v for k, v in header.get('syscalls', {}).items()
                         if k in nrs}
        if start // WINDOW % 2:
            h['order'] = 'cpu'
        with open(os.path.join(out, '%s-%04d.lde' % (base, start)), 'wb') as f:
            f.write(json.dumps(h, separators=(',', ':')).encode() + b'\n')
            f.write(b'\n'.join(window) + b'\n')
            f.write(b'{"stage":"end","lost":0,"lost_processes":0}\n')
