#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Will these dynamic arm64 programs run in the arm64 guest?  Each one's
# loader (PT_INTERP) and every shared library it needs, and what those
# need in turn, must be in the guest root (scripts/arm64-fetch.sh lays it
# out), where the guest's loader looks: its multiarch directories.  Says
# the first one missing, one line, and exits 1; prints nothing otherwise.
#
#   usage: arm64-libs-check.sh ROOT PROGRAM...
set -euo pipefail

root=${1:?usage: arm64-libs-check.sh ROOT PROGRAM...}
shift
dirs=(lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib)

# The path in the root of library $1, or nothing.
find_lib() {
	local d
	for d in "${dirs[@]}"; do
		if [ -e "$root/$d/$1" ]; then
			echo "$root/$d/$1"
			return
		fi
	done
}

for prog in "$@"; do
	interp=$(readelf -lW "$prog" |
		sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		echo "arm64-libs-check: $prog: its loader $interp is not in $root" >&2
		exit 1
	fi
	# Breadth first over the libraries, each looked at once.
	todo=("$prog")
	seen=" "
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -dW "$f" |
			     sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $lib "*) continue ;; esac
			seen="$seen$lib "
			path=$(find_lib "$lib")
			if [ -z "$path" ]; then
				echo "arm64-libs-check: $prog needs $lib (through ${f##*/}), which $root lacks" >&2
				exit 1
			fi
			todo+=("$path")
		done
	done
done
