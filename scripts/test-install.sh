#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check "make install" and "make uninstall" in a temporary DESTDIR: the tree
# holds exactly the expected files, with the expected modes and contents,
# and is empty again after uninstall.  Runs twice: with the default PREFIX
# (/usr/local) and with PREFIX=/usr.  Nothing is installed on the host and
# nothing is loaded.
#
#   scripts/test-install.sh [--kdir DIR]
#
# --kdir is passed to make as KDIR (default: see mk/install.mk).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

make_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) [ $# -ge 2 ] || lm_die "--kdir needs a directory"
		make_args+=("KDIR=$2"); shift 2 ;;
	*) lm_die "usage: $0 [--kdir DIR]" ;;
	esac
done

lm_need_pkgs make gcc libc6-dev kmod man-db groff-base

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
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
	local prefix=$1 krels krel ko hdr rule man p field
	local expected=() actual

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
	expected=("$ko" "$hdr" "$rule" "$man")
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
		modinfo -F parm "$ko" | grep -q '^size_mb:.\+(ulong)$' ||
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

	# The man page, found through its MANPATH and rendered without a
	# warning.
	if [ -f "$man" ]; then
		check_mode "$man" 644
		if ! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings \
			-M "$root$prefix/share/man" 4 lazymap \
			>"$tmp/man.txt" 2>"$tmp/man.err" ||
			[ -s "$tmp/man.err" ] ||
			! grep -q '^NAME' "$tmp/man.txt"; then
			fail "man -M ... 4 lazymap: $(cat "$tmp/man.err")"
		fi
	fi
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
	lm_log "building the userspace programs"
	make -C "$LM_TOP" --no-print-directory userspace >&2
	progs=$(make -s --no-print-directory -C "$LM_TOP/userspace" \
		--eval="lm-progs: ; @echo \$(PROGS)" lm-progs)
fi
[ -n "$progs" ] || lm_warn "no userspace programs to install"

round local
round usr PREFIX=/usr

if [ $errors -gt 0 ]; then
	lm_die "install test: $errors failures"
fi
lm_log "install test passed (PREFIX=/usr/local and /usr; programs: $progs)"
