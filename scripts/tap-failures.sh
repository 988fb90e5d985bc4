#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What failed, again, from TAP files (kselftest's, nested as "# " lines):
# each failing test's own lines, from its RUN line to its "not ok", and
# every other "not ok" line, with the 10 lines after it where
# scripts/tap.sh puts what a failing check said (not after a binary's or
# a host script's verdict, which follows its own lines); and a test whose
# TAP ends before its verdict (its binary killed, its guest timed out).  make check's TAP runs to thousands of
# lines, and a CI log that keeps only its head and tail must still say
# which test failed and why (scripts/check.sh prints this last).
#
#   usage: tap-failures.sh LABEL=FILE...
#
# A test's lines are bounded (its first 5 and last 25), and so is the
# whole: the first 20 failures, then how many more.
set -u
for arg in "$@"; do
	label=${arg%%=*}
	file=${arg#*=}
	[ -f "$file" ] || continue
	awk -v label="$label" '
	function strip(s) {		# the nesting: "# # ok" is "ok"
		while (s ~ /^# /)
			s = substr(s, 3)
		return s
	}
	function flush(name,   i, from) {
		shown++
		if (shown > 20)
			return
		printf "# %s: %s\n", label, name
		from = n > 30 ? n - 24 : 1
		for (i = 1; i <= n && i <= 5; i++)
			print "#   " buf[i]
		if (from > 7)
			printf "#   ... (%d lines)\n", from - 6
		else if (from == 7)
			print "#   " buf[6]
		for (i = (from > 6 ? from : 6); i <= n; i++)
			print "#   " buf[i]
	}
	{
		s = strip($0)
		# A failure told after its "not ok" (scripts/tap.sh): its next lines.
		if (after > 0 && s !~ /^(not )?ok [0-9-]/ && s !~ /^ +RUN +/ &&
		    s !~ /^1\.\.[0-9]/ && s !~ /^TAP version/ && s !~ /^kernel /) {
			after--
			if (shown <= 20)
				print "#   " s
			next
		}
		after = 0
		if (s ~ /^ +RUN +/) {
			n = 0
			open = 1
		}
		if (open)
			buf[++n] = s
		if (s ~ /^not ok [0-9]/ || s ~ /^not ok - /) {
			if (open && n > 1)
				flush(s)
			else if (++shown <= 20)
				printf "# %s: %s\n", label, s
			if (!(open && n > 1) && s !~ /^not ok [0-9]+ selftests: / &&
			    s !~ /^not ok - host: /)
				after = 10
			open = 0
			n = 0
		} else if (s ~ /^ok [0-9]/) {
			open = 0
			n = 0
		}
	}
	END {
		if (open && n > 1)
			flush("no verdict: its TAP ends here, in " FILENAME)
		if (shown > 20)
			printf "# %s: %d failures more (the TAP above)\n", label, shown - 20
	}' "$file"
done
