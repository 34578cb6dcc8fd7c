/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels lazymap builds on.
 *
 * Each LAZYMAP_HAVE_* comes from a compile probe in module/probes/, run by
 * scripts/build-module.sh against the target kernel, never from a version
 * number: distributions backport API changes.
 *
 * How they came out on Debian's kernels (make check-matrix):
 *
 *   probe                       6.1 (bookworm) 6.12 (trixie) 7.2 (sid)
 *   vm_flags_set                no             yes           yes
 *   filemap_alloc_folio_policy  no             no            yes
 *   mmap_prepare                no             no            yes
 *   vma_desc_set_flags          no             no            yes
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

/* 7.x: filemap_alloc_folio() takes a NUMA policy; NULL is the task's. */
static inline struct folio *lazymap_filemap_alloc_folio(gfp_t gfp,
							unsigned int order)
{
#ifdef LAZYMAP_HAVE_FILEMAP_ALLOC_FOLIO_POLICY
	return filemap_alloc_folio(gfp, order, NULL);
#else
	return filemap_alloc_folio(gfp, order);
#endif
}

#ifdef LAZYMAP_HAVE_MMAP_PREPARE
/*
 * 6.16 added f_op->mmap_prepare(), which describes a mapping before its VMA
 * exists; 7.x turned the descriptor's vm_flags into vma_flags, set by bit.
 */
static inline void lazymap_desc_set_dontexpand(struct vm_area_desc *desc)
{
#ifdef LAZYMAP_HAVE_VMA_DESC_SET_FLAGS
	vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);
#else
	desc->vm_flags |= VM_DONTEXPAND;
#endif
}
#endif

#endif /* _LAZYMAP_COMPAT_H */
