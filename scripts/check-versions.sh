#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every place that states lazymap's version states the same one,
# and print it:
#
#   scripts/check-versions.sh
#
#   MODULE_VERSION("X")        module/*.c: the version, what modinfo shows
#   PACKAGE_VERSION="X"        dkms.conf: DKMS's /usr/src/lazymap-X
#   lazymap (X[-R])            debian/changelog's first entry (a Debian
#                              revision R, if one is ever added, is not part
#                              of the version)
#   .TH ... "lazymap X"        the header of every man/*.[1-8]
#
# A new version is set in all of them at once; this check, run by
# scripts/test-dkms.sh and before every "make deb", catches the one that
# was forgotten.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || lm_die "usage: $0"
lm_need_pkgs dpkg-dev

errors=0
mod=$(sed -n 's/^MODULE_VERSION("\(.*\)");$/\1/p' "$LM_TOP"/module/*.c)
if [ -z "$mod" ] || [ "$(wc -l <<<"$mod")" -ne 1 ]; then
	lm_die "module/*.c: not exactly one MODULE_VERSION(\"...\"): '$mod'"
fi

# check WHERE VERSION: one more place, compared with MODULE_VERSION.
check() {
	if [ "$2" != "$mod" ]; then
		printf 'FAIL: %s says %s, MODULE_VERSION says %s\n' \
			"$1" "${2:-nothing}" "$mod" >&2
		errors=$((errors + 1))
	fi
}

check dkms.conf "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' \
	"$LM_TOP/dkms.conf")"
deb=$(dpkg-parsechangelog -l "$LM_TOP/debian/changelog" -S Version)
deb=${deb#*:}
check debian/changelog "${deb%-*}"
for page in "$LM_TOP"/man/*.[1-8]; do
	check "man/${page##*/}" "$(sed -n \
		's/^\.TH [^ ]* [1-8] [^ ]* "lazymap \([^"]*\)".*/\1/p' "$page")"
done
[ $errors -eq 0 ] || lm_die "$errors places disagree on the version"
lm_log "version $mod: module, dkms.conf, debian/changelog, man pages"
echo "$mod"
