# SPDX-License-Identifier: GPL-2.0
#
# make syscalls-doc: rebuild docs/syscalls.md, the system-call surface of
# /dev/lazymap against a memfd, from the console logs of the last runs of
# the surface audit (build/vm/check-*.log of `make check`,
# build/matrix/*-vm.log of `make check-matrix`).  Run those first; see
# scripts/syscalls-doc.sh.
#
#   make check-matrix && make syscalls-doc
#   make syscalls-doc LOGS="build/vm/check-6.1.0-57-amd64.1.log"

.PHONY: syscalls-doc

syscalls-doc:
	scripts/syscalls-doc.sh $(LOGS)
