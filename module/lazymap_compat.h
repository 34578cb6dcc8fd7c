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
 *   copy_splice_read            no             yes           yes
 *   error_remove_folio          no             yes           yes
 *   filemap_alloc_folio_policy  no             no            yes
 *   folio_batch_h               no             no            yes
 *   mmap_prepare                no             no            yes
 *   vma_thp_disabled            no             yes           no
 *   vma_thp_disabled_forced     no             no            yes
 *
 * error_remove_folio: 6.6 turned the address_space operation that
 * memory_failure() calls, .error_remove_page(mapping, page), into
 * .error_remove_folio(mapping, folio); used in lazymap_store.c.
 *
 * folio_batch_h: 7.x moved struct folio_batch from <linux/pagevec.h> to
 * <linux/folio_batch.h> and removed the old header; included below.
 */
#ifndef _LAZYMAP_COMPAT_H
#define _LAZYMAP_COMPAT_H

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/splice.h>

#include "lazymap_probes.h"

#ifdef LAZYMAP_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif

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

/*
 * ->splice_read through ->read_iter.  6.5 removed generic_file_splice_read()
 * (which passed the pages read_iter copied from by reference into the pipe)
 * in favour of copy_splice_read() (which copies into pages of the pipe's
 * own).  Either way a hole reads as zeros without allocating a store page.
 */
static inline ssize_t lazymap_splice_read(struct file *in, loff_t *ppos,
					  struct pipe_inode_info *pipe,
					  size_t len, unsigned int flags)
{
#ifdef LAZYMAP_HAVE_COPY_SPLICE_READ
	return copy_splice_read(in, ppos, pipe, len, flags);
#else
	return generic_file_splice_read(in, ppos, pipe, len, flags);
#endif
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/*
 * Whether MADV_NOHUGEPAGE (VM_NOHUGEPAGE) or prctl(PR_SET_THP_DISABLE) rule
 * huge pages out for @vma, as the kernel itself decides for its own THPs.
 * 7.x: the prctl may spare MADV_HUGEPAGE VMAs; false = not a forced
 * collapse.  6.1 has no helper: the same two tests, open-coded.
 */
static inline bool lazymap_vma_thp_disabled(struct vm_area_struct *vma)
{
#if defined(LAZYMAP_HAVE_VMA_THP_DISABLED_FORCED)
	return vma_thp_disabled(vma, vma->vm_flags, false);
#elif defined(LAZYMAP_HAVE_VMA_THP_DISABLED)
	return vma_thp_disabled(vma, vma->vm_flags);
#else
	return (vma->vm_flags & VM_NOHUGEPAGE) ||
		test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
#endif
}
#endif

#endif /* _LAZYMAP_COMPAT_H */
