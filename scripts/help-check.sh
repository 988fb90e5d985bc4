#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, host half: what each tool says of itself.  --help's text
# (usage lines, stages, examples) is laid out by hand, so argp must not
# have to fold any of it at its 79 columns: a folded line starts the next
# one at column 0, mid-sentence.  -V gives the package version dkms.conf
# gives.  Prints TAP and a kselftest "# Totals" line.
#   usage: help-check.sh TOOL...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
pass=0 fail=0 n=0

check() {	# check NAME COMMAND...: ok when the command succeeds
	local name=$1 why
	shift
	n=$((n + 1))
	if why=$("$@" 2>&1); then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		echo "not ok $n $name"
		echo "$why" | sed 's/^/# /' | head -n 20
		fail=$((fail + 1))
	fi
}

# The hand-made text: everything before the first option line.
doc() { "$@" --help | sed '/^  -/,$d'; }

help_unfolded() {	# TOOL: the same at 79 columns as with no margin
	diff -u <(ARGP_HELP_FMT=rmargin=1000 doc "$1") <(doc "$1")
}

says_version() {	# TOOL
	local said
	said=$("$1" -V) || return
	[ "$said" = "$(basename "$1") $version" ] ||
		{ echo "said \"$said\", dkms.conf says $version"; return 1; }
}

echo "TAP version 13"
for tool in "$@"; do
	name=$(basename "$tool")
	check "$name --help: no line folded" help_unfolded "$tool"
	check "$name -V: the package's version, $version" says_version "$tool"
done
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
