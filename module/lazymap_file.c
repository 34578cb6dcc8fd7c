// SPDX-License-Identifier: GPL-2.0
/*
 * File operations of /dev/lazymap: open, read/write, splice, fsync, llseek,
 * ioctl.
 *
 * read() and write() go through the same store pages as the mappings, so
 * the device is coherent like a tmpfs file.  No lock that the fault path
 * takes is held while copying to or from userspace: the user buffer may be
 * a mapping of this very device, and copying from it faults into
 * lazymap_fault().  Only a folio reference is held across a copy.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include <asm/ioctls.h>

#include <linux/lazymap.h>

#include "lazymap.h"
#include "lazymap_compat.h"

struct lazymap_store *lazymap_file_store(struct file *file)
{
	/* misc_open() put our miscdevice in private_data. */
	struct miscdevice *misc = file->private_data;

	return &container_of(misc, struct lazymap_dev, misc)->store;
}

static int lazymap_open(struct inode *inode, struct file *file)
{
	struct lazymap_store *store = lazymap_file_store(file);

	/*
	 * Every device node has an inode and mapping of its own; point all
	 * openers at the store's, so unmap_mapping_range() on discard reaches
	 * every mapping whatever node it was opened through.
	 */
	file->f_mapping = lazymap_store_mapping(store);
	/*
	 * O_DIRECT is accepted and served from the store: there is no cache
	 * to bypass.  tmpfs does the same since 6.6 (shmem_file_open()); on
	 * older kernels a memfd refuses O_DIRECT, and that one difference is
	 * deliberate (programs that ask for direct I/O work).
	 */
	file->f_mode |= FMODE_CAN_ODIRECT;
	return 0;
}

/* Stop a long copy for a fatal signal, like the page cache read path. */
static bool lazymap_should_stop(void)
{
	cond_resched();
	return fatal_signal_pending(current);
}

static ssize_t lazymap_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct lazymap_store *store = lazymap_file_store(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t left, done = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= store->size)
		return 0;
	left = min_t(u64, iov_iter_count(to), store->size - pos);

	while (left) {
		pgoff_t index = pos >> PAGE_SHIFT;
		size_t offset = offset_in_page(pos);
		size_t chunk = min_t(size_t, PAGE_SIZE - offset, left);
		struct folio *folio;
		size_t copied;

		/*
		 * A hole reads as zeros and stays a hole.  The folio may be a
		 * huge one that @index is any page of.
		 */
		folio = lazymap_store_find(store, index);
		if (folio && PageHWPoison(folio_file_page(folio, index))) {
			/* A memory error took the bytes: as shmem, EIO. */
			folio_put(folio);
			if (!done)
				return -EIO;
			break;
		} else if (folio) {
			struct page *page = folio_file_page(folio, index);

			copied = copy_page_to_iter(page, offset, chunk, to);
			folio_put(folio);
		} else {
			copied = iov_iter_zero(chunk, to);
		}

		done += copied;
		pos += copied;
		left -= copied;
		if (copied < chunk) {
			if (!done)
				return -EFAULT;
			break;
		}
		if (left && lazymap_should_stop())
			break;
	}

	iocb->ki_pos = pos;
	return done;
}

static ssize_t lazymap_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct lazymap_store *store = lazymap_file_store(iocb->ki_filp);
	loff_t pos = iocb->ki_pos;
	size_t left, done = 0;
	ssize_t err = 0;

	if (pos < 0)
		return -EINVAL;
	if (!iov_iter_count(from))
		return 0;
	/*
	 * Appending (O_APPEND, RWF_APPEND) writes at the end of the file, as
	 * on a memfd; the end of a fixed-size device has no room.
	 */
	if (iocb->ki_flags & IOCB_APPEND)
		pos = store->size;
	/* A fixed-size device: nothing fits at or past its end. */
	if (pos >= store->size)
		return -ENOSPC;
	left = min_t(u64, iov_iter_count(from), store->size - pos);

	while (left) {
		pgoff_t index = pos >> PAGE_SHIFT;
		size_t offset = offset_in_page(pos);
		size_t chunk = min_t(size_t, PAGE_SIZE - offset, left);
		struct folio *folio;
		bool allocated;
		size_t copied;

		/*
		 * Fault the source in first, so that a bad buffer fails with
		 * EFAULT before a page is allocated for nothing.
		 */
		if (fault_in_iov_iter_readable(from, chunk) == chunk) {
			err = -EFAULT;
			break;
		}

		/*
		 * A hole gets a single page whatever huge= says: a write()
		 * of a few bytes should not cost a huge page.  A huge folio
		 * already there is written in place.
		 */
		folio = lazymap_store_get(store, index, 0, &allocated);
		if (IS_ERR(folio)) {
			err = PTR_ERR(folio);
			break;
		}
		/* Copy unlocked: the source may be a mapping of this page. */
		folio_unlock(folio);
		if (PageHWPoison(folio_file_page(folio, index))) {
			folio_put(folio);
			err = -EIO;
			break;
		}
		copied = copy_page_from_iter(folio_file_page(folio, index),
					     offset, chunk, from);
		flush_dcache_folio(folio);
		folio_put(folio);

		done += copied;
		pos += copied;
		left -= copied;
		if (copied < chunk) {
			err = -EFAULT;
			break;
		}
		if (left && lazymap_should_stop())
			break;
	}

	iocb->ki_pos = pos;
	return done ? done : err;
}

static loff_t lazymap_llseek(struct file *file, loff_t offset, int whence)
{
	struct lazymap_store *store = lazymap_file_store(file);
	loff_t pos;

	switch (whence) {
	case SEEK_DATA:
	case SEEK_HOLE:
		/* As for a sparse file of the device's size. */
		if (offset < 0 || offset >= store->size)
			return -ENXIO;
		pos = lazymap_store_seek(store, offset, whence);
		if (pos < 0)
			return pos;
		return vfs_setpos(file, pos, MAX_LFS_FILESIZE);
	default:
		return generic_file_llseek_size(file, offset, whence,
						MAX_LFS_FILESIZE, store->size);
	}
}

static long lazymap_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct lazymap_store *store = lazymap_file_store(file);
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case LAZYMAP_IOC_INFO: {
		struct lazymap_info info;

		lazymap_store_info(store, &info);
		if (copy_to_user(argp, &info, sizeof(info)))
			return -EFAULT;
		return 0;
	}
	case FIONREAD:
		/*
		 * The VFS answers this for regular files only: the bytes from
		 * the file position to the end, as an int, truncation and all.
		 */
		return put_user((int)(store->size - file->f_pos),
				(int __user *)argp);
	case LAZYMAP_IOC_DISCARD: {
		struct lazymap_range range;

		/* Discard changes the store: like fallocate(), needs write. */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (copy_from_user(&range, argp, sizeof(range)))
			return -EFAULT;
		return lazymap_store_discard(store, range.offset, range.length);
	}
	default:
		return -ENOTTY;
	}
}

const struct file_operations lazymap_fops = {
	.owner		= THIS_MODULE,
	.open		= lazymap_open,
	.llseek		= lazymap_llseek,
	.read_iter	= lazymap_read_iter,
	.write_iter	= lazymap_write_iter,
	/*
	 * splice() and sendfile() in both directions, through the two
	 * functions above: holes read as zeros without being allocated, and
	 * writes allocate and stop at the end of the device as write() does.
	 */
	.splice_read	= lazymap_splice_read,
	.splice_write	= iter_file_splice_write,
	/*
	 * fsync(), fdatasync() and msync(MS_SYNC) succeed and do nothing: the
	 * store is memory, with no medium behind it to write back to, and
	 * every write is visible to every reader the moment it is done.
	 */
	.fsync		= noop_fsync,
#ifdef LAZYMAP_HAVE_MMAP_PREPARE
	/* Since 6.16; .mmap is deprecated there, and never both. */
	.mmap_prepare	= lazymap_mmap_prepare,
#else
	.mmap		= lazymap_mmap,
#endif
	/*
	 * PMD-aligned addresses for mappings, so that huge pages can be
	 * mapped whole (the kernel pads and aligns only requests of at least
	 * a PMD without an address hint).  NULL without THP: the default.
	 */
	.get_unmapped_area = thp_get_unmapped_area,
	.unlocked_ioctl	= lazymap_ioctl,
	/* Both structs are all __u64: the same layout for 32-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
};
