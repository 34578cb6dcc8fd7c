# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The LM_ARCH_* and LM_TARGET_* variables set here are for the callers:
# shellcheck disable=SC2034
#
# The architectures lazymap is tested on, as data.  Sourced by lib.sh, so
# every script has it; it defines functions and two tables and does nothing
# else.  An architecture is named by its Debian name (amd64, arm64, ppc64el,
# s390x, i386, armhf): the name of its packages.
#
#   lm_arch ARCH
#       look ARCH up in the architecture table; sets
#         LM_ARCH          ARCH
#         LM_ARCH_TRIPLET  the GNU triplet of its cross compiler
#                          (<triplet>-gcc, gcc-<triplet>) and of its libraries
#                          (/usr/<triplet>/lib, libc6-dev-ARCH-cross)
#         LM_ARCH_QEMU     the qemu-system binary that boots its kernels, and
#         LM_ARCH_QEMU_PKG the Debian package holding it; "-" for an
#                          architecture whose programs run on another's
#                          kernel (i386, armhf)
#         LM_ARCH_MACHINE  QEMU's -M, "-" for QEMU's default
#         LM_ARCH_CPU      QEMU's -cpu, "-" for QEMU's default
#         LM_ARCH_CONSOLE  the kernel's console device
#         LM_ARCH_IMAGE    the name of the kernel image in the package's
#                          boot/: vmlinuz-KREL or vmlinux-KREL
#         LM_ARCH_APPEND   kernel command line the architecture needs, "-"
#                          for none (commas in the table, which has no
#                          room for spaces; no parameter here has a comma
#                          of its own)
#         LM_ARCH_ACCEL    QEMU's -accel: tcg, with its options
#       and LM_ARCH_NATIVE (1 when ARCH is the host's, else empty); dies
#       on an unknown ARCH
#   lm_arch_cross_pkgs ARCH
#       print the host packages that cross-build programs for ARCH (none
#       for the host's own architecture)
#   lm_target NAME
#       look NAME up in the target table of `make check-arch`; sets
#         LM_TARGET        NAME
#         LM_TARGET_KARCH  the architecture of the kernel
#         LM_TARGET_SUITE  the Debian suite of the kernel
#         LM_TARGET_FLAVOUR the kernel flavour (linux-image-FLAVOUR)
#         LM_TARGET_UARCH  the architecture of the test programs: the
#                          kernel's, or a 32-bit one its compat layer runs
#       and returns 1 for an unknown NAME
#   lm_targets
#       print every target name, one a line, in the table's order
#
# Why the fields are what they are:
# - arm64 runs "max" with the implementation-defined pointer
#   authentication: QEMU's default QARMA emulation makes the whole suite
#   three times slower, enough to time out the concurrency tests; "max" is
#   needed at all because QEMU's named cores lack the 16K granule.
# - ppc64el's pseries machine would warn at every boot that TCG cannot
#   provide the Spectre mitigation capabilities: they are declared broken.
# - ppc64el's Debian image is the ELF vmlinux, not a vmlinuz.
# - no_timer_check: on a busy host an x86 TCG guest can miss the IO-APIC
#   timer check at boot and panic; other architectures have no such check.
# - tsc=reliable: the vCPUs of an x86 TCG guest take turns on one host
#   thread, so 6.1's boot-time check finds their TSCs unsynchronized and
#   the kernel reads the time from the emulated HPET instead, through MMIO
#   (the debug kernel, which has no HPET, from jiffies).  QEMU derives
#   every vCPU's TSC from one host clock: it is reliable.  Measured: make
#   check's huge=never pass on bookworm's 6.1 took 105 s of programs with
#   the TSC against 134 s with the HPET.  6.12 and later keep the TSC.
# - every architecture runs its vCPUs in one host thread (thread=single),
#   not one thread each.  On amd64, with a thread each, Debian's 6.12 and
#   7.x kernels crashed now and then while they patched their own code (an
#   "Oops: int3" in ttwu_do_activate() as a trace test switched a
#   tracepoint, another in sched_clock_cpu() at boot), a CPU running the
#   int3 of a patch that had already been taken back out; QEMU's
#   cross-modifying code in multi-threaded TCG.  Everywhere, one thread is
#   cheaper, two VMs on two cores being the rule: a vCPU thread no longer
#   spins on a lock whose holder's thread waits for a core.  Measured: the
#   debug kernel's two passes in two VMs side by side took 526 s against
#   790 s with a thread per vCPU (make check: 172 s against 177 s);
#   check-arch of arm64-4k-bookworm and ppc64el-64k-sid side by side took
#   182 CPU-seconds against 227.  Only the benchmark, whose scenario 6
#   measures two threads at once, asks for a thread per vCPU
#   (vm-run.sh --accel).
# - the 32-bit architectures have no QEMU of their own here: their
#   programs run on the compat layer of a 64-bit kernel.

# arch    triplet               qemu                qemu package     machine
#         cpu                   console   image    append          accel
lm_arch_table='
amd64   x86_64-linux-gnu      qemu-system-x86_64  qemu-system-x86  -
        -                     ttyS0     vmlinuz  no_timer_check,tsc=reliable tcg,thread=single
arm64   aarch64-linux-gnu     qemu-system-aarch64 qemu-system-arm  virt
        max,pauth-impdef=on   ttyAMA0   vmlinuz  -               tcg,thread=single
ppc64el powerpc64le-linux-gnu qemu-system-ppc64   qemu-system-ppc  pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off
        power9                hvc0      vmlinux  -               tcg,thread=single
s390x   s390x-linux-gnu       qemu-system-s390x   qemu-system-misc s390-ccw-virtio
        max                   ttysclp0  vmlinuz  -               tcg,thread=single
i386    i686-linux-gnu        -                   -                -
        -                     -         -        -               -
armhf   arm-linux-gnueabihf   -                   -                -
        -                     -         -        -               -
'

# The targets of `make check-arch`: a kernel (architecture, suite, flavour)
# and the architecture of the programs run on it.  The page size is the
# flavour's: arm64 4K, arm64-16k 16K, powerpc64le 64K up to 6.1 (4K after,
# when Debian split off powerpc64le-64k), s390x 4K but big-endian.
# bookworm's arm64-16k is the 6.12 backport (linux-image-6.12-arm64-16k).
#
# target                  kernel  suite     flavour          programs
lm_target_table='
arm64-4k-bookworm         arm64   bookworm  arm64            arm64
arm64-4k-trixie           arm64   trixie    arm64            arm64
arm64-4k-sid              arm64   sid       arm64            arm64
arm64-16k-bookworm        arm64   bookworm  arm64-16k        arm64
arm64-16k-sid             arm64   sid       arm64-16k        arm64
ppc64el-64k-bookworm      ppc64el bookworm  powerpc64le      ppc64el
ppc64el-64k-sid           ppc64el sid       powerpc64le-64k  ppc64el
s390x-bookworm            s390x   bookworm  s390x            s390x
s390x-sid                 s390x   sid       s390x            s390x
i386-on-amd64-bookworm    amd64   bookworm  amd64            i386
armhf-on-arm64-bookworm   arm64   bookworm  arm64            armhf
'

lm_arch() {
	local row
	# Two lines a row: join them, then pick the one of ARCH.
	row=$(awk 'NF { if (half) { print half, $0; half = "" }
		else half = $0 }' <<<"$lm_arch_table" | awk -v a="$1" '$1 == a')
	[ -n "$row" ] || lm_die "unknown architecture '$1'"
	read -r LM_ARCH LM_ARCH_TRIPLET LM_ARCH_QEMU LM_ARCH_QEMU_PKG \
		LM_ARCH_MACHINE LM_ARCH_CPU LM_ARCH_CONSOLE LM_ARCH_IMAGE \
		LM_ARCH_APPEND LM_ARCH_ACCEL <<<"$row"
	LM_ARCH_NATIVE=
	[ "$LM_ARCH" != "$(dpkg --print-architecture)" ] || LM_ARCH_NATIVE=1
}

lm_arch_cross_pkgs() {
	lm_arch "$1"
	[ -n "$LM_ARCH_NATIVE" ] ||
		echo "gcc-$LM_ARCH_TRIPLET libc6-dev-$LM_ARCH-cross binutils-$LM_ARCH_TRIPLET"
}

lm_target() {
	local row
	row=$(awk -v t="$1" '$1 == t' <<<"$lm_target_table")
	[ -n "$row" ] || return 1
	read -r LM_TARGET LM_TARGET_KARCH LM_TARGET_SUITE LM_TARGET_FLAVOUR \
		LM_TARGET_UARCH <<<"$row"
}

lm_targets() {
	awk 'NF { print $1 }' <<<"$lm_target_table"
}
