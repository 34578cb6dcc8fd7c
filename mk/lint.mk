# SPDX-License-Identifier: GPL-2.0
#
# make lint: every static check (checkpatch --strict, W=1, sparse C=2,
# shellcheck, man page, ABI file); fails on any finding and prints it.
# KDIR=<headers> picks the kernel for the builds.  See scripts/lint.sh.

.PHONY: lint

lint:
	scripts/lint.sh $(if $(KDIR),--kdir $(KDIR))
