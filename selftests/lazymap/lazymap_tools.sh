# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the selftests that run programs nobody here wrote (fio,
# stress-ng) against /dev/lazymap: lazymap_fio_test.sh and
# lazymap_stressng_test.sh source this file.  POSIX sh: the busybox guest
# runs them too, to report that they skip.
#
#   lt_plan N              print the KTAP header for N results
#   lt_result ok|fail|skip NAME [REASON]
#                          print one KTAP result and count it
#   lt_need_tool PROG      if PROG is not installed, report one skip for
#                          the whole program and exit: a busybox guest has
#                          no fio or stress-ng (scripts/check.sh --rootfs
#                          gives a Debian one)
#   lt_need_module         exit with one failure if /dev/lazymap is missing
#   lt_klog_mark           remember how long the kernel log is
#   lt_klog_check          print the kernel log lines since lt_klog_mark
#                          that report a problem; false if there are any
#   lt_reload              rmmod + insmod $LAZYMAP_KO with the suite's
#                          $LAZYMAP_PARAMS (run_tests.sh), one more result:
#                          proof that the tool left nothing holding the
#                          device, and an empty store for what runs next
#   lt_finish              print the "# Totals:" line and exit (non-zero if
#                          anything failed)
#
# The caller sets lt_prefix (e.g. "lazymap_fio"), which names the results.

# shellcheck disable=SC2034 # lt_dev is for the callers
lt_pass=0 lt_fail=0 lt_skip=0 lt_n=0 lt_klog_lines=0
lt_prefix=${lt_prefix:-lazymap_tools}
lt_dev=${LAZYMAP_DEV:-/dev/lazymap}

lt_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

lt_result() {
	lt_n=$((lt_n + 1))
	case $1 in
	ok)
		echo "ok $lt_n $lt_prefix: $2"
		lt_pass=$((lt_pass + 1)) ;;
	skip)
		echo "ok $lt_n $lt_prefix: $2 # SKIP ${3:-}"
		lt_skip=$((lt_skip + 1)) ;;
	*)
		echo "not ok $lt_n $lt_prefix: $2${3:+: $3}"
		lt_fail=$((lt_fail + 1)) ;;
	esac
}

lt_finish() {
	echo "# Totals: pass:$lt_pass fail:$lt_fail xfail:0 xpass:0" \
		"skip:$lt_skip error:0"
	[ "$lt_fail" -eq 0 ]
	exit
}

lt_need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	lt_plan 1
	lt_result skip "$1" \
		"no $1 in this guest (busybox: see check.sh --rootfs)"
	lt_finish
}

lt_need_module() {
	[ -c "$lt_dev" ] && return 0
	lt_plan 1
	lt_result fail "no $lt_dev" "the module is not loaded"
	lt_finish
}

lt_klog_mark() {
	lt_klog_lines=$(dmesg | wc -l)
}

# The same reports scripts/vm-run.sh fails a run for, so that a test names
# its own: warnings, BUG, KASAN, lockdep, kmemleak, RCU, hung tasks, OOM.
lt_klog_check() {
	dmesg | tail -n "+$((lt_klog_lines + 1))" | grep -E \
		'WARNING:|BUG:|kernel BUG at|Oops|general protection|KASAN|UBSAN|kmemleak: |lockdep|circular locking|recursive locking|inconsistent lock state|suspicious RCU usage|blocked for more than|detected stall|Call Trace|oom-kill|[Oo]ut of memory' |
		sed 's/^/# kernel: /' | head -n 20 | grep . && return 1
	return 0
}

lt_reload() {
	# shellcheck disable=SC2086 # one word per parameter
	if ! rmmod lazymap; then
		lt_result fail "rmmod lazymap afterwards" \
			"something still holds the device"
	elif ! insmod "${LAZYMAP_KO:-/lazymap/lazymap.ko}" \
		${LAZYMAP_PARAMS:-}; then
		lt_result fail "insmod ${LAZYMAP_KO:-/lazymap/lazymap.ko}" \
			"${LAZYMAP_PARAMS:-} again"
	else
		lt_result ok "rmmod and insmod afterwards"
	fi
}
