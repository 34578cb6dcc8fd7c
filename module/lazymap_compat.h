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
 *   filemap_alloc_folio_policy  no             no            yes
 *   mmap_prepare                no             no            yes
 */
#ifndef _LAZYMAP_COMPAT_H
#define _LAZYMAP_COMPAT_H

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/splice.h>

#include "lazymap_probes.h"

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

#endif /* _LAZYMAP_COMPAT_H */
