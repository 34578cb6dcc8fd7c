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
# load.list, their names in load order (dependencies first), one a line,
# "?" before the name of an optional one.  The guest (scripts/guest-init)
# insmods them in that order.
#
# The dependencies come from the tree's modules.dep, modules.softdep and
# modules.alias; a Debian package has none (its postinst runs depmod), so
# `depmod -n` computes them from the modules themselves, printing instead
# of writing: the kernel cache is never modified.  Nothing is ever loaded
# on the host.  Soft "pre:" dependencies (ext4 and jbd2 want
# crypto-crc32c, an alias) are resolved through the aliases and marked
# optional in load.list ("?NAME"), since one of the alternatives may not
# work on the virtual CPU.  A module listed in modules.builtin is skipped;
# so is everything when the kernel has no module tree at all (the debug
# kernel: what it needs is built in).  A MODULE that is neither a module
# nor built in is an error.
#
# Cached in $LM_CACHE/guest-modules/KREL-KEY/, KEY a hash of the module
# tree's path (which holds the package version), the MODULEs and this
# script (older keys of the same KREL are removed); depmod takes seconds,
# the cache nothing.
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

# The module index: modules.dep, modules.alias and modules.softdep of the
# tree, or the same lines from `depmod -n` (read to the end: depmod must
# not die of SIGPIPE).
index() {
	local root
	if [ -f "$moddir/modules.dep" ]; then
		cat "$moddir/modules.dep" "$moddir/modules.alias" \
			"$moddir/modules.softdep" 2>/dev/null
		return
	fi
	lm_need_pkgs kmod
	lm_log "computing the module dependencies of $krel (depmod -n)"
	# -b wants the directory holding lib/modules/KREL.
	root=$(cd "$moddir/../../.." && pwd)
	depmod -n -b "$root" "$krel" 2>/dev/null ||
		lm_die "depmod -n failed on $moddir"
}

declare -A dep=() path=() alias_=() soft=() builtin=() done_=()

# add NAME OPTIONAL: append NAME's dependencies, then NAME, to load.list,
# once each.  Soft "pre:" dependencies come first and are optional ("?"
# in load.list: the guest ignores their failure), because they name
# alternatives by alias, some of which the virtual CPU may not support
# (crypto-crc32c is crc32c_generic and crc32c_intel, which needs SSE4.2).
add() {
	local n=${1//-/_} opt=$2 m p deps i
	[ -z "${done_[$n]:-}" ] || return 0
	done_[$n]=1
	[ -z "${builtin[$n]:-}" ] || return 0
	if [ -z "${path[$n]:-}" ]; then
		if [ -n "${alias_[$n]:-}" ]; then
			for m in ${alias_[$n]}; do
				add "$m" 1
			done
			return 0
		fi
		[ -n "$opt" ] && return 0
		lm_die "$n is neither a module nor built into $krel"
	fi
	for m in ${soft[$n]:-}; do
		add "$m" 1
	done
	# modules.dep lists every dependency; modprobe loads them last to
	# first.
	read -r -a deps <<<"${dep[$n]:-}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add "${deps[i]}" "$opt"
	done
	p=${path[$n]}
	case $p in
	*.ko) cp "$moddir/$p" "$tmp/$n.ko" ;;
	*.ko.xz) xz -dc "$moddir/$p" >"$tmp/$n.ko" ;;
	*.ko.zst) lm_need_pkgs zstd
		zstd -qdc "$moddir/$p" >"$tmp/$n.ko" ;;
	*.ko.gz) gzip -dc "$moddir/$p" >"$tmp/$n.ko" ;;
	*) lm_die "unknown module format: $p" ;;
	esac || lm_die "cannot copy $moddir/$p"
	echo "${opt:+?}$n" >>"$tmp/load.list"
}

if [ ! -d "$moddir" ]; then
	lm_log "no module tree $moddir: assuming $* built into $krel"
else
	# Names for paths, dependencies (as names), aliases, soft
	# dependencies, one "kind<TAB>name<TAB>value" line each.
	while IFS=$'\t' read -r kind n v; do
		case $kind in
		path) path[$n]=$v ;;
		dep) dep[$n]=$v ;;
		alias) alias_[$n]+=" $v" ;;
		soft) soft[$n]=$v ;;
		builtin) builtin[$n]=1 ;;
		esac
	done < <(
		{ index; sed 's/^/builtin /' "$moddir/modules.builtin" \
			2>/dev/null; } | awk '
		function name(p) {
			sub(/:$/, "", p); sub(/.*\//, "", p)
			sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p
		}
		$1 ~ /\.ko/ && $1 ~ /:$/ {
			n = name($1); p = $1; sub(/:$/, "", p)
			printf "path\t%s\t%s\n", n, p
			d = ""
			for (i = 2; i <= NF; i++) d = d " " name($i)
			printf "dep\t%s\t%s\n", n, d
		}
		$1 == "alias" && NF == 3 {
			printf "alias\t%s\t%s\n", name($2), name($3)
		}
		$1 == "softdep" {
			pre = 0; d = ""
			for (i = 3; i <= NF; i++) {
				if ($i == "pre:") pre = 1
				else if ($i == "post:") pre = 0
				else if (pre) d = d " " name($i)
			}
			if (d != "") printf "soft\t%s\t%s\n", name($2), d
		}
		$1 == "builtin" { printf "builtin\t%s\t1\n", name($2) }')
	[ ${#path[@]} -gt 0 ] || lm_die "no modules found in $moddir"
	for want in "$@"; do
		add "$want" ''
	done
fi

mkdir -p "$(dirname "$out")"
rm -rf "$out"
mv "$tmp" "$out"
# Sets of this kernel under other keys (an older script) are never used
# again.
for old in "$LM_CACHE/guest-modules/$krel"-*; do
	[ "$old" = "$out" ] || [[ $old == *.tmp.* ]] || rm -rf "$old"
done
lm_log "guest modules for $krel: $(tr '\n' ' ' <"$out/load.list")"
printf '%s\n' "$out"
