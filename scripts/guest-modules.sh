#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Collect the kernel modules a test VM must load before it can mount its
# root filesystem disk, with their dependencies, from the kernel's own
# package, and print the directory that holds them.
#
#   scripts/guest-modules.sh --kernel VMLINUZ --krel KREL [--moddir DIR]
#                            MODULE...
#
# --kernel VMLINUZ  the kernel the VM boots
# --krel KREL       its release (e.g. 6.1.0-57-amd64)
# --moddir DIR      its module tree (default: lib/modules/KREL next to the
#                   boot/ directory VMLINUZ is in, which is where
#                   scripts/fetch-kernel.sh unpacks a Debian kernel package)
# MODULE...         module names, e.g. virtio_pci virtio_blk ext4
#
# stdout: a directory holding each module to load as NAME.ko, uncompressed
# (busybox insmod reads no .ko.xz, which Debian ships from 6.12 on), and
# load.list, their names in load order (dependencies first), one a line.
# The guest (scripts/guest-init) insmods them in that order.
#
# The dependencies come from the tree's modules.dep; a Debian package has
# none (its postinst runs depmod), so `depmod -n` computes it from the
# modules themselves, printing instead of writing: the kernel cache is
# never modified.  Nothing is ever loaded on the host.  A MODULE listed in
# modules.builtin is skipped; so is everything when the kernel has no
# module tree at all (the debug kernel: what it needs is built in).  A
# MODULE that is neither a module nor built in is an error.
#
# Cached in $LM_CACHE/guest-modules/KREL-KEY/, KEY a hash of the module
# tree's path (which holds the package version), the MODULEs and this
# script; depmod takes seconds, the cache nothing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 --kernel VMLINUZ --krel KREL [--moddir DIR] MODULE..."
}

kernel='' krel='' moddir=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernel | --krel | --moddir) [ $# -ge 2 ] || usage ;;
	esac
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--krel) krel=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
{ [ -n "$kernel" ] && [ -n "$krel" ] && [ $# -gt 0 ]; } || usage
[ -f "$kernel" ] || lm_die "kernel $kernel does not exist"
[ -n "$moddir" ] ||
	moddir=$(cd "$(dirname "$kernel")/.." && pwd)/lib/modules/$krel

key=$( { echo "$moddir"; printf '%s\n' "$@";
	cat "$LM_TOP/scripts/guest-modules.sh"; } | sha256sum | cut -c1-16)
out=$LM_CACHE/guest-modules/$krel-$key
if [ -f "$out/load.list" ]; then
	printf '%s\n' "$out"
	exit 0
fi

tmp=$out.tmp.$$
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
: >"$tmp/load.list"

# name PATH: the module name of a path in modules.dep (dashes and
# underscores are the same to the kernel).
name() {
	local n=${1##*/}
	n=${n%%.ko*}
	printf '%s\n' "${n//-/_}"
}

if [ ! -d "$moddir" ]; then
	lm_log "no module tree $moddir: assuming $* built into $krel"
else
	if [ -f "$moddir/modules.dep" ]; then
		cp "$moddir/modules.dep" "$tmp/modules.dep"
	else
		lm_need_pkgs kmod
		lm_log "computing the module dependencies of $krel (depmod -n)"
		# -b wants the directory holding lib/modules/KREL.
		root=$(cd "$moddir/../../.." && pwd)
		# Its first section, up to the first comment, is modules.dep
		# (read to the end: depmod must not die of SIGPIPE).
		depmod -n -b "$root" "$krel" 2>/dev/null |
			awk '/^#/ { stop = 1 } !stop' >"$tmp/modules.dep" ||
			lm_die "depmod -n failed on $moddir"
		[ -s "$tmp/modules.dep" ] ||
			lm_die "depmod -n gave no dependencies for $moddir"
	fi
	declare -A done_=()
	for want in "$@"; do
		want=${want//-/_}
		if [ -f "$moddir/modules.builtin" ] &&
			awk -v w="$want" '{ n = $0; sub(/.*\//, "", n);
				sub(/\.ko.*/, "", n); gsub(/-/, "_", n) }
				n == w { f = 1 } END { exit !f }' \
				"$moddir/modules.builtin"; then
			continue
		fi
		# "mod.ko: dep1.ko dep2.ko": modprobe loads the dependencies
		# last to first, then the module.
		line=$(awk -v w="$want" '{ n = $1; sub(/:$/, "", n);
			sub(/.*\//, "", n); sub(/\.ko.*/, "", n);
			gsub(/-/, "_", n) } n == w { print; exit }' \
			"$tmp/modules.dep")
		[ -n "$line" ] ||
			lm_die "$want is neither a module nor built into $krel"
		read -r -a paths <<<"$line"
		paths[0]=${paths[0]%:}
		order=()
		for ((i = ${#paths[@]} - 1; i >= 1; i--)); do
			order+=("${paths[i]}")
		done
		order+=("${paths[0]}")
		for p in "${order[@]}"; do
			n=$(name "$p")
			[ -z "${done_[$n]:-}" ] || continue
			done_[$n]=1
			case $p in
			*.ko) cp "$moddir/$p" "$tmp/$n.ko" ;;
			*.ko.xz) xz -dc "$moddir/$p" >"$tmp/$n.ko" ;;
			*.ko.zst) lm_need_pkgs zstd
				zstd -qdc "$moddir/$p" >"$tmp/$n.ko" ;;
			*.ko.gz) gzip -dc "$moddir/$p" >"$tmp/$n.ko" ;;
			*) lm_die "unknown module format: $p" ;;
			esac || lm_die "cannot copy $moddir/$p"
			echo "$n" >>"$tmp/load.list"
		done
	done
	rm -f "$tmp/modules.dep"
fi

mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp" "$out"
lm_log "guest modules for $krel: $(tr '\n' ' ' <"$out/load.list")"
printf '%s\n' "$out"
