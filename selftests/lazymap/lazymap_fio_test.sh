#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fio against /dev/lazymap: every job file of fio/ (next to this script;
# each says what it proves) is one KTAP result, then one more for unloading
# and reloading the module (lazymap_tools.sh).  Run by run_tests.sh.
#
#   lazymap_fio_test.sh [JOB...]     JOB: a job file's name, e.g. mmap
#
# A job file passes when fio exits 0 within 300 s (status 124: it hung),
# every job in its terse output reports error 0 (with verify_fatal=1 a bad
# block is EILSEQ, 84, and fio's exit status is non-zero) and moved data,
# and the kernel log got no warning meanwhile.  On a
# failure, fio's messages (which name the bad block) follow as "#" lines.
# The jobs read the target from LM_FIO_FILE, set here to $LAZYMAP_DEV
# (default /dev/lazymap); they use the first 32 MiB of it.
#
# Needs fio: in the Debian root filesystem of `make check`
# (scripts/check.sh --rootfs).  A busybox guest has none: the program then
# reports a single skip.  POSIX sh.
set -u
# shellcheck disable=SC2034 # read by lazymap_tools.sh
lt_prefix=lazymap_fio
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lazymap/lazymap_tools.sh
. "$here/lazymap_tools.sh"

if [ $# -gt 0 ]; then
	jobs=
	for j in "$@"; do
		jobs="$jobs $here/fio/${j%.fio}.fio"
	done
else
	jobs=$(ls "$here"/fio/*.fio)
fi
n=$(($(echo "$jobs" | wc -w) + 1))
lt_need_tool fio
lt_need_module
size=$(cat /sys/class/misc/lazymap/size 2>/dev/null || echo 0)
if [ "$size" -lt $((32 << 20)) ]; then
	lt_plan 1
	lt_result fail "device of $size bytes" "the jobs need 32 MiB"
	lt_finish
fi

LM_FIO_FILE=$lt_dev
export LM_FIO_FILE
tmp=${TMPDIR:-/tmp}/lazymap-fio.$$
lt_plan "$n"
echo "# $(fio --version) on $LM_FIO_FILE ($((size >> 20)) MiB)"
for job in $jobs; do
	name=$(basename "$job" .fio)
	lt_klog_mark
	rc=0
	# A job file takes seconds (a minute on the debug kernel): a hang
	# must not stall the whole suite.
	timeout 300 fio --output-format=terse --terse-version=3 \
		--output="$tmp.terse" "$job" >"$tmp.log" 2>&1 || rc=$?
	# Terse v3: field 3 the job's name, 5 its error; KiB read and
	# written in fields 6 and 47, their bandwidth (KiB/s) in 7 and 48.
	# A job that moved no data checked nothing (fio silently does no
	# I/O past what it believes is the end of a character device).
	summary=$(awk -F';' '$1 == "3" {
			n++; if ($5 != 0) { bad++; e = e " " $3 "=" $5 }
			else if ($6 + $47 == 0) { bad++; e = e " " $3 "=no-I/O" }
			r += $7; w += $48 }
		END { printf "%d %d %d %d%s", n, bad, r / 1024, w / 1024, e }' \
		"$tmp.terse" 2>/dev/null)
	# shellcheck disable=SC2086 # split into its fields
	set -- $summary
	if [ "$rc" -ne 0 ] || [ "${1:-0}" -eq 0 ] || [ "${2:-1}" -ne 0 ]; then
		shift 4 2>/dev/null
		sed 's/^/# /' "$tmp.log" | head -n 30
		grep -v '^3;' "$tmp.terse" 2>/dev/null | sed 's/^/# /' |
			head -n 10
		lt_klog_check
		lt_result fail "$name" "fio exit status $rc, jobs in error:${*:- none reported}"
	elif ! lt_klog_check; then
		lt_result fail "$name" "kernel log"
	else
		echo "# $name: $1 jobs, write $4 MiB/s, read $3 MiB/s (sum)"
		lt_result ok "$name"
	fi
done
rm -f "$tmp.terse" "$tmp.log"
lt_reload
lt_finish
