#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The part of scripts/test-deb.sh that runs inside a throwaway chroot of a
# Debian suite that has dkms, man-db and the headers of one kernel: install
# lazymap's packages, check what they put in place, remove and purge them,
# check that nothing is left.
#
#   scripts/test-deb-chroot.sh KREL OUTDIR DEB...
#
# KREL    the kernel release whose headers the chroot has: DKMS must build
#         and install lazymap.ko for it
# OUTDIR  a directory of the host (the repository is bind-mounted at its own
#         path): the module DKMS built is copied there as it was installed
#         (lazymap.ko, or lazymap.ko.xz/.zst if DKMS compressed it), with
#         the logs of apt
# DEB     the packages, lazymap-dkms, lazymap-tools and lazymap-dev
#
# Prints one line per check, "ok - WHAT" or "not ok - WHAT" (or
# "ok - WHAT # SKIP WHY"), then "deb-chroot: pass=N fail=M skip=K".  Exit status 0 if nothing failed.  The
# chroot's policy-rc.d (suite-chroot.sh) keeps daemons from starting.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || lm_die "usage: $0 KREL OUTDIR DEB..."
krel=$1 outdir=$2
shift 2
debs=("$@")
pkgs=(lazymap-dkms lazymap-tools lazymap-dev)
name=lazymap

pass=0 fail=0 skip=0
ok() { printf 'ok - %s\n' "$*"; pass=$((pass + 1)); }
skip() { printf 'ok - %s # SKIP %s\n' "$1" "$2"; skip=$((skip + 1)); }
not_ok() { printf 'not ok - %s\n' "$*"; fail=$((fail + 1)); }
# check WHAT CMD...: one check, passed when CMD succeeds.
check() {
	local what=$1
	shift
	if "$@" >"$outdir/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/    # /' "$outdir/check.out"
	fi
}

# Every path of the root file system, but the places that apt, dpkg and
# the logs write to whatever is installed.
snapshot() {
	find / -xdev \( -path /var/log -o -path /var/cache -o \
		-path /var/lib/apt -o -path /var/lib/dpkg \) -prune -o \
		-print | sort
}

# The checks that are more than one command.  A command whose output is
# searched is read whole first: under pipefail, grep -q quitting at the
# match can kill the writer with SIGPIPE and fail the check.
installed() {
	# shellcheck disable=SC2016 # a dpkg-query format
	dpkg-query -W -f='${Status}' "$1" | grep -qx 'install ok installed'
}
dkms_installed() {
	local out
	out=$(dkms status -m "$name" -v "$version" -k "$krel") &&
		grep -q ': installed' <<<"$out"
}
has_vermagic() { modinfo -F vermagic "$1" | grep -q "^$krel "; }
has_version() { [ "$(modinfo -F version "$1")" = "$version" ]; }
indexed() { [ "$(modinfo -k "$krel" -F filename lazymap)" = "$1" ]; }
no_daemons() {
	[ -x /usr/sbin/policy-rc.d ] && ! /usr/sbin/policy-rc.d x start
}
system_group() {
	local gid
	gid=$(getent group lazymap | cut -d: -f3)
	[ -n "$gid" ] && [ "$gid" -lt 1000 ]
}
help_runs() {
	local out
	out=$("$1" --help) && grep -q "^$2" <<<"$out"
}
header_compiles() {
	printf '#include <linux/lazymap.h>\nunsigned long c = %s;\n' \
		LAZYMAP_IOC_INFO | gcc -Wall -Werror -fsyntax-only -x c -
}
# logged LOG CMD...: CMD with its words in LOG, shown if it fails;
# apt_get and dpkg_ LOG ARGS... run apt-get and dpkg so.
logged() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 || { tail -n 30 "$log"; false; }
}
apt_get() { logged "$1" apt-get "${@:2}"; }
dpkg_() { logged "$1" dpkg "${@:2}"; }
no_module() { ! find "/lib/modules/$krel" -name 'lazymap.ko*' | grep .; }
not_indexed() { ! modinfo -k "$krel" lazymap; }
no_source() { ! ls -d /usr/src/lazymap-* 2>/dev/null; }
no_programs() { ! command -v lazymap-demo && ! command -v lazymap-bench; }
not_known() { ! dpkg -L "$1"; }
nothing_left() { [ ! -s /tmp/left ] || { cat /tmp/left; false; }; }
lazymap_names() {
	find / -xdev -name '*lazymap*' ! -path '/var/log/*' | sort
}
no_new_lazymap_names() {
	! lazymap_names | comm -13 /tmp/names-before - | grep .
}

version=$(dpkg-deb -f "${debs[0]}" Version)
[ -n "$version" ] || lm_die "cannot read the version of ${debs[0]}"
mkdir -p "$outdir"
rm -f "$outdir"/lazymap.ko*

check "policy-rc.d forbids starting daemons" no_daemons
check "headers of $krel are installed" \
	test -e "/lib/modules/$krel/build/Makefile"
snapshot >/tmp/before
had_index=
[ ! -f "/lib/modules/$krel/modules.dep" ] || had_index=1
lazymap_names >/tmp/names-before

# 1. Install.  apt installs the dependencies (dkms is in the chroot).
lm_log "apt install ${debs[*]##*/}"
t0=$(date +%s)
check "apt install of ${pkgs[*]}" \
	apt_get "$outdir/apt-install.log" install -y "${debs[@]}"
lm_log "installed in $(($(date +%s) - t0)) s"
for p in "${pkgs[@]}"; do
	check "$p is installed" installed "$p"
done

# 2. DKMS built and installed the module for the kernel.
check "dkms status: $name/$version installed for $krel" dkms_installed
mapfile -t kos < <(find "/lib/modules/$krel" -name 'lazymap.ko*' -type f)
if [ ${#kos[@]} -eq 1 ]; then
	ko=${kos[0]}
	ok "one module installed: $ko"
	check "modinfo: vermagic $krel" has_vermagic "$ko"
	check "modinfo: version $version" has_version "$ko"
	# dkms >= 3.1 leaves depmod to the kernel's image, whose package
	# makes modules.dep: without the image (the chroot has only the
	# headers) there is no index to check.
	if [ -n "$had_index" ] || [ -f "/lib/modules/$krel/modules.dep" ]
	then
		check "depmod indexed it: modinfo -k $krel lazymap finds it" \
			indexed "$ko"
	else
		skip "depmod indexed it" \
			"no kernel image in the chroot: dkms $(dkms --version |
			sed 's/^dkms-//') runs depmod only with one"
	fi
	cp "$ko" "$outdir/"
else
	not_ok "one module installed under /lib/modules/$krel" \
		"(found ${#kos[@]})"
fi
check "module source in /usr/src/$name-$version" \
	test -f "/usr/src/$name-$version/dkms.conf"

# 3. The udev rule, the group, the man pages, the programs, the header.
rule=$(dpkg -L lazymap-dkms | grep '/udev/rules\.d/60-lazymap\.rules$' ||
	true)
check "udev rule ${rule:-60-lazymap.rules} gives the device to the group" \
	grep -q 'KERNEL=="lazymap", .*GROUP="lazymap", MODE="0660"' \
	"${rule:-/nonexistent}"
check "system group lazymap exists" system_group
for page in 4/lazymap 1/lazymap-demo 1/lazymap-bench; do
	check "man page ${page#*/}(${page%/*})" man -w "${page%/*}" "${page#*/}"
done
check "lazymap-demo --help" help_runs lazymap-demo "Usage: lazymap-demo"
check "lazymap-bench --help" help_runs lazymap-bench "usage: lazymap-bench"
check "<linux/lazymap.h> compiles" header_compiles

# 4. Remove: the module, DKMS's tree and the files go.
lm_log "apt remove ${pkgs[*]}"
check "apt remove" apt_get "$outdir/apt-remove.log" remove -y "${pkgs[@]}"
check "no lazymap.ko under /lib/modules/$krel" no_module
check "depmod forgot it" not_indexed
check "no DKMS tree /var/lib/dkms/$name" test ! -e "/var/lib/dkms/$name"
check "no /usr/src/$name-*" no_source
check "no programs" no_programs

# 5. Purge: dpkg forgets the packages; the group stays (Debian policy 9.2.2).
lm_log "dpkg --purge ${pkgs[*]}"
# dpkg, not apt: a package without conffiles or postrm is gone for good
# after remove, and apt-get purge would not find it.
check "dpkg --purge" dpkg_ "$outdir/purge.log" --purge "${pkgs[@]}"
for p in "${pkgs[@]}"; do
	check "dpkg -L $p: not installed" not_known "$p"
done
check "group lazymap kept after purge" getent group lazymap
# What apt installed for them alone (linux-libc-dev for lazymap-dev) goes
# as a user makes it go.
check "apt autoremove --purge" apt_get "$outdir/autoremove.log" \
	autoremove --purge -y

# Whatever exists now and did not before: depmod's indexes of the kernel
# (which its packages own in a real system; /lib is /usr/lib when merged),
# dkms's own signing key, the group files' backups and /run (a tmpfs on a
# real system) are expected; anything else was left behind.
snapshot >/tmp/after
comm -13 /tmp/before /tmp/after | grep -v -E \
	-e "^(/usr)?/lib/modules/$krel/modules\.[a-z.]+\$" \
	-e '^/var/lib/dkms/mok\.(key|pub)$' -e '^/etc/(group|gshadow)-$' \
	-e '^/run/' >/tmp/left || true
check "nothing left behind after purge" nothing_left
check "no new file named *lazymap* (/var/log aside)" no_new_lazymap_names

echo "deb-chroot: pass=$pass fail=$fail skip=$skip"
[ "$fail" -eq 0 ]
