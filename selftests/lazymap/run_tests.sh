#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the lazymap selftests on the machine under test (the QEMU guest of
# `make check`), as root.  POSIX sh, not bash: the guest has only busybox.
#
#   run_tests.sh [NAME...]
#
# Loads the module (LAZYMAP_KO, default /lazymap/lazymap.ko) unless it is
# loaded already, runs every *_test program of LAZYMAP_SELFTESTS (default
# /lazymap/selftests) and then every *_test.sh script there (the tests
# that drive fio and stress-ng: longer, and they reload the module), or
# only the NAMEs given, one after another, and shows their KTAP output as
# it comes.  Each program's "# Totals: pass:N fail:M
# xfail:X xpass:Y skip:K error:E" line is added up (xfail counts as a pass,
# xpass and error as failures); a program that prints no totals, or exits
# non-zero without reporting a failure, counts as one failure.  So does a
# program that leaves the module unloaded or loaded with other parameters;
# the runner then reloads it with defaults so the rest still runs.  The last
# line is always
#
#   lazymap-totals: pass=N fail=M skip=K
#
# and the exit status is non-zero if anything failed.
set -u

dir=${LAZYMAP_SELFTESTS:-/lazymap/selftests}
LAZYMAP_KO=${LAZYMAP_KO:-/lazymap/lazymap.ko}
export LAZYMAP_KO
mod=/sys/module/lazymap
param=$mod/parameters/size_mb
tmp=${TMPDIR:-/tmp}/lazymap-run.$$

pass=0 fail=0 skip=0 nprog=0

say() { echo "# lazymap: $*"; }

# Seconds since boot, to the hundredth (busybox date has no %N).
now() { cut -d' ' -f1 /proc/uptime; }

finish() {
	rm -f "$tmp.out" "$tmp.rc"
	[ -z "${suite_start:-}" ] || say "$nprog programs in" \
		"$(awk -v a="$suite_start" -v b="$(now)" \
			'BEGIN { printf "%.1f", b - a }')s"
	echo "lazymap-totals: pass=$pass fail=$fail skip=$skip"
	[ "$fail" -eq 0 ]
	exit
}

load_module() {
	[ -d "$mod" ] && return 0
	if [ ! -f "$LAZYMAP_KO" ]; then
		say "no module at $LAZYMAP_KO"
		return 1
	fi
	insmod "$LAZYMAP_KO"
}

# Pull one counter out of a "# Totals:" line.
count() {
	v=$(echo "$2" | sed -n "s/.* $1:\([0-9][0-9]*\).*/\1/p")
	echo "${v:-0}"
}

if ! load_module; then
	echo "not ok 1 selftests: lazymap: cannot load $LAZYMAP_KO"
	fail=1
	finish
fi
default_mb=$(cat "$param" 2>/dev/null || echo '?')
say "module loaded, size_mb=$default_mb; tests from $dir"
suite_start=$(now)

if [ $# -gt 0 ]; then
	progs=
	for n in "$@"; do
		progs="$progs $dir/${n##*/}"
	done
else
	progs="$(ls "$dir"/*_test 2>/dev/null) $(ls "$dir"/*_test.sh 2>/dev/null)"
fi
[ -n "$progs" ] || { say "no *_test programs in $dir"; fail=1; finish; }

for t in $progs; do
	name=${t##*/}
	nprog=$((nprog + 1))
	say "running $name"
	start=$(now)
	rm -f "$tmp.rc"
	( "$t"; echo $? >"$tmp.rc" ) 2>&1 | tee "$tmp.out"
	rc=$(cat "$tmp.rc" 2>/dev/null || echo 255)
	secs=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')

	totals=$(grep '^# Totals: ' "$tmp.out" | tail -n 1)
	if [ -z "$totals" ]; then
		echo "not ok $nprog selftests: lazymap: $name:" \
			"no totals (exit status $rc)"
		fail=$((fail + 1))
		continue
	fi
	p=$(( $(count pass "$totals") + $(count xfail "$totals") ))
	f=$(( $(count fail "$totals") + $(count xpass "$totals") +
	      $(count error "$totals") ))
	s=$(count skip "$totals")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $nprog selftests: lazymap: $name:" \
			"exit status $rc but no failure reported"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	say "$name: pass=$p fail=$f skip=$s (${secs}s)"

	# Each program must leave the module as it found it.
	if [ ! -d "$mod" ]; then
		echo "not ok $nprog selftests: lazymap: $name:" \
			"left the module unloaded"
		fail=$((fail + 1))
		load_module || { say "cannot reload the module"; finish; }
	elif [ "$(cat "$param" 2>/dev/null)" != "$default_mb" ]; then
		echo "not ok $nprog selftests: lazymap: $name:" \
			"left size_mb=$(cat "$param" 2>/dev/null)"
		fail=$((fail + 1))
		if ! rmmod lazymap || ! load_module; then
			say "cannot reload the module"
			finish
		fi
	fi
done
finish
