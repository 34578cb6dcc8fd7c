#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of a lazymap test VM: busybox, an /init that mounts the
# pseudo filesystems and runs one guest script, and whatever files are added.
#
#   scripts/mkinitramfs.sh --out FILE --run GUEST_SCRIPT
#                          [--add SRC:DEST]... [--bin PROG:DEST]...
#                          [--no-strip] [--arch ARCH]
#
# --out FILE          the gzip-compressed cpio archive to write
# --run GUEST_SCRIPT  the script the guest runs, installed as /lazymap/run.sh
#                     and run from /lazymap with stdin from /dev/null.  It
#                     runs under busybox sh: write POSIX sh, not bash.  Its
#                     exit status is carried back by scripts/vm-run.sh.
# --add SRC:DEST      copy SRC (a file, or a directory and everything in it)
#                     to the absolute path DEST in the guest
# --bin PROG:DEST     copy the program PROG to DEST (DEST ending in / means
#                     DEST/<name of PROG>), mode 0755, with its dynamic loader
#                     and shared libraries
# --no-strip          keep the symbols of the executables (by default the
#                     copies in the image are stripped: a third smaller, and
#                     the guest never needs them unless it runs perf or gdb)
# --arch ARCH         the Debian architecture of the guest's programs, when
#                     it is not this machine's (scripts/arch-lib.sh): busybox
#                     is then that architecture's busybox-static of bookworm
#                     (the host's version, whose applet list is read from the
#                     host's busybox), fetched once into $LM_CACHE/busybox/,
#                     and executables are stripped with its cross strip
#
# Every dynamically linked executable that ends up in the image, whether added
# with --bin or inside an --add directory, gets the libraries `ldd` lists on
# the host, at the same paths; libraries opened with dlopen() are not seen.
# For another --arch, ldd cannot run them: the libraries are the ELF
# NEEDED entries, found in the cross C library (/usr/TRIPLET/lib) and put in
# the guest's /lib, with the program interpreter at the path it names.
#
# The guest's /init is scripts/guest-init (see there for what it mounts and
# what it prints).  PATH in the guest is /lazymap/bin first, then busybox.
#
# Layout: the archive is two concatenated gzip cpio archives, which the kernel
# unpacks in turn.  The first (busybox, its applet links made here rather than
# at boot, /init, the directory skeleton) depends only on busybox,
# guest-init and this script, and is cached in $LM_CACHE/initramfs/; the
# second holds the payload.  Both are reproducible: sorted entries, owner
# root, mtimes set to $SOURCE_DATE_EPOCH (default 0), gzip without a name or
# timestamp.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 --out FILE --run GUEST_SCRIPT [--add SRC:DEST]..." \
		"[--bin PROG:DEST]... [--no-strip] [--arch ARCH]"
}

out='' run='' adds=() bins=() strip=1 arch=
while [ $# -gt 0 ]; do
	if [ "$1" = --no-strip ]; then
		strip=''
		shift
		continue
	fi
	[ $# -ge 2 ] || usage
	case $1 in
	--out) out=$2 ;;
	--run) run=$2 ;;
	--add) adds+=("$2") ;;
	--bin) bins+=("$2") ;;
	--arch) arch=$2 ;;
	*) usage ;;
	esac
	shift 2
done
{ [ -n "$out" ] && [ -n "$run" ]; } || usage
[ -f "$run" ] || lm_die "guest script $run does not exist"

lm_need_pkgs busybox-static cpio binutils
busybox=/bin/busybox
stripper='strip'
lm_arch "${arch:-$(dpkg --print-architecture)}"
if [ -z "$LM_ARCH_NATIVE" ]; then
	# shellcheck disable=SC2046 # a list of package names
	lm_need_pkgs $(lm_arch_cross_pkgs "$LM_ARCH")
	stripper=$LM_ARCH_TRIPLET-strip
	sysroot=/usr/$LM_ARCH_TRIPLET
fi
epoch=${SOURCE_DATE_EPOCH:-0}

# is_elf FILE: whether FILE is an ELF object.
is_elf() {
	[ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

# pack DIR FILE [GZIP-LEVEL]: DIR's contents as a reproducible gzip newc
# cpio archive.
pack() {
	# "." too: its mode becomes the mode of the guest's /.
	chmod 0755 "$1"
	find "$1" -exec touch -h -d "@$epoch" {} +
	(cd "$1" && find . | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible) |
		gzip "-${3:-9}" -n >"$2"
}

# foreign_busybox: the busybox-static of $LM_ARCH of the host's suite and
# version, downloaded and unpacked once; prints its path.
foreign_busybox() {
	local ver dir
	ver=$(dpkg-query -W -f='${Version}' busybox-static)
	ver=${ver%+b[0-9]*}	# binNMUs are per architecture
	dir=$LM_CACHE/busybox/$LM_ARCH
	if [ ! -x "$dir/busybox" ]; then
		lm_log "downloading busybox-static:$LM_ARCH"
		lm_private_apt bookworm "$LM_ARCH"
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		# The host's version if the mirror has it, else the candidate.
		(cd "$dir.tmp" &&
			{ lm_papt apt-get download -qq "busybox-static:$LM_ARCH=$ver" ||
			  lm_papt apt-get download -qq "busybox-static:$LM_ARCH"; }
		) >&2 || lm_die "cannot download busybox-static:$LM_ARCH"
		dpkg-deb --fsys-tarfile "$dir.tmp"/busybox-static_*.deb |
			tar -xO ./bin/busybox >"$dir.tmp/busybox" ||
			lm_die "no busybox in busybox-static:$LM_ARCH"
		chmod 0755 "$dir.tmp/busybox"
		rm -rf "$dir"
		mkdir -p "$dir"
		mv "$dir.tmp/busybox" "$dir/busybox"
		rm -rf "$dir.tmp"
	fi
	printf '%s\n' "$dir/busybox"
}

# The cached base archive.
base_archive() {
	local key dir base stage applet
	key=$(cat "$busybox" "$LM_TOP/scripts/guest-init" \
		"$LM_TOP/scripts/mkinitramfs.sh" | sha256sum)
	dir=$LM_CACHE/initramfs
	base=$dir/base-${key:0:16}.cpio.gz
	if [ ! -s "$base" ]; then
		lm_log "building the initramfs base (busybox, /init)"
		mkdir -p "$dir"
		stage=$(mktemp -d "$dir/stage.XXXXXX")
		mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root}
		mkdir -p "$stage/lazymap/bin"
		chmod 1777 "$stage/tmp"
		chmod 0700 "$stage/root"
		cp "$busybox" "$stage/bin/busybox"
		# Applet links, so the guest needs no `busybox --install`.
		# The host's busybox lists them: a foreign one cannot run here.
		for applet in $(/bin/busybox --list-full); do
			[ -e "$stage/$applet" ] ||
				ln -s /bin/busybox "$stage/$applet"
		done
		install -m 0755 "$LM_TOP/scripts/guest-init" "$stage/init"
		# The kernel opens /dev/console for init before devtmpfs is
		# mounted; without it, "unable to open an initial console".
		mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null ||
			lm_warn "cannot mknod /dev/console (not root?)"
		# Unique temporary name: concurrent runs may build it too.
		pack "$stage" "$stage.cpio.gz"
		mv "$stage.cpio.gz" "$base"
		rm -rf "$stage"
	fi
	printf '%s\n' "$base"
}

# foreign_libs_of FILE: for another architecture, "SRC DEST" lines: the
# program interpreter and the libraries FILE needs, found in $sysroot and
# copied to the guest's /lib, with what they need in turn.
foreign_libs_of() {
	local todo=("$1") f n lib seen=' ' interp
	interp=$(readelf -l "$1" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
	[ -n "$interp" ] || return 0	# static
	printf '%s %s\n' "$(readlink -f "$sysroot/lib/$(basename "$interp")")" \
		"$interp"
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" 2>/dev/null |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[[ $seen == *" $n "* ]] && continue
			seen+="$n "
			[ "$n" = "$(basename "$interp")" ] && continue
			lib=$sysroot/lib/$n
			[ -e "$lib" ] || lm_die "$1 needs $n, not in $sysroot/lib"
			printf '%s %s\n' "$(readlink -f "$lib")" "/lib/$n"
			todo+=("$lib")
		done
	done
}

# libs_of FILE: the loader and libraries FILE needs, as "SRC DEST" lines
# (the same path on the host's architecture); nothing for a static program
# or a script.
libs_of() {
	local out
	is_elf "$1" || return 0
	if [ -z "$LM_ARCH_NATIVE" ]; then
		foreign_libs_of "$1"
		return 0
	fi
	out=$(LC_ALL=C ldd "$1" 2>&1) || return 0	# static: ldd fails
	if grep -q 'not found' <<<"$out"; then
		lm_die "$1 needs a library the host lacks:" \
			"$(grep 'not found' <<<"$out" | tr -s '\t ' ' ')"
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $3, $3 }
	     $1 ~ /^\// { print $1, $1 }' <<<"$out"
}

# A dynamically linked busybox (package busybox, not busybox-static) would
# find no libraries in the guest.
if [ -z "$LM_ARCH_NATIVE" ]; then
	busybox=$(foreign_busybox)
elif LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	lm_die "$busybox is dynamically linked: install busybox-static"
fi
base=$(base_archive)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/root
mkdir "$stage"

# put SRC DEST: copy SRC to the guest path DEST.
put() {
	local src=$1 dest=$2
	case $dest in /*) ;; *) lm_die "guest path $dest is not absolute" ;; esac
	[ -e "$src" ] || lm_die "$src does not exist"
	mkdir -p "$stage$(dirname "$dest")"
	if [ -d "$src" ]; then
		mkdir -p "$stage$dest"
		cp -a "$src/." "$stage$dest/"
	else
		cp -L "$src" "$stage$dest"
	fi
}

put "$run" /lazymap/run.sh
chmod 0755 "$stage/lazymap/run.sh"
for a in ${adds[@]+"${adds[@]}"}; do
	[[ $a == *:* ]] || lm_die "--add $a: expected SRC:DEST"
	put "${a%:*}" "${a##*:}"
done
for b in ${bins[@]+"${bins[@]}"}; do
	[[ $b == *:* ]] || lm_die "--bin $b: expected PROG:DEST"
	src=${b%:*} dest=${b##*:}
	[ -f "$src" ] || lm_die "--bin $src is not a file"
	[[ $dest == */ ]] && dest=$dest$(basename "$src")
	put "$src" "$dest"
	chmod 0755 "$stage$dest"
done

# Libraries for every dynamically linked executable in the payload (listed
# before copying, so the libraries themselves are not examined).
mapfile -d '' exes < <(find "$stage" -type f -perm -u+x -print0)
nlibs=0
for f in ${exes[@]+"${exes[@]}"}; do
	if [ -n "$strip" ] && is_elf "$f"; then
		"$stripper" -s "$f" || lm_die "cannot strip $f"
	fi
	while read -r lib dest; do
		[ -n "$lib" ] || continue
		[ -e "$stage$dest" ] && continue
		mkdir -p "$stage$(dirname "$dest")"
		cp -L "$lib" "$stage$dest"
		nlibs=$((nlibs + 1))
	done <<<"$(libs_of "$f")"
done

mkdir -p "$(dirname "$out")"
# gzip -1: -9 takes ten times as long on static programs for 8% less.
pack "$stage" "$tmp/payload.cpio.gz" 1
cat "$base" "$tmp/payload.cpio.gz" >"$out.tmp"
mv "$out.tmp" "$out"
lm_log "initramfs $out: $(du -k "$out" | cut -f1) KiB" \
	"($(find "$stage" -type f | wc -l) payload files, $nlibs libraries)"
