# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The LM_VM_* and VM_* variables set here are for the callers:
# shellcheck disable=SC2034
#
# The steps of a lazymap QEMU run as functions, for scripts/check.sh and the
# other runners (demo, debug kernel, kernel matrix, benchmark).  Source it
# from a bash script running with `set -euo pipefail`; it sources lib.sh.
# Results come back in LM_VM_* variables, progress goes to stderr.
#
#   LM_VM_ARCH, LM_VM_FLAVOUR (variables, set by the caller)
#       the Debian architecture and flavour of the kernel (default amd64,
#       and the flavour named after the architecture); the functions below
#       fetch, build, strip and boot for it (scripts/arch-lib.sh)
#   lm_vm_kernel [SUITE]
#       fetch the suite's kernel (default bookworm) with fetch-kernel.sh;
#       sets LM_VM_KERNEL, LM_VM_KREL, LM_VM_KDIR and LM_VM_BUILD_IN (the
#       suite whose chroot the module is built in, or empty for the host)
#   lm_vm_prepare SUITE ARCH FLAVOUR LOG
#       what check-matrix and check-arch do before each kernel's run: fetch
#       SUITE's FLAVOUR kernel for ARCH (fetch-kernel.sh, its output in
#       LOG.kernel and LOG-fetch.log) and build the module against its
#       headers (build-module.sh, in the suite's chroot if the headers live
#       there; LOG-build.log).  Sets LM_VM_KERNEL and LM_VM_KREL (empty if
#       the fetch failed), LM_VM_CONFIG (the kernel's .config as the host
#       sees it), LM_VM_MODULE (empty if the build failed), LM_VM_WARN (the
#       compiler's and modpost's warnings) and LM_VM_UNAVAIL (why the
#       mirror does not serve the kernel, or empty).  Never exits the caller
#   lm_vm_module KDIR [MAKE-ARGS...]
#       build lazymap.ko with build-module.sh; sets LM_VM_MODULE
#   lm_vm_krel KERNEL
#       print the release a kernel image's path names: vmlinuz-KREL,
#       vmlinux-KREL, or KREL/vmlinuz (7.x's usr/lib/modules/KREL/vmlinuz)
#   lm_vm_select SUITE KERNEL KDIR MODULE STEP
#       what a runner's options ask for: KERNEL (with KDIR or MODULE) if
#       given, else the SUITE's kernel; then MODULE if given, else the module
#       built against KDIR, in the chroot fetch-kernel.sh names in
#       BUILD_IN when the headers live there (trixie, sid).  STEP prefixes
#       the progress lines ("step 1/5").
#       Sets LM_VM_KERNEL, LM_VM_KREL, LM_VM_KDIR and LM_VM_MODULE
#   lm_vm_jobs [N]
#       print how many QEMU VMs a runner may keep side by side: N if given,
#       else $LAZYMAP_VM_JOBS, else the number of CPUs (a TCG guest keeps
#       about one host CPU busy: its tests are mostly single-threaded)
#   lm_vm_lock DIR WHAT
#       create DIR and hold a lock on it until the caller exits, so that
#       runs sharing DIR take turns; WHAT names them in the waiting message
#   lm_vm_sh_args [ARG...]
#       print each ARG single-quoted for the guest's sh, each after a blank,
#       for a command line in a generated guest script
#   lm_vm_make [TARGET...]
#       make -C $LM_TOP TARGET... (default: userspace selftests), skipping a
#       target whose directory has no Makefile yet, with a warning
#   lm_vm_cross_make ARCH
#       build the userspace programs and the selftests for another
#       architecture ARCH with its cross compiler (installed if missing),
#       into build/arch/ARCH/{userspace,selftests}; prints that directory.
#       64-bit file offsets on every architecture: a 32-bit build would
#       otherwise truncate the tests' offsets past 4 GiB (CPPFLAGS from
#       the environment are added)
#   lm_vm_payload [DIR]
#       sets the array LM_VM_PAYLOAD to mkinitramfs.sh arguments for the
#       test payload: every executable in DIR/userspace/ (--bin to
#       /lazymap/bin/), every file in DIR/selftests/ but objects (--add
#       under /lazymap/selftests/) and selftests/lazymap/run_tests.sh; DIR
#       is build/ by default, lm_vm_cross_make's for another architecture
#   lm_vm_initramfs OUT KO GUEST_SCRIPT [MKINITRAMFS-ARGS...]
#       build the initramfs OUT with KO (debug info stripped with
#       LM_VM_ARCH's strip, to keep the image small) at
#       /lazymap/lazymap.ko, GUEST_SCRIPT as /lazymap/run.sh and the extra
#       arguments (e.g. "${LM_VM_PAYLOAD[@]}" --arch ARCH); KO may be
#       empty for a run without the module
#   lm_vm_rootfs KERNEL KREL
#       the Debian root filesystem image (scripts/mkrootfs.sh, built once
#       and cached) and the modules KERNEL needs to mount it, listed in
#       LM_VM_ROOTFS_MODULES (scripts/guest-modules.sh: from KERNEL's own
#       package, with their dependencies; none if built in).  Sets
#       LM_VM_ROOTFS (pass "--rootfs $LM_VM_ROOTFS" to lm_vm_boot) and
#       LM_VM_KMODS (pass "--add $LM_VM_KMODS:/lazymap/kmod" to
#       lm_vm_initramfs)
#   lm_vm_boot KERNEL INITRD [VM-RUN-ARGS...] [-- QEMU-ARGS...]
#       boot with vm-run.sh (--arch LM_VM_ARCH); returns its exit status
#       (never exits the
#       caller) and sets VM_STATUS, VM_PROBLEM, VM_REASON, VM_KLOG_PROBLEMS
#       and VM_KLOG_FIRST as described in vm-run.sh
#   lm_vm_totals LOG
#       read the selftest runner's last "lazymap-totals: pass=N fail=M
#       skip=K" line from a console log; sets LM_VM_PASS, LM_VM_FAIL and
#       LM_VM_SKIP, returns 1 if there is none
#   lm_vm_check_totals LOG
#       the same from the output of scripts/check.sh, whose last "N passed,
#       M failed[, K skipped]" line it reads (for the runners that run
#       check.sh once per kernel and add up)
#
# A minimal runner (lm_vm_rootfs and the two marked arguments for a Debian
# userland in the guest instead of busybox):
#
#   . scripts/vm-lib.sh
#   lm_vm_kernel
#   lm_vm_module "$LM_VM_KDIR"
#   lm_vm_rootfs "$LM_VM_KERNEL" "$LM_VM_KREL"
#   lm_vm_initramfs build/vm/x.cpio.gz "$LM_VM_MODULE" my-guest.sh \
#       --add "$LM_VM_KMODS:/lazymap/kmod"
#   lm_vm_boot "$LM_VM_KERNEL" build/vm/x.cpio.gz --log build/vm/x.log \
#       --rootfs "$LM_VM_ROOTFS" || ...

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# What a kernel needs to mount the root filesystem image: the virtio disk on
# QEMU's PCI bus and the file system.  Names, not files: which of them are
# modules, and what they depend on, is read from each kernel's package.
LM_VM_ROOTFS_MODULES=(virtio_pci virtio_blk ext4)

LM_VM_ARCH=${LM_VM_ARCH:-amd64}

lm_vm_kernel() {
	local out KERNEL KREL KDIR BUILD_IN=''
	out=$("$LM_TOP/scripts/fetch-kernel.sh" --suite "${1:-bookworm}" \
		--arch "$LM_VM_ARCH" --flavour "${LM_VM_FLAVOUR:-$LM_VM_ARCH}") ||
		lm_die "could not fetch the ${1:-bookworm} kernel"
	eval "$out"
	LM_VM_KERNEL=$KERNEL LM_VM_KREL=$KREL LM_VM_KDIR=$KDIR
	LM_VM_BUILD_IN=$BUILD_IN
}

lm_vm_prepare() {
	local suite=$1 arch=$2 flavour=$3 log=$4 rc=0 top=''
	local KERNEL='' KREL='' KDIR='' BUILD_IN=''
	local build=("$LM_TOP/scripts/build-module.sh")

	LM_VM_KERNEL='' LM_VM_KREL='' LM_VM_CONFIG='' LM_VM_MODULE=''
	LM_VM_WARN=0 LM_VM_UNAVAIL=''
	"$LM_TOP/scripts/fetch-kernel.sh" --suite "$suite" --arch "$arch" \
		--flavour "$flavour" >"$log.kernel" 2>"$log-fetch.log" || rc=$?
	if [ "$rc" -eq 3 ]; then
		LM_VM_UNAVAIL=$(sed -n 's/^unavailable: //p' "$log-fetch.log" |
			tail -n1)
		return 0
	fi
	[ "$rc" -eq 0 ] || return 0
	eval "$(cat "$log.kernel")"
	if [ -n "$BUILD_IN" ]; then
		build=("$LM_TOP/scripts/suite-chroot.sh" enter "$BUILD_IN"
			"${build[@]}")
		top=$("$LM_TOP/scripts/suite-chroot.sh" path "$BUILD_IN")
	fi
	LM_VM_KERNEL=$KERNEL LM_VM_KREL=$KREL LM_VM_CONFIG=$top$KDIR/.config
	LM_VM_MODULE=$("${build[@]}" --kdir "$KDIR" --arch "$arch" \
		2>"$log-build.log") || LM_VM_MODULE=
	[ -z "$LM_VM_MODULE" ] || [ -f "$LM_VM_MODULE" ] || LM_VM_MODULE=
	LM_VM_WARN=$(grep -c -E 'warning:|^WARNING:' "$log-build.log" || :)
}

lm_vm_module() {
	local kdir=$1
	shift
	LM_VM_MODULE=$("$LM_TOP/scripts/build-module.sh" --kdir "$kdir" \
		--arch "$LM_VM_ARCH" -- "$@") ||
		lm_die "the module does not build against $kdir"
	[ -f "$LM_VM_MODULE" ] || lm_die "build-module.sh gave no module"
}

lm_vm_krel() {
	local name
	name=$(basename "$1")
	case $name in
	vmlinuz | vmlinux) basename "$(dirname "$1")" ;;
	*) printf '%s\n' "${name#vmlinu[xz]-}" ;;
	esac
}

lm_vm_select() {
	local suite=$1 kernel=$2 kdir=$3 module=$4 step=$5

	LM_VM_BUILD_IN=''
	if [ -n "$kernel" ]; then
		[ -f "$kernel" ] || lm_die "kernel $kernel does not exist"
		[ -n "$module" ] || [ -n "$kdir" ] ||
			lm_die "--kernel needs --kdir (to build the module) or --module"
		LM_VM_KERNEL=$kernel
		LM_VM_KREL=$(lm_vm_krel "$kernel")
		LM_VM_KDIR=$kdir
		lm_log "$step 1/5: kernel: using $kernel"
	else
		lm_log "$step 1/5: kernel ($suite)"
		lm_vm_kernel "$suite"
		[ -z "$kdir" ] || LM_VM_KDIR=$kdir
	fi

	if [ -n "$module" ]; then
		[ -f "$module" ] || lm_die "module $module does not exist"
		lm_log "$step 2/5: module: using $module"
		LM_VM_MODULE=$module
	elif [ -n "$LM_VM_BUILD_IN" ] && [ ! -f "$LM_VM_KDIR/Makefile" ]; then
		# fetch-kernel.sh says where the headers live: a newer suite's
		# need its own compiler, in that suite's chroot.
		lm_log "$step 2/5: building the module for $LM_VM_KREL in a" \
			"$LM_VM_BUILD_IN chroot"
		LM_VM_MODULE=$("$LM_TOP/scripts/suite-chroot.sh" enter \
			"$LM_VM_BUILD_IN" "$LM_TOP/scripts/build-module.sh" \
			--kdir "$LM_VM_KDIR" --arch "$LM_VM_ARCH") ||
			lm_die "the module does not build against $suite's" \
				"$LM_VM_KREL"
		[ -f "$LM_VM_MODULE" ] ||
			lm_die "the $LM_VM_BUILD_IN chroot built no module"
	elif [ ! -f "$LM_VM_KDIR/Makefile" ]; then
		lm_die "$LM_VM_KDIR is not a kernel build tree on this host:" \
			"pass --module, or --suite for a chroot build"
	else
		lm_log "$step 2/5: building the module against $LM_VM_KDIR"
		lm_vm_module "$LM_VM_KDIR"
	fi
}

lm_vm_jobs() {
	local n=${1:-${LAZYMAP_VM_JOBS:-}}
	[ -n "$n" ] || n=$(nproc)
	[[ $n =~ ^[1-9][0-9]*$ ]] ||
		lm_die "the number of VMs side by side (--jobs," \
			"LAZYMAP_VM_JOBS) must be a positive number, not '$n'"
	printf '%s\n' "$n"
}

lm_vm_lock() {
	local dir=$1 what=$2 fd

	mkdir -p "$dir"
	# The descriptor stays open in the calling shell until it exits.
	exec {fd}>"$dir/.lock"
	if ! flock -n "$fd"; then
		lm_log "waiting for another $what to finish"
		flock "$fd"
	fi
}

lm_vm_rootfs() {
	local kernel=$1 krel=$2
	LM_VM_ROOTFS=$("$LM_TOP/scripts/mkrootfs.sh") ||
		lm_die "could not build the root filesystem image"
	LM_VM_KMODS=$("$LM_TOP/scripts/guest-modules.sh" --kernel "$kernel" \
		--krel "$krel" "${LM_VM_ROOTFS_MODULES[@]}") ||
		lm_die "cannot collect the modules $krel needs for the disk"
}

lm_vm_sh_args() {
	local a

	for a in "$@"; do
		printf " '%s'" "${a//\'/\'\\\'\'}"
	done
}

lm_vm_make() {
	local targets=("$@") t dir
	[ ${#targets[@]} -gt 0 ] || targets=(userspace selftests)
	for t in "${targets[@]}"; do
		case $t in
		selftests) dir=$LM_TOP/selftests/lazymap ;;
		*) dir=$LM_TOP/$t ;;
		esac
		if [ ! -f "$dir/Makefile" ]; then
			lm_warn "no $dir/Makefile yet: not building $t"
			continue
		fi
		lm_log "building $t"
		make -s -C "$LM_TOP" "$t" >&2 || lm_die "make $t failed"
	done
}

lm_vm_cross_make() {
	local arch=$1 dir=$LM_BUILD/arch/$1 cc
	lm_arch "$arch"
	# shellcheck disable=SC2046 # a list of package names
	lm_need_pkgs make $(lm_arch_cross_pkgs "$arch")
	cc=$LM_ARCH_TRIPLET-gcc
	lm_log "building userspace and selftests for $arch ($cc)"
	CPPFLAGS="-D_FILE_OFFSET_BITS=64 ${CPPFLAGS:-}" make -s -C "$LM_TOP/userspace" \
		CC="$cc" OUTPUT="$dir/userspace" >&2 ||
		lm_die "userspace does not build for $arch"
	CPPFLAGS="-D_FILE_OFFSET_BITS=64 ${CPPFLAGS:-}" \
		make -s -C "$LM_TOP/selftests/lazymap" \
		CC="$cc" OUTPUT="$dir/selftests" >&2 ||
		lm_die "the selftests do not build for $arch"
	printf '%s\n' "$dir"
}

lm_vm_payload() {
	local f rel top=${1:-$LM_BUILD}
	LM_VM_PAYLOAD=()
	if [ -d "$top/userspace" ]; then
		while IFS= read -r -d '' f; do
			LM_VM_PAYLOAD+=(--bin "$f:/lazymap/bin/")
		done < <(find "$top/userspace" -type f -perm -u+x \
			! -name '*.o' ! -name '*.so' -print0 | sort -z)
	fi
	if [ -d "$top/selftests" ]; then
		while IFS= read -r -d '' f; do
			rel=${f#"$top/selftests/"}
			LM_VM_PAYLOAD+=(--add "$f:/lazymap/selftests/$rel")
		done < <(find "$top/selftests" -type f \
			! -name '*.o' ! -name '*.d' ! -name '.*' -print0 | sort -z)
	fi
	f=$LM_TOP/selftests/lazymap/run_tests.sh
	[ -f "$f" ] && LM_VM_PAYLOAD+=(--bin "$f:/lazymap/selftests/")
	return 0
}

lm_vm_initramfs() {
	local out=$1 ko=$2 script=$3 tmp rc=0 strip=strip
	shift 3
	lm_arch "$LM_VM_ARCH"
	[ -n "$LM_ARCH_NATIVE" ] || strip=$LM_ARCH_TRIPLET-strip
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/lazymap-ko.XXXXXX")
	if [ -n "$ko" ]; then
		[ -f "$ko" ] || lm_die "module $ko does not exist"
		# Debug info is most of a module's size; the guest needs none:
		# backtraces are symbolised from kallsyms.
		"$strip" --strip-debug -o "$tmp/lazymap.ko" "$ko" ||
			lm_die "cannot strip $ko"
		set -- --add "$tmp/lazymap.ko:/lazymap/lazymap.ko" "$@"
	fi
	"$LM_TOP/scripts/mkinitramfs.sh" --out "$out" --run "$script" "$@" ||
		rc=$?
	rm -rf "$tmp"
	[ "$rc" -eq 0 ] || lm_die "could not build the initramfs $out"
}

lm_vm_boot() {
	local kernel=$1 initrd=$2 res rc=0
	shift 2
	res=$(mktemp "${TMPDIR:-/tmp}/lazymap-vm-result.XXXXXX")
	"$LM_TOP/scripts/vm-run.sh" --kernel "$kernel" --initrd "$initrd" \
		--result "$res" --arch "$LM_VM_ARCH" "$@" || rc=$?
	VM_STATUS='' VM_PROBLEM=qemu VM_KLOG_PROBLEMS=0 VM_KLOG_FIRST=''
	VM_REASON="vm-run.sh failed (status $rc) before judging the run"
	# shellcheck source=/dev/null
	[ -s "$res" ] && . "$res"
	rm -f "$res"
	return "$rc"
}

lm_vm_totals() {
	local line
	line=$(grep -a -o \
		'lazymap-totals: pass=[0-9]\+ fail=[0-9]\+ skip=[0-9]\+' "$1" |
		tail -n1) || true
	[ -n "$line" ] || return 1
	[[ $line =~ pass=([0-9]+)\ fail=([0-9]+)\ skip=([0-9]+) ]] || return 1
	LM_VM_PASS=${BASH_REMATCH[1]}
	LM_VM_FAIL=${BASH_REMATCH[2]}
	LM_VM_SKIP=${BASH_REMATCH[3]}
}

lm_vm_check_totals() {
	local line re='^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1) || :
	[[ $line =~ $re ]] || return 1
	LM_VM_PASS=${BASH_REMATCH[1]}
	LM_VM_FAIL=${BASH_REMATCH[2]}
	LM_VM_SKIP=${BASH_REMATCH[4]:-0}
}
