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
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/scripts/tap.sh"

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
tap_totals
