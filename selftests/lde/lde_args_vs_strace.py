#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The openat() calls of one program, as strace decoded them and as
lde-trace did (-j and -S), compared byte for byte after unescaping: each
path, each errno name.  A path longer than lde's bound (LDE_STR_LEN - 1 =
255 bytes) must be cut there, and said cut; a pointer to nothing is shown
as the pointer by both.  Prints "ok" or why not.

    usage: lde_args_vs_strace.py STRACE_FILE LDE_JSONL LDE_S_FILE
"""
import json
import re
import sys

BOUND = 255
ESCAPES = {'n': 10, 't': 9, 'r': 13, 'v': 11, 'f': 12, '"': 34, '\\': 92}


def c_string(s, i):
    """The C string literal starting at s[i] (a quote): (bytes, end)."""
    assert s[i] == '"', s[i:]
    out = bytearray()
    i += 1
    while s[i] != '"':
        c = s[i]
        if c != '\\':
            out.append(ord(c))
            i += 1
            continue
        n = s[i + 1]
        if n in '01234567':
            j = i + 1
            while j < len(s) and j < i + 4 and s[j] in '01234567':
                j += 1
            out.append(int(s[i + 1:j], 8))
            i = j
        elif n == 'x':
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(ESCAPES[n])
            i += 2
    return bytes(out), i + 1


def path_at(s, i):
    """A path argument at s[i]: ('str', bytes, cut) or ('ptr', value)."""
    if s[i] == '"':
        b, end = c_string(s, i)
        return ('str', b, s.startswith('...', end))
    m = re.match(r'(0x[0-9a-f]+|NULL)', s[i:])
    return ('ptr', 0 if m.group(1) == 'NULL' else int(m.group(1), 16), False)


def errno_of(line):
    m = re.search(r'\) += (-?\w+)(?: (E[A-Z0-9_]+))?', line)
    return m.group(2) if m.group(1) == '-1' else None


def from_strace(path):
    calls = []
    for line in open(path, encoding='latin-1'):
        m = re.match(r'\d+ +openat\([^,]+, ', line)
        if m and ' = ' in line:
            calls.append((path_at(line, m.end()), errno_of(line)))
    return calls


def from_lde_s(path):
    calls = []
    for line in open(path, encoding='latin-1'):
        m = re.match(r'\d+ openat\(dfd=[^,]+, filename=', line)
        if m:
            calls.append((path_at(line, m.end()), errno_of(line)))
    return calls


def from_lde_json(path):
    calls, open_traps = [], {}
    for line in open(path):
        e = json.loads(line)
        if e.get('name') != 'openat':
            continue
        if e['stage'] == 'trap':
            f = e['args']['filename']
            cut = 'filename' in e.get('args_cut', [])
            # Bytes above 0x7f are written \u00XX: one byte each.
            arg = ('str', f.encode('latin-1'), cut) if isinstance(f, str) \
                else ('ptr', f, False)
            open_traps[e['tid']] = arg
        elif e['stage'] == 'return':
            calls.append((open_traps.pop(e['tid']), e.get('errno')))
    return calls


def same(theirs, mine, who):
    assert len(theirs) == len(mine), (who, len(theirs), len(mine))
    cut = 0
    for (t, terr), (m, merr) in zip(theirs, mine):
        assert terr == merr, (who, t, terr, merr)
        assert t[0] == m[0], (who, t, m)
        if t[0] == 'ptr':
            assert t[1] == m[1], (who, t, m)
        elif m[2]:
            cut += 1
            assert len(m[1]) == BOUND and t[1][:BOUND] == m[1], (who, t, m)
            assert len(t[1]) > BOUND, (who, t, m)
        else:
            assert t[1] == m[1], (who, t, m)
            assert len(t[1]) <= BOUND, (who, 'longer than the bound, not cut', t)
    return cut


strace = from_strace(sys.argv[1])
failed = {e for _, e in strace if e}
assert {'ENOENT', 'EBADF', 'EFAULT'} <= failed, failed
assert any(p[0] == 'ptr' for p, _ in strace), 'no bad pointer'
assert same(strace, from_lde_json(sys.argv[2]), '-j') == 1
assert same(strace, from_lde_s(sys.argv[3]), '-S') == 1
print('ok')
