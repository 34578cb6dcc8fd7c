#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that dkms.conf really builds: Debian's dkms adds a copy of the tree,
# builds lazymap.ko against Debian bookworm's kernel headers, and removes it
# again.  Nothing is installed into /lib/modules and nothing is loaded.
#
#   scripts/test-dkms.sh [--kdir DIR]
#
# --kdir  kernel headers to build against (default: bookworm's current
#         linux-headers-<abi>-amd64, installed if missing)
#
# dkms works on private trees in a temporary directory (--sourcetree,
# --dkmstree, --installtree), so a lazymap that an administrator added to
# the system's DKMS is never touched, and cleaning up is removing the
# directory.  DKMS signs what it builds; its key is made in the same
# temporary directory, not in /var/lib/dkms.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) [ $# -ge 2 ] || lm_die "--kdir needs a directory"
		kdir=$2; shift 2 ;;
	*) lm_die "usage: $0 [--kdir DIR]" ;;
	esac
done

[ "$(id -u)" -eq 0 ] || lm_die "dkms needs root"
lm_need_pkgs dkms kmod openssl make gcc
if [ -z "$kdir" ]; then
	abi=$(lm_bookworm_abi)
	lm_need_pkgs "linux-headers-$abi-amd64"
	kdir=/usr/src/linux-headers-$abi-amd64
fi
krel=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$kdir/include/generated/utsrelease.h" 2>/dev/null) ||
	true
[ -n "$krel" ] || lm_die "$kdir is not a kernel headers tree"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-dkms.XXXXXX")
# If dkms ignored the key location below, it made its key in /var/lib/dkms:
# remove it again if this test made it.
mok_existed=
[ ! -e /var/lib/dkms/mok.key ] || mok_existed=1
cleanup() {
	rm -rf "$tmp"
	if [ -z "$mok_existed" ] && [ -e /var/lib/dkms/mok.key ]; then
		lm_warn "dkms made /var/lib/dkms/mok.{key,pub}: removing them"
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
}
trap cleanup EXIT

trees=(--sourcetree "$tmp/src" --dkmstree "$tmp/dkms"
       --installtree "$tmp/modules")
mkdir -p "$tmp/src" "$tmp/dkms" "$tmp/modules"
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub

# The name and version that dkms.conf declares, and the module's own.
# shellcheck disable=SC2016 # expanded by the inner shell
read -r name version < <(kernelver=$krel kernel_source_dir=$kdir \
	bash -c '. "$1" && echo "$PACKAGE_NAME $PACKAGE_VERSION"' _ \
	"$LM_TOP/dkms.conf")
# The same version everywhere: module, dkms.conf, debian/changelog, man.
modver=$("$LM_TOP/scripts/check-versions.sh") ||
	lm_die "the versions disagree (scripts/check-versions.sh)"
[ "$name" = lazymap ] || lm_die "dkms.conf: PACKAGE_NAME is '$name'"
[ "$version" = "$modver" ] ||
	lm_die "dkms.conf PACKAGE_VERSION $version != MODULE_VERSION $modver"

# What a user adds: a clone of the repository, without build products.
lm_log "copying the tree as a clone would have it"
mkdir -p "$tmp/clone"
lm_copy_tree "$tmp/clone"

dk() {
	lm_log "dkms $*"
	dkms "$@" "${trees[@]}" >"$tmp/dkms.log" 2>&1 || {
		cat "$tmp/dkms.log" >&2
		return 1
	}
}

dk add "$tmp/clone" || lm_die "dkms add failed"
dk build -m "$name" -v "$version" -k "$krel" --kernelsourcedir "$kdir" ||
	lm_die "dkms build failed for $krel"
sed -n 's/^/    /p' "$tmp/dkms.log" >&2

ko=$tmp/dkms/$name/$version/$krel/$(uname -m)/module/lazymap.ko
[ -f "$ko" ] || lm_die "dkms build left no module at $ko"
status=$(dkms status "$name/$version" -k "$krel" "${trees[@]}" 2>&1)
case $status in
*": built"*|*", built"*) ;;
*) lm_die "dkms status says: $status" ;;
esac
vermagic=$(modinfo -F vermagic "$ko")
[ "${vermagic%% *}" = "$krel" ] ||
	lm_die "built module has vermagic '$vermagic', expected $krel"
[ "$(modinfo -F version "$ko")" = "$version" ] ||
	lm_die "built module has version '$(modinfo -F version "$ko")'"
signer=$(modinfo -F signer "$ko")
lm_log "built $ko"
lm_log "  vermagic $vermagic, version $version, signer ${signer:-none}"
lm_log "  dkms status: $status"

# BUILD_EXCLUSIVE_KERNEL_MIN (or its regex twin): dkms must skip an older
# kernel, with the exit status 77 that autoinstall treats as "not for it".
old=5.10.0-30-amd64
rc=0
dkms build -m "$name" -v "$version" -k "$old" --kernelsourcedir "$kdir" \
	"${trees[@]}" >"$tmp/old.log" 2>&1 || rc=$?
if [ $rc -ne 77 ] || ! grep -q BUILD_EXCLUSIVE "$tmp/old.log"; then
	cat "$tmp/old.log" >&2
	lm_die "dkms build for $old: status $rc, expected 77 (BUILD_EXCLUSIVE)"
fi
lm_log "dkms skips $old: BUILD_EXCLUSIVE (status 77)"

dk remove -m "$name" -v "$version" --all || lm_die "dkms remove failed"
[ ! -e "$tmp/dkms/$name/$version" ] ||
	lm_die "dkms remove left $tmp/dkms/$name/$version"
[ -z "$(find "$tmp/modules" -mindepth 1)" ] ||
	lm_die "dkms wrote into the install tree"
lm_log "dkms test passed: add, build for $krel, remove"
