# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel concern: `make check-debug` runs the whole selftest suite
# on a KASAN/lockdep/kmemleak/DEBUG_VM kernel built from Debian's
# linux-source (scripts/build-debug-kernel.sh, cached in $LM_CACHE), then
# unloads the module and scans for leaks.  `make debug-kernel` only builds
# (or finds) that kernel and prints where it is.

.PHONY: check-debug debug-kernel

check-debug:
	scripts/check-debug.sh

debug-kernel:
	scripts/build-debug-kernel.sh
