// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: vma_thp_disabled(vma, vm_flags) exists (6.12): whether
 * MADV_NOHUGEPAGE or prctl(PR_SET_THP_DISABLE) rule THP out for a VMA.
 */
#include <linux/mm.h>

bool lazymap_probe_vma_thp_disabled(struct vm_area_struct *vma);
bool lazymap_probe_vma_thp_disabled(struct vm_area_struct *vma)
{
	return vma_thp_disabled(vma, vma->vm_flags);
}
