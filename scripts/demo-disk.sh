# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The LM_DEMO_* variables are for scripts/demo.sh:
# shellcheck disable=SC2034
#
# The disk of lazymap-demo's section 4 (MAP_SHARED and the disk), host side:
# sourced by scripts/demo.sh after lib.sh.
#
#   lm_demo_disk IMAGE DIR
#       make IMAGE afresh: a small ext4 file system (mke2fs -d DIR) holding
#       $LM_DEMO_FILE, whose first line is $LM_DEMO_HOST_TEXT, padded as
#       the demo pads its lines, and enough lines after it to fill more
#       than a page of any size the guest may use
#   lm_demo_disk_check IMAGE
#       after the VM has powered off: read $LM_DEMO_FILE's first line from
#       IMAGE with debugfs (the host's own reading of the ext4 on it, no
#       guest kernel involved) and look for the demo's MAP_PRIVATE line
#       anywhere in IMAGE; print what was found, in the demo's style, on
#       stdout.  Returns 1 if the image does not hold what the demo wrote
#       through MAP_SHARED or holds what it wrote through MAP_PRIVATE, 0
#       otherwise (also when section 4 did not run: the file is as made)
#
# The texts must match those of userspace/demo/demo_disk.c.

LM_DEMO_FILE=lazymap-demo.txt
LM_DEMO_HOST_TEXT="written by the host (mke2fs -d), not changed yet"
LM_DEMO_SHARED_TEXT="MAP_SHARED write 2, written back by the kernel"
LM_DEMO_PRIVATE_TEXT="MAP_PRIVATE write, never written back"
# The image: small, but above ext4's minimum, with room for the journal.
LM_DEMO_DISK_MB=16
# The file: 256 KiB, four pages of the largest page size (64 KiB).
LM_DEMO_FILE_LINES=4096

lm_demo_disk() {
	local img=$1 dir=$2 i

	rm -rf "$dir" "$img"
	mkdir -p "$dir"
	# 64-byte lines: 63 characters and a newline, as the demo writes.
	{
		printf '%-63s\n' "$LM_DEMO_HOST_TEXT"
		for ((i = 1; i < LM_DEMO_FILE_LINES; i++)); do
			printf '%-63s\n' "line $i of the host's file"
		done
	} >"$dir/$LM_DEMO_FILE"
	mke2fs -q -F -t ext4 -L lazymap-demo -d "$dir" "$img" \
		"${LM_DEMO_DISK_MB}M" >&2 ||
		lm_die "mke2fs could not make the demo's disk image $img"
}

lm_demo_disk_check() {
	local img=$1 first rc=0

	first=$(debugfs -R "cat /$LM_DEMO_FILE" "$img" 2>/dev/null |
		head -n1 | sed 's/ *$//')
	printf '\nThe host, after the VM powered off, reads its disk image file:\n'
	printf '   %s (debugfs): "%s"\n' "$LM_DEMO_FILE" "$first"
	if [ "$first" = "$LM_DEMO_HOST_TEXT" ]; then
		printf '   - unchanged: section 4 did not run\n'
		return 0
	fi
	if [ "$first" = "$LM_DEMO_SHARED_TEXT" ]; then
		printf '   ✓ the last MAP_SHARED write is in the image file\n'
	else
		printf '   ✗ the last MAP_SHARED write is not in the image file\n'
		rc=1
	fi
	if grep -q -a -F "$LM_DEMO_PRIVATE_TEXT" "$img"; then
		printf '   ✗ the MAP_PRIVATE write is in the image file\n'
		rc=1
	else
		printf '   ✓ the MAP_PRIVATE write is nowhere in the image file\n'
		printf '     (grep over all of its %s MiB)\n' "$LM_DEMO_DISK_MB"
	fi
	return "$rc"
}
