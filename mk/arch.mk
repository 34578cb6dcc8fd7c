# SPDX-License-Identifier: GPL-2.0
#
# make check-arch: build lazymap for Debian's kernels of other architectures
# and page sizes (arm64 4K and 16K, ppc64el 64K, s390x, and i386 and armhf
# programs on 64-bit kernels), resolved at run time, and run the whole
# selftest suite on each in QEMU.  See scripts/check-arch.sh; the targets
# are the table in scripts/arch-lib.sh.
#
#   make check-arch                                        every target
#   make check-arch TARGETS="arm64-4k-bookworm s390x-sid"  some of them
#   make check-arch PREPARED=1 ...   after scripts/check-arch.sh
#                                    --prepare-only: use its preparation

.PHONY: check-arch

check-arch:
	scripts/check-arch.sh $(if $(PREPARED),--prepared) $(TARGETS)
