#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check "make install" and "make uninstall".
#
#   scripts/test-install.sh [--kdir DIR]
#
# --kdir is passed to make as KDIR (default: see mk/install.mk).
#
# Three rounds, each installing, checking, uninstalling and checking again:
#   local   DESTDIR=<temporary>: the tree holds exactly the expected files,
#           with the expected modes and contents, and is empty afterwards
#   usr     the same with PREFIX=/usr
#   system  no DESTDIR, as an administrator would run it (root only): in a
#           private mount namespace where /etc, /usr/local and /lib/modules
#           are overlays whose writes go to a temporary directory, so the
#           real system is not changed.  Checks that depmod indexed the
#           module, that the group exists and that man finds the page.
# Nothing is loaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_args=()
kdir_opt=()
sandboxed=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) [ $# -ge 2 ] || lm_die "--kdir needs a directory"
		make_args=("KDIR=$2"); kdir_opt=(--kdir "$2"); shift 2 ;;
	# Internal: the system round, run by this script under unshare(1).
	--sandboxed) sandboxed=1; shift ;;
	*) lm_die "usage: $0 [--kdir DIR]" ;;
	esac
done

[ -n "$sandboxed" ] ||
	lm_need_pkgs make gcc libc6-dev kmod man-db groff-base util-linux

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-install.XXXXXX")
overlays=()
cleanup() {
	local d
	for d in "${overlays[@]}"; do
		umount "$d" || true
	done
	[ ${#overlays[@]} -eq 0 ] || umount "$tmp/ovl" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
errors=0

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	errors=$((errors + 1))
}

# check_mode FILE MODE
check_mode() {
	local m
	m=$(stat -c %a "$1")
	[ "$m" = "$2" ] || fail "${1#"$root"}: mode $m, expected $2"
}

# check_tree PREFIX: the tree that "make install" left in $root.
check_tree() {
	local prefix=$1 krels krel ko hdr rule man p field page parms
	local expected=() actual mans=()

	mapfile -t krels < <(ls "$root/lib/modules" 2>/dev/null)
	if [ ${#krels[@]} -ne 1 ]; then
		fail "lib/modules: expected one kernel, found '${krels[*]}'"
		return
	fi
	krel=${krels[0]}
	ko=$root/lib/modules/$krel/updates/lazymap.ko
	hdr=$root$prefix/include/linux/lazymap.h
	rule=$root/etc/udev/rules.d/60-lazymap.rules
	man=$root$prefix/share/man/man4/lazymap.4
	for page in "$LM_TOP"/man/*.[1-8]; do
		mans+=("$root$prefix/share/man/man${page##*.}/${page##*/}")
	done
	expected=("$ko" "$hdr" "$rule" "${mans[@]}")
	for p in $progs; do
		expected+=("$root$prefix/bin/$p")
	done

	# Exactly these files: no depmod output, no stray build products.
	actual=$(cd "$root" && find . ! -type d | sed 's|^\./|/|' | sort)
	if [ "$actual" != "$(printf '%s\n' "${expected[@]#"$root"}" | sort)" ]
	then
		fail "installed files differ from the expected set:"
		diff <(printf '%s\n' "${expected[@]#"$root"}" | sort) \
			<(printf '%s\n' "$actual") | sed 's/^/    /' >&2 || true
	fi

	# The module: built for the kernel it is filed under, with its modinfo.
	if [ -f "$ko" ]; then
		check_mode "$ko" 644
		[ "$(modinfo -F name "$ko")" = lazymap ] ||
			fail "lazymap.ko: modinfo name is not lazymap"
		case $(modinfo -F vermagic "$ko") in
		"$krel "*) ;;
		*) fail "lazymap.ko: vermagic does not match $krel" ;;
		esac
		for field in description author license version; do
			[ -n "$(modinfo -F "$field" "$ko")" ] ||
				fail "lazymap.ko: no modinfo $field"
		done
		# Read whole: grep -q quitting early could SIGPIPE modinfo.
		parms=$(modinfo -F parm "$ko")
		grep -q '^size_mb:.\+(ulong)$' <<<"$parms" ||
			fail "lazymap.ko: no description of parameter size_mb"
	fi

	# The uapi header: the source's, usable as <linux/lazymap.h>.
	if [ -f "$hdr" ]; then
		check_mode "$hdr" 644
		cmp -s "$hdr" "$LM_TOP/module/uapi/linux/lazymap.h" ||
			fail "lazymap.h differs from module/uapi/linux/lazymap.h"
		cat >"$tmp/uapi.c" <<-'EOF'
		#include <linux/lazymap.h>
		_Static_assert(sizeof(struct lazymap_info) == 64, "info");
		_Static_assert(sizeof(struct lazymap_range) == 16, "range");
		unsigned long cmds[] = { LAZYMAP_IOC_INFO, LAZYMAP_IOC_DISCARD };
		EOF
		gcc -Wall -Werror -fsyntax-only -I "$root$prefix/include" \
			"$tmp/uapi.c" || fail "<linux/lazymap.h> does not compile"
	fi

	for p in $progs; do
		[ -f "$root$prefix/bin/$p" ] || continue
		check_mode "$root$prefix/bin/$p" 755
		cmp -s "$root$prefix/bin/$p" "$LM_BUILD/userspace/$p" ||
			fail "bin/$p differs from build/userspace/$p"
	done

	if [ -f "$rule" ]; then
		check_mode "$rule" 644
		grep -q '^SUBSYSTEM=="misc", KERNEL=="lazymap", .*GROUP="lazymap", MODE="0660"' \
			"$rule" || fail "60-lazymap.rules: no GROUP/MODE rule"
	fi

	# The man pages, found through their MANPATH and rendered without a
	# warning.
	[ -f "$man" ] || fail "no lazymap(4) among the pages"
	for page in "${mans[@]}"; do
		[ -f "$page" ] || continue
		check_mode "$page" 644
		cmp -s "$page" "$LM_TOP/man/${page##*/}" ||
			fail "${page#"$root"} differs from man/${page##*/}"
		p=${page##*/}
		if ! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings \
			-M "$root$prefix/share/man" "${p##*.}" "${p%.*}" \
			>"$tmp/man.txt" 2>"$tmp/man.err" ||
			[ -s "$tmp/man.err" ] ||
			! grep -q '^NAME' "$tmp/man.txt"; then
			fail "man -M ... ${p##*.} ${p%.*}: $(cat "$tmp/man.err")"
		fi
	done
}

# round NAME MAKE-VARIABLES...: install, check, uninstall, check empty.
round() {
	local name=$1 prefix=/usr/local v left
	shift
	for v in "$@"; do
		case $v in PREFIX=*) prefix=${v#PREFIX=} ;; esac
	done
	root=$tmp/$name
	mkdir -p "$root"

	lm_log "make install DESTDIR=$root $*"
	make -C "$LM_TOP" --no-print-directory install DESTDIR="$root" \
		"${make_args[@]}" "$@" >"$tmp/$name-install.log" 2>&1 || {
		cat "$tmp/$name-install.log" >&2
		lm_die "make install failed"
	}
	check_tree "$prefix"
	lm_log "installed: $(cd "$root" && find . ! -type d | sort |
		tr '\n' ' ')"

	lm_log "make uninstall DESTDIR=$root $*"
	make -C "$LM_TOP" --no-print-directory uninstall DESTDIR="$root" \
		"${make_args[@]}" "$@" >"$tmp/$name-uninstall.log" 2>&1 || {
		cat "$tmp/$name-uninstall.log" >&2
		lm_die "make uninstall failed"
	}
	left=$(cd "$root" && find . -mindepth 1)
	[ -z "$left" ] || fail "left after uninstall: ${left//$'\n'/ }"
}

# The programs that install should copy: the PROGS of userspace/Makefile,
# as "make userspace" builds them.
progs=
if [ -f "$LM_TOP/userspace/Makefile" ]; then
	[ -n "$sandboxed" ] || lm_log "building the userspace programs"
	make -C "$LM_TOP" --no-print-directory userspace >&2
	progs=$(make -s --no-print-directory -C "$LM_TOP/userspace" \
		--eval="lm-progs: ; @echo \$(PROGS)" lm-progs)
fi
[ -n "$progs" ] || lm_warn "no userspace programs to install"

# system_round: make install and uninstall without DESTDIR, in the private
# mount namespace that the caller set up with unshare.
system_round() {
	local d n krel ko p files=()

	# Writes to these go to a tmpfs; nothing else may be written by
	# install (a write elsewhere would reach the real system).
	mkdir -p "$tmp/ovl"
	mount -t tmpfs lazymap-test "$tmp/ovl"
	mkdir -p /lib/modules
	for d in /etc /usr/local "$(readlink -f /lib/modules)"; do
		n=${d//\//_}
		mkdir -p "$tmp/ovl/$n.u" "$tmp/ovl/$n.w"
		mount -t overlay lazymap-test -o \
			"lowerdir=$d,upperdir=$tmp/ovl/$n.u,workdir=$tmp/ovl/$n.w" \
			"$d"
		overlays+=("$d")
	done

	lm_log "make install (no DESTDIR) in a private mount namespace"
	make -C "$LM_TOP" --no-print-directory install "${make_args[@]}" \
		>"$tmp/system-install.log" 2>&1 || {
		cat "$tmp/system-install.log" >&2
		lm_die "make install failed"
	}
	krel=$(sed -n 's/^==> installing lazymap.ko for //p' \
		"$tmp/system-install.log")
	ko=/lib/modules/$krel/updates/lazymap.ko
	files=("$ko" /usr/local/include/linux/lazymap.h
	       /etc/udev/rules.d/60-lazymap.rules)
	for p in "$LM_TOP"/man/*.[1-8]; do
		files+=("/usr/local/share/man/man${p##*.}/${p##*/}")
	done
	for p in $progs; do
		files+=("/usr/local/bin/$p")
	done
	for p in "${files[@]}"; do
		[ -f "$p" ] || fail "system: $p not installed"
	done
	grep -q "^updates/lazymap.ko:" "/lib/modules/$krel/modules.dep" ||
		fail "system: depmod did not index updates/lazymap.ko"
	[ "$(modinfo -k "$krel" -F filename lazymap 2>/dev/null)" = "$ko" ] ||
		fail "system: modinfo -k $krel lazymap does not find $ko"
	getent group lazymap >/dev/null || fail "system: no group lazymap"
	# Debian links /usr/local/man to share/man: compare real paths.
	p=$(man -w 4 lazymap 2>/dev/null) || true
	if [ -z "$p" ] || [ "$(readlink -f "$p")" != \
		"$(readlink -f /usr/local/share/man/man4/lazymap.4)" ]; then
		fail "system: man -w 4 lazymap finds '$p', not the page"
	fi
	lm_log "installed for $krel: ${files[*]}; depmod, group lazymap"

	lm_log "make uninstall (no DESTDIR)"
	make -C "$LM_TOP" --no-print-directory uninstall "${make_args[@]}" \
		>"$tmp/system-uninstall.log" 2>&1 || {
		cat "$tmp/system-uninstall.log" >&2
		lm_die "make uninstall failed"
	}
	for p in "${files[@]}"; do
		[ ! -e "$p" ] || fail "system: $p left after uninstall"
	done
	! grep -q lazymap "/lib/modules/$krel/modules.dep" ||
		fail "system: modules.dep still lists lazymap after uninstall"
}

if [ -n "$sandboxed" ]; then
	system_round
	[ $errors -eq 0 ] || lm_die "system round: $errors failures"
	exit 0
fi

round local
round usr PREFIX=/usr
rounds="DESTDIR with PREFIX=/usr/local and /usr"
if [ "$(id -u)" -ne 0 ]; then
	lm_warn "not root: skipping the round without DESTDIR"
elif ! unshare --mount --propagation private true 2>/dev/null; then
	lm_warn "no mount namespaces here: skipping the round without DESTDIR"
else
	unshare --mount --propagation private \
		"$0" --sandboxed "${kdir_opt[@]}" ||
		fail "system round (see above)"
	rounds="$rounds, and without DESTDIR"
fi

if [ $errors -gt 0 ]; then
	lm_die "install test: $errors failures"
fi
lm_log "install test passed ($rounds; programs: $progs)"
