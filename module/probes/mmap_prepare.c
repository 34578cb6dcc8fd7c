// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: file_operations has .mmap_prepare, which sets a mapping up from a
 * struct vm_area_desc before the VMA exists (6.16).
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int lazymap_probe_prepare(struct vm_area_desc *desc)
{
	return desc->end > desc->start ? 0 : -EINVAL;
}

const struct file_operations lazymap_probe_mmap_prepare_fops;
const struct file_operations lazymap_probe_mmap_prepare_fops = {
	.mmap_prepare	= lazymap_probe_prepare,
};
