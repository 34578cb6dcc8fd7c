#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the Debian root filesystem of the lazymap test VM, an ext4
# disk image holding real tools (fio, stress-ng), and print its path.
#
#   scripts/mkrootfs.sh [--suite SUITE] [--packages FILE] [--force]
#
# --suite SUITE    the Debian suite (default: bookworm, the host's own)
# --packages FILE  what to install on top of minbase, one package a line,
#                  "#" comments (default: scripts/rootfs.packages)
# --force          rebuild even when the cached image exists
#
# stdout: the image's path; progress on stderr.
#
# Steps: lm_mmdebstrap (lib.sh: minbase from $LM_MIRROR, in a private mount
# namespace) with --include=PACKAGES, so mmdebstrap resolves their
# dependencies and apt never runs and needs no configuration; then the tree
# is trimmed of what nobody reads in a VM (the downloaded .debs, apt lists,
# documentation, man pages, translations) and gets the empty mount point
# /lazymap; then `mke2fs -t ext4 -d TREE` writes the image without a loop
# mount.  The image has no journal: it is only ever mounted read-only.
#
# The guest mounts it read-only (scripts/vm-run.sh --rootfs and
# scripts/guest-init), so one image serves any number of concurrent VMs and
# stays pristine; guest-init puts tmpfs where writes go.
#
# Cache: $LM_CACHE/rootfs/SUITE-KEY.img, KEY a hash of the suite, the
# package list and this script, so a changed package set or recipe builds a
# new image; the suite's older images are removed once the new one exists.
# The image appears only when complete; mmdebstrap's log of the last
# build stays in $LM_CACHE/rootfs/SUITE-KEY.build/ (with the tree, if the
# build failed).  A cached image is not upgraded:
# --force rebuilds it from the archive's current packages.  Cold: 2-5
# minutes (downloads), mostly mmdebstrap.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 [--suite SUITE] [--packages FILE] [--force]"
}

suite=bookworm pkgfile=$LM_TOP/scripts/rootfs.packages force=''
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1; shift; continue ;;
	esac
	[ $# -ge 2 ] || usage
	case $1 in
	--suite) suite=$2 ;;
	--packages) pkgfile=$2 ;;
	*) usage ;;
	esac
	shift 2
done
case $suite in
*/* | .* | '') lm_die "bad suite name '$suite'" ;;
esac
[ -f "$pkgfile" ] || lm_die "package list $pkgfile does not exist"

# The package names, comments and blanks dropped, sorted: the order of the
# file does not change the image.
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$pkgfile" |
	grep -v '^$' | LC_ALL=C sort -u)
[ ${#pkgs[@]} -gt 0 ] || lm_die "$pkgfile lists no packages"

key=$( { echo "$suite"; printf '%s\n' "${pkgs[@]}";
	cat "$LM_TOP/scripts/mkrootfs.sh"; } | sha256sum | cut -c1-16)
top=$LM_CACHE/rootfs
img=$top/$suite-$key.img
build=$top/$suite-$key.build

mkdir -p "$top"
# One build at a time; a second caller waits and then finds the image.
exec {lock}>"$top/.lock"
if ! flock -n "$lock"; then
	lm_log "waiting for another root filesystem build to finish"
	flock "$lock"
fi

if [ -n "$force" ] || [ ! -s "$img" ]; then
	start=$SECONDS
	rm -rf "$build"
	mkdir -p "$build"
	tree=$build/root
	lm_log "mmdebstrap $suite (minbase + ${pkgs[*]}) for the VM's" \
		"root filesystem (cold: a few minutes; log:" \
		"$build/mmdebstrap.log)"
	lm_mmdebstrap "$suite" "$tree" "$build/mmdebstrap.log" \
		--include="$(IFS=,; echo "${pkgs[*]}")"

	# Trim: about a third of the tree, and the VM reads none of it.
	rm -rf "$tree"/var/cache/apt/archives/*.deb \
		"$tree"/var/cache/apt/*.bin "$tree"/var/lib/apt/lists/* \
		"$tree"/usr/share/doc/* "$tree"/usr/share/man/* \
		"$tree"/usr/share/info/* "$tree"/usr/share/locale/*
	# guest-init binds the initramfs's /lazymap here; a read-only file
	# system cannot grow a mount point at boot.
	mkdir -p "$tree/lazymap"
	echo lazymap-vm >"$tree/etc/hostname"

	# Room for the files plus a quarter, for ext4's own metadata.
	mb=$(du -sm "$tree" | cut -f1)
	mb=$((mb + mb / 4 + 16))
	lm_log "writing the ${mb} MiB ext4 image"
	rm -f "$build/rootfs.img"
	# stdout is for the image's path: mke2fs says "Creating regular
	# file" even with -q.
	mke2fs -q -F -t ext4 -O ^has_journal -m 0 \
		-L lazymap-root -d "$tree" "$build/rootfs.img" "${mb}M" >&2 ||
		lm_die "mke2fs could not build the image from $tree"
	e2fsck -fn "$build/rootfs.img" >"$build/e2fsck.log" 2>&1 ||
		lm_die "the new image fails e2fsck: see $build/e2fsck.log"
	mv "$build/rootfs.img" "$img"
	rm -rf "$tree"
	# Images of other keys are never booted again.
	for old in "$top/$suite"-*; do
		case $old in
		"$img" | "$build") continue ;;
		esac
		lm_log "removing the old root filesystem $(basename "$old")"
		rm -rf "$old"
	done
	lm_log "root filesystem $img built in $((SECONDS - start)) s" \
		"($(du -m "$img" | cut -f1) MiB)"
fi
printf '%s\n' "$img"
