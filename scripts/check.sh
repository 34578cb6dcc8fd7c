#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the lazymap selftests in a QEMU VM (`make check`).
#
#   scripts/check.sh [--suite SUITE | --kernel VMLINUZ [--kdir KDIR]]
#                    [--arch ARCH [--flavour FLAVOUR]] [--user-arch ARCH]
#                    [--module KO] [--no-make] [--rootfs] [--guest-script FILE]
#                    [--passes LIST] [--jobs N] [--timeout SEC] [--mem MB]
#                    [--append ARGS] [--log FILE] [--verbose]
#                    [-- QEMU-ARGS...]
#
# --suite SUITE        boot the kernel fetch-kernel.sh fetches for SUITE
#                      (default: bookworm); trixie's and sid's module is
#                      built in that suite's chroot
# --kernel VMLINUZ     boot this kernel image instead (e.g. a debug kernel)
# --kdir KDIR          kernel build tree to build the module against; needed
#                      with --kernel unless --module is given
# --arch ARCH          the kernel's Debian architecture (default amd64; see
#                      scripts/arch-lib.sh): fetch, build and boot for it
# --flavour FLAVOUR    the kernel flavour (default: ARCH), e.g. arm64-16k
# --user-arch ARCH     the architecture of the test programs (default: the
#                      kernel's), e.g. i386 on amd64 for the compat layer;
#                      programs of another architecture than the host's are
#                      cross-built into build/arch/ARCH/ (with --no-make,
#                      taken from there), and the guest's busybox is ARCH's
# --module KO          boot this prebuilt lazymap.ko, do not build one
# --no-make            do not run `make userspace selftests`: take what
#                      build/userspace/ and build/selftests/ hold
# --rootfs             run the guest script in a Debian userland with fio
#                      and stress-ng (scripts/mkrootfs.sh, built once and
#                      cached; `make check` uses it) instead of busybox: the
#                      tool tests (lazymap_fio_test.sh, ...) run only there
#                      and skip in a busybox guest; amd64 programs only
# --guest-script FILE  what the guest runs (POSIX sh, run from /lazymap; see
#                      scripts/mkinitramfs.sh); default: the selftest runner
#                      /lazymap/selftests/run_tests.sh
# --passes LIST        the passes of the suite in the one boot, separated by
#                      ";", each the module parameters of one run of the
#                      whole suite (run_tests.sh's LAZYMAP_PASSES, which the
#                      guest script gets in its environment).  Default
#                      "huge=never;huge=always": base pages, then huge
#                      pages.  --passes "" runs the suite once with the
#                      module's defaults
# --jobs N             run the passes in up to N VMs side by side, each VM
#                      its share of them (default: $LAZYMAP_VM_JOBS, else
#                      the number of CPUs: a TCG guest keeps about one
#                      busy).  With more than one VM, each has its own
#                      console log: LOG's name with .1, .2, ... before .log
# --timeout SEC        fail if the VM has not finished after SEC seconds
#                      (default 600 per pass)
# --mem MB             guest memory in MiB (default 1024)
# --append ARGS        extra kernel command line
# --log FILE           the console log (default build/vm/check-<krel>.log)
# --verbose            show the kernel's boot messages too
# -- QEMU-ARGS         extra qemu-system-x86_64 arguments
#
# Steps: fetch the kernel, build the module, `make userspace selftests`,
# build the initramfs (module at /lazymap/lazymap.ko, build/selftests/ and
# run_tests.sh under /lazymap/selftests/, build/userspace/ programs in
# /lazymap/bin/; with --rootfs also the root filesystem image and, under
# /lazymap/kmod/, the modules that mount it), boot it (one VM per share
# of the passes, see --jobs) with a fresh disk
# for lazymap_demo_test (the demo's section 4, scripts/demo-disk.sh;
# the default guest script mounts it and names the file in
# LAZYMAP_DEMO_DISK), read the runner's final line
# "lazymap-totals: pass=N fail=M skip=K" and print, as the last line,
#
#   N passed, M failed, K skipped
#
# over all passes and VMs, after one line per pass (run_tests.sh's
# "lazymap-pass:" lines), e.g.
# "pass huge=always: 437 passed, 0 failed, 17 skipped (151 s)".
#
# A missing totals line, a timeout, a panic, a non-zero exit of the guest
# script that the totals do not explain, and problems in the kernel log (see
# scripts/vm-run.sh) each count as one more failure, named above that line.
# Exit status: 0 if nothing failed, else 1.
set -euo pipefail
# shellcheck source=scripts/vm-lib.sh
. "$(dirname "$0")/vm-lib.sh"
# shellcheck source=scripts/demo-disk.sh
. "$(dirname "$0")/demo-disk.sh"

usage() {
	lm_die "usage: $0 [--suite SUITE | --kernel VMLINUZ [--kdir KDIR]]" \
		"[--arch ARCH [--flavour FLAVOUR]] [--user-arch ARCH]" \
		"[--module KO] [--no-make] [--rootfs] [--guest-script FILE]" \
		"[--passes LIST] [--jobs N] [--timeout SEC] [--mem MB]" \
		"[--append ARGS]" \
		"[--log FILE] [--verbose] [-- QEMU-ARGS...]"
}

suite=bookworm kernel='' kdir='' module='' script='' log='' domake=1 rootfs=''
passes='huge=never;huge=always' timeout='' uarch='' jobs=''
vmargs=()
while [ $# -gt 0 ]; do
	[ "$1" = -- ] && break
	case $1 in
	--no-make) domake='' ;;
	--rootfs) rootfs=1 ;;
	--verbose) vmargs+=("$1") ;;
	esac
	case $1 in
	--no-make | --rootfs | --verbose) shift; continue ;;
	esac
	[ $# -ge 2 ] || usage
	case $1 in
	--suite) suite=$2 ;;
	--kernel) kernel=$2 ;;
	--kdir) kdir=$2 ;;
	--module) module=$2 ;;
	--arch) LM_VM_ARCH=$2 ;;
	--flavour) LM_VM_FLAVOUR=$2 ;;
	--user-arch) uarch=$2 ;;
	--guest-script) script=$2 ;;
	--passes) passes=$2 ;;
	--jobs) jobs=$2 ;;
	--log) log=$2 ;;
	--timeout) timeout=$2 ;;
	--mem | --append) vmargs+=("$1" "$2") ;;
	*) usage ;;
	esac
	shift 2
done
# What is left is "-- QEMU-ARGS...", passed on as it is.
if [ -z "$timeout" ]; then
	n=${passes//[^;]/}
	timeout=$((600 * (${#n} + 1)))
fi
vmargs+=(--timeout "$timeout")
jobs=$(lm_vm_jobs "$jobs")
: "${uarch:=$LM_VM_ARCH}"
lm_arch "$uarch"
native=$LM_ARCH_NATIVE
[ -n "$native" ] || [ -z "$rootfs" ] ||
	lm_die "--rootfs holds amd64 programs: not for $uarch programs"

# 1, 2. The kernel and the module.
lm_vm_select "$suite" "$kernel" "$kdir" "$module" step
kernel=$LM_VM_KERNEL krel=$LM_VM_KREL module=$LM_VM_MODULE

# Runs of the same kernel share a directory: take turns.
dir=$LM_BUILD/vm/check-$krel
[ "$uarch" = "$LM_VM_ARCH" ] || dir+=-$uarch
lm_vm_lock "$dir" "check run on $krel"
[ -n "$log" ] || log=$LM_BUILD/vm/check-$krel.log

# 3. Userspace programs and selftests.
top=$LM_BUILD
[ -n "$native" ] || top=$LM_BUILD/arch/$uarch
if [ -n "$domake" ] && [ -n "$native" ]; then
	lm_log "step 3/5: building userspace programs and selftests"
	lm_vm_make userspace selftests
elif [ -n "$domake" ]; then
	lm_log "step 3/5: building userspace programs and selftests for $uarch"
	top=$(lm_vm_cross_make "$uarch")
else
	lm_log "step 3/5: (--no-make) using $top/userspace and $top/selftests"
fi

# 4. The initramfs.
lm_log "step 4/5: building the initramfs"
lm_vm_payload "$top"
[ -n "$native" ] || LM_VM_PAYLOAD+=(--arch "$uarch")
# The guest runs run.sh: the passes, then the selftest runner or the
# guest script given, which is in the image as /lazymap/guest/NAME.
run=/lazymap/selftests/run_tests.sh
if [ -n "$script" ]; then
	[ -f "$script" ] || lm_die "guest script $script does not exist"
	LM_VM_PAYLOAD+=(--bin "$script:/lazymap/guest/")
	run=/lazymap/guest/${script##*/}
fi
# guest_script FILE PASSES: the guest's run.sh, for one VM's passes.
guest_script() {
	{
		cat <<-EOF
		#!/bin/sh
		# Generated by scripts/check.sh: mount the demo's disk, run $run.
		LAZYMAP_PASSES=$(printf %q "$2")
		export LAZYMAP_PASSES
		EOF
		cat <<-'EOF'
		for w in $(cat /proc/cmdline); do
			case $w in lazymap.disk=*) disk=/dev/${w#*=} ;; esac
		done
		# /tmp: writable in the busybox and the Debian userland alike.
		if [ -n "${disk:-}" ] && mkdir -p /tmp/disk &&
			mount -t ext4 "$disk" /tmp/disk; then
			LAZYMAP_DEMO_DISK=/tmp/disk/lazymap-demo.txt
			export LAZYMAP_DEMO_DISK
		fi
		cd /lazymap/selftests || exit 1
		EOF
		echo "exec $run"
	} >"$1"
}

if [ -n "$rootfs" ]; then
	lm_log "step 4/5: the Debian root filesystem (built once, then cached)"
	lm_vm_rootfs "$kernel" "$krel"
	LM_VM_PAYLOAD+=(--add "$LM_VM_KMODS:/lazymap/kmod")
	vmargs+=(--rootfs "$LM_VM_ROOTFS")
elif [ "$LM_VM_ARCH" = amd64 ]; then
	kmods=$("$LM_TOP/scripts/guest-modules.sh" --kernel "$kernel" \
		--krel "$krel" "${LM_VM_ROOTFS_MODULES[@]}") ||
		lm_die "cannot collect the modules $krel needs for the disk"
	LM_VM_PAYLOAD+=(--add "$kmods:/lazymap/kmod")
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The passes, dealt out to up to $jobs VMs side by side: VM k runs passes
# k, k + vms, ...  A TCG guest keeps about one host core busy, and the
# passes are independent runs of the suite (run_tests.sh reloads the
# module for each), so this divides the wall time, not the coverage.
IFS=';' read -r -a plist <<<"$passes"
[ ${#plist[@]} -gt 0 ] || plist=('')
vms=$jobs
[ "$vms" -le ${#plist[@]} ] || vms=${#plist[@]}
logs=() vmpasses=()
# Only this run's console logs, whether it boots one VM or several.
rm -f "$log" "${log%.log}".[0-9].log
for ((k = 1; k <= vms; k++)); do
	p=''
	for ((i = k - 1; i < ${#plist[@]}; i += vms)); do
		p+=${p:+;}${plist[i]}
	done
	vmpasses+=("$p")
	if [ "$vms" -eq 1 ]; then
		logs+=("$log")
	else
		logs+=("${log%.log}.$k.log")
	fi
	mkdir -p "$dir/vm$k"
	guest_script "$dir/vm$k/run.sh" "$p"
	# The demo's disk needs the kernel's own virtio_blk and ext4 modules,
	# which only the amd64 kernels' packages are unpacked for; elsewhere
	# the demo test skips its disk checks, each naming its claim.
	if [ "$LM_VM_ARCH" = amd64 ]; then
		lm_demo_disk "$tmp/disk$k.img" "$tmp/files$k"
	fi
	lm_vm_initramfs "$dir/vm$k/initramfs.cpio.gz" "$module" \
		"$dir/vm$k/run.sh" ${LM_VM_PAYLOAD[@]+"${LM_VM_PAYLOAD[@]}"}
done

# judge K LOG: boot VM K with LOG as its console log, then print its passes'
# totals, what failed and, last, "N passed, M failed, K skipped".
judge() {
	local k=$1 log=$2 vmrc=0 pass=0 fail=0 skip=0 extra=() e disk=()
	[ ! -f "$tmp/disk$k.img" ] || disk=(--disk "$tmp/disk$k.img")
	lm_vm_boot "$kernel" "$dir/vm$k/initramfs.cpio.gz" --log "$log" \
		${vmargs[@]+"${vmargs[@]}"} ${disk[@]+"${disk[@]}"} \
		${qemuargs[@]+"${qemuargs[@]}"} || vmrc=$?

	if lm_vm_totals "$log"; then
		pass=$LM_VM_PASS fail=$LM_VM_FAIL skip=$LM_VM_SKIP
		case $VM_PROBLEM in
		timeout | qemu | panic | no-marker) extra+=("$VM_REASON") ;;
		esac
	else
		case $VM_PROBLEM in
		none | kernel-log)
			extra+=("no lazymap-totals line (guest exit status $VM_STATUS)") ;;
		*) extra+=("no lazymap-totals line: $VM_REASON") ;;
		esac
	fi
	# A panic's report is what the kernel log scan found: count it once.
	if [ "$VM_KLOG_PROBLEMS" -gt 0 ] && [ "$VM_PROBLEM" != panic ]; then
		extra+=("kernel log: $VM_KLOG_FIRST ($VM_KLOG_PROBLEMS lines)")
	fi
	if [ ${#extra[@]} -eq 0 ] && [ "$fail" -eq 0 ] && [ "$vmrc" -ne 0 ]; then
		extra+=("the guest script exited with status $vmrc")
	fi

	# The passes' own totals (run_tests.sh), then what failed: the tests'
	# own "not ok" lines (KTAP), then the rest.
	sed -n -E 's/^lazymap-pass: (.*) pass=([0-9]+) fail=([0-9]+) skip=([0-9]+) \(([0-9.]+)s\).*/pass \1: \2 passed, \3 failed, \4 skipped (\5 s)/p' \
		"$log" || true
	grep -a -E '^[[:space:]]*not ok [0-9]+' "$log" | grep -v '# SKIP' |
		sed 's/^[[:space:]]*/FAIL: /' | awk '!seen[$0]++' || true
	for e in ${extra[@]+"${extra[@]}"}; do
		printf 'FAIL: %s\n' "$e"
	done
	echo "$pass passed, $((fail + ${#extra[@]})) failed, $skip skipped"
}

# 5. Boot and judge, each VM in the background; their reports in order.
qemuargs=("$@")
if [ "$vms" -eq 1 ]; then
	lm_log "step 5/5: running the tests in QEMU (console log: $log)"
else
	lm_log "step 5/5: running the tests in $vms QEMU VMs side by side" \
		"(console logs: ${logs[*]})"
fi
pids=()
for ((k = 1; k <= vms; k++)); do
	[ "$vms" -eq 1 ] || lm_log "VM $k: passes '${vmpasses[k - 1]}'"
	judge "$k" "${logs[k - 1]}" >"$tmp/report$k" &
	pids+=("$!")
done
pass=0 fail=0 skip=0
for ((k = 1; k <= vms; k++)); do
	wait "${pids[k - 1]}" || :
	# judge's last line is its totals: add them up, print the rest.
	if lm_vm_check_totals "$tmp/report$k"; then
		sed '$d' "$tmp/report$k"
		pass=$((pass + LM_VM_PASS))
		fail=$((fail + LM_VM_FAIL))
		skip=$((skip + LM_VM_SKIP))
	else
		cat "$tmp/report$k"
		echo "FAIL: VM $k gave no verdict (console log: ${logs[k - 1]})"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
