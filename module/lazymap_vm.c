// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings of /dev/lazymap: mmap() and the fault path.
 *
 * Mapping allocates nothing.  The first touch of an offset through any
 * mapping calls lazymap_fault(), which allocates the zeroed store page and
 * hands it to the kernel's memory manager locked in vmf->page.  From there
 * the kernel does the rest as for any file page: it maps the store page for
 * MAP_SHARED and for reads of MAP_PRIVATE, and for a write to MAP_PRIVATE
 * copies it into a private anonymous page (do_cow_fault), so private writes
 * never reach the store.
 *
 * With huge pages (huge=, lazymap_huge.c) the first touch of a suitable
 * block allocates a PMD-sized folio instead, and the same generic code maps
 * it with one PMD.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/xarray.h>

#include "lazymap.h"
#include "lazymap_compat.h"
#include "lazymap_trace.h"

static vm_fault_t lazymap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct lazymap_store *store = lazymap_file_store(vma->vm_file);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool shared = vma->vm_flags & VM_SHARED;
	struct folio *folio;
	unsigned int order;
	bool allocated;

	this_cpu_inc(store->stats->faults);
	if (write && !shared)
		this_cpu_inc(store->stats->cow_faults);

	/*
	 * mremap() may grow a mapping past the end of the device: like shmem
	 * past EOF, a touch there is SIGBUS.  Fault-around never maps
	 * anything there: the store holds no page past the end.
	 */
	if (unlikely(vmf->pgoff >= store->pages))
		return VM_FAULT_SIGBUS;

	/*
	 * The folio stays locked until the kernel has installed the PTE, so a
	 * discard cannot free it in between: truncation waits for the folio
	 * lock, then unmaps the folio.
	 */
	order = lazymap_huge_fault_order(store, vmf);
	folio = lazymap_store_get(store, vmf->pgoff, order, &allocated);
	if (IS_ERR(folio))
		return vmf_error(PTR_ERR(folio));
	if (allocated && folio_test_large(folio))
		this_cpu_inc(store->stats->huge_faults);
	trace_lazymap_fault((u64)vmf->pgoff << PAGE_SHIFT, write, shared,
			    allocated, folio_test_large(folio));

	vmf->page = folio_file_page(folio, vmf->pgoff);
	return VM_FAULT_LOCKED;
}

/*
 * Fault-around: map the already-resident neighbours of a read fault
 * without calling .fault for each; holes are left to .fault.
 *
 * The kernel offers a window of fault_around_bytes (64 KiB) around the
 * fault.  That window is kept when the faulting page is a hole, as in a
 * first touch: there the pages ahead are holes too, or were mapped by the
 * faults before, and a wider window would only walk them again at every
 * fault (a window of the whole page table made a sequential first read
 * 3.3 times slower).  When the faulting page is resident, the store
 * around it usually is too (a re-map of a populated store): the window
 * then reaches ahead to the end of the page table that maps the fault,
 * within the VMA and the device, so one fault maps up to a page table's
 * worth of resident pages instead of 64 KiB.  Pages behind the fault keep
 * the kernel's window; filemap_map_pages() skips what is mapped already.
 *
 * With 64 KiB pages the default window is a single page, and the kernel
 * then does no fault-around and never calls this: every read fault reaches
 * lazymap_fault(), which hands back the resident page (a huge one is still
 * mapped by PMD).  Raising fault_around_bytes in debugfs turns it back on.
 */
static vm_fault_t lazymap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				    pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct lazymap_store *store = lazymap_file_store(vma->vm_file);
	unsigned long last;
	pgoff_t end;

	if (xa_load(&vma->vm_file->f_mapping->i_pages, vmf->pgoff)) {
		/* The last byte of the page table, of the VMA. */
		last = min(vmf->address | ~PMD_MASK, vma->vm_end - 1);
		end = vmf->pgoff + ((last - vmf->address) >> PAGE_SHIFT);
		end = min_t(pgoff_t, end, store->pages - 1);
		end_pgoff = max(end_pgoff, end);
	}
	return filemap_map_pages(vmf, start_pgoff, end_pgoff);
}

static const struct vm_operations_struct lazymap_vm_ops = {
	.fault		= lazymap_fault,
	.map_pages	= lazymap_map_pages,
};

/* Refuse rather than trim: the VMA's bounds are not ours to change. */
static int lazymap_mmap_check(struct file *file, pgoff_t pgoff,
			      unsigned long pages)
{
	struct lazymap_store *store = lazymap_file_store(file);

	if (pgoff >= store->pages || pages > store->pages - pgoff)
		return -EINVAL;
	return 0;
}

/*
 * No VM_DONTEXPAND: it would make the VMA VM_SPECIAL, which a memfd mapping
 * is not, and the kernel then treats it as special: mlock() returns 0 but
 * locks nothing, mremap() cannot grow it, 7.x refuses MADV_DOFORK, VMAs do
 * not merge.  Without it the mapping behaves like a memfd's; the one thing
 * given up is that mremap() can now grow a mapping past the device's end,
 * where lazymap_fault() answers SIGBUS as shmem does past EOF.
 */
#ifdef LAZYMAP_HAVE_MMAP_PREPARE
int lazymap_mmap_prepare(struct vm_area_desc *desc)
{
	int err = lazymap_mmap_check(desc->file, desc->pgoff,
				     (desc->end - desc->start) >> PAGE_SHIFT);

	if (err)
		return err;
	desc->vm_ops = &lazymap_vm_ops;
	return 0;
}
#else
int lazymap_mmap(struct file *file, struct vm_area_struct *vma)
{
	int err = lazymap_mmap_check(file, vma->vm_pgoff, vma_pages(vma));

	if (err)
		return err;
	vma->vm_ops = &lazymap_vm_ops;
	return 0;
}
#endif
