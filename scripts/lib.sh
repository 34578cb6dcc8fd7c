# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers shared by every lazymap script.  Source it; it defines functions
# and a few variables and does nothing else.
#
#   LM_TOP     the repository's top directory
#   LM_BUILD   $LM_TOP/build (build products, never committed)
#   LM_CACHE   downloads, chroots and kernels kept between runs, outside the
#              repository: ${XDG_CACHE_HOME:-$HOME/.cache}/lazymap
#   LM_MIRROR  the Debian mirror of chroots and root filesystems:
#              $LAZYMAP_MIRROR, default http://deb.debian.org/debian
#   LM_SECURITY_MIRROR  its security archive (bookworm-security, ...):
#              $LAZYMAP_SECURITY_MIRROR, default $LM_MIRROR-security

# shellcheck disable=SC2034 # used by the scripts that source this file
LM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LM_BUILD=$LM_TOP/build
LM_CACHE=${LAZYMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lazymap}
LM_MIRROR=${LAZYMAP_MIRROR:-http://deb.debian.org/debian}
LM_SECURITY_MIRROR=${LAZYMAP_SECURITY_MIRROR:-$LM_MIRROR-security}

# Progress goes to stderr so that stdout stays machine-readable.
lm_log() { printf '==> %s\n' "$*" >&2; }
lm_warn() { printf 'warning: %s\n' "$*" >&2; }
lm_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

lm_apt_updated=
# Where apt-get and dpkg write, a run after another: their hundreds of
# lines per install would bury a script's own output.
LM_APT_LOG=$LM_BUILD/logs/apt.log

# lm_apt CMD...: run CMD (apt-get ...) with its output appended to
# LM_APT_LOG; on failure show the log's last lines and return its status.
lm_apt() {
	local rc=0
	mkdir -p "${LM_APT_LOG%/*}"
	printf '\n==== %s: %s\n' "$(date -u '+%F %T UTC')" "$*" >>"$LM_APT_LOG"
	DEBIAN_FRONTEND=noninteractive "$@" >>"$LM_APT_LOG" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 15 "$LM_APT_LOG" | sed 's/^/    /' >&2
	fi
	return "$rc"
}

# lm_host_apt apt-get|apt-cache ARGS...: the host's apt, with a binary
# cache of the package lists of its own in $LM_CACHE/apt/host/.  Debian's
# cloud and container images turn apt's off (Dir::Cache::pkgcache "" in
# /etc/apt/apt.conf.d/docker-clean), and then every call parses all the
# lists again: 0.8 s of CPU, against 0.1 s with the cache, and a cold CI run
# makes about a hundred.  apt rebuilds the cache when the lists or dpkg's
# status change, and replaces it with a rename, so runners may share it.
lm_host_apt() {
	local cache=$LM_CACHE/apt/host
	mkdir -p "$cache"
	"$1" -o Dir::Cache::pkgcache="$cache/pkgcache.bin" \
		-o Dir::Cache::srcpkgcache="$cache/srcpkgcache.bin" "${@:2}"
}

# lm_need_pkgs PKG...: install the Debian packages that are not installed
# yet, saying so in one line that names the log (LM_APT_LOG).
lm_need_pkgs() {
	local missing
	mapfile -t missing < <(lm_missing_pkgs "$@")
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		lm_die "missing packages: ${missing[*]} (run as root, or install them)"
	lm_apt_lock
	# Another runner may have installed them while this one waited.
	mapfile -t missing < <(lm_missing_pkgs "$@")
	if [ ${#missing[@]} -gt 0 ]; then
		lm_log "installing ${missing[*]} from Debian (log: $LM_APT_LOG)"
		if [ -z "$lm_apt_updated" ]; then
			lm_apt lm_host_apt apt-get update -qq ||
				lm_die "apt-get update failed: see $LM_APT_LOG"
			lm_apt_updated=1
		fi
		lm_apt lm_host_apt apt-get install -y -qq \
			--no-install-recommends \
			"${missing[@]}" ||
			lm_die "could not install ${missing[*]}: see $LM_APT_LOG"
	fi
	lm_apt_unlock
}

# lm_missing_pkgs PKG...: print those of the packages that are not installed.
lm_missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || printf '%s\n' "$p"
	done
}

# lm_apt_lock, lm_apt_unlock: the host's apt and dpkg, one runner at a time.
# CI builds the debug kernel beside the other steps, and two apt-gets at
# once fail on dpkg's lock instead of waiting.
lm_apt_fd=
lm_apt_lock() {
	mkdir -p "$LM_CACHE"
	exec {lm_apt_fd}>"$LM_CACHE/.apt.lock"
	flock "$lm_apt_fd"
}
lm_apt_unlock() {
	exec {lm_apt_fd}>&-
}

# lm_bookworm_abi: the ABI of bookworm's current linux-image-amd64, e.g.
# "6.1.0-57".  Read from the host's package lists (the host is bookworm), so
# it follows Debian as it retires old ABIs.
lm_bookworm_abi() {
	local dep
	dep=$(lm_host_apt apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	if [ -z "$dep" ] && [ -z "$lm_apt_updated" ] && [ "$(id -u)" -eq 0 ]; then
		lm_apt_lock
		lm_apt lm_host_apt apt-get update -qq && lm_apt_updated=1
		lm_apt_unlock
		dep=$(lm_host_apt apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	fi
	[ -n "$dep" ] || lm_die "cannot resolve bookworm's linux-image-amd64 ABI"
	printf '%s\n' "$dep"
}

# lm_linux_source DEST FILE...: extract FILEs (paths inside the kernel tree,
# e.g. scripts/checkpatch.pl) from Debian bookworm's linux-source package of
# the test kernel's version into DEST, keeping their relative paths.  The
# package is downloaded once into $LM_CACHE/linux-source/.  Prints the
# package version on stdout.
lm_linux_source() {
	local dest=$1 abi major pkg deb ver dir missing=() f fd
	shift
	abi=$(lm_bookworm_abi)
	major=${abi%%.0-*}		# 6.1.0-57 -> 6.1
	pkg=linux-source-$major
	dir=$LM_CACHE/linux-source
	mkdir -p "$dir" "$dest"
	ver=$(lm_host_apt apt-cache policy "$pkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		lm_die "no candidate for $pkg"
	fi
	deb=$dir/${pkg}_${ver}_all.deb
	# One download at a time: the harness and the debug kernel both want it.
	exec {fd}>"$dir/.lock"
	flock "$fd"
	if [ ! -s "$deb" ]; then
		lm_log "downloading $pkg $ver"
		(cd "$dir" && lm_host_apt apt-get download -qq \
			-o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
			lm_die "apt-get download $pkg failed"
		# apt may name the file with an epoch-escaped version.
		if [ ! -s "$deb" ]; then
			for deb in "$dir/${pkg}_"*"_all.deb"; do :; done
		fi
	fi
	for f in "$@"; do
		[ -e "$dest/$f" ] || missing+=("$pkg/$f")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		lm_log "extracting ${#missing[@]} files from $pkg"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO "./usr/src/$pkg.tar.xz" |
			tar -xJ -C "$dest" --strip-components=1 "${missing[@]}" ||
			lm_die "cannot extract ${missing[*]} from $pkg"
	fi
	exec {fd}>&-
	printf '%s\n' "$ver"
}

# lm_copy_tree DEST: copy the tree as a clone of it would have it into DEST
# (which must exist): in a git work tree, the committed files and the new
# ones git does not ignore, as they are now; elsewhere everything but
# build/.  For builds that must not see build products or write into the
# tree (dkms add, dpkg-buildpackage).
lm_copy_tree() {
	local dest=$1
	if git -C "$LM_TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1
	then
		(cd "$LM_TOP" && git ls-files -z -c -o --exclude-standard |
			while IFS= read -r -d '' f; do
				# Deleted but not yet committed: not in a clone.
				[ ! -e "$f" ] && [ ! -L "$f" ] || printf '%s\0' "$f"
			done | tar --null -cf - -T -) | tar -xf - -C "$dest"
	else
		tar -C "$LM_TOP" --exclude=./build -cf - . | tar -xf - -C "$dest"
	fi
}

# lm_mmdebstrap SUITE DIR LOG [MMDEBSTRAP-ARGS...]: a minbase Debian SUITE
# in DIR (which must not exist or be empty) from $LM_MIRROR, checked against
# Debian's archive keyring, with the bootstrap's chatter in LOG.
# mmdebstrap, not debootstrap: it resolves and installs with apt and dpkg in
# one pass and needs half the CPU for the same package set (trixie minbase
# on this 2-core host: 27 core-s against 52), which matters on a CI that is
# CPU-bound.  The merged-usr hook makes /bin, /lib and /sbin the symlinks
# debootstrap makes, so that bookworm does not pull in usrmerge and perl;
# force-unsafe-io skips dpkg's fsyncs: the tree is a cache, remade when its
# ready mark is missing.  Sid's Release file may be past its Valid-Until.
# It runs in a private mount namespace: mmdebstrap mounts /proc and /sys
# inside DIR, and an interrupted run would otherwise leave them mounted on
# the host.  The host's apt configuration is neither used nor touched.
lm_mmdebstrap() {
	local suite=$1 dir=$2 log=$3 opts=()
	shift 3
	[ "$(id -u)" -eq 0 ] || lm_die "mmdebstrap needs root"
	lm_need_pkgs mmdebstrap debian-archive-keyring
	case $suite in
	sid | unstable) opts+=(--aptopt='Acquire::Check-Valid-Until "false"') ;;
	esac
	unshare --mount --propagation private -- \
		mmdebstrap --mode=root --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--dpkgopt=force-unsafe-io "${opts[@]}" \
		"$@" "$suite" "$dir" "$LM_MIRROR" >"$log" 2>&1 ||
		lm_die "mmdebstrap $suite failed: see $log"
}

# lm_private_apt SUITE ARCH: a private apt configuration for SUITE's ARCH
# packages and amd64's (the kbuild tools that run on this host), under
# $LM_CACHE/apt/SUITE-ARCH/, with its package lists refreshed (once per
# process).  Sets LM_APT_CONFIG; `lm_papt apt-get download PKG:ARCH=VER`
# then fetches into the current directory.  Not exported: the host's own
# apt (lm_need_pkgs) must never see it.
# The host's /etc/apt, package lists and dpkg architectures are not read or
# written: APT_CONFIG is read before Dir::Etc::Parts, which points at the
# private directory.  A list the mirror fails to deliver (a minor
# architecture's security index in mid-sync) is a warning: the other lists
# still resolve, and that is what "unavailable" later reports.
lm_private_apt() {
	local suite=$1 arch=$2 dir lock key=/usr/share/keyrings/debian-archive-keyring.gpg
	dir=$LM_CACHE/apt/$suite-$arch
	mkdir -p "$dir"/state/lists/partial "$dir"/cache/archives/partial \
		"$dir"/etc/apt.conf.d "$dir"/etc/preferences.d \
		"$dir"/etc/sources.list.d
	touch "$dir/state/status"
	lm_need_pkgs debian-archive-keyring
	{
		printf 'deb [signed-by=%s] %s %s main\n' "$key" "$LM_MIRROR" "$suite"
		case $suite in
		sid | unstable) ;;
		*)
			printf 'deb [signed-by=%s] %s %s-updates main\n' \
				"$key" "$LM_MIRROR" "$suite"
			printf 'deb [signed-by=%s] %s %s-security main\n' \
				"$key" "$LM_SECURITY_MIRROR" "$suite"
			;;
		esac
	} >"$dir/etc/sources.list"
	cat >"$dir/apt.conf" <<-EOF
	Dir::State "$dir/state";
	Dir::State::status "$dir/state/status";
	Dir::Cache "$dir/cache";
	Dir::Etc::SourceList "$dir/etc/sources.list";
	Dir::Etc::SourceParts "$dir/etc/sources.list.d";
	Dir::Etc::Parts "$dir/etc/apt.conf.d";
	Dir::Etc::Preferences "$dir/etc/preferences";
	Dir::Etc::PreferencesParts "$dir/etc/preferences.d";
	APT::Architecture "$arch";
	APT::Architectures { "$arch"; "amd64"; };
	APT::Sandbox::User "root";
	Acquire::Languages "none";
	Acquire::Check-Valid-Until "$([ "$suite" = sid ] && echo false || echo true)";
	EOF
	LM_APT_CONFIG=$dir/apt.conf
	[ "${lm_private_apt_updated:-}" != "$dir" ] || return 0
	lm_private_apt_updated=$dir
	exec {lock}>"$dir.lock"
	flock "$lock"
	if ! lm_papt apt-get update -qq >"$dir/update.log" 2>&1; then
		lm_warn "apt-get update of $suite/$arch: $(grep -m1 -E '^(E|W):' \
			"$dir/update.log")"
	fi
	exec {lock}>&-
}

# lm_papt CMD...: run an apt command with lm_private_apt's configuration.
lm_papt() {
	APT_CONFIG=$LM_APT_CONFIG "$@"
}

# The architectures and the targets of make check-arch, as data.
# shellcheck source=scripts/arch-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/arch-lib.sh"
