/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lazymap internals shared by the module's files.
 */
#ifndef _LAZYMAP_H
#define _LAZYMAP_H

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct lazymap_info;
struct vfsmount;
struct vm_area_desc;
struct vm_fault;

/* Fault counters, per CPU so that faults do not bounce a cache line. */
struct lazymap_stats {
	u64 faults;
	u64 cow_faults;
	u64 huge_faults;
};

/*
 * struct lazymap_store - the one store every opener shares.
 * @mnt:    private pseudo filesystem that owns @inode
 * @inode:  its page cache holds the store's pages; i_size is not the device
 *          size but the largest possible (lazymap_store_init() says why)
 * @size:   device size in bytes, a multiple of PAGE_SIZE
 * @pages:  device size in pages
 * @huge:   the huge= mode in effect, a LAZYMAP_HUGE_* value
 * @stats:  fault counters
 */
struct lazymap_store {
	struct vfsmount *mnt;
	struct inode *inode;
	u64 size;
	pgoff_t pages;
	unsigned int huge;
	struct lazymap_stats __percpu *stats;
};

/* struct lazymap_dev - the device: its misc node and its store. */
struct lazymap_dev {
	struct miscdevice misc;
	struct lazymap_store store;
};

/* lazymap_store.c */
int lazymap_store_init(struct lazymap_store *store, u64 size,
		       unsigned int huge);
void lazymap_store_destroy(struct lazymap_store *store);
struct folio *lazymap_store_find(struct lazymap_store *store, pgoff_t index);
struct folio *lazymap_store_get(struct lazymap_store *store, pgoff_t index,
				unsigned int order, bool *allocated);
int lazymap_store_discard(struct lazymap_store *store, u64 offset, u64 length);
loff_t lazymap_store_seek(struct lazymap_store *store, loff_t offset,
			  int whence);
void lazymap_store_info(struct lazymap_store *store,
			struct lazymap_info *info);

static inline struct address_space *
lazymap_store_mapping(struct lazymap_store *store)
{
	return store->inode->i_mapping;
}

/* lazymap_huge.c */
int lazymap_huge_parse(const char *name);
const char *lazymap_huge_name(unsigned int mode);
unsigned int lazymap_huge_supported(unsigned int mode);
u64 lazymap_huge_page_size(unsigned int mode);
unsigned int lazymap_huge_fault_order(struct lazymap_store *store,
				      struct vm_fault *vmf);
gfp_t lazymap_huge_gfp(void);

/* lazymap_vm.c: one of the two, whichever the kernel has (lazymap_compat.h) */
int lazymap_mmap(struct file *file, struct vm_area_struct *vma);
int lazymap_mmap_prepare(struct vm_area_desc *desc);

/* lazymap_file.c */
extern const struct file_operations lazymap_fops;
struct lazymap_store *lazymap_file_store(struct file *file);

/* lazymap_sysfs.c */
extern const struct attribute_group *lazymap_groups[];

#endif /* _LAZYMAP_H */
