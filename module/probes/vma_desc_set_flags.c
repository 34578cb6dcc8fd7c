// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: a struct vm_area_desc carries vma_flags, set by bit number with
 * vma_desc_set_flags() (7.x), rather than a vm_flags_t mask.
 */
#include <linux/mm.h>

void lazymap_probe_vma_desc_set_flags(struct vm_area_desc *desc);
void lazymap_probe_vma_desc_set_flags(struct vm_area_desc *desc)
{
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);
}
