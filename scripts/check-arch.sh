#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build lazymap for Debian's kernels of other architectures and page sizes
# and run the whole selftest suite on each under QEMU (`make check-arch`).
#
#   scripts/check-arch.sh [--prepare-only | --prepared] [TARGET...]
#                                         (default: every target)
#
# --prepare-only  fetch the kernels and build the modules and programs (the
#                 first two steps below, cached as usual), boot nothing:
#                 CI runs this in the background from its start, so that
#                 its arch step finds the downloads and builds done
# --prepared      use what a --prepare-only run of this tree left in
#                 build/arch-check/ for the targets it prepared (their
#                 kernels, modules and programs), and prepare only the
#                 others: CI's arch step, which would otherwise spend two
#                 core-minutes finding everything already done
#
# The targets are the table in scripts/arch-lib.sh: arm64 with 4K and 16K
# pages, ppc64el with 64K pages, big-endian s390x, and 32-bit programs
# (i386, armhf) on the compat layer of a 64-bit kernel, each on the kernels
# of one or more suites.  For each target this is what check-matrix does
# for amd64, through the same scripts with --arch:
#
#   fetch-kernel.sh --suite S --arch A --flavour F   the kernel and headers,
#       resolved now from a private apt configuration (a target the mirror
#       cannot serve is "unavailable", with the reason: not a failure)
#   build-module.sh --arch A     cross-built, on the host for bookworm, in
#       the suite's chroot (suite-chroot.sh) with its compiler for newer
#       suites; the build passes when the compiler and modpost said nothing
#   check.sh --arch A --user-arch U --kernel K --module KO
#       the programs cross-built for U, U's busybox, QEMU for A, the same
#       kernel-log verdict as make check (vm-run.sh)
#
# The first two steps are lm_vm_prepare's (scripts/vm-lib.sh), as for make
# check-matrix.  The kernels and modules are prepared in the background, one
# target after another, while QEMU runs the targets already prepared, as
# many at a time as there are CPUs (LAZYMAP_VM_JOBS=N for N, see lm_vm_jobs
# in scripts/vm-lib.sh): a TCG guest keeps about one of this machine's two
# cores busy (the host was 40% idle during a run), so two runs side by side
# finish sooner than one after the other.  Runs that
# boot the same kernel take turns (check.sh locks its build directory).
# The output ends with one table, a row per target, in the targets' order,
#
#   target               release               page passed failed skipped  prep   run
#
# ("unavailable: <reason>" in place of the figures for a target the mirror
# does not serve; it counts as one skip) and the line
# "N passed, M failed, K skipped" over all targets.  Logs:
# build/arch-check/<target>-{fetch,build,check}.log, console logs
# build/arch-check/<target>-vm.log.  Exit status: 0 if nothing failed.
set -euo pipefail
# shellcheck source=scripts/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

cd "$LM_TOP"
prepare_only='' prepared=''
case ${1:-} in
--prepare-only) prepare_only=1; shift ;;
--prepared) prepared=1; shift ;;
esac
mapfile -t targets < <(lm_targets)
if [ $# -gt 0 ]; then
	targets=("$@")
fi
for t in "${targets[@]}"; do
	lm_target "$t" || lm_die "unknown target '$t'; the targets are:" \
		"$(lm_targets | tr '\n' ' ')"
done
jobs=$(lm_vm_jobs '')
out=$LM_BUILD/arch-check
[ -n "$prepared" ] || rm -rf "$out"
mkdir -p "$out"
t0=$(date +%s)

# page_size CONFIG: the page size a kernel .config selects.
page_size() {
	if grep -q -E '^CONFIG_([A-Z0-9]+_)?64K_PAGES=y|^CONFIG_PAGE_SIZE_64KB=y' "$1"
	then
		echo 64K
	elif grep -q -E '^CONFIG_([A-Z0-9]+_)?16K_PAGES=y|^CONFIG_PAGE_SIZE_16KB=y' "$1"
	then
		echo 16K
	else
		echo 4K
	fi
}

# prepare TARGET: fetch the kernel, build the module and the programs;
# leaves $out/TARGET.env with KERNEL, KREL, KO (empty if the build failed),
# WARN, PAGE, PREP (seconds) and UNAVAIL (the reason, if unavailable).
prepare() {
	local t=$1 env=$out/$1.env ko start page='?'
	start=$(date +%s)
	lm_target "$t"
	lm_vm_prepare "$LM_TARGET_SUITE" "$LM_TARGET_KARCH" \
		"$LM_TARGET_FLAVOUR" "$out/$t"
	ko=$LM_VM_MODULE
	if [ -n "$LM_VM_KERNEL" ]; then
		page=$(page_size "$LM_VM_CONFIG")
		# The programs, once per architecture (make keeps them).
		if ! (lm_vm_cross_make "$LM_TARGET_UARCH") \
			>/dev/null 2>>"$out/$t-build.log"; then
			lm_warn "$t: the programs do not build for $LM_TARGET_UARCH"
			ko=
		fi
	fi
	printf 'KERNEL=%q KREL=%q KO=%q WARN=%q PAGE=%q PREP=%q UNAVAIL=%q\n' \
		"$LM_VM_KERNEL" "$LM_VM_KREL" "$ko" "$LM_VM_WARN" "$page" \
		"$(($(date +%s) - start))" "$LM_VM_UNAVAIL" >"$env.tmp"
	mv "$env.tmp" "$env"
}

# read_env TARGET: KERNEL, KREL, KO, WARN, PAGE, PREP and UNAVAIL as
# prepare left them in $out/TARGET.env.  They are assigned in the caller's
# scope: a caller that declares them local keeps them to itself.
read_env() {
	KERNEL='' KREL='' KO='' WARN=0 PAGE='?' PREP=0 UNAVAIL=''
	eval "$(cat "$out/$1.env")"
}

# run TARGET: the selftests on TARGET's kernel; leaves its row of the table
# in $out/TARGET.row and its counts in $out/TARGET.count.
run() {
	local t=$1 KERNEL KREL KO WARN PAGE PREP UNAVAIL pass=0 fail=0 skip=0
	local start
	read_env "$t"
	lm_target "$t"
	start=$(date +%s)
	if [ -n "$UNAVAIL" ]; then
		lm_log "$t: unavailable: $UNAVAIL"
		printf '%-24s unavailable: %s\n' "$t" "$UNAVAIL" >"$out/$t.row"
		echo "pass 0 fail 0 skip 1" >"$out/$t.count"
		return 0
	fi
	if [ -z "$KERNEL" ]; then
		lm_warn "$t: no kernel (see $out/$t-fetch.log)"
		tail -n 5 "$out/$t-fetch.log" >&2
		fail=1 KREL='?'
	elif [ -n "$KO" ] && [ "$WARN" -eq 0 ]; then
		pass=1	# the build: one test
	else
		fail=1
		lm_warn "$t: the module did not build cleanly (see $out/$t-build.log)"
		grep -E 'warning:|^WARNING:|error:' "$out/$t-build.log" |
			head -n 20 | sed "s/^/$t: /" >&2 || :
	fi
	if [ -n "$KERNEL" ] && [ -n "$KO" ]; then
		lm_log "$t: selftests on $KREL ($LM_TARGET_UARCH programs)"
		# One pass with the module's defaults: lazymap_huge_test loads
		# it with huge=always itself; the suite's second, huge=always
		# pass is make check's, the matrix's and the debug kernel's.
		scripts/check.sh --kernel "$KERNEL" --module "$KO" --no-make \
			--arch "$LM_TARGET_KARCH" --user-arch "$LM_TARGET_UARCH" \
			--passes '' \
			--log "$out/$t-vm.log" >"$out/$t-check.log" 2>&1 || :
		grep '^FAIL: ' "$out/$t-check.log" | sed "s/^/$t: /" >&2 || :
		if lm_vm_check_totals "$out/$t-check.log"; then
			pass=$((pass + LM_VM_PASS))
			fail=$((fail + LM_VM_FAIL))
			skip=$((skip + LM_VM_SKIP))
		else
			lm_warn "$t: check.sh gave no totals (see $out/$t-check.log)"
			fail=$((fail + 1))
		fi
	fi
	printf '%-24s %-28s %4s %6d %6d %7d %5d %5d\n' "$t" "$KREL" "$PAGE" \
		"$pass" "$fail" "$skip" "$PREP" "$(($(date +%s) - start))" \
		>"$out/$t.row"
	echo "pass $pass fail $fail skip $skip" >"$out/$t.count"
	lm_log "$t: $pass passed, $fail failed, $skip skipped"
}

# Host packages first, so that no two apt-gets run at once on the host.
lm_need_pkgs mmdebstrap debian-archive-keyring make dwarves
uarchs=()
for t in "${targets[@]}"; do
	lm_target "$t"
	lm_arch "$LM_TARGET_KARCH"
	[ "$LM_ARCH_QEMU_PKG" = - ] || lm_need_pkgs "$LM_ARCH_QEMU_PKG"
	for a in "$LM_TARGET_KARCH" "$LM_TARGET_UARCH"; do
		[[ " ${uarchs[*]} " == *" $a "* ]] || uarchs+=("$a")
	done
done
for a in "${uarchs[@]}"; do
	# shellcheck disable=SC2046 # a list of package names
	lm_need_pkgs $(lm_arch_cross_pkgs "$a")
done

if [ -n "$prepare_only" ]; then
	bad=0
	for t in "${targets[@]}"; do
		prepare "$t"
		read_env "$t"
		if [ -n "$UNAVAIL" ]; then
			lm_log "$t: unavailable: $UNAVAIL"
		elif [ -n "$KO" ]; then
			lm_log "$t: prepared for $KREL"
		else
			lm_warn "$t: not prepared (see $out/$t-fetch.log," \
				"$out/$t-build.log)"
			bad=1
		fi
	done
	lm_log "check-arch --prepare-only took $(($(date +%s) - t0)) s"
	exit "$bad"
fi

# was_prepared TARGET: true if --prepared and a --prepare-only run left
# TARGET's preparation, whose kernel and module are still there.
was_prepared() {
	local KERNEL KO KREL WARN PAGE PREP UNAVAIL
	[ -n "$prepared" ] && [ -f "$out/$1.env" ] || return 1
	read_env "$1"
	{ [ -z "$KERNEL" ] || [ -f "$KERNEL" ]; } &&
		{ [ -z "$KO" ] || [ -f "$KO" ]; }
}

# Before the background starts: the loop below takes an .env file for
# a target's preparation done.
todo=()
for t in "${targets[@]}"; do
	if was_prepared "$t"; then
		lm_log "$t: prepared by check-arch --prepare-only"
	else
		rm -f "$out/$t.env"
		todo+=("$t")
	fi
done
lm_log "preparing ${#todo[@]} of ${#targets[@]} targets in the background"
(
	for t in ${todo[@]+"${todo[@]}"}; do
		prepare "$t"
	done
) &
bgpid=$!
trap 'kill "$bgpid" 2>/dev/null || :' EXIT
runs=()
for t in "${targets[@]}"; do
	while [ ! -f "$out/$t.env" ]; do
		kill -0 "$bgpid" 2>/dev/null || break
		sleep 1
	done
	if [ ! -f "$out/$t.env" ]; then
		printf 'KERNEL= KREL= KO= WARN=0 PAGE=? PREP=0 UNAVAIL=\n' \
			>"$out/$t.env"
	fi
	# At most $jobs QEMU runs at a time.
	while :; do
		live=()
		for p in ${runs[@]+"${runs[@]}"}; do
			kill -0 "$p" 2>/dev/null && live+=("$p")
		done
		runs=(${live[@]+"${live[@]}"})
		[ ${#runs[@]} -lt "$jobs" ] && break
		sleep 1
	done
	run "$t" &
	runs+=("$!")
done
for p in ${runs[@]+"${runs[@]}"}; do
	wait "$p" || :
done
wait "$bgpid" || :
trap - EXIT

total_pass=0 total_fail=0 total_skip=0
for t in "${targets[@]}"; do
	read -r _ p _ f _ k <"$out/$t.count"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + k))
done
echo
printf '%-24s %-28s %4s %6s %6s %7s %5s %5s\n' target release page passed \
	failed skipped prep run
for t in "${targets[@]}"; do
	cat "$out/$t.row"
done
echo "(prep and run: seconds to fetch and build, and of the QEMU run)"
lm_log "check-arch took $(($(date +%s) - t0)) s"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
