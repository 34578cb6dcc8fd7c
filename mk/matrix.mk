# SPDX-License-Identifier: GPL-2.0
#
# make check-matrix: build lazymap for every kernel Debian ships (bookworm,
# trixie, sid, resolved from Debian's package lists at run time) and run the
# whole selftest suite on each in QEMU.  See scripts/check-matrix.sh.
#
#   make check-matrix                        all three suites
#   make check-matrix SUITES="trixie sid"    some of them
#
# The chroots and kernel images of trixie and sid are cached in
# $(LAZYMAP_CACHE) or ~/.cache/lazymap (scripts/suite-chroot.sh).

.PHONY: check-matrix

check-matrix:
	scripts/check-matrix.sh $(SUITES)
