# SPDX-License-Identifier: GPL-2.0
#
# make bench: lazymap-bench in a QEMU VM, side by side with shmem (memfd)
# and anonymous memory, then fio's own figures on the device and on a tmpfs
# file; results, chart and tables in build/bench/.  See scripts/bench.sh
# and docs/bench.md.
#
#   make bench                         all ten scenarios, 7 repetitions
#   make bench REPS=9                  more repetitions
#   make bench ARGS="--scenarios 1,3"  some scenarios (not kept in history)
#   make bench-docs                    also update docs/bench.md and
#                                      docs/bench.png from the run
#
# Timings are a benchmark, not a test: a missed target never fails it.

.PHONY: bench bench-docs

bench:
	scripts/bench.sh $(if $(REPS),--reps $(REPS))

bench-docs:
	scripts/bench.sh $(if $(REPS),--reps $(REPS)) --update-docs
