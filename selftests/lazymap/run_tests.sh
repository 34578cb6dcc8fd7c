#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the lazymap selftests on the machine under test (the QEMU guest of
# `make check`), as root.  POSIX sh, not bash: the guest has only busybox.
#
#   run_tests.sh [NAME...]
#
# Loads the module (LAZYMAP_KO, default /lazymap/lazymap.ko) with the
# run's parameters (LAZYMAP_PARAMS, e.g. "huge=always"; none by default),
# or reloads it if it is loaded with other values of them, runs every
# *_test program of LAZYMAP_SELFTESTS (default /lazymap/selftests) and then
# every *_test.sh script there (the tests that drive fio and stress-ng:
# longer, and they reload the module), or only the NAMEs given, one after
# another, and shows their KTAP output as it comes.  Each program's
# "# Totals: pass:N fail:M xfail:X xpass:Y skip:K error:E" line is added up
# (xfail counts as a pass, xpass and error as failures); a program that
# prints no totals, or exits non-zero without reporting a failure, counts
# as one failure.  So does a program that leaves the module unloaded or
# loaded with another size_mb or huge than the run's (LAZYMAP_PARAMS, else
# what the first load gave); the runner then reloads it with the run's
# parameters so the rest still runs.  The last line is always
#
#   lazymap-totals: pass=N fail=M skip=K
#
# and the exit status is non-zero if anything failed.
#
# LAZYMAP_PASSES runs all of that several times in one go, once per pass:
# passes separated by ";", each the LAZYMAP_PARAMS of its run, e.g.
# "huge=never;huge=always" (what `make check` does: the whole suite with
# 4 KiB pages and again with huge pages).  After each pass comes a line
#
#   lazymap-pass: PARAMS pass=N fail=M skip=K (Ss)
#
# and the last line is the lazymap-totals line of all passes together.  A
# pass asking for a huge mode that the kernel cannot honour (no THP: the
# module loads with huge=never and says why in the kernel log) is not run
# and counts as one skip, with the reason.
set -u

dir=${LAZYMAP_SELFTESTS:-/lazymap/selftests}
LAZYMAP_KO=${LAZYMAP_KO:-/lazymap/lazymap.ko}
LAZYMAP_PARAMS=${LAZYMAP_PARAMS:-}
export LAZYMAP_KO LAZYMAP_PARAMS
mod=/sys/module/lazymap
tmp=${TMPDIR:-/tmp}/lazymap-run.$$

pass=0 fail=0 skip=0 nprog=0

say() { echo "# lazymap: $*"; }

# The bookkeeping between two programs uses shell builtins only: on the
# debug kernel under TCG every program started costs 0.14 s (/bin/true)
# to 0.34 s (echo | sed), and the dozen it used to start came to 3.5 s a
# test, a quarter of a debug pass.
nl='
'

# Hundredths of a second since boot, into $now (busybox date has no %N).
# /proc/uptime has two decimals; "1" in front keeps a fraction like 09
# from reading as octal.
now() {
	read -r now _ </proc/uptime
	now=$(( ${now%.*} * 100 + 1${now#*.} - 100 ))
}

# Seconds, to the tenth, since $1 (hundredths, from now).
since() {
	now
	d=$(( (now - $1 + 5) / 10 ))
	echo "$((d / 10)).$((d % 10))"
}

# Pull one counter out of a "# Totals:" or "lazymap-totals:" line: the
# digits after the last " KEY:" or " KEY=" (0 if there are none).
count() {
	case $2 in
	*" $1"[:=]*) v=${2##*" $1"[:=]} v=${v%%[!0-9]*} ;;
	*) v= ;;
	esac
	echo "${v:-0}"
}

# The passes of LAZYMAP_PASSES, each a run of this script of its own.
if [ -n "${LAZYMAP_PASSES:-}" ]; then
	rest="$LAZYMAP_PASSES;"
	while [ -n "$rest" ]; do
		p=${rest%%;*} rest=${rest#*;}
		say "pass ${p:-with the default parameters}"
		now
		start=$now
		LAZYMAP_PASSES='' LAZYMAP_PARAMS=$p sh "$0" "$@" 2>&1 |
			tee "$tmp.pass"
		totals=$(grep '^lazymap-totals: ' "$tmp.pass" | tail -n 1)
		if [ -z "$totals" ]; then
			echo "not ok 1 selftests: lazymap: pass $p: no totals"
			totals='lazymap-totals: pass=0 fail=1 skip=0'
		fi
		p1=$(count pass "$totals") f1=$(count fail "$totals")
		s1=$(count skip "$totals")
		echo "lazymap-pass: ${p:-defaults} pass=$p1 fail=$f1" \
			"skip=$s1 ($(since "$start")s)"
		pass=$((pass + p1)) fail=$((fail + f1)) skip=$((skip + s1))
	done
	rm -f "$tmp.pass"
	echo "lazymap-totals: pass=$pass fail=$fail skip=$skip"
	[ "$fail" -eq 0 ]
	exit
fi

finish() {
	rm -f "$tmp.out" "$tmp.rc"
	[ -z "${suite_start:-}" ] || say "$nprog programs in" \
		"$(since "$suite_start")s"
	echo "lazymap-totals: pass=$pass fail=$fail skip=$skip"
	[ "$fail" -eq 0 ]
	exit
}

# The value of parameter $1 in LAZYMAP_PARAMS, the last one as the
# kernel's parser keeps; empty if it is not there.
asked() {
	v=
	for w in $LAZYMAP_PARAMS; do
		case $w in
		"$1"=*) v=${w#*=} ;;
		esac
	done
	echo "$v"
}

# The loaded module's parameter $1 (empty where it has none).
loaded() {
	v=
	{ read -r v <"$mod/parameters/$1"; } 2>/dev/null
	echo "$v"
}

# Whether the module is loaded with the run's size_mb and huge.
params_ok() {
	{ [ -z "$want_mb" ] || [ "$(loaded size_mb)" = "$want_mb" ]; } &&
		{ [ -z "$want_huge" ] || [ "$(loaded huge)" = "$want_huge" ]; }
}

load_module() {
	[ -d "$mod" ] && return 0
	if [ ! -f "$LAZYMAP_KO" ]; then
		say "no module at $LAZYMAP_KO"
		return 1
	fi
	# shellcheck disable=SC2086 # one word per parameter
	insmod "$LAZYMAP_KO" $LAZYMAP_PARAMS
}

reload_module() {
	rmmod lazymap && load_module
}

want_mb=$(asked size_mb) want_huge=$(asked huge)
if [ -d "$mod" ] && ! params_ok && ! rmmod lazymap; then
	echo "not ok 1 selftests: lazymap: loaded with other parameters" \
		"than \"$LAZYMAP_PARAMS\", and rmmod failed"
	fail=1
	finish
fi
if ! load_module; then
	echo "not ok 1 selftests: lazymap: cannot load $LAZYMAP_KO" \
		"$LAZYMAP_PARAMS"
	fail=1
	finish
fi
# Without LAZYMAP_PARAMS, the values the module loaded with are the run's.
[ -n "$want_mb" ] || want_mb=$(loaded size_mb)
[ -n "$want_huge" ] || want_huge=$(loaded huge)
huge_eff=$(cat /sys/class/misc/lazymap/huge 2>/dev/null || echo never)
say "module loaded, size_mb=$want_mb huge=${want_huge:-none}" \
	"(in effect: $huge_eff); tests from $dir"

# Huge pages asked for but not in effect: the kernel cannot have them.
if [ -n "$want_huge" ] && [ "$want_huge" != never ] &&
   [ "$huge_eff" = never ]; then
	if [ ! -d /sys/kernel/mm/transparent_hugepage ]; then
		why="the kernel has no transparent huge pages"
	else
		why=$(dmesg | grep 'lazymap: huge=' | tail -n 1)
		why=${why#*lazymap: }
	fi
	echo "ok 1 selftests: lazymap: huge=$want_huge # SKIP ${why:-?}"
	skip=1
	finish
fi
now
suite_start=$now

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
	now
	start=$now
	: >"$tmp.rc"
	( "$t"; echo $? >"$tmp.rc" ) 2>&1 | tee "$tmp.out"
	rc=
	read -r rc <"$tmp.rc"
	[ -n "$rc" ] || rc=255	# killed before it could say
	secs=$(since "$start")

	totals=$(grep '^# Totals: ' "$tmp.out")
	totals=${totals##*"$nl"}	# the last one
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
	elif ! params_ok; then
		echo "not ok $nprog selftests: lazymap: $name: left the" \
			"module loaded with size_mb=$(loaded size_mb)" \
			"huge=$(loaded huge)"
		fail=$((fail + 1))
		reload_module || { say "cannot reload the module"; finish; }
	fi
done
finish
