#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel and an initramfs from scripts/mkinitramfs.sh under QEMU,
# stream the guest console, and judge the run.
#
#   scripts/vm-run.sh --kernel VMLINUZ --initrd INITRD [--timeout SEC]
#                     [--mem MB] [--append ARGS] [--rootfs IMAGE] [--disk IMAGE]
#                     [--log FILE] [--result FILE] [--arch ARCH]
#                     [--accel ACCEL] [--verbose] [-- QEMU-ARGS...]
#
# --kernel FILE    the kernel image (e.g. from scripts/fetch-kernel.sh)
# --initrd FILE    the initramfs
# --timeout SEC    kill QEMU and fail after SEC seconds (default 600)
# --mem MB         guest memory (default 1024)
# --append ARGS    more kernel command line, after ours (console=ttyS0
#                  panic=-1 log_buf_len=4M rcupdate.rcu_cpu_stall_timeout=100,
#                  no_timer_check tsc=reliable on amd64; the last occurrence
#                  of a parameter wins, so this can override them)
# --rootfs IMAGE   attach IMAGE (scripts/mkrootfs.sh) read-only as the
#                  virtio disk vda and tell guest-init to run the guest
#                  script in it (lazymap.rootfs=vda on the command line);
#                  the initramfs must hold the modules the kernel needs to
#                  mount it (scripts/guest-modules.sh).  Read-only, so any
#                  number of VMs can share one image.
# --disk IMAGE     attach IMAGE (a raw disk image) read-write as the next
#                  virtio disk, after the --rootfs one, and name it on the
#                  command line (lazymap.disk=vda, or vdb with --rootfs):
#                  guest-init loads the modules for it as for the rootfs,
#                  and the guest script mounts and uses it.  The guest
#                  writes to IMAGE: give each VM its own.
# --log FILE       keep the whole console, carriage returns removed, with the
#                  guest's kernel log dump, in FILE (default: a temporary file)
# --result FILE    write the verdict as shell assignments for callers:
#                    VM_STATUS=<exit status of the guest script, or empty>
#                    VM_PROBLEM=<none|timeout|qemu|panic|no-marker|kernel-log>
#                    VM_REASON=<one line>
#                    VM_KLOG_PROBLEMS=<number of offending kernel log lines>
#                    VM_KLOG_FIRST=<the first of them, or empty>
# --arch ARCH      the kernel's Debian architecture (default amd64): the
#                  QEMU binary, machine, CPU and console are that row of the
#                  table in scripts/arch-lib.sh
# --accel ACCEL    QEMU's -accel instead of the table's (one host thread
#                  for all vCPUs, tcg,thread=single, everywhere): a run
#                  that measures vCPUs running at the same time, as the
#                  benchmark's two threads, needs tcg,thread=multi
# --verbose        stream the kernel's boot messages too
# -- QEMU-ARGS     passed to qemu-system-x86_64 (or ARCH's QEMU) after ours
#                  (later options override earlier ones, e.g.
#                  -- -smp 2,sockets=2 -cpu max)
#
# QEMU runs with TCG (never KVM; its options are the architecture's, see
# scripts/arch-lib.sh), -smp 2, -nographic -no-reboot -net none,
# so the guest's final `reboot -f` (and a panic, through panic=-1) ends it.
# The console is streamed to stdout from the moment /init starts until
# guest-init's kernel log dump (the boot messages before, and the reset
# messages after, only with --verbose; the dump never); everything goes to
# the log file.  A kernel that crashes while booting, before /init prints
# anything (so before anything of lazymap's runs), is booted once more,
# with a warning; the first console is kept as LOG.boot1.  When a run
# fails, the offending kernel log lines are printed with context, and the
# last console lines if the guest never got to its exit marker.
#
# The kernel log is the dump when the guest got that far (plus any console
# lines after it), else the whole console.  These lines in it fail the run:
#   WARNING:  BUG:  kernel BUG at  Oops  general protection  KASAN  UBSAN
#   "kmemleak: " (its start-up lines excepted)  lockdep is turned off
#   possible circular locking  possible recursive locking
#   inconsistent lock state  suspicious RCU usage  Kernel panic
#   blocked for more than  detected stall
#   Call Trace  oom-kill  invoked oom-killer  out of memory
# except that between a line containing "lazymap-expect: oom begin" and one
# containing "lazymap-expect: oom end" (a test writes them to /dev/kmsg
# around a deliberate memory cgroup OOM kill), the OOM killer's report (Call
# Trace and its frames, oom-kill, Memory cgroup out of memory, Mem-Info) is
# allowed; the other patterns still fail.
#
# Exit status: the guest script's, when QEMU ended cleanly, the guest printed
# its exit marker and the kernel log is clean; otherwise 124 on timeout, 125
# when QEMU failed, the kernel panicked or the marker is missing, 126 when
# only the kernel log has problems.  A failure also prints a one-line reason
# on stderr (prefixed "vm-run: FAIL:").
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 --kernel VMLINUZ --initrd INITRD [--timeout SEC]" \
		"[--mem MB] [--append ARGS] [--rootfs IMAGE] [--disk IMAGE]" \
		"[--log FILE] [--result FILE] [--arch ARCH] [--accel ACCEL]" \
		"[--verbose] [-- QEMU-ARGS...]"
}

kernel='' initrd='' timeout=600 mem=1024 append='' log='' result='' rootfs=''
data='' arch=amd64 accel=''
verbose=0
while [ $# -gt 0 ]; do
	[ "$1" = -- ] && { shift; break; }
	if [ "$1" = --verbose ]; then
		verbose=1
		shift
		continue
	fi
	[ $# -ge 2 ] || usage
	case $1 in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--timeout) timeout=$2 ;;
	--mem) mem=$2 ;;
	--append) append=$2 ;;
	--rootfs) rootfs=$2 ;;
	--disk) data=$2 ;;
	--log) log=$2 ;;
	--result) result=$2 ;;
	--arch) arch=$2 ;;
	--accel) accel=$2 ;;
	*) usage ;;
	esac
	shift 2
done
{ [ -n "$kernel" ] && [ -n "$initrd" ]; } || usage
[ -f "$kernel" ] || lm_die "kernel $kernel does not exist"
[ -f "$initrd" ] || lm_die "initramfs $initrd does not exist"
[[ $timeout =~ ^[1-9][0-9]*$ ]] ||
	lm_die "--timeout wants seconds, not $timeout"
[[ $mem =~ ^[1-9][0-9]*$ ]] || lm_die "--mem wants MiB, not $mem"
[ -z "$rootfs" ] || [ -f "$rootfs" ] ||
	lm_die "root filesystem image $rootfs does not exist"
[ -z "$data" ] || [ -f "$data" ] || lm_die "disk image $data does not exist"

lm_arch "$arch"
[ "$LM_ARCH_QEMU" != - ] ||
	lm_die "$arch programs run on a 64-bit kernel: boot that one"
lm_need_pkgs "$LM_ARCH_QEMU_PKG"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-vm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
keep=$log
[ -n "$log" ] || log=$tmp/console.log
mkdir -p "$(dirname "$log")"

# panic=-1: a panic resets at once, and -no-reboot turns that into an exit.
# log_buf_len: room for the whole log of a run, OOM reports included.
# rcu_cpu_stall_timeout=100 (21 s by default), as the kernel test robot
# (0-day's LKP) boots its QEMU guests: a vCPU of TCG runs tens of times
# slower than hardware, slower still while the host runs other VMs, and a
# full compaction (the tool tests' echo to compact_memory) then kept one
# CPU in the kernel past 21 s of wall time: a stall report, so a failed
# run, with two VMs and a kernel build on 2 cores.  A CPU stuck for good is
# still reported, after 100 s.
# What the architecture needs besides (amd64: no_timer_check) is in its row
# of scripts/arch-lib.sh.
cmdline="console=$LM_ARCH_CONSOLE panic=-1 log_buf_len=4M"
cmdline+=" rcupdate.rcu_cpu_stall_timeout=100"
[ "$LM_ARCH_APPEND" = - ] || cmdline+=" ${LM_ARCH_APPEND//,/ }"
disk=()
if [ -n "$rootfs" ]; then
	cmdline+=" lazymap.rootfs=vda"
	# readonly=on: the guest cannot change the cached image, and QEMU
	# takes only a shared lock, so concurrent VMs can use it.
	disk=(-drive "file=$rootfs,if=virtio,format=raw,readonly=on")
fi
if [ -n "$data" ]; then
	# Virtio disks are named in the order they are given: vda, vdb.
	if [ -n "$rootfs" ]; then
		cmdline+=" lazymap.disk=vdb"
	else
		cmdline+=" lazymap.disk=vda"
	fi
	disk+=(-drive "file=$data,if=virtio,format=raw")
fi
cmdline+="${append:+ $append}"
machine=()
[ "$LM_ARCH_MACHINE" = - ] || machine+=(-M "$LM_ARCH_MACHINE")
[ "$LM_ARCH_CPU" = - ] || machine+=(-cpu "$LM_ARCH_CPU")
qemu=("$LM_ARCH_QEMU" ${machine[@]+"${machine[@]}"}
	-accel "${accel:-$LM_ARCH_ACCEL}" -smp 2 -m "$mem"
	-nographic -no-reboot -net none
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	${disk[@]+"${disk[@]}"} "$@")

lm_log "booting $(basename "$kernel") under QEMU (TCG, timeout ${timeout}s)"
boot=1
while :; do
	start=$SECONDS
	# The awk filter writes the log and shows the console, flushing every
	# line so that it streams.  It drops carriage returns and the
	# firmware's terminal escapes (one resets the terminal).  -k: QEMU gets
	# SIGKILL if SIGTERM did not end it.
	set +e
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
		awk -v logf="$log" -v verbose="$verbose" -v keep="${keep:+1}" '
		{ sub(/\r+$/, ""); gsub(/\033(\[[0-9;?]*[A-Za-z]|c)/, "") }
		{ print > logf; fflush(logf) }
		/lazymap-init:/ { booted = 1 }
		/lazymap-dmesg-begin/ {
			hide = 1
			print "(kernel log dump" \
				(keep ? ": in " logf : " checked") ")"
		}
		(booted || verbose) && !hide { print; fflush() }
		/lazymap-dmesg-end/ { if (verbose) hide = 0 }'
	rcs=("${PIPESTATUS[@]}")
	set -e
	qemu_rc=${rcs[0]}
	# A crash of the kernel's own boot, before /init said anything, is
	# not lazymap's: the module is loaded later, by the guest script.
	# Under TCG it happens now and then (sid's 7.2 once died of an int3
	# in sched_clock_cpu() while the kernel patched its own code at
	# boot), so boot once more, say so, and keep that console.
	crash=''
	if [ "$boot" -eq 1 ] && [ "$qemu_rc" -ne 124 ] &&
		[ "$qemu_rc" -ne 137 ] && ! grep -q 'lazymap-init:' "$log"; then
		crash=$(grep -m1 -E 'Kernel panic|Oops|BUG:' "$log" |
			sed 's/^\[[^]]*\] *//') || :
	fi
	[ -n "$crash" ] || break
	mv "$log" "$log.boot1"
	lm_warn "the kernel crashed while booting, before /init ran" \
		"($crash): booting once more (that console: $log.boot1)"
	boot=2
done
elapsed=$((SECONDS - start))

# The guest script's exit status: guest-init's marker, the last one before
# the kernel log dump (which holds whatever the guest wrote to /dev/kmsg).
status=$(sed -n -e '/lazymap-dmesg-begin/q' \
	-e 's/.*lazymap-guest-exit: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n1)

# The kernel log to judge: the dump and what follows it if the dump is
# complete, else everything (the guest died before dumping).
if grep -q 'lazymap-dmesg-end' "$log"; then
	sed -n '/lazymap-dmesg-begin/,$p' "$log" >"$tmp/klog"
else
	cp "$log" "$tmp/klog"
fi

# Scan: print "<line number>:<line>" for each offending line.  "bad" fails
# anywhere, "oom" outside the expected-OOM windows; "benign" lines of a
# debug kernel's boot mention the debug tools without reporting anything.
# The patterns must not match stack frames (kmemleak_alloc+0x12/0x34,
# lockdep_hardirqs_on+...), which an allowed OOM report of a debug kernel
# is full of: hence "kmemleak: ", and lockdep's report titles rather than
# its name (most of its reports also start with "WARNING:" or "BUG:").
bad='WARNING:|BUG:|kernel BUG at|Oops|general protection|KASAN|UBSAN'
bad+='|kmemleak: |lockdep is turned off|possible circular locking'
bad+='|possible recursive locking|inconsistent lock state'
bad+='|suspicious RCU usage|Kernel panic|blocked for more than'
bad+='|detected stall'
oom='Call Trace|oom-kill|invoked oom-killer|[Oo]ut of memory'
benign='kmemleak: Kernel memory leak detector initialized'
benign+='|kmemleak: Automatic memory scanning thread started'
awk -v bad="$bad" -v oom="$oom" -v benign="$benign" '
	/lazymap-expect: oom begin/ { inoom = 1; next }
	/lazymap-expect: oom end/ { inoom = 0; next }
	$0 ~ benign { next }
	$0 ~ bad || (!inoom && $0 ~ oom) { print NR ":" $0 }
	' "$tmp/klog" >"$tmp/problems"
nprob=$(wc -l <"$tmp/problems")
first_problem=$(head -n1 "$tmp/problems" | cut -d: -f2- |
	sed 's/^\[[^]]*\] *//')

problem=none reason=''
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	problem=timeout reason="timeout: no end after ${timeout}s"
elif [ "$qemu_rc" -ne 0 ]; then
	problem=qemu reason="qemu exited with status $qemu_rc"
elif grep -q 'Kernel panic' "$log"; then
	problem=panic
	reason="kernel panic: $(grep -m1 'Kernel panic' "$log" |
		sed 's/^\[[^]]*\] *//')"
elif [ -z "$status" ]; then
	problem='no-marker'
	reason="the guest ended without reporting its exit status"
elif [ "$nprob" -gt 0 ]; then
	problem='kernel-log'
	reason="kernel log: $first_problem"
	[ "$nprob" -gt 1 ] && reason+=" (+$((nprob - 1)) more lines)"
fi

if [ "$nprob" -gt 0 ]; then
	{
		echo "---- kernel log problems ($nprob lines) ----"
		# The first report with its context, then the other lines.
		first=$(head -n1 "$tmp/problems" | cut -d: -f1)
		sed -n "${first},$((first + 40))p" "$tmp/klog"
		if [ "$nprob" -gt 1 ]; then
			echo "---- all offending lines ----"
			head -n 50 "$tmp/problems" | cut -d: -f2-
		fi
		[ -z "$keep" ] || echo "---- (full console: $log) ----"
	} >&2
fi
if [ -z "$status" ]; then
	{
		echo "---- last console lines ----"
		tail -n 40 "$log"
		[ -z "$keep" ] || echo "---- (full console: $log) ----"
	} >&2
fi

if [ -n "$result" ]; then
	printf 'VM_%s=%q\n' STATUS "$status" PROBLEM "$problem" \
		REASON "$reason" KLOG_PROBLEMS "$nprob" \
		KLOG_FIRST "$first_problem" >"$result"
fi

case $problem in
none)
	lm_log "guest exit status $status after ${elapsed}s; kernel log clean"
	exit "$status" ;;
timeout) rc=124 ;;
kernel-log) rc=126 ;;
*) rc=125 ;;
esac
printf 'vm-run: FAIL: %s\n' "$reason" >&2
exit "$rc"
