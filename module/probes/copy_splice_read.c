// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: copy_splice_read() exists (6.5), the generic ->splice_read for a
 * file with ->read_iter; before, generic_file_splice_read() did that job.
 */
#include <linux/fs.h>
#include <linux/splice.h>

const struct file_operations lazymap_probe_copy_splice_read_fops;
const struct file_operations lazymap_probe_copy_splice_read_fops = {
	.splice_read	= copy_splice_read,
};
