#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Test the Debian packages as a user meets them (`make check-deb`): in a
# fresh chroot of each Debian suite with a kernel's headers, apt installs
# lazymap-dkms, lazymap-tools and lazymap-dev; DKMS must build and install
# lazymap.ko for that kernel; then they are removed and purged and nothing
# may be left (scripts/test-deb-chroot.sh has the checks).  Then the module
# DKMS built is booted in QEMU and the selftest suite runs against it
# (scripts/check.sh --module, the huge=never pass only).
#
#   scripts/test-deb.sh [--no-build] [--boot SUITES] [SUITE...]
#
# SUITE         bookworm, trixie (default: both)
# --no-build    take the packages in build/deb/ as they are (default: build
#               them with scripts/build-deb.sh, lintian included)
# --boot SUITES comma-separated suites whose DKMS-built module runs the
#               suite in QEMU (default: bookworm; "none" for none).  One
#               boot costs minutes of TCG; trixie's module is the same source
#               built by the same gcc-14 as the one make check-matrix boots
#
# The kernel of each suite is the one make check uses: fetch-kernel.sh for
# bookworm, fetch-kernel-suite.sh for trixie; the chroot gets its headers.
# The chroots are deb-SUITE (suite-chroot.sh --name), apart from the ones
# that build modules, made once with dkms, man-db, adduser and gcc and kept
# in $LM_CACHE;
# each run enters one with --throwaway, so it starts from that clean state
# and its writes vanish with it.  When the kernel changes, the cached chroot
# is brought up to date (apt-get dist-upgrade) and its headers replaced.
# Newer headers that depend on the kernel image get a stub package that
# provides the image instead (as fetch-kernel-suite.sh does): DKMS needs
# only the headers.
#
# Output: one "ok"/"not ok" line per check, then "N passed, M failed, K
# skipped" over the checks and the suites' selftests.  Logs and the modules
# in build/deb/test/SUITE/.  Exit status 0 if nothing failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { lm_die "usage: $0 [--no-build] [--boot SUITES] [SUITE...]"; }

build=1 boot=bookworm suites=()
while [ $# -gt 0 ]; do
	case $1 in
	--no-build) build=; shift ;;
	--boot) [ $# -ge 2 ] || usage; boot=$2; shift 2 ;;
	-*) usage ;;
	*) suites+=("$1"); shift ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
for s in "${suites[@]}"; do
	case $s in bookworm | trixie) ;; *) lm_die "suite $s: not supported" ;; esac
done
[ "$(id -u)" -eq 0 ] || lm_die "chroots need root"

chroot_sh=$LM_TOP/scripts/suite-chroot.sh
out=$LM_BUILD/deb/test
pass=0 fail=0 skip=0
t_start=$(date +%s)

# result PASSED WHAT: count one check of this script.
result() {
	if [ "$1" -eq 0 ]; then
		printf 'ok - %s\n' "$2"
		pass=$((pass + 1))
	else
		printf 'not ok - %s\n' "$2"
		fail=$((fail + 1))
	fi
}

# 1. The packages.
if [ -n "$build" ]; then
	lm_log "building the packages (make deb)"
	rc=0
	scripts_out=$("$LM_TOP/scripts/build-deb.sh") || rc=$?
	result $rc "make deb: packages built, lintian clean"
	[ $rc -eq 0 ] || { echo "$pass passed, $fail failed, $skip skipped"; exit 1; }
	mapfile -t debs <<<"$scripts_out"
else
	version=$("$LM_TOP/scripts/check-versions.sh")
	debs=()
	for p in lazymap-dkms lazymap-tools lazymap-dev; do
		f=$(find "$LM_BUILD/deb" -maxdepth 1 -name "${p}_${version}_*.deb")
		[ -n "$f" ] || lm_die "no ${p}_${version}_*.deb in build/deb: make deb"
		debs+=("$f")
	done
fi

# in_base SUITE CMD...: run CMD in the cached chroot itself (to prepare it).
in_base() {
	local s=$1
	shift
	"$chroot_sh" --name "deb-$s" enter "$s" "$@"
}

# prepare SUITE KREL: the cached chroot deb-SUITE, with dkms, man-db,
# adduser, gcc and the headers of KREL and of no other kernel, and the
# packages' other dependencies in its apt cache.
prepare() {
	local s=$1 krel=$2 hdr=linux-headers-$2
	# gcc: to compile <linux/lazymap.h> (dkms on trixie needs only the
	# kernel's gcc-14, which the headers bring).
	"$chroot_sh" --name "deb-$s" create "$s" dkms man-db adduser gcc
	# shellcheck disable=SC2016 # a dpkg-query format
	if ! in_base "$s" dpkg-query -W -f='${Status}' "$hdr" 2>/dev/null |
		grep -q 'ok installed'; then
		headers "$s" "$krel"
	fi
	# What the packages depend on and the chroot lacks goes into its apt
	# cache, not installed: each run installs it from there, so the
	# dependencies are tested without a download every time.
	# Package lists older than the archive name versions it has dropped:
	# one refresh, and again.
	if ! in_base "$s" apt-get install -y -qq --download-only "${debs[@]}" \
		>/dev/null; then
		"$chroot_sh" --name "deb-$s" refresh "$s"
		in_base "$s" apt-get install -y -qq --download-only \
			"${debs[@]}" >/dev/null ||
			lm_die "cannot fetch the dependencies into deb-$s"
	fi
}

# headers SUITE KREL: replace the headers in deb-SUITE with those of KREL.
headers() {
	local s=$1 krel=$2 hdr=linux-headers-$2 old=() ver stub root deps
	lm_log "deb-$s: installing the headers of $krel"
	if [ "$s" = bookworm ]; then
		# A bookworm system as users (and this host) have it: bookworm's
		# current kernel comes from bookworm-security.
		root=$("$chroot_sh" --name "deb-$s" path "$s")
		printf 'deb %s %s main\n' \
			"${LAZYMAP_MIRROR:-http://deb.debian.org/debian}" \
			bookworm-updates \
			"${LAZYMAP_SECURITY_MIRROR:-http://deb.debian.org/debian-security}" \
			bookworm-security \
			>"$root/etc/apt/sources.list.d/lazymap-updates.list"
	fi
	"$chroot_sh" --name "deb-$s" refresh "$s"
	# shellcheck disable=SC2016 # a dpkg-query format
	mapfile -t old < <(in_base "$s" dpkg-query -W \
		-f='${db:Status-Abbrev} ${Package}\n' 'linux-headers-*' \
		'linux-kbuild-*' lazymap-kernel-image-stub 2>/dev/null |
		sed -n 's/^ii *//p')
	if [ ${#old[@]} -gt 0 ]; then
		lm_log "deb-$s: removing ${old[*]}"
		in_base "$s" apt-get purge -y -qq "${old[@]}" >/dev/null ||
			lm_die "cannot remove the old headers from deb-$s"
	fi
	# Read whole, then searched: under pipefail, grep -q quitting at the
	# match can kill apt-cache with SIGPIPE and fail the test.
	deps=$(in_base "$s" apt-cache depends "$hdr")
	if grep -q "Depends: linux-image-$krel\$" <<<"$deps"; then
		ver=$(in_base "$s" apt-cache policy "linux-image-$krel" |
			sed -n 's/^ *Candidate: //p')
		stub=/var/cache/lazymap/stub
		# shellcheck disable=SC2016 # expanded by the inner sh
		in_base "$s" sh -ec '
			rm -rf "$1"; mkdir -p "$1/DEBIAN"
			cat >"$1/DEBIAN/control" <<-EOC
			Package: lazymap-kernel-image-stub
			Version: $2
			Architecture: all
			Maintainer: lazymap <lazymap@localhost>
			Provides: linux-image-$3 (= $2)
			Description: stands in for the kernel image for lazymap tests
			 DKMS needs only the headers to build an external module.
			EOC
			dpkg-deb -b "$1" "$1.deb" >/dev/null
			dpkg -i "$1.deb" >/dev/null
			rm -rf "$1" "$1.deb"
		' sh "$stub" "$ver" "$krel" ||
			lm_die "cannot install the image stub in deb-$s"
	fi
	"$chroot_sh" --name "deb-$s" create "$s" "$hdr"
	in_base "$s" apt-get clean
}

# The host must not change: no module, no DKMS tree of lazymap there.
host_state() {
	find /lib/modules /var/lib/dkms /usr/src -maxdepth 4 -name '*lazymap*' \
		2>/dev/null | sort
}
host_before=$(host_state)

# The suites' kernels and chroots, side by side in the background: from a
# cold cache that is minutes of mmdebstrap and apt each, bound by the
# network and the disk.  Each leaves its kernel release in SUITE/krel and
# its progress in SUITE/prepare.log, shown when the suite's turn comes.
declare -A kos=() preparing=()
for s in "${suites[@]}"; do
	mkdir -p "$out/$s"
	rm -f "$out/$s/krel"
	(
		KREL=''
		eval "$("$LM_TOP/scripts/fetch-kernel.sh" --suite "$s")"
		[ -n "$KREL" ] || lm_die "no $s kernel"
		prepare "$s" "$KREL"
		printf '%s\n' "$KREL" >"$out/$s/krel"
	) >"$out/$s/prepare.log" 2>&1 &
	preparing[$s]=$!
done
trap 'kill "${preparing[@]}" 2>/dev/null || :' EXIT
for s in "${suites[@]}"; do
	t0=$(date +%s)
	rc=0
	wait "${preparing[$s]}" || rc=$?
	cat "$out/$s/prepare.log" >&2
	if [ "$rc" -ne 0 ] || [ ! -s "$out/$s/krel" ]; then
		lm_die "$s: the kernel or the chroot could not be prepared"
	fi
	KREL=$(cat "$out/$s/krel")
	lm_log "$s: packages in a throwaway chroot with the headers of $KREL"
	rc=0
	"$chroot_sh" --name "deb-$s" --throwaway enter "$s" \
		"$LM_TOP/scripts/test-deb-chroot.sh" "$KREL" "$out/$s" "${debs[@]}" \
		>"$out/$s/checks.log" || rc=$?
	sed "s/^\(\(not \)\?ok - \)/\1$s: /" "$out/$s/checks.log" |
		grep -v '^deb-chroot: '
	line=$(grep -a '^deb-chroot: pass=' "$out/$s/checks.log" | tail -n1) ||
		true
	if [[ $line =~ pass=([0-9]+)\ fail=([0-9]+)\ skip=([0-9]+) ]]; then
		pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
		skip=$((skip + BASH_REMATCH[3]))
		[ "$rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -ne 0 ] ||
			result 1 "$s: chroot test exited with status $rc"
	else
		result 1 "$s: the chroot test did not finish (status $rc)"
	fi
	ko=$(find "$out/$s" -maxdepth 1 -name 'lazymap.ko*' | head -n1)
	case $ko in
	*.xz) lm_need_pkgs xz-utils; xz -dc "$ko" >"$out/$s/lazymap.ko"; ko=$out/$s/lazymap.ko ;;
	*.zst) lm_need_pkgs zstd; zstd -qdc "$ko" >"$out/$s/lazymap.ko"; ko=$out/$s/lazymap.ko ;;
	esac
	kos[$s]=$ko
	lm_log "$s: packages tested in $(($(date +%s) - t0)) s"
done
result "$([ "$(host_state)" = "$host_before" ]; echo $?)" \
	"the host's /lib/modules, /var/lib/dkms and /usr/src are unchanged"

# 2. The modules DKMS built, in QEMU.
IFS=, read -r -a boots <<<"$boot"
for s in "${boots[@]}"; do
	[ "$s" != none ] || continue
	if [ -z "${kos[$s]:-}" ]; then
		result 1 "$s: no DKMS-built module to boot"
		continue
	fi
	t0=$(date +%s)
	lm_log "$s: the selftests against the module DKMS built (${kos[$s]})"
	rc=0
	# One pass (4 KiB pages): the huge-page pass tests the module's
	# source, which make check does; here the packaging is under test.
	"$LM_TOP/scripts/check.sh" --suite "$s" --module "${kos[$s]}" \
		--passes huge=never --log "$out/$s/vm.log" \
		>"$out/$s/check.log" 2>&1 || rc=$?
	grep '^FAIL: ' "$out/$s/check.log" | sed "s/^/$s: /" || true
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/$s/check.log" |
		tail -n1) || true
	re='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?'
	if [[ $last =~ $re ]]; then
		pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2]))
		skip=$((skip + ${BASH_REMATCH[4]:-0}))
		printf '%s: selftests on the DKMS module: %s (%d s)\n' "$s" \
			"$last" $(($(date +%s) - t0))
		[ "$rc" -eq 0 ] || [ "${BASH_REMATCH[2]}" -ne 0 ] ||
			result 1 "$s: check.sh exited with status $rc"
	else
		tail -n 20 "$out/$s/check.log" >&2
		result 1 "$s: check.sh gave no totals (see $out/$s/check.log)"
	fi
done

lm_log "check-deb done in $(($(date +%s) - t_start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
