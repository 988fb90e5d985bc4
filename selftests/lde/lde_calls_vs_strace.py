#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every system call of one single-threaded program, as strace saw it
(strace -f -e quiet=none -o FILE: personality changes said) and as
lde-trace did (-S and -j), compared call by call: the name, the table it
went through (strace's "[ Process PID=N runs in 32 bit mode. ]"), the
return value as strace writes it (errno names, "?" for the calls a signal
interrupted), and rt_sigreturn's argument, the mask its frame restores.
Addresses and the pid differ from run to run and are compared as such.
Prints "ok" or why not.

    usage: lde_calls_vs_strace.py STRACE_FILE LDE_S_FILE LDE_JSONL
"""
import json
import re
import sys

# "1234   name(args) = ret" (strace pads before "="), or a mode line.
CALL = re.compile(r'(\d+) +([a-z_0-9]+)\((.*)\) += (.*)$')
MODE = re.compile(r'(\d+) +\[ Process PID=(\d+) runs in (32|64) bit mode\. \]$')


def normal(text, pid):
    """Run-to-run values made equal: the pid and addresses."""
    text = re.sub(r'\b0x[0-9a-f]{6,}\b', 'ADDR', text)
    return re.sub(r'\b%d\b' % pid, 'PID', text)


def calls_of(path):
    """[(name, table, ret, sigreturn mask or None)] of a -S-like file."""
    calls, table = [], '64'
    for line in open(path, encoding='latin-1'):
        line = line.rstrip('\n')
        m = MODE.match(line)
        if m:
            assert m.group(1) == m.group(2), line
            table = m.group(3)
            continue
        m = CALL.match(line)
        if not m:
            # strace's signal and exit lines; nothing else may be lost.
            assert re.match(r'\d+ +(---|\+\+\+) ', line), ('unparsed', line)
            continue
        pid = int(m.group(1))
        name, args, ret = m.group(2), m.group(3), m.group(4)
        mask = args if name == 'rt_sigreturn' else None
        calls.append((name, table, normal(ret, pid), mask))
    return calls


def calls_of_json(path):
    """The same from -j: each return paired with its trap by thread."""
    calls, traps = [], {}
    for line in open(path):
        e = json.loads(line)
        if e['stage'] == 'trap':
            assert e['tid'] not in traps, ('a trap left open', e)
            traps[e['tid']] = e
        elif e['stage'] == 'return':
            t = traps.pop(e['tid'])
            assert (t['nr'], t['name'], t.get('compat')) == \
                (e['nr'], e['name'], e.get('compat')), ('unpaired', t, e)
            calls.append((e['name'], e.get('compat'), e['ret'],
                          e.get('errno'), t.get('sigmask'), e['pid']))
    # exit_group traps and never returns.
    assert [t['name'] for t in traps.values()] == ['exit_group'], traps
    return calls


def same_as_json(theirs, mine):
    """strace's calls against -j's, exit_group left out (no return)."""
    theirs = [c for c in theirs if c[0] != 'exit_group']
    assert len(theirs) == len(mine), ('-j', len(theirs), len(mine))
    for (name, table, ret, mask), (jname, compat, jret, errno, sigmask,
                                   pid) in zip(theirs, mine):
        assert name == jname, ('-j', name, jname)
        assert (compat == 'i386') == (table == '32'), ('-j', name, compat)
        if errno:
            assert ret.split()[1] == errno, ('-j', name, ret, errno)
        elif ret not in ('ADDR', 'PID'):
            assert ret == str(jret), ('-j', name, ret, jret)
        if mask is not None:
            assert sigmask is not None, ('-j', 'no sigmask', name)


strace = calls_of(sys.argv[1])
lde = calls_of(sys.argv[2])
assert len(strace) == len(lde), ('-S', len(strace), len(lde),
                                 [c[0] for c in strace], [c[0] for c in lde])
for theirs, mine in zip(strace, lde):
    assert theirs == mine, ('-S', theirs, mine)
same_as_json(strace, calls_of_json(sys.argv[3]))
print('ok')
