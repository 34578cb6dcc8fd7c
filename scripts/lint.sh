#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every static check on the tree and fail on any finding.
#
#   scripts/lint.sh [--kdir DIR] [STEP...]
#
# Steps (default: all, in this order):
#   - checkpatch: checkpatch.pl --strict --no-tree --max-line-length=80
#     --ignore LONG_LINE_STRING (coding-style: never break a user-visible
#     string) on module/*.[ch], module/probes/*.c, module/uapi/linux/*.h;
#     the same on userspace/*/*.[ch] and selftests/lazymap/*.[ch], also
#     ignoring the rules that prescribe kernel-only facilities or trip on
#     libc names: PREFER_KERNEL_TYPES (u64), BIT_MACRO (BIT_ULL),
#     PREFER_DEFINED_ATTRIBUTE_MACRO (__printf), VOLATILE (a test forces a
#     memory access with volatile; READ_ONCE is kernel-only) and CAMELCASE
#     (PRIx64 and friends)
#   - w1: a from-scratch W=1 build of the module; any compiler or modpost
#     warning in the log is a finding
#   - sparse: the same build with C=2 (sparse on every source file)
#   - shellcheck: "shellcheck -x" on every shell script in scripts/ and .ci/
#     and every *.sh of selftests/ (POSIX sh: the guest's scripts)
#   - man: groff -man -ww and man --warnings on every man/*.[1-8], the
#     program of the EXAMPLES section of lazymap.4 compiled with -Wall
#     -Wextra -Werror, and scripts/test-man-options.sh (each program's page
#     lists the options of its --help)
#   - abi: the kernel's get_abi.pl validate on Documentation/ABI
#
# --kdir picks the kernel headers for w1 and sparse (default: those of
# scripts/build-module.sh, i.e. Debian bookworm's current kernel).
# checkpatch.pl and get_abi.pl come from bookworm's linux-source package
# (lm_linux_source), so the rules are those of the kernel we build for.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() {
	lm_die "usage: $0 [--kdir DIR] [checkpatch|w1|sparse|shellcheck|man|abi]..."
}

kdir=
steps=()
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
	checkpatch|w1|sparse|shellcheck|man|abi) steps+=("$1"); shift ;;
	*) usage ;;
	esac
done
[ ${#steps[@]} -gt 0 ] || steps=(checkpatch w1 sparse shellcheck man abi)

out=$LM_BUILD/lint
mkdir -p "$out"
failed=()

# report STEP FILE: print a step's findings and remember that it failed.
report() {
	lm_warn "lint $1: findings:"
	sed 's/^/    /' "$2" >&2
	failed+=("$1")
}

# Kernel tools of the kernel we build for, extracted once per version.
kernel_tools() {
	local dir=$LM_CACHE/lint-tools ver
	ver=$(lm_linux_source "$dir" scripts/checkpatch.pl \
		scripts/spelling.txt scripts/const_structs.checkpatch \
		scripts/get_abi.pl)
	if [ "$(cat "$dir/.version" 2>/dev/null)" != "$ver" ]; then
		if [ -e "$dir/.version" ]; then
			lm_log "linux-source changed: re-extracting lint tools"
			rm -rf "$dir"
			lm_linux_source "$dir" scripts/checkpatch.pl \
				scripts/spelling.txt \
				scripts/const_structs.checkpatch \
				scripts/get_abi.pl >/dev/null
		fi
		echo "$ver" >"$dir/.version"
	fi
	echo "$dir/scripts"
}

# C sources of one kind, sorted, relative to the top (may be none).
c_files() {
	(cd "$LM_TOP" && find "$@" -maxdepth 1 -type f \
		\( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
}

step_checkpatch() {
	local tools log=$out/checkpatch.log rc=0 kfiles ufiles
	local opts=(--strict --no-tree --file --show-types --color=never
		    --quiet --max-line-length=80 --ignore LONG_LINE_STRING)
	local uopts=(--ignore PREFER_KERNEL_TYPES --ignore BIT_MACRO
		     --ignore VOLATILE --ignore CAMELCASE
		     --ignore PREFER_DEFINED_ATTRIBUTE_MACRO)

	lm_need_pkgs perl
	tools=$(kernel_tools)
	mapfile -t kfiles < <(c_files module module/probes module/uapi/linux)
	# userspace/*: one folder per program, and common/.
	mapfile -t ufiles < <(cd "$LM_TOP" && c_files userspace/* selftests/lazymap)
	: >"$log"
	lm_log "checkpatch: ${#kfiles[@]} module files, ${#ufiles[@]} userspace/selftest files"
	if [ ${#kfiles[@]} -gt 0 ]; then
		(cd "$LM_TOP" && perl "$tools/checkpatch.pl" "${opts[@]}" \
			"${kfiles[@]}") >>"$log" 2>&1 || rc=1
	fi
	if [ ${#ufiles[@]} -gt 0 ]; then
		(cd "$LM_TOP" && perl "$tools/checkpatch.pl" "${opts[@]}" \
			"${uopts[@]}" "${ufiles[@]}") \
			>>"$log" 2>&1 || rc=1
	fi
	if [ $rc -ne 0 ] || [ -s "$log" ]; then
		report checkpatch "$log"
	fi
}

# A private tree that links to every top-level entry of the sources but
# build/, so that the lint builds start from scratch (warnings of up-to-date
# objects are not printed again) and never race a build of the main tree.
lint_tree() {
	local tree=$out/tree f
	mkdir -p "$tree"
	for f in "$LM_TOP"/*; do
		[ "${f##*/}" != build ] || continue
		ln -sfn "$f" "$tree/${f##*/}"
	done
	echo "$tree"
}

# build_log STEP MAKE-ARGS...: build in the lint tree and keep the log.
build_log() {
	local step=$1 tree args=()
	shift
	tree=$(lint_tree)
	[ -z "$kdir" ] || args=(--kdir "$kdir")
	"$tree/scripts/build-module.sh" "${args[@]}" -- "$@" \
		>"$out/$step.ko" 2>"$out/$step.log"
}

# Findings in a kbuild log, with paths shown relative to the top.
build_findings() {
	grep -E 'warning:|error:|WARNING:|ERROR:' "$1" |
		sed -E "s|$out/tree/build/module-[^/]*/||; s|$out/tree/||" || true
}

step_w1() {
	local f=$out/w1.findings
	lm_need_pkgs make gcc
	rm -rf "$out/tree/build"
	lm_log "w1: building the module from scratch with W=1"
	if ! build_log w1; then
		tail -n 30 "$out/w1.log" >"$f"
		report w1 "$f"
		return
	fi
	build_findings "$out/w1.log" >"$f"
	[ ! -s "$f" ] || report w1 "$f"
}

step_sparse() {
	local f=$out/sparse.findings
	lm_need_pkgs sparse make gcc
	lm_log "sparse: C=2 build of the module"
	if ! build_log sparse C=2; then
		tail -n 30 "$out/sparse.log" >"$f"
		report sparse "$f"
		return
	fi
	build_findings "$out/sparse.log" >"$f"
	[ ! -s "$f" ] || report sparse "$f"
}

step_shellcheck() {
	local log=$out/shellcheck.log f scripts=() skipped=()
	lm_need_pkgs shellcheck
	while IFS= read -r f; do
		case $f in
		*.sh) scripts+=("$f") ;;
		*)
			if head -n1 "$LM_TOP/$f" |
				grep -Eq '^#!.*[/ ](ba|da|k)?sh([[:space:]]|$)'; then
				scripts+=("$f")
			else
				skipped+=("$f")
			fi
			;;
		esac
	done < <(cd "$LM_TOP" && { find scripts .ci -type f
		find selftests -name '*.sh' -type f; } 2>/dev/null | sort)
	lm_log "shellcheck: ${#scripts[@]} scripts${skipped[*]:+ (not shell: ${skipped[*]})}"
	[ ${#scripts[@]} -gt 0 ] || return 0
	if ! (cd "$LM_TOP" && shellcheck -x -P SCRIPTDIR "${scripts[@]}") \
		>"$log" 2>&1; then
		report shellcheck "$log"
	fi
}

# The EXAMPLES program, between the example-begin and example-end markers,
# with the roff escapes it uses turned back into C.
man_example() {
	sed -n '/^\.\\" example-begin/,/^\.\\" example-end/p' "$1" |
		sed -e '/^\.\\"/d' -e '/^\.in/d' -e '/^\.EX/d' -e '/^\.EE/d' \
		    -e 's/^\\&$//' -e 's/\\-/-/g' -e "s/\\\\\\[aq\\]/'/g" \
		    -e 's/\\e/\\/g'
}

step_man() {
	local page=$LM_TOP/man/lazymap.4 log=$out/man.log p
	lm_need_pkgs groff-base man-db gcc libc6-dev make
	: >"$log"
	lm_log "man: groff -man -ww, man --warnings, EXAMPLES program, options"
	for p in "$LM_TOP"/man/*.[1-8]; do
		LC_ALL=C.UTF-8 groff -man -ww -z "$p" >>"$log" 2>&1 ||
			echo "groff failed on ${p##*/}" >>"$log"
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$p" \
			2>>"$log" >"$out/${p##*/}.txt" ||
			echo "man -l failed on ${p##*/}" >>"$log"
		[ -s "$out/${p##*/}.txt" ] ||
			echo "man -l rendered nothing of ${p##*/}" >>"$log"
	done
	"$LM_TOP/scripts/test-man-options.sh" >>"$log" 2>&1 ||
		echo "(scripts/test-man-options.sh)" >>"$log"
	sed -i '/^==> /d' "$log"
	man_example "$page" >"$out/lazymap_example.c"
	if [ ! -s "$out/lazymap_example.c" ]; then
		echo "no EXAMPLES program between the markers" >>"$log"
	elif ! gcc -Wall -Wextra -Werror -I "$LM_TOP/module/uapi" \
		-o "$out/lazymap_example" "$out/lazymap_example.c" \
		>>"$log" 2>&1; then
		echo "(program extracted to $out/lazymap_example.c)" >>"$log"
	fi
	[ ! -s "$log" ] || report man "$log"
}

step_abi() {
	local tools log=$out/abi.log
	lm_need_pkgs perl
	tools=$(kernel_tools)
	lm_log "abi: get_abi.pl validate on Documentation/ABI"
	# validate prints problems on stderr and still exits 0 on some of them.
	if ! perl "$tools/get_abi.pl" --dir "$LM_TOP/Documentation/ABI" \
		validate >"$log" 2>&1 || [ -s "$log" ]; then
		report abi "$log"
	fi
}

for s in "${steps[@]}"; do
	"step_$s"
done

if [ ${#failed[@]} -gt 0 ]; then
	lm_die "lint failed: ${failed[*]} (logs in $out/)"
fi
lm_log "lint clean: ${steps[*]}"
