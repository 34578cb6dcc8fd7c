#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build lazymap for every kernel Debian ships and run the whole selftest
# suite on each under QEMU (`make check-matrix`).
#
#   scripts/check-matrix.sh [SUITE...]     (default: bookworm trixie sid)
#
# Each suite's kernel is the one its linux-image-amd64 depends on today.
# bookworm's module is built on the host; newer suites need their own
# compiler and glibc, so theirs is built in a chroot of the suite
# (scripts/suite-chroot.sh).  The fetch and the build are lm_vm_prepare's
# (scripts/vm-lib.sh), as for make check-arch.  Every suite then runs
# scripts/check.sh --kernel K --module KO.
#
# The build is a test of its own: it passes when the module built with W=1
# and the compiler and modpost said nothing (no "warning:", no "WARNING:").
# The output ends with a table, one row per kernel:
#
#   suite     release                   passed failed skipped warnings
#   bookworm  6.1.0-57-amd64                41      0       1        0
#
# and the closing line "N passed, M failed, K skipped" over all kernels.
# Logs: build/matrix/<suite>-{fetch,build,check}.log, console logs
# build/matrix/<suite>-vm.log.  Exit status: 0 if nothing failed.
#
# The chroots and kernels of trixie and sid are prepared in the background
# while bookworm's tests run, and sid's while trixie's run: that part is
# network and disk bound, QEMU is CPU bound.
set -euo pipefail
# shellcheck source=scripts/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"

cd "$LM_TOP"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie sid)
out=$LM_BUILD/matrix
mkdir -p "$out"
t0=$(date +%s)

# prepare SUITE: fetch the kernel and build the module; leaves
# $out/SUITE.env with KERNEL, KREL, KO (empty if the build failed) and WARN.
prepare() {
	local s=$1 env=$out/$1.env
	rm -f "$env"
	lm_vm_prepare "$s" amd64 amd64 "$out/$s"
	if [ -z "$LM_VM_KERNEL" ]; then
		tail -n 5 "$out/$s-fetch.log" >&2
	fi
	printf 'KERNEL=%q KREL=%q KO=%q WARN=%q\n' "$LM_VM_KERNEL" \
		"$LM_VM_KREL" "$LM_VM_MODULE" "$LM_VM_WARN" >"$env.tmp"
	# Whole or not at all: the runner starts as soon as it sees the file.
	mv "$env.tmp" "$env"
}

# run SUITE: the selftests on SUITE's kernel; appends a row to $out/rows.
first_check=1
run() {
	local s=$1 KERNEL KREL KO WARN pass=0 fail=0 skip=0
	local args=()
	eval "$(cat "$out/$s.env")"
	if [ -z "$KERNEL" ]; then
		lm_warn "$s: no kernel (see $out/$s-fetch.log)"
		fail=1
		KREL='?'
	else
		# The build: one test.
		if [ -n "$KO" ] && [ "$WARN" -eq 0 ]; then
			pass=1
		else
			fail=1
			grep -E 'warning:|^WARNING:|error:' "$out/$s-build.log" |
				head -n 20 | sed "s/^/$s: /" >&2 || :
		fi
	fi
	if [ -n "$KERNEL" ] && [ -n "$KO" ]; then
		[ -n "$first_check" ] || args+=(--no-make)
		first_check=
		lm_log "$s: selftests on $KREL"
		scripts/check.sh --kernel "$KERNEL" --module "$KO" \
			--log "$out/$s-vm.log" "${args[@]}" \
			>"$out/$s-check.log" 2>&1 || :
		grep '^FAIL: ' "$out/$s-check.log" | sed "s/^/$s: /" >&2 || :
		if lm_vm_check_totals "$out/$s-check.log"; then
			pass=$((pass + LM_VM_PASS))
			fail=$((fail + LM_VM_FAIL))
			skip=$((skip + LM_VM_SKIP))
		else
			lm_warn "$s: check.sh gave no totals (see $out/$s-check.log)"
			fail=$((fail + 1))
		fi
	elif [ -n "$KERNEL" ]; then
		lm_warn "$s: the module did not build (see $out/$s-build.log)"
	fi
	printf '%-9s %-25s %6d %6d %7d %8s\n' "$s" "$KREL" "$pass" "$fail" \
		"$skip" "${WARN:-?}" >>"$out/rows"
	lm_log "$s: $pass passed, $fail failed, $skip skipped, ${WARN:-?} warnings"
}

rm -f "$out/rows"
# Host packages first, so that no two apt-gets run at once on the host.
if [ "${suites[*]}" != bookworm ]; then
	lm_need_pkgs mmdebstrap debian-archive-keyring
fi

# bookworm (the host's suite) in front, prepared here; the chroot suites
# are prepared in the background, one after the other, and each runs as
# soon as it is ready.
bg=()
for s in "${suites[@]}"; do
	[ "$s" = bookworm ] || bg+=("$s")
done
if [ ${#bg[@]} -gt 0 ]; then
	lm_log "preparing ${bg[*]} in the background"
	(
		for s in "${bg[@]}"; do
			prepare "$s"
		done
	) &
	bgpid=$!
	trap 'kill "$bgpid" 2>/dev/null || :' EXIT
fi
for s in "${suites[@]}"; do
	[ "$s" = bookworm ] || continue
	lm_log "bookworm: fetching the kernel, building the module"
	prepare bookworm
	run bookworm
done
for s in ${bg[@]+"${bg[@]}"}; do
	while [ ! -f "$out/$s.env" ] && kill -0 "$bgpid" 2>/dev/null; do
		sleep 1
	done
	if [ ! -f "$out/$s.env" ]; then
		lm_warn "$s: the background preparation ended without a result"
		printf 'KERNEL= KREL= KO= WARN=0\n' >"$out/$s.env"
	fi
	run "$s"
done
[ ${#bg[@]} -eq 0 ] || wait "$bgpid" || :

total_pass=0 total_fail=0 total_skip=0
echo
printf '%-9s %-25s %6s %6s %7s %8s\n' suite release passed failed skipped \
	warnings
while read -r s krel p f k w; do
	printf '%-9s %-25s %6d %6d %7d %8s\n' "$s" "$krel" "$p" "$f" "$k" "$w"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	total_skip=$((total_skip + k))
done <"$out/rows"
lm_log "check-matrix took $(($(date +%s) - t0)) s"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
