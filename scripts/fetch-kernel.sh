#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a Debian kernel image to boot under QEMU and print where it is.
#
#   scripts/fetch-kernel.sh [--suite SUITE]
#
# --suite  the Debian suite whose kernel to fetch (default: bookworm, the only
#          one built in; see "Adding a suite" below)
#
# Prints three eval-able lines on stdout, progress on stderr:
#
#   KERNEL=<path of vmlinuz>
#   KREL=<kernel release, e.g. 6.1.0-57-amd64>
#   KDIR=<kernel headers to build modules against>
#
# so a caller does: eval "$(scripts/fetch-kernel.sh)".
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
	(cd "$1" && apt-get download -qq -o APT::Sandbox::User=root "$2" >&2)
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
	ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	# About to download: old package lists can name a version that the
	# archive has dropped (the security archive keeps only the latest), so
	# refresh them first and resolve again.
	if [ ! -d "$LM_CACHE/kernels/bookworm/$ver/root" ] &&
		[ -z "$lm_apt_updated" ] && [ "$(id -u)" -eq 0 ]; then
		lm_log "refreshing the package lists"
		apt-get update -qq >&2 ||
			lm_warn "apt-get update failed: trying the old lists"
		lm_apt_updated=1
		abi=$(lm_bookworm_abi)
		pkg=linux-image-$abi-amd64
		ver=$(apt-cache policy "$pkg" 2>/dev/null |
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

suite=bookworm
while [ $# -gt 0 ]; do
	case $1 in
	--suite) [ $# -ge 2 ] || lm_die "--suite needs a value"
		suite=$2; shift 2 ;;
	*) lm_die "usage: $0 [--suite SUITE]" ;;
	esac
done

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
printf 'KERNEL=%q\nKREL=%q\nKDIR=%q\n' "$KERNEL" "$KREL" "$KDIR"
