#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel image to boot under QEMU and print where it is.
#
#   scripts/fetch-kernel.sh [--suite SUITE] [--arch ARCH] [--flavour FLAVOUR]
#
# --suite    the Debian suite whose kernel to fetch (default: bookworm, the
#            only one built in; see "Adding a suite" below)
# --arch     the kernel's Debian architecture (default: amd64; see
#            scripts/arch-lib.sh for the others)
# --flavour  the kernel flavour, linux-image-FLAVOUR (default: ARCH)
#
# Prints four eval-able lines on stdout, progress on stderr:
#
#   KERNEL=<path of vmlinuz>
#   KREL=<kernel release, e.g. 6.1.0-57-amd64>
#   KDIR=<kernel headers to build modules against>
#   BUILD_IN=<the suite chroot to build the module in, or empty: the host>
#
# so a caller does: eval "$(scripts/fetch-kernel.sh)" and builds with
# build-module.sh --kdir "$KDIR", in "scripts/suite-chroot.sh enter
# $BUILD_IN" when BUILD_IN is set (trixie's and sid's headers need their own
# compiler and glibc).  When the kernel is not amd64's own (another --arch
# or --flavour) the recipe is fk_foreign below: a private apt configuration
# per suite and architecture, never the host's.  Exit status 3, with a line
# "unavailable: <reason>" on stderr, means the mirror does not serve that
# kernel (no such flavour in the suite, or a package it cannot deliver):
# not a failure of lazymap.
#
# The package is fetched with `apt-get download` and unpacked with
# `dpkg-deb -x` into $LM_CACHE/kernels/<suite>/<package version>/root/, once;
# later runs reuse it.  The ABI is resolved at run time, so the cache follows
# Debian as it moves to a new ABI.  The headers package is installed on the
# host (lm_need_pkgs) because that is where modules are built.
#
# The packages of earlier versions of the suite's kernel are removed from the
# cache once the current one is in.
#
# Other suites: for trixie, forky and sid, scripts/fetch-kernel-suite.sh (the
# kernel is read from the suite's chroot and KDIR is a path inside that
# chroot) is run in our place when it exists.  Or create
# scripts/fetch-kernel.d/<suite>.sh defining a function fk_suite_<suite> that
# sets KERNEL, KREL and KDIR; it is sourced after this file's helpers are
# defined, so it can call fk_cache_image (download and unpack once, with a
# function of its own doing the download, e.g. inside a chroot) and
# fk_vmlinuz.  fk_suite_bookworm below is the model.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# fk_apt_download DIR PKG=VER: the default fetcher, the host's apt.  Runs in
# DIR because apt-get download writes to the current directory; the sandbox
# user must be root or the unprivileged _apt user cannot write there.
fk_apt_download() {
	(cd "$1" && lm_host_apt apt-get download -qq \
		-o APT::Sandbox::User=root "$2" >&2)
}

# fk_cache_image SUITE PKG VER FETCHER: make sure PKG (version VER) is
# unpacked under $LM_CACHE/kernels/SUITE/VER/root and set FK_ROOT to that
# directory.  FETCHER is a command called as `FETCHER DIR PKG=VER` that must
# leave PKG's .deb in DIR.  A lock serialises concurrent runs; the unpacked
# tree only appears once complete, so an interrupted run leaves no half cache.
fk_cache_image() {
	local suite=$1 pkg=$2 ver=$3 fetcher=$4 dir tmp deb old
	dir=$LM_CACHE/kernels/$suite/$ver
	FK_ROOT=$dir/root
	[ -d "$FK_ROOT" ] && return 0
	mkdir -p "$LM_CACHE/kernels/$suite"
	exec {lock}>"$LM_CACHE/kernels/$suite.lock"
	flock "$lock"
	if [ ! -d "$FK_ROOT" ]; then
		tmp=$dir.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp"
		lm_log "downloading $pkg $ver ($suite)"
		"$fetcher" "$tmp" "$pkg=$ver" ||
			lm_die "could not download $pkg $ver"
		deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
		[ -n "$deb" ] || lm_die "no ${pkg}_*.deb after the download"
		lm_log "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$tmp/root" ||
			lm_die "could not unpack $deb"
		rm -f "$deb"
		mkdir -p "$dir"
		mv "$tmp/root" "$FK_ROOT"
		rm -rf "$tmp"
		# Earlier versions: 400 MB each, and never booted again.
		for old in "$LM_CACHE/kernels/$suite"/*/; do
			old=${old%/}
			[ "$old" = "$dir" ] && continue
			lm_log "removing the cached $suite kernel $(basename "$old")"
			rm -rf "$old"
		done
	fi
	exec {lock}>&-
}

# fk_vmlinuz ROOT KREL: the kernel image inside an unpacked package.
fk_vmlinuz() {
	local k=$1/boot/vmlinuz-$2
	[ -f "$k" ] || lm_die "no boot/vmlinuz-$2 in $1"
	printf '%s\n' "$k"
}

# bookworm: the host's own suite, so the host's apt resolves everything.
fk_suite_bookworm() {
	local abi pkg ver
	abi=$(lm_bookworm_abi)
	pkg=linux-image-$abi-amd64
	ver=$(lm_host_apt apt-cache policy "$pkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p')
	# About to download: old package lists can name a version that the
	# archive has dropped (the security archive keeps only the latest), so
	# refresh them first and resolve again.
	if [ ! -d "$LM_CACHE/kernels/bookworm/$ver/root" ] &&
		[ -z "$lm_apt_updated" ] && [ "$(id -u)" -eq 0 ]; then
		lm_log "refreshing the package lists"
		lm_host_apt apt-get update -qq >&2 ||
			lm_warn "apt-get update failed: trying the old lists"
		lm_apt_updated=1
		abi=$(lm_bookworm_abi)
		pkg=linux-image-$abi-amd64
		ver=$(lm_host_apt apt-cache policy "$pkg" 2>/dev/null |
			sed -n 's/^ *Candidate: //p')
	fi
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		lm_die "apt knows no version of $pkg"
	fi
	fk_cache_image bookworm "$pkg" "$ver" fk_apt_download
	KREL=$abi-amd64
	KERNEL=$(fk_vmlinuz "$FK_ROOT" "$KREL")
	lm_need_pkgs "linux-headers-$KREL"
	KDIR=/usr/src/linux-headers-$KREL
}

# fk_unavailable REASON: the mirror cannot serve this kernel.
fk_unavailable() {
	printf 'unavailable: %s\n' "$*" >&2
	exit 3
}

# fk_candidate PKG: the version apt would download of PKG, or nothing.
fk_candidate() {
	local v
	v=$(lm_papt apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ "$v" = "(none)" ] || printf '%s\n' "$v"
}

# fk_meta FLAVOUR: the meta package of the flavour's current kernel:
# linux-image-FLAVOUR, or in a suite that ships it only as a versioned
# backport (bookworm's arm64-16k: linux-image-6.12-arm64-16k) the newest
# linux-image-X.Y-FLAVOUR.
fk_meta() {
	local f=$1
	if [ -n "$(fk_candidate "linux-image-$f")" ]; then
		echo "linux-image-$f"
		return 0
	fi
	# No such package is an answer (empty), not an error.
	lm_papt apt-cache pkgnames linux-image- 2>/dev/null |
		grep -E "^linux-image-[0-9]+\.[0-9]+-$f\$" | sort -V | tail -n1 ||
		:
}

# fk_foreign SUITE ARCH FLAVOUR: the current FLAVOUR kernel of SUITE for
# ARCH, resolved from the private package lists: the image (only the kernel
# file is kept), its headers and the amd64 linux-kbuild of the same version
# (the ARCH one holds ARCH binaries), unpacked together so that the
# headers' relative links resolve.  bookworm's go to $LM_CACHE/kernels/ and
# build on the host with bookworm's cross compiler; a newer suite's kbuild
# tools need its glibc, so its trees go into the suite's chroot
# (scripts/suite-chroot.sh), with the cross compiler the kernel was built
# with, and KDIR is a path in there.  Sets KERNEL, KREL, KDIR and BUILD_IN.
fk_foreign() {
	local suite=$1 arch=$2 flavour=$3 meta abi img ver hdr hver deps=() d
	local top='' base dir root files tmp cc n ccpkg chroot_sh
	chroot_sh=$LM_TOP/scripts/suite-chroot.sh
	lm_private_apt "$suite" "$arch"
	meta=$(fk_meta "$flavour")
	[ -n "$meta" ] ||
		fk_unavailable "no linux-image-$flavour for $arch in $suite"
	abi=$(lm_papt apt-cache depends "$meta" 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\\(.*\\)-$flavour\$/\\1/p" |
		head -n1)
	[ -n "$abi" ] || lm_die "cannot resolve the ABI of $meta ($suite, $arch)"
	KREL=$abi-$flavour
	# Since 7.x linux-image-KREL is empty and the kernel is in
	# linux-binary-KREL, as usr/lib/modules/KREL/vmlinuz.
	img=linux-binary-$KREL
	[ -n "$(fk_candidate "$img")" ] || img=linux-image-$KREL
	ver=$(fk_candidate "$img")
	hdr=linux-headers-$KREL
	hver=$(fk_candidate "$hdr")
	{ [ -n "$ver" ] && [ -n "$hver" ]; } ||
		fk_unavailable "no $img or $hdr for $arch in $suite"
	mapfile -t deps < <(lm_papt apt-cache depends "$hdr" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p')

	if [ "$suite" != bookworm ]; then
		"$chroot_sh" create "$suite" make
		top=$("$chroot_sh" path "$suite")
		BUILD_IN=$suite
	fi
	# As the builder sees it: a chroot path for the chroot suites.
	base=/var/cache/lazymap/kernels/$suite-$flavour
	[ -n "$top" ] || base=$LM_CACHE/kernels/$suite-$flavour
	dir=$base/$ver
	root=$dir/root
	KDIR=$root/usr/src/linux-headers-$KREL

	mkdir -p "$top$base"
	exec {lock}>"$top$base.lock"
	flock "$lock"
	if [ ! -f "$top$dir/ready" ]; then
		rm -rf "$top$dir"
		tmp=$top$dir/debs
		mkdir -p "$tmp" "$top$root"
		lm_log "downloading $img $ver and its headers ($suite, $arch)"
		files=("$img:$arch=$ver" "$hdr:$arch=$hver")
		for d in ${deps[@]+"${deps[@]}"}; do
			case $d in
			linux-kbuild-*) files+=("$d:amd64=$hver") ;;
			*) files+=("$d=$hver") ;;
			esac
		done
		if ! (cd "$tmp" && lm_papt apt-get download -qq "${files[@]}") \
			>"$top$dir/download.log" 2>&1; then
			fk_unavailable "the mirror does not deliver" \
				"${files[*]}: $(grep -m1 -E '^(E|W):' \
				"$top$dir/download.log")"
		fi
		lm_log "unpacking the kernel and the headers of $KREL"
		for d in "$tmp"/*.deb; do
			case ${d##*/} in
			linux-image-* | linux-binary-*)
				# Only the kernel: the modules are 100 MB and
				# the tests need none.
				dpkg-deb --fsys-tarfile "$d" | tar -x -C "$top$root" \
					--wildcards '*/vmlinu[xz]*' ;;
			*) dpkg-deb -x "$d" "$top$root" ;;
			esac || lm_die "cannot unpack $d"
		done
		rm -rf "$tmp"
		# The headers' Makefile includes the common headers by their
		# absolute path (sid's sets KBUILD_OUTPUT too): point it here,
		# not at whatever the builder's /usr/src holds.
		sed -i "s|/usr/src/|$root/usr/src/|g" "$top$KDIR/Makefile"
		[ -f "$top$KDIR/.config" ] || lm_die "$hdr has no .config"
		touch "$top$dir/ready"
		# Earlier versions: never booted again.
		for d in "$top$base"/*/; do
			d=${d%/}
			[ "$d" = "$top$dir" ] || rm -rf "$d"
		done
	fi
	exec {lock}>&-

	for KERNEL in "$top$root/boot/$LM_ARCH_IMAGE-$KREL" \
		"$top$root/usr/lib/modules/$KREL/vmlinuz"; do
		[ -f "$KERNEL" ] && break
	done
	[ -f "$KERNEL" ] || lm_die "no kernel image in $img"

	# The compiler the kernel was built with: "gcc-12 (Debian ...)" or
	# "aarch64-linux-gnu-gcc-14 (...)"; the cross compiler of the same
	# major version, on the host or in the chroot.  pahole: headers that
	# ship vmlinux generate BTF for modules.
	cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' \
		"$top$KDIR/.config")
	n=${cc##*gcc-}
	[[ $n =~ ^[0-9]+$ ]] || lm_die "cannot tell the compiler of $KREL from '$cc'"
	ccpkg=gcc-$n-$LM_ARCH_TRIPLET
	if [ -n "$BUILD_IN" ]; then
		"$chroot_sh" create "$suite" "$ccpkg" make perl dwarves
	else
		lm_need_pkgs "$ccpkg" make dwarves
	fi
}

suite=bookworm arch=amd64 flavour=
while [ $# -gt 0 ]; do
	case $1 in
	--suite | --arch | --flavour)
		[ $# -ge 2 ] || lm_die "$1 needs a value" ;;
	esac
	case $1 in
	--suite) suite=$2 ;;
	--arch) arch=$2 ;;
	--flavour) flavour=$2 ;;
	*) lm_die "usage: $0 [--suite SUITE] [--arch ARCH] [--flavour FLAVOUR]" ;;
	esac
	shift 2
done
: "${flavour:=$arch}"
lm_arch "$arch"

if [ "$arch/$flavour" != amd64/amd64 ]; then
	KERNEL='' KREL='' KDIR='' BUILD_IN=''
	fk_foreign "$suite" "$arch" "$flavour"
	lm_log "kernel $KREL ($suite, $arch): $KERNEL"
	printf 'KERNEL=%q\nKREL=%q\nKDIR=%q\nBUILD_IN=%q\n' \
		"$KERNEL" "$KREL" "$KDIR" "$BUILD_IN"
	exit 0
fi

hook=$LM_TOP/scripts/fetch-kernel.d/$suite.sh
# shellcheck source=/dev/null
[ -f "$hook" ] && . "$hook"
other=$LM_TOP/scripts/fetch-kernel-suite.sh
if ! declare -F "fk_suite_$suite" >/dev/null && [ -x "$other" ]; then
	case $suite in
	trixie | forky | sid) exec "$other" --suite "$suite" ;;
	esac
fi
declare -F "fk_suite_$suite" >/dev/null ||
	lm_die "no kernel recipe for suite '$suite' (add $hook)"

KERNEL='' KREL='' KDIR=''
"fk_suite_$suite"
if [ -z "$KERNEL" ] || [ -z "$KREL" ] || [ -z "$KDIR" ]; then
	lm_die "fk_suite_$suite did not set KERNEL, KREL and KDIR"
fi
[ -d "$KDIR" ] || lm_die "kernel headers $KDIR do not exist"
lm_log "kernel $KREL: $KERNEL"
printf 'KERNEL=%q\nKREL=%q\nKDIR=%q\nBUILD_IN=\n' "$KERNEL" "$KREL" "$KDIR"
