// SPDX-License-Identifier: GPL-2.0
/* Probe: vm_flags_set() exists (6.3, and backports). */
#include <linux/mm.h>

void lazymap_probe_vm_flags_set(struct vm_area_struct *vma);
void lazymap_probe_vm_flags_set(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTEXPAND);
}
