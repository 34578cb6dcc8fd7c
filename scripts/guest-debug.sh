#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest script of `make check-debug` (scripts/check-debug.sh), run by the
# test VM's init from /lazymap on the debug kernel, in the Debian root
# filesystem (check.sh --rootfs).  POSIX sh: it also runs under busybox.
#
# 1. The whole selftest suite (run_tests.sh loads the module), in each
#    pass of LAZYMAP_PASSES (check.sh --passes; by default huge=never,
#    then huge=always, so KASAN, lockdep and DEBUG_VM see the huge-page
#    paths too).
# 2. A kmemleak scan with the module still loaded, so that a leak's
#    backtrace still resolves the module's symbols.
# 3. rmmod lazymap: the suite must leave nothing that pins the module.
# 4. kmemleak again: what the module freed at unload, and what it did not.
#
# kmemleak reports an object only once it has been seen unreferenced in a
# scan and is older than 5 s, so each check is two scans 6 s apart.  Each
# check is one more KTAP result; the last line is run_tests.sh's
# "lazymap-totals:" line (of all passes) with them added.  KASAN, lockdep, DEBUG_VM and
# other reports go to the kernel log, which scripts/vm-run.sh judges.
set -u

kml=/sys/kernel/debug/kmemleak
out=/tmp/lazymap-debug.out
pass=0 fail=0 skip=0 n=0

result() {	# result ok|fail TEXT
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n lazymap-debug: $2"
		pass=$((pass + 1))
	else
		echo "not ok $n lazymap-debug: $2"
		fail=$((fail + 1))
	fi
}

leak_check() {	# leak_check WHEN
	if ! echo scan >"$kml" || ! sleep 6 || ! echo scan >"$kml"; then
		result fail "kmemleak scan $1 failed"
		return
	fi
	report=$(cat "$kml")
	if [ -n "$report" ]; then
		echo "# lazymap-debug: kmemleak report $1:"
		echo "$report" | sed 's/^/# /'
		result fail "kmemleak: suspected leaks $1"
		# Reported once: the next check shows only new ones.
		echo clear >"$kml"
	else
		result ok "kmemleak: no leaks $1"
	fi
}

echo "# lazymap-debug: kernel $(uname -r)"
if [ ! -w "$kml" ]; then
	echo "not ok 1 lazymap-debug: no $kml: not the debug kernel?"
	echo "lazymap-totals: pass=0 fail=1 skip=0"
	exit 1
fi

cd /lazymap/selftests || exit 1
# The runner's output goes to the console as it comes, and to a file for
# its totals (its exit status is in them).
./run_tests.sh 2>&1 | tee "$out"
totals=$(grep '^lazymap-totals: ' "$out" | tail -n 1)
if [ -z "$totals" ]; then
	result fail "run_tests.sh printed no totals"
else
	pass=$(echo "$totals" | sed 's/.*pass=\([0-9]*\).*/\1/')
	fail=$(echo "$totals" | sed 's/.*fail=\([0-9]*\).*/\1/')
	skip=$(echo "$totals" | sed 's/.*skip=\([0-9]*\).*/\1/')
fi
n=$((pass + fail + skip))

leak_check "with the module loaded"
if [ -d /sys/module/lazymap ]; then
	if rmmod lazymap; then
		result ok "rmmod lazymap after the suite"
	else
		result fail "rmmod lazymap after the suite"
	fi
else
	result fail "the module was not loaded after the suite"
fi
leak_check "after unloading the module"

echo "lazymap-totals: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
