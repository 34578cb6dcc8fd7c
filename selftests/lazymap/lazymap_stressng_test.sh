#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# stress-ng against /dev/lazymap, each run one KTAP result, then one more
# for unloading and reloading the module (lazymap_tools.sh).  Run by
# run_tests.sh.
#
#   lazymap_stressng_test.sh [SECONDS]     each run's length (default 5)
#
# 1. dev: four --dev workers aimed at the device (--dev-file): open, read,
#    lseek, poll, mmap/munmap, fcntl and a sweep of ioctls that are not the
#    device's, over and over.  The only stress-ng 0.15 stressor that takes
#    a device or file by name: the others that touch files (hdd, seek,
#    readahead, mmap --mmap-file, sendfile, fallocate, fiemap, ...) create
#    their own in --temp-path, a directory, and --fstat-dir would stat all
#    of /dev.
# 2. dev under memory pressure: the same, two workers, next to two --vm
#    workers that fill and check (--verify) 256 MiB each and --page-in, so
#    the device's paths run while the kernel reclaims and compacts.
# 3. fio under memory pressure: fio's psync.fio and mmap.fio (see fio/)
#    write and check the device while stress-ng --vm runs and the kernel
#    compacts memory twice a second (/proc/sys/vm/compact_memory), which
#    migrates store pages under fio's feet: every block must still verify.
#    Skipped without fio.
#
# A run passes when stress-ng exits 0 (2 is a failure stress-ng found; 3
# and 4, a stressor that could not run, are a skip), fio (run 3) reports
# no error and the kernel log got no warning meanwhile.  --verify is
# given to every run; only --vm has a verification mode.
#
# Needs stress-ng: in the Debian root filesystem of `make check`
# (scripts/check.sh --rootfs).  A busybox guest has none: the program then
# reports a single skip.  POSIX sh.
set -u
# shellcheck disable=SC2034 # read by lazymap_tools.sh
lt_prefix=lazymap_stressng
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lazymap/lazymap_tools.sh
. "$here/lazymap_tools.sh"

secs=${1:-5}
lt_need_tool stress-ng
lt_need_module
tmp=${TMPDIR:-/tmp}/lazymap-stressng.$$
common="--timeout ${secs}s --verify --metrics-brief --temp-path ${TMPDIR:-/tmp}"

# stress NAME ARGS...: one stress-ng run, one result.
stress() {
	name=$1
	shift
	lt_klog_mark
	rc=0
	# shellcheck disable=SC2086 # $common is a list of options
	stress-ng $common "$@" >"$tmp.log" 2>&1 || rc=$?
	grep -E 'dispatching|passed|failed|skipped|completed|fail:|error:' \
		"$tmp.log" | sed 's/^/# /'
	case $rc in
	0)
		if lt_klog_check; then
			lt_result ok "$name"
		else
			lt_result fail "$name" "kernel log"
		fi ;;
	3 | 4)
		lt_klog_check
		lt_result skip "$name" "stress-ng exit status $rc: not run" ;;
	*)
		sed 's/^/# /' "$tmp.log" | tail -n 20
		lt_klog_check
		lt_result fail "$name" "stress-ng exit status $rc" ;;
	esac
}

lt_plan 4
echo "# $(stress-ng --version) on $lt_dev, ${secs} s a run"
stress "dev" --dev 4 --dev-file "$lt_dev"
stress "dev under memory pressure" --dev 2 --dev-file "$lt_dev" \
	--vm 2 --vm-bytes 256M --page-in

# 3: fio checks its blocks while memory is squeezed and compacted.
if ! command -v fio >/dev/null 2>&1; then
	lt_result skip "fio under memory pressure" "no fio in this guest"
else
	lt_klog_mark
	# shellcheck disable=SC2086 # $common is a list of options
	stress-ng $common --vm 2 --vm-bytes 256M --page-in \
		>"$tmp.log" 2>&1 &
	spid=$!
	( while kill -0 "$spid" 2>/dev/null; do
		echo 1 >/proc/sys/vm/compact_memory 2>/dev/null
		sleep 0.5
	done ) &
	cpid=$!
	LM_FIO_FILE=$lt_dev
	export LM_FIO_FILE
	frc=0
	for job in psync mmap; do
		fio --output-format=terse --terse-version=3 \
			--output="$tmp.terse" "$here/fio/$job.fio" \
			>"$tmp.fio" 2>&1 || frc=$?
		bad=$(awk -F';' '$1 == "3" && $5 != 0 { print $3 "=" $5 }' \
			"$tmp.terse" 2>/dev/null)
		if [ "$frc" -ne 0 ] || [ -n "$bad" ]; then
			sed 's/^/# /' "$tmp.fio" | head -n 20
			echo "# fio $job.fio: exit status $frc, errors:" \
				"$(echo "$bad" | tr "\n" " ")"
			frc=1
		fi
	done
	src=0
	wait "$spid" || src=$?
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	grep -E 'dispatching|completed|fail:' "$tmp.log" | sed 's/^/# /'
	if [ "$frc" -ne 0 ]; then
		lt_klog_check
		lt_result fail "fio under memory pressure" "fio found errors"
	elif [ "$src" -ne 0 ]; then
		sed 's/^/# /' "$tmp.log" | tail -n 20
		lt_klog_check
		lt_result fail "fio under memory pressure" \
			"stress-ng exit status $src"
	elif ! lt_klog_check; then
		lt_result fail "fio under memory pressure" "kernel log"
	else
		lt_result ok "fio under memory pressure"
	fi
fi
rm -f "$tmp.log" "$tmp.fio" "$tmp.terse"
lt_reload
lt_finish
