// SPDX-License-Identifier: GPL-2.0
/*
 * The store: the pages behind /dev/lazymap.
 *
 * The pages live in the page cache of an inode of a private pseudo
 * filesystem, like a ramfs file: every opener's file->f_mapping points at
 * that one address_space, so
 *  - the kernel maps the same page into every MAP_SHARED mapping and copies
 *    it on write for MAP_PRIVATE ones, exactly as for a tmpfs file;
 *  - filemap_map_pages() can map already-resident pages around a read fault
 *    (fault-around), and since 6.7 faults run under the per-VMA lock;
 *  - discard reaches every mapping in every process through
 *    unmap_mapping_range(), and truncate_inode_pages_range() frees the pages;
 *  - filemap_add_folio() charges each page to the memory cgroup of the task
 *    that caused the allocation;
 *  - the page cache's nrpages is an exact resident count.
 * An xarray of pages of our own would have to reimplement all of that.
 *
 * The mapping is unevictable (there is no backing store to write pages back
 * to) and every page is marked dirty when it is added, so nothing that
 * drops clean page cache (fadvise DONTNEED, drop_caches) can lose data.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/pseudo_fs.h>
#include <linux/xarray.h>

#include <linux/lazymap.h>

#include "lazymap.h"
#include "lazymap_compat.h"
#include "lazymap_trace.h"

#define LAZYMAP_FS_MAGIC	0x6c617a79	/* "lazy" */

static int lazymap_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, LAZYMAP_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * Never registered: the filesystem is mounted only internally.  No .owner,
 * or the mount would pin this module and it could never be unloaded.
 */
static struct file_system_type lazymap_fs_type = {
	.name		 = "lazymap",
	.init_fs_context = lazymap_fs_init_fs_context,
	.kill_sb	 = kill_anon_super,
};

/*
 * A store page with a memory error (machine check, or MADV_HWPOISON) stays
 * in the store, marked: the kernel then answers SIGBUS to an access through
 * a mapping, and read() and write() answer EIO, as for shmem.  Dropping it
 * (the generic action) would silently turn the page's bytes into a hole of
 * zeros at the next touch.  memory_failure() expects a kept page only of
 * shmem, so it reports the recovery as failed (EBUSY) all the same.
 */
#ifdef LAZYMAP_HAVE_ERROR_REMOVE_FOLIO
static int lazymap_error_remove(struct address_space *mapping,
				struct folio *folio)
#else
static int lazymap_error_remove(struct address_space *mapping,
				struct page *page)
#endif
{
	return 0;
}

/*
 * A store page is dirty from birth and stays so (there is nothing to clean
 * it against); noop_dirty_folio() sets the flag without dirty accounting,
 * as ramfs does.  The pages carry no private data, so the generic
 * migrate_folio() can move them (compaction, memory hot-unplug), as for
 * shmem: they can then come from movable pageblocks.
 */
static const struct address_space_operations lazymap_aops = {
	.dirty_folio	= noop_dirty_folio,
#ifdef CONFIG_MIGRATION
	.migrate_folio	= migrate_folio,
#endif
#ifdef LAZYMAP_HAVE_ERROR_REMOVE_FOLIO
	.error_remove_folio = lazymap_error_remove,
#else
	.error_remove_page = lazymap_error_remove,
#endif
};

#ifdef CONFIG_MIGRATION
#define LAZYMAP_GFP	GFP_HIGHUSER_MOVABLE
#else
#define LAZYMAP_GFP	GFP_HIGHUSER
#endif

int lazymap_store_init(struct lazymap_store *store, u64 size,
		       unsigned int huge)
{
	struct address_space *mapping;
	int err;

	store->size = size;
	store->pages = size >> PAGE_SHIFT;
	store->huge = huge;
	store->stats = alloc_percpu(struct lazymap_stats);
	if (!store->stats)
		return -ENOMEM;

	store->mnt = kern_mount(&lazymap_fs_type);
	if (IS_ERR(store->mnt)) {
		err = PTR_ERR(store->mnt);
		goto free_stats;
	}

	store->inode = alloc_anon_inode(store->mnt->mnt_sb);
	if (IS_ERR(store->inode)) {
		err = PTR_ERR(store->inode);
		goto unmount;
	}
	/*
	 * i_size is the largest a file can be, not the device size, which
	 * store->size keeps and every entry point enforces (.fault answers
	 * SIGBUS past it, read/write stop at it, mmap refuses beyond it).
	 * The kernel reads i_size in places that matter once the store holds
	 * huge folios: it will not map a folio by PMD that reaches, or whose
	 * next page reaches, i_size (finish_fault() and filemap_map_pages()
	 * on 6.12 and later), and splitting a folio drops every part at or
	 * past i_size (__split_huge_page()): a discard of one page of the
	 * last block would lose the rest of it.  Nothing in the store lies
	 * past store->size, so no other path can tell.
	 */
	i_size_write(store->inode, MAX_LFS_FILESIZE);

	mapping = store->inode->i_mapping;
	mapping->a_ops = &lazymap_aops;
	mapping_set_gfp_mask(mapping, LAZYMAP_GFP);
	mapping_set_unevictable(mapping);
	/*
	 * The page cache asks this of a mapping before it accounts the
	 * removal or split of a large folio (6.1 and 6.12 warn without it).
	 * Set before anyone can see the mapping: the update is not atomic.
	 */
	if (huge != LAZYMAP_HUGE_NEVER)
		mapping_set_large_folios(mapping);
	return 0;

unmount:
	kern_unmount(store->mnt);
free_stats:
	free_percpu(store->stats);
	return err;
}

/*
 * Only called when no file is open and no mapping exists (each holds a
 * module reference).  Eviction drops the page cache's reference to every
 * page; a page that someone else still holds (a vmsplice()d pipe buffer, a
 * pin) stays valid until they let go.
 */
void lazymap_store_destroy(struct lazymap_store *store)
{
	iput(store->inode);
	kern_unmount(store->mnt);
	free_percpu(store->stats);
}

/* The folio at @index with a reference, or NULL for a hole.  No allocation. */
struct folio *lazymap_store_find(struct lazymap_store *store, pgoff_t index)
{
	struct address_space *mapping = lazymap_store_mapping(store);

	return lazymap_folio_or_null(filemap_get_folio(mapping, index));
}

/*
 * Whether any page of the @order-aligned block holding @index is resident,
 * which rules out a folio of that order there.
 */
static bool lazymap_store_block_busy(struct address_space *mapping,
				     pgoff_t index, unsigned int order)
{
	loff_t start = (loff_t)round_down(index, 1UL << order) << PAGE_SHIFT;

	return filemap_range_has_page(mapping, start,
				      start + (PAGE_SIZE << order) - 1);
}

/*
 * Add a zeroed folio for @index, or find the one a racing task added first.
 * @order > 0 asks for a folio of that order covering the aligned block
 * around @index; it becomes a single page when any page of the block is
 * resident already, when the allocation fails, or when the memory cgroup
 * charge fails, so asking for a huge page never fails a fault.  Called with
 * the invalidate lock held shared.
 */
static struct folio *lazymap_store_add(struct lazymap_store *store,
				       pgoff_t index, unsigned int order,
				       bool *allocated)
{
	struct address_space *mapping = lazymap_store_mapping(store);
	struct folio *folio;
	pgoff_t first;
	gfp_t gfp;
	int err;

	for (;;) {
		folio = filemap_lock_folio(mapping, index);
		folio = lazymap_folio_or_null(folio);
		if (folio)
			return folio;

		if (order && lazymap_store_block_busy(mapping, index, order))
			order = 0;
		gfp = order ? lazymap_huge_gfp() : mapping_gfp_mask(mapping);
		folio = lazymap_filemap_alloc_folio(gfp | __GFP_ZERO, order);
		if (folio) {
			/* Nobody can see it before it is added: no barrier. */
			__folio_mark_uptodate(folio);

			/* Locks it and charges it to the current memcg. */
			first = round_down(index, 1UL << order);
			err = filemap_add_folio(mapping, folio, first, gfp);
			if (!err) {
				folio_mark_dirty(folio);
				*allocated = true;
				return folio;
			}
			folio_put(folio);
		} else {
			err = -ENOMEM;
		}
		/*
		 * -EEXIST: another task added a folio first, at @index (use
		 * it) or elsewhere in the block (a single page then, as the
		 * block is busy).  Any other failure of a huge folio, to
		 * allocate or to add it: try a single page.
		 */
		if (err == -EEXIST)
			continue;
		if (!order)
			return ERR_PTR(err);
		order = 0;
	}
}

/*
 * The folio holding @index, locked and with a reference, allocating a
 * zeroed one the first time the index is touched: of @order if it can be
 * had (see lazymap_store_add()), else a single page.  Racing first touches
 * all end with the one folio that filemap_add_folio() let into the page
 * cache; *@allocated says whether this call added it.
 *
 * As in filemap_fault(), a resident folio is found without the invalidate
 * lock: the lookup re-checks the folio's mapping once it holds the folio
 * lock, and truncation takes that lock before it removes and unmaps the
 * folio.  Only adding a folio takes the invalidate lock, shared, so that a
 * discard (exclusive) never sees a page appear in the range it empties.
 */
struct folio *lazymap_store_get(struct lazymap_store *store, pgoff_t index,
				unsigned int order, bool *allocated)
{
	struct address_space *mapping = lazymap_store_mapping(store);
	struct folio *folio;

	*allocated = false;
	folio = lazymap_folio_or_null(filemap_lock_folio(mapping, index));
	if (folio)
		return folio;

	filemap_invalidate_lock_shared(mapping);
	folio = lazymap_store_add(store, index, order, allocated);
	filemap_invalidate_unlock_shared(mapping);
	return folio;
}

int lazymap_store_discard(struct lazymap_store *store, u64 offset, u64 length)
{
	struct address_space *mapping = lazymap_store_mapping(store);
	unsigned long before;

	if (!length || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(length) ||
	    offset > store->size || length > store->size - offset)
		return -EINVAL;

	/*
	 * The exclusive invalidate lock keeps faults (which take it shared)
	 * from adding a page back while the range is emptied.  Zap the page
	 * tables first so truncation finds the pages unmapped; private copies
	 * (even_cows == 0) are anonymous memory and stay, as for PUNCH_HOLE.
	 * Both steps cost what is mapped and resident, not the range length.
	 *
	 * A huge folio wholly inside the range is freed whole.  One that the
	 * range covers only in part is zeroed over that part, then split so
	 * that the pages in the range can be freed (into single pages up to
	 * 6.12; 7.x keeps the rest in the largest folios it can); the
	 * split fails while someone else holds a reference to the folio (a
	 * pin, a pipe buffer, a racing fault), and the whole folio then stays
	 * resident with only the range zeroed, as in tmpfs.  Either way every
	 * byte outside the range keeps its value.
	 */
	filemap_invalidate_lock(mapping);
	/* Only truncation changes nrpages while the lock is held exclusive. */
	before = READ_ONCE(mapping->nrpages);
	unmap_mapping_range(mapping, offset, length, 0);
	truncate_inode_pages_range(mapping, offset, offset + length - 1);
	trace_lazymap_discard(offset, length,
			      before - READ_ONCE(mapping->nrpages));
	filemap_invalidate_unlock(mapping);
	return 0;
}

/*
 * The first index from @index on that holds no page, or @last + 1.
 *
 * Each folio counts once, whatever its size, so a huge page is stepped over
 * in one go.  page_cache_next_miss() is not used: its xas_next() walk loses
 * step with the index when it starts inside a multi-index entry that is
 * smaller than an xarray node (a PMD folio of order 5 with 64 KiB pages
 * against 64-slot nodes) and answers one page past the real hole.
 * filemap_get_folios() finds each folio through its first index.
 */
static pgoff_t lazymap_store_next_hole(struct address_space *mapping,
				       pgoff_t index, pgoff_t last)
{
	struct folio_batch fbatch;
	pgoff_t start = index;
	unsigned int i, nr;

	folio_batch_init(&fbatch);
	while (index <= last) {
		nr = filemap_get_folios(mapping, &start, last, &fbatch);
		for (i = 0; i < nr; i++) {
			struct folio *folio = fbatch.folios[i];
			pgoff_t end = folio->index + folio_nr_pages(folio);

			if (folio->index > index)
				break;
			index = max(index, end);
		}
		folio_batch_release(&fbatch);
		if (!nr || i < nr)
			break;
		cond_resched();
	}
	return index;
}

/* SEEK_DATA/SEEK_HOLE at page granularity; 0 <= @offset < size. */
loff_t lazymap_store_seek(struct lazymap_store *store, loff_t offset,
			  int whence)
{
	struct address_space *mapping = lazymap_store_mapping(store);
	pgoff_t index = offset >> PAGE_SHIFT;
	pgoff_t last = store->pages - 1;
	pgoff_t hole;

	if (whence == SEEK_DATA) {
		if (!xa_find(&mapping->i_pages, &index, last, XA_PRESENT))
			return -ENXIO;
		return max_t(loff_t, offset, (loff_t)index << PAGE_SHIFT);
	}

	/* SEEK_HOLE: the end of the device counts as a hole. */
	hole = lazymap_store_next_hole(mapping, index, last);
	if (hole == index)
		return offset;
	if (hole > last)
		return store->size;
	return (loff_t)hole << PAGE_SHIFT;
}

void lazymap_store_info(struct lazymap_store *store, struct lazymap_info *info)
{
	int cpu;

	memset(info, 0, sizeof(*info));
	info->size = store->size;
	info->resident_pages = READ_ONCE(lazymap_store_mapping(store)->nrpages);
	info->page_size = PAGE_SIZE;
	info->huge_page_size = lazymap_huge_page_size(store->huge);
	info->huge_mode = store->huge;
	for_each_possible_cpu(cpu) {
		struct lazymap_stats *s = per_cpu_ptr(store->stats, cpu);

		info->faults += READ_ONCE(s->faults);
		info->cow_faults += READ_ONCE(s->cow_faults);
		info->huge_faults += READ_ONCE(s->huge_faults);
	}
}
