#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Checks lde-trace's timeline picture (-o FILE.svg) against the trace file
# it was drawn from: well-formed SVG, a lane per CPU, every traced process
# named comm[pid] in the legend with a colour of its own (while the
# palette lasts), switches and ticks drawn (merged within a pixel: never
# more lines than events), fork, exec, exit and reap marked by name,
# system calls as kernel-mode bands.
#   usage: svg-check.py PICTURE.svg TRACE.lde
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
svg, trace = sys.argv[1], sys.argv[2]
root = ET.parse(svg).getroot()
assert root.tag == NS + "svg", root.tag
events = [json.loads(line) for line in open(trace, encoding="utf-8")][1:]
events = [e for e in events if e.get("stage") not in ("end", "boot")]
stages = [e["stage"] for e in events]

whole = [g for g in root.iter(NS + "g") if g.get("id") == "whole"]
assert len(whole) == 1, "one panel of the whole run"
whole = whole[0]
texts = [t.text or "" for t in whole.iter(NS + "text")]
cpus = {"CPU %d" % e["cpu"] for e in events if "cpu" in e}
assert cpus <= set(texts), (cpus, texts[:5])

lines = [l.get("class") for l in whole.iter(NS + "line")]
for stage, cls in (("switch", "switch"), ("timer", "tick")):
    n = stages.count(stage)
    assert (lines.count(cls) > 0) == (n > 0), (cls, lines.count(cls), n)
    assert lines.count(cls) <= n, (cls, lines.count(cls), n)

# The legend: comm[pid] of each process some event other than a switch
# is about, each with its own colour while there are colours enough.
def escape(s):
    return "".join(c if 0x20 <= ord(c) < 0x7f else "?" for c in s)

procs = {}
for e in events:
    if e["stage"] not in ("switch", "wakeup") and \
            not e["stage"].startswith("lde_") and e["pid"]:
        procs[e["pid"]] = escape(e["comm"])
legend = {}
for g in root.iter(NS + "g"):
    if g.get("class") == "legend-task":
        name = "".join(g.find(NS + "text").itertext())
        legend[name] = g.find(NS + "rect").get("fill")
pids = {int(n.rsplit("[", 1)[1].rstrip("]")) for n in legend}
assert set(procs) <= pids, (sorted(procs), sorted(pids))
named = {n.rsplit("[", 1)[0] for n in legend}
assert set(procs.values()) <= named | {c for c in named}, (procs, named)
fills = list(legend.values())
assert len(set(fills)) == min(len(fills), 12), fills

marks = " ".join("".join(t.itertext()) for t in root.iter(NS + "path")
                 if t.get("class") == "mark")
for stage in ("fork", "exec", "exit", "reap"):
    assert (stage in stages) == (stage in marks), (stage, marks[:200])

bands = {r.get("class") for r in whole.iter(NS + "rect")}
assert "trap" not in stages or "kernel" in bands, bands
