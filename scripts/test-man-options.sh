#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that every userspace program has a man page, man/<program>.1, and
# that its OPTIONS section lists exactly the options of "<program> --help",
# with the same argument names, so that the two cannot drift apart.
#
#   scripts/test-man-options.sh [--bindir DIR]
#
# --bindir  where the programs are (default: build them with
#           "make userspace" into build/userspace/)
#
# The programs are the PROGS of userspace/Makefile.  From --help, an option
# is a line "  --name ARG  text" (ARG optional, in capitals); from the page,
# the line after each .TP of OPTIONS, written as ".B \-\-name" or
# ".BI \-\-name \" ARG\"" (a tag this script cannot read is a failure, not
# a skipped option).  The pages themselves are checked by "lint.sh man".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bindir=
while [ $# -gt 0 ]; do
	case $1 in
	--bindir) [ $# -ge 2 ] || lm_die "--bindir needs a directory"
		bindir=$2; shift 2 ;;
	*) lm_die "usage: $0 [--bindir DIR]" ;;
	esac
done
if [ -z "$bindir" ]; then
	make -s -C "$LM_TOP" userspace >&2 || lm_die "make userspace failed"
	bindir=$LM_BUILD/userspace
fi
# shellcheck disable=SC2016 # a make expression
progs=$(make -s --no-print-directory -C "$LM_TOP/userspace" \
	--eval='lm-progs: ; @echo $(PROGS)' lm-progs)
[ -n "$progs" ] || lm_die "userspace/Makefile lists no programs"

errors=0
fail() {
	printf 'FAIL: %s\n' "$*" >&2
	errors=$((errors + 1))
}

# help_options PROGRAM: "--name ARG" or "--name", one per line, sorted.
help_options() {
	"$1" --help | sed -n -E 's/^ +(--[a-z][a-z0-9-]*)( [A-Z]+)?( .*)?$/\1\2/p' |
		sort
}

# man_options PAGE: the same from the page's OPTIONS section; a tag that is
# not in the expected form is printed as "?<line>".
man_options() {
	awk '
	/^\.SH / { in_opts = ($0 ~ /^\.SH "?OPTIONS"?$/); next }
	in_opts && /^\.TP/ { tag = 1; next }
	in_opts && tag {
		tag = 0
		line = $0
		gsub(/\\-/, "-", line)
		if (match(line, /^\.B --[a-z][a-z0-9-]*$/))
			print substr(line, 4)
		else if (match(line, /^\.BI --[a-z][a-z0-9-]* " [A-Z]+"$/)) {
			sub(/^\.BI /, "", line)
			sub(/ " /, " ", line)
			sub(/"$/, "", line)
			print line
		} else
			print "?" $0
	}' "$1" | sort
}

for p in $progs; do
	page=$LM_TOP/man/$p.1
	if [ ! -f "$page" ]; then
		fail "$p has no man page man/$p.1"
		continue
	fi
	[ -x "$bindir/$p" ] || { fail "no program $bindir/$p"; continue; }
	h=$(help_options "$bindir/$p") || { fail "$p --help failed"; continue; }
	m=$(man_options "$page")
	[ -n "$h" ] || fail "$p --help lists no options"
	if grep -q '^?' <<<"$m"; then
		fail "man/$p.1: OPTIONS tags not of the form .B \\-\\-name" \
			"or .BI \\-\\-name \" ARG\": $(grep '^?' <<<"$m" |
			tr '\n' ' ')"
	elif [ "$h" != "$m" ]; then
		fail "man/$p.1 and $p --help list different options" \
			"(< --help, > man page):"
		diff <(printf '%s\n' "$h") <(printf '%s\n' "$m") |
			sed -n 's/^[<>]/    &/p' >&2 || true
	else
		lm_log "$p: man page and --help agree on $(wc -l <<<"$h") options"
	fi
done
# A page for a program that no longer exists.
for page in "$LM_TOP"/man/*.1; do
	[ -e "$page" ] || continue
	p=$(basename "$page" .1)
	case " $progs " in
	*" $p "*) ;;
	*) fail "man/$p.1 documents no program of userspace/Makefile" ;;
	esac
done
[ $errors -eq 0 ] || lm_die "man pages and --help: $errors problems"
