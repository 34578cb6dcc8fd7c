#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Get the current kernel of a newer Debian suite (trixie, sid) and its build
# environment, and print where they are as eval-able lines:
#
#   scripts/fetch-kernel-suite.sh [--suite trixie|sid]
#   KERNEL=<vmlinuz on the host> KREL=<release> KDIR=<headers in the chroot>
#   BUILD_IN=SUITE
#
# The kernel is whatever the suite's linux-image-amd64 depends on today, read
# from the suite's own package lists inside its chroot (suite-chroot.sh), so
# the matrix follows Debian.  The kernel image goes to
# $LM_CACHE/kernels/SUITE/VERSION/vmlinuz-KREL; the headers and the compiler
# the kernel was built with (CONFIG_CC_VERSION_TEXT) go into the chroot.
# When the suite moves to a new ABI, the old image and headers are dropped.
# KDIR is a path inside the chroot: build there with
#   scripts/suite-chroot.sh enter SUITE scripts/build-module.sh --kdir KDIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=trixie
while [ $# -gt 0 ]; do
	case $1 in
	--suite) suite=$2; shift 2 ;;
	*) lm_die "usage: $0 [--suite trixie|sid]" ;;
	esac
done
[ "$suite" != bookworm ] ||
	lm_die "bookworm builds on the host: use scripts/fetch-kernel.sh"

chroot_sh=$LM_TOP/scripts/suite-chroot.sh
"$chroot_sh" create "$suite" make
root=$("$chroot_sh" path "$suite")
in_chroot() { "$chroot_sh" enter "$suite" "$@"; }

# One fetch per suite at a time: two would fight over apt's locks.
mkdir -p "$LM_CACHE/kernels/$suite"
exec 9>"$LM_CACHE/kernels/$suite.lock"
flock 9

lm_log "reading $suite's package lists"
in_chroot apt-get update -qq >&2 || lm_die "apt-get update failed in $suite"
abi=$(in_chroot apt-cache depends linux-image-amd64 |
	sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
[ -n "$abi" ] || lm_die "cannot resolve $suite's linux-image-amd64 ABI"
ver=$(in_chroot apt-cache policy "linux-image-$abi-amd64" |
	sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	lm_die "no candidate for linux-image-$abi-amd64 in $suite"
fi
lm_log "$suite kernel: linux-image-$abi-amd64 $ver"

# The image.  Since 7.x (sid) linux-image-<abi> is an empty meta-package and
# the kernel itself is in linux-binary-<abi>, as usr/lib/modules/KREL/vmlinuz;
# before, it is boot/vmlinuz-KREL in linux-image-<abi>.
kcache=$LM_CACHE/kernels/$suite/$ver
set -- "$kcache"/vmlinuz-*
if [ ! -s "$1" ]; then
	pkg=linux-binary-$abi-amd64
	in_chroot apt-cache show "$pkg" >/dev/null 2>&1 ||
		pkg=linux-image-$abi-amd64
	lm_log "downloading $pkg $ver"
	img=$root/var/cache/lazymap/image
	rm -rf "$img"
	mkdir -p "$img"
	# shellcheck disable=SC2016 # expanded by the inner sh
	in_chroot sh -ec '
		cd /var/cache/lazymap/image
		apt-get download -qq "$1=$2"
		dpkg-deb --fsys-tarfile ./*.deb |
			tar -x --wildcards "*/vmlinuz*"
	' sh "$pkg" "$ver" >&2 || lm_die "cannot get the kernel from $pkg"
	mapfile -t found < <(find "$img/boot" "$img/usr/lib/modules" \
		\( -name 'vmlinuz-*' -o -name vmlinuz \) -type f 2>/dev/null)
	[ ${#found[@]} -eq 1 ] || lm_die "no single vmlinuz in $pkg"
	case ${found[0]} in
	*/boot/vmlinuz-*) krel=${found[0]##*/vmlinuz-} ;;
	*) krel=$(basename "$(dirname "${found[0]}")") ;;
	esac
	# Named vmlinuz-KREL as in /boot: check.sh reads the release off
	# the name.
	rm -rf "$kcache"
	mkdir -p "$kcache"
	cp "${found[0]}" "$kcache/vmlinuz.tmp"
	mv "$kcache/vmlinuz.tmp" "$kcache/vmlinuz-$krel"
	rm -rf "$img"
	set -- "$kcache/vmlinuz-$krel"
fi
kernel=$1
krel=${kernel##*/vmlinuz-}
# Drop the images of the suite's earlier ABIs.
for d in "$LM_CACHE/kernels/$suite"/*/; do
	[ "${d%/}" = "$kcache" ] || rm -rf "${d%/}"
done

# The headers.  trixie's headers depend on the kernel image (100 MB of
# modules plus an initramfs run, useless here): a stub package that provides
# exactly that image satisfies the dependency instead.
hdr=linux-headers-$abi-amd64
# shellcheck disable=SC2016 # a dpkg-query format
if ! in_chroot dpkg-query -W -f='${Status}' "$hdr" 2>/dev/null |
	grep -q 'ok installed'; then
	# shellcheck disable=SC2016 # a dpkg-query format
	mapfile -t old < <(in_chroot dpkg-query -W \
		-f='${db:Status-Abbrev} ${Package}\n' \
		'linux-headers-*' 'linux-kbuild-*' 2>/dev/null |
		sed -n 's/^ii *//p')
	stale=()
	for p in ${old[@]+"${old[@]}"}; do
		case $p in
		*-"$abi" | *-"$abi"-*) ;;	# this ABI's: keep
		*) stale+=("$p") ;;
		esac
	done
	if [ ${#stale[@]} -gt 0 ]; then
		lm_log "removing old headers: ${stale[*]}"
		in_chroot apt-get purge -y -qq "${stale[@]}" >"$root.apt.log" \
			2>&1 || lm_die "cannot remove old headers: see $root.apt.log"
		# A new ABI may want newer libraries and tools throughout.
		"$chroot_sh" refresh "$suite"
	fi
	# Read whole, then searched: under pipefail, grep -q quitting at the
	# match can kill apt-cache with SIGPIPE and fail the test (1 run in 5).
	deps=$(in_chroot apt-cache depends "$hdr")
	if grep -q "Depends: linux-image-$abi-amd64\$" <<<"$deps"; then
		stub=$root/var/cache/lazymap/stub
		rm -rf "$stub"
		mkdir -p "$stub/DEBIAN"
		cat >"$stub/DEBIAN/control" <<-EOF
		Package: lazymap-kernel-image-stub
		Version: $ver
		Architecture: all
		Maintainer: lazymap <lazymap@localhost>
		Provides: linux-image-$abi-amd64 (= $ver)
		Description: stands in for the kernel image for lazymap builds
		 Only the headers are needed to build an external module.
		EOF
		in_chroot sh -ec '
			dpkg-deb -b /var/cache/lazymap/stub /var/cache/lazymap/stub.deb
			dpkg -i /var/cache/lazymap/stub.deb
		' >/dev/null || lm_die "cannot install the image stub in $suite"
	fi
	"$chroot_sh" create "$suite" "$hdr"
fi
kdir=/usr/src/linux-headers-$krel
[ -f "$root$kdir/.config" ] || lm_die "$kdir in $suite has no .config"

# The compiler the kernel was built with, e.g. "x86_64-linux-gnu-gcc-16 (...)".
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$root$kdir/.config")
case $cc in
*gcc-[0-9]*) ccpkg=gcc-${cc##*gcc-} ;;
*) lm_die "cannot tell the compiler of $krel from '$cc'" ;;
esac
# W=1 runs scripts/kernel-doc, a perl script needing more than perl-base.
"$chroot_sh" create "$suite" "$ccpkg" make perl

printf 'KERNEL=%q\nKREL=%q\nKDIR=%q\nBUILD_IN=%q\n' "$kernel" "$krel" "$kdir" \
	"$suite"
