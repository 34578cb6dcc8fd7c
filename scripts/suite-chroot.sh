#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A minimal chroot of one Debian suite, for building lazymap against a kernel
# whose compiler and kbuild tools need a newer userland than the host's.
#
#   scripts/suite-chroot.sh create SUITE [PKG...]  make it (if missing) and
#                                                  install PKGs in it
#   scripts/suite-chroot.sh refresh SUITE          apt-get update + upgrade
#   scripts/suite-chroot.sh enter SUITE [CMD...]   run CMD (default: a shell)
#   scripts/suite-chroot.sh path SUITE             print the chroot directory
#
# Options, before the command:
#   --name NAME   the chroot is $LM_CACHE/chroots/NAME/ (default: SUITE), so
#                 that a test can keep a chroot of a suite to itself, apart
#                 from the one that builds modules
#   --throwaway   (enter) run on an overlay of the chroot whose writes go to
#                 a tmpfs and vanish with the command: every run starts from
#                 the chroot as it was made
#
# The chroot lives in $LM_CACHE/chroots/SUITE/.  Its apt configuration is its
# own (the host's sources are never touched); for sid it ignores the Release
# file's Valid-Until, which a mirror of sid may let expire.  Every mount
# (proc, sys, dev, the repository at its own path) is made in a private mount
# namespace (unshare -m), so all of them vanish with the command and nothing
# is ever left mounted on the host.  The bootstrap itself is lib.sh's
# lm_mmdebstrap, shared with scripts/mkrootfs.sh; $LAZYMAP_MIRROR picks
# another mirror.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 [--name NAME] [--throwaway] create SUITE [PKG...] |" \
		"refresh SUITE | enter SUITE [CMD...] | path SUITE"
}

# The chroot is complete only once this file exists: an interrupted
# mmdebstrap leaves a directory that is removed and made again.
ready_mark=.lazymap-ready

# run_in DIR CMD...: run CMD inside the chroot DIR in a private mount
# namespace.  The environment is reset to a known one; only TERM survives.
# With throwaway set, DIR itself is the lower layer of an overlay, read
# only, and the chroot is the overlay.
throwaway=
run_in() {
	local dir=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --mount --propagation private -- \
		bash -euo pipefail -c '
		dir=$1 top=$2 throwaway=$3
		shift 3
		if [ -n "$throwaway" ]; then
			# The tmpfs is mounted on /mnt of the chroot: a
			# place that exists, that nothing else uses, and that
			# the overlay hides again.
			mount -t tmpfs lazymap-throwaway "$dir/mnt"
			mkdir "$dir/mnt/upper" "$dir/mnt/work" "$dir/mnt/root"
			mount -t overlay lazymap-throwaway -o \
				"lowerdir=$dir,upperdir=$dir/mnt/upper,workdir=$dir/mnt/work" \
				"$dir/mnt/root"
			dir=$dir/mnt/root
		fi
		mount -t proc proc "$dir/proc"
		mount --rbind /sys "$dir/sys"
		mount --rbind /dev "$dir/dev"
		mount -t tmpfs tmpfs "$dir/tmp"
		mkdir -p "$dir$top"
		mount --bind "$top" "$dir$top"
		cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || :
		exec chroot "$dir" /usr/bin/env -i \
			HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
		' run_in "$dir" "$LM_TOP" "$throwaway" "$@"
}

# configure DIR SUITE: the chroot's private apt configuration.
configure() {
	local dir=$1 suite=$2
	printf 'deb %s %s main\n' "$LM_MIRROR" "$suite" \
		>"$dir/etc/apt/sources.list"
	{
		echo 'APT::Install-Recommends "false";'
		echo 'APT::Install-Suggests "false";'
		echo 'Acquire::Languages "none";'
		# Downloads run as root: the chroot has no _apt-owned cache
		# worth the sandbox, and the tmpfs /tmp is not world-writable
		# for it either.
		echo 'APT::Sandbox::User "root";'
		if [ "$suite" = sid ] || [ "$suite" = unstable ]; then
			echo 'Acquire::Check-Valid-Until "false";'
		fi
	} >"$dir/etc/apt/apt.conf.d/99lazymap"
	# No daemons may start in a chroot that shares the host's /dev and
	# /sys.
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
	chmod 755 "$dir/usr/sbin/policy-rc.d"
}

# has_mounts DIR: true if anything is mounted at or below DIR.
has_mounts() {
	local mounts
	# Not findmnt | grep -q: under pipefail, grep quitting at the first
	# match can kill findmnt with SIGPIPE and turn the answer into false.
	mounts=$(findmnt -rn -o TARGET)
	grep -q "^$1\(/\|\$\)" <<<"$mounts"
}

create() {
	local suite=$1 dir=$2 t0
	shift 2
	if [ ! -e "$dir/$ready_mark" ]; then
		[ "$(id -u)" -eq 0 ] || lm_die "creating a chroot needs root"
		has_mounts "$dir" && lm_die "$dir has mounts: not removing it"
		rm -rf "$dir"
		mkdir -p "$dir"
		t0=$(date +%s)
		lm_log "mmdebstrap $suite into $dir"
		lm_mmdebstrap "$suite" "$dir" "$dir.mmdebstrap.log"
		configure "$dir" "$suite"
		run_in "$dir" apt-get update -qq >&2 ||
			lm_die "apt-get update failed in the $suite chroot"
		touch "$dir/$ready_mark"
		lm_log "$suite chroot made in $(($(date +%s) - t0)) s"
	fi
	[ $# -eq 0 ] && return 0
	install_pkgs "$dir" "$@"
}

# install_pkgs DIR PKG...: install the packages the chroot lacks.
install_pkgs() {
	local dir=$1 missing=() p
	shift
	for p in "$@"; do
		# shellcheck disable=SC2016 # a dpkg-query format
		run_in "$dir" dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	lm_log "installing ${missing[*]} in the chroot"
	# apt and dpkg are chatty even with -qq: keep their words in a log.
	if ! run_in "$dir" apt-get install -y -qq "${missing[@]}" \
		>"$dir.apt.log" 2>&1; then
		tail -n 20 "$dir.apt.log" >&2
		lm_die "could not install ${missing[*]} in $dir"
	fi
}

refresh() {
	local dir=$1
	[ -e "$dir/$ready_mark" ] || lm_die "no chroot at $dir: create it first"
	lm_log "refreshing $dir"
	run_in "$dir" apt-get update -qq >&2 ||
		lm_die "apt-get update failed in $dir"
	if ! run_in "$dir" apt-get dist-upgrade -y -qq >"$dir.apt.log" 2>&1
	then
		tail -n 20 "$dir.apt.log" >&2
		lm_die "apt-get dist-upgrade failed in $dir"
	fi
}

name=
while [ $# -gt 0 ]; do
	case $1 in
	--name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
	--throwaway) throwaway=1; shift ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
cmd=$1 suite=$2
shift 2
: "${name:=$suite}"
case $suite/$name in
*/*/* | .* | */.* | /* | */) lm_die "bad suite or chroot name '$suite/$name'" ;;
esac
dir=$LM_CACHE/chroots/$name

case $cmd in
path) echo "$dir" ;;
create)
	mkdir -p "$LM_CACHE/chroots"
	# One creator at a time per suite; a second caller waits.
	exec 9>"$dir.lock"
	flock 9
	create "$suite" "$dir" "$@"
	;;
refresh)
	exec 9>"$dir.lock"
	flock 9
	refresh "$dir"
	;;
enter)
	[ -e "$dir/$ready_mark" ] || lm_die "no chroot at $dir: create it first"
	[ $# -gt 0 ] || set -- /bin/bash
	run_in "$dir" "$@"
	;;
*) usage ;;
esac
