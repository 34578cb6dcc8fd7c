#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build lazymap's Debian packages from the working tree, with Debian's own
# tooling (debian/, dpkg-buildpackage, dh with dh_dkms), then run lintian
# on them (`make deb`).
#
#   scripts/build-deb.sh [--no-lintian]
#
# --no-lintian  skip lintian (which is otherwise a failure on any error or
#               warning it reports)
#
# Results go to build/deb/: lazymap-dkms_V_all.deb, lazymap-tools_V_ARCH.deb,
# lazymap-dev_V_all.deb, the source package (.dsc, .tar.xz), the .changes
# and .buildinfo, build.log and lintian.log.  The paths of the three .debs
# are printed on stdout, progress on stderr.
#
# dpkg-buildpackage builds in the source directory and writes its results
# to the directory above it.  So the build runs on a copy of the tree as a
# clone has it (lm_copy_tree: no build products, nothing written into the
# tree) in build/deb/work/lazymap-V/, and the results move to build/deb/.
# Build dependencies are installed with lm_need_pkgs; dpkg-checkbuilddeps
# then confirms that debian/control asks for nothing more.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lintian=1
while [ $# -gt 0 ]; do
	case $1 in
	--no-lintian) lintian=; shift ;;
	*) lm_die "usage: $0 [--no-lintian]" ;;
	esac
done

# Build-Depends of debian/control, with build-essential's part that this
# build uses.
lm_need_pkgs dpkg-dev debhelper dh-dkms gcc make libc6-dev
[ -z "$lintian" ] || lm_need_pkgs lintian
version=$("$LM_TOP/scripts/check-versions.sh") ||
	lm_die "the versions disagree: no packages (see above)"

out=$LM_BUILD/deb
work=$out/work
src=$work/lazymap-$version
mkdir -p "$out"
# One build at a time: a second waits rather than mixing results.
exec 9>"$out/.lock"
flock 9

rm -rf "$work"
mkdir -p "$src"
lm_copy_tree "$src"
(cd "$src" && dpkg-checkbuilddeps) ||
	lm_die "debian/control wants build dependencies that $0 does not install"

lm_log "dpkg-buildpackage lazymap $version (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage --build=full -us -uc) \
	>"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	lm_die "dpkg-buildpackage failed (see $out/build.log)"
fi

# The results of an earlier build, of any version, go first.
find "$out" -maxdepth 1 -type f \( -name 'lazymap*.deb' -o \
	-name 'lazymap_*.dsc' -o -name 'lazymap_*.tar.*' -o \
	-name 'lazymap_*.changes' -o -name 'lazymap_*.buildinfo' \) -delete
find "$work" -maxdepth 1 -type f -exec mv -t "$out" {} +
rm -rf "$work"
changes=$(find "$out" -maxdepth 1 -name "lazymap_${version}_*.changes")
debs=()
for p in lazymap-dkms lazymap-tools lazymap-dev; do
	f=$(find "$out" -maxdepth 1 -name "${p}_${version}_*.deb")
	[ -n "$f" ] || lm_die "dpkg-buildpackage made no $p package"
	debs+=("$f")
	lm_log "$(basename "$f"): $(du -k "$f" | cut -f1) KiB"
done

if [ -n "$lintian" ]; then
	# Errors and warnings fail; the log keeps the informational tags
	# and the overrides too.
	lm_log "lintian (log: $out/lintian.log)"
	rc=0
	lintian --fail-on error,warning --display-info --show-overrides \
		"$changes" >"$out/lintian.log" 2>&1 || rc=$?
	sed 's/^/    /' "$out/lintian.log" >&2
	[ $rc -eq 0 ] || lm_die "lintian found errors or warnings"
	lm_log "lintian: no errors, no warnings"
fi
printf '%s\n' "${debs[@]}"
