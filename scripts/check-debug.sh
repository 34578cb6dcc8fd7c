#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the whole selftest suite on the debug kernel (KASAN,
# lockdep, kmemleak, DEBUG_VM, fault injection), under huge=never and again
# under huge=always (check.sh's default passes; the debug kernel has THP),
# then rmmod and kmemleak.  The two passes boot two VMs side by side
# (check.sh --jobs, LAZYMAP_VM_JOBS), each with its own leak checks: on 2
# cores that took 526 s, against 723 s for both passes in one VM; 473 s
# once run_tests.sh stopped starting programs between tests.
#
#   scripts/check-debug.sh [--timeout SEC] [--mem MB] [-- QEMU-ARGS...]
#
# --timeout SEC  fail if a VM has not finished after SEC s (default 3600:
#                two passes of the suite, huge=never and huge=always, each
#                took about 12 minutes on a host at load 8-9)
# --mem MB       guest memory (default 1024)
#
# Steps: scripts/build-debug-kernel.sh (cached after the first build), then
# scripts/check.sh --rootfs (the Debian userland with fio and stress-ng;
# the debug kernel has PCI, virtio-blk and ext4 built in) with that kernel,
# the module built against its tree and scripts/guest-debug.sh as the
# guest script.  Any KASAN, lockdep, kmemleak,
# DEBUG_VM or other warning in the kernel log fails the run (judged by
# scripts/vm-run.sh, which prints the first report); so do a failed test,
# a refused rmmod and a kmemleak report (printed by the guest).  The last
# line is check.sh's "N passed, M failed, K skipped"; the exit status is
# non-zero on any failure.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 [--timeout SEC] [--mem MB] [-- QEMU-ARGS...]"
}

timeout=3600 mem=1024
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done

start=$SECONDS
lm_log "debug kernel (built once, then cached)"
kernel_vars=$("$LM_TOP/scripts/build-debug-kernel.sh") ||
	lm_die "could not build the debug kernel"
KERNEL='' KREL='' KDIR=''
eval "$kernel_vars"
if [ ! -f "$KERNEL" ] || [ ! -d "$KDIR" ]; then
	lm_die "build-debug-kernel.sh gave no kernel"
fi
lm_log "debug kernel $KREL ready after $((SECONDS - start)) s"

# The debug kernel has no ACPI: without sockets=2 QEMU's MP table lists one
# CPU.  No kasan_multi_shot: the first report fails the run, and KASAN
# turns lockdep off after it anyway.
rc=0
"$LM_TOP/scripts/check.sh" --kernel "$KERNEL" --kdir "$KDIR" \
	--rootfs --guest-script "$LM_TOP/scripts/guest-debug.sh" \
	--timeout "$timeout" --mem "$mem" \
	--log "$LM_BUILD/vm/check-debug-$KREL.log" \
	-- -smp 2,sockets=2 "$@" || rc=$?
lm_log "check-debug took $((SECONDS - start)) s (console logs:" \
	"$LM_BUILD/vm/check-debug-$KREL.log, or .1.log, .2.log for passes" \
	"side by side)"
exit "$rc"
