#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the lazymap debug kernel and print where it is:
#
#   scripts/build-debug-kernel.sh [--force]
#
# stdout: eval-able lines
#   KERNEL=<bzImage>  KREL=<kernel release>  KDIR=<build tree for modules>
#
# The kernel is Debian bookworm's linux-source of the test kernel's version,
# configured as tinyconfig + scripts/debug-kernel.config (KASAN, lockdep,
# kmemleak, DEBUG_VM, fault injection, ...).  The result is cached in
# $LM_CACHE/debug-kernel/<version>-<hash>/, keyed by the source version and
# a hash of the config fragment and the compiler, so a warm run costs
# nothing.  Compilations go through ccache ($LM_CACHE/ccache), so a new
# config hash rebuilds only what changed.
#
# --force  rebuild even when the cached kernel exists
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

force=
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1; shift ;;
	*) lm_die "usage: $0 [--force]" ;;
	esac
done

fragment=$LM_TOP/scripts/debug-kernel.config
[ -f "$fragment" ] || lm_die "missing $fragment"

# Everything a kernel build needs, including objtool's libelf (ORC).
lm_need_pkgs make gcc bc flex bison libelf-dev libssl-dev ccache xz-utils \
	cpio

top=$LM_CACHE/debug-kernel
mkdir -p "$top"

# One build at a time: two engineers (or make -j) may ask at once.
exec 9>"$top/.lock"
flock 9

# Version of bookworm's linux-source (downloads the .deb once, extracts
# nothing: the whole tree is unpacked below).
ver=$(lm_linux_source "$top/.scratch")
major=$(lm_bookworm_abi)
major=${major%%.0-*}
pkg=linux-source-$major
deb=$LM_CACHE/linux-source/${pkg}_${ver}_all.deb
[ -s "$deb" ] || lm_die "expected $deb after lm_linux_source"

# Bump when the recipe below changes in a way that changes the kernel.
recipe=2
hash=$( { cat "$fragment"; gcc -dumpfullversion; echo "recipe $recipe"; } |
	sha256sum | cut -c1-12)
src=$top/src-$ver
out=$top/$ver-$hash

if [ -z "$force" ] && [ -f "$out/.complete" ]; then
	lm_log "debug kernel cached in $out"
else
	if [ ! -f "$src/.complete" ]; then
		lm_log "extracting the whole $pkg $ver tree into $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$pkg.tar.xz" |
			tar -xJ -C "$src.tmp" --strip-components=1 ||
			lm_die "cannot extract $pkg"
		touch "$src.tmp/.complete"
		mv "$src.tmp" "$src"
	fi

	export CCACHE_DIR=$LM_CACHE/ccache
	# Paths below $top are hashed relative to the build directory, so
	# trees of different config hashes share cache entries.
	export CCACHE_BASEDIR=$top
	export CCACHE_NOHASHDIR=1
	# Depend mode: a miss costs no extra preprocessor run.  In the
	# default mode an empty cache made the cold build 31% slower (the
	# same subset of this kernel: 272 core-seconds without ccache, 358
	# with it, 274 in depend mode).
	export CCACHE_DEPEND=1
	ccache -M 2G >/dev/null
	ccache -z >/dev/null

	rm -rf "$out"
	mkdir -p "$out"
	# cmd_check_local_export= skips 6.1's check that exported symbols
	# are global: an nm and an awk on every object, a check of the
	# kernel's own sources that a build of them for testing does not
	# need (2 core-minutes of a cold CI run, measured with process
	# accounting).
	mk=(make -C "$src" O="$out" ARCH=x86_64 CC="ccache gcc"
		HOSTCC="ccache gcc" cmd_check_local_export=)

	lm_log "configuring: tinyconfig + $(basename "$fragment")"
	{
		"${mk[@]}" tinyconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" \
			"$out/.config" "$fragment" &&
		"${mk[@]}" olddefconfig
	} >"$out/config.log" 2>&1 ||
		lm_die "configuration failed, see $out/config.log"

	# Kconfig drops what it cannot satisfy without a word: check that
	# every line of the fragment made it into the final .config.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) want=$line ;;
		"# CONFIG_"*" is not set") want=$line ;;
		*) continue ;;
		esac
		opt=${want#\# }
		opt=${opt%%[= ]*}
		if ! grep -qxF -- "$want" "$out/.config"; then
			got=$(grep -E "^$opt=|^# $opt is not set" \
				"$out/.config" || echo "(absent)")
			lm_warn "wanted '$want', got '$got'"
			bad=1
		fi
	done <"$fragment"
	[ "$bad" -eq 0 ] ||
		lm_die "debug-kernel.config is not satisfied (see above)"

	jobs=$(nproc)
	lm_log "building bzImage and modules_prepare with -j$jobs" \
		"(cold: about 9 min on 2 cores; log: $out/build.log)"
	start=$(date +%s)
	if ! "${mk[@]}" -j"$jobs" bzImage modules_prepare >"$out/build.log" 2>&1; then
		tail -n 40 "$out/build.log" >&2
		lm_die "debug kernel build failed, see $out/build.log"
	fi
	# modules_prepare does not write Module.symvers; out-of-tree modules
	# would then warn about every kernel symbol being undefined.
	cp "$out/vmlinux.symvers" "$out/Module.symvers"
	lm_log "built in $(($(date +%s) - start)) s;" \
		"ccache: $(ccache -s | grep -E 'Hits|hit' | head -n1 | xargs)"
	touch "$out/.complete"
fi

krel=$(cat "$out/include/config/kernel.release")
# Named like a distribution kernel: runners derive the release from it.
ln -sfn arch/x86/boot/bzImage "$out/vmlinuz-$krel"
printf 'KERNEL=%s\nKREL=%s\nKDIR=%s\n' "$out/vmlinuz-$krel" "$krel" "$out"
