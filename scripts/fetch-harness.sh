#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Get the kselftest harness headers (kselftest_harness.h, kselftest.h) of the
# test kernel and print the directory to pass to the compiler with -I.
#
#   scripts/fetch-harness.sh
#
# The headers come from Debian's linux-source package of the test kernel
# (bookworm's current linux-image-amd64 ABI, resolved now) so the selftests
# are built with the harness of the kernel they run on.  They are extracted
# once into $LM_CACHE/harness/<package version>/ and never copied into the
# repository.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 0 ] || lm_die "usage: $0"

# What building against the harness needs on a fresh machine: a compiler,
# a static C library (the test VM has none) and the kernel's uapi headers
# (kselftest_harness.h includes <asm/types.h>); xz to unpack linux-source.
lm_need_pkgs gcc libc6-dev linux-libc-dev xz-utils

files=(tools/testing/selftests/kselftest_harness.h
       tools/testing/selftests/kselftest.h)

# The same package version lm_linux_source will pick: naming the cache
# directory after it lets a warm cache skip the download and the extraction.
abi=$(lm_bookworm_abi)
pkg=linux-source-${abi%%.0-*}
ver=$(lm_host_apt apt-cache policy "$pkg" 2>/dev/null |
	sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	lm_die "no candidate for $pkg"
fi
dest=$LM_CACHE/harness/$ver

have=1
for f in "${files[@]}"; do
	[ -s "$dest/$f" ] || have=
done
if [ -z "$have" ]; then
	lm_log "fetching the kselftest harness from $pkg $ver"
	# Extract beside the final directory and rename it into place, so an
	# interrupted run never leaves a half-filled cache entry behind.
	tmp=$(mktemp -d "$LM_CACHE/harness/.tmp.XXXXXX" 2>/dev/null ||
		{ mkdir -p "$LM_CACHE/harness" &&
		  mktemp -d "$LM_CACHE/harness/.tmp.XXXXXX"; })
	trap 'rm -rf "$tmp"' EXIT
	got=$(lm_linux_source "$tmp" "${files[@]}")
	[ "$got" = "$ver" ] ||
		lm_die "lm_linux_source gave $pkg $got, expected $ver"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
fi
printf '%s\n' "$dest/tools/testing/selftests"
