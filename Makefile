# SPDX-License-Identifier: GPL-2.0
#
# lazymap: top-level entry points.  The work is done by scripts/ and by the
# Makefiles of userspace/ and selftests/; each mk/*.mk adds the targets of one
# concern (debug kernel, kernel matrix, benchmark, install, lint).
#
#   make            module, userspace programs and selftests
#   make module     only the module; KDIR=<headers> picks the kernel
#   make check      the selftest suite in a QEMU VM, with fio and stress-ng
#   make demo       lazymap-demo in a QEMU VM

BUILD := $(CURDIR)/build

.PHONY: all module userspace selftests check demo clean

all: module userspace selftests

module:
	scripts/build-module.sh $(if $(KDIR),--kdir $(KDIR))

userspace:
	$(MAKE) -C userspace OUTPUT=$(BUILD)/userspace

selftests:
	$(MAKE) -C selftests/lazymap OUTPUT=$(BUILD)/selftests

# The suite runs in a Debian userland (fio, stress-ng): check.sh --rootfs.
check:
	@scripts/check.sh --rootfs

demo:
	@scripts/demo.sh

clean:
	rm -rf $(BUILD)

include $(wildcard mk/*.mk)
