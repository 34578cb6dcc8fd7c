/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels lazymap builds on.
 *
 * Each LAZYMAP_HAVE_* comes from a compile probe in module/probes/, run by
 * scripts/build-module.sh against the target kernel, never from a version
 * number: distributions backport API changes.
 */
#ifndef _LAZYMAP_COMPAT_H
#define _LAZYMAP_COMPAT_H

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "lazymap_probes.h"

/* 6.3 made vma->vm_flags read-only behind vm_flags_set(). */
static inline void lazymap_vma_set_flags(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#ifdef LAZYMAP_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * 6.3 changed "no folio at this index" from NULL to ERR_PTR(-ENOENT); callers
 * here get NULL either way.
 */
static inline struct folio *lazymap_folio_or_null(struct folio *folio)
{
	return IS_ERR(folio) ? NULL : folio;
}

#endif /* _LAZYMAP_COMPAT_H */
