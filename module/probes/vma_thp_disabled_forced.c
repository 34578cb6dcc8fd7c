// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: vma_thp_disabled() takes a third argument, forced_collapse (after
 * 6.12), since prctl(PR_SET_THP_DISABLE) can spare MADV_HUGEPAGE VMAs
 * (PR_THP_DISABLE_EXCEPT_ADVISED) and the mm flags are no plain word.
 */
#include <linux/mm.h>

bool lazymap_probe_vma_thp_disabled_forced(struct vm_area_struct *vma);
bool lazymap_probe_vma_thp_disabled_forced(struct vm_area_struct *vma)
{
	return vma_thp_disabled(vma, vma->vm_flags, false);
}
