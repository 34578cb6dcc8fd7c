/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lazymap: a demand-paged memory device shared by all openers.
 *
 * /dev/lazymap behaves like a fixed-size tmpfs file whose pages exist only
 * once touched.  See lazymap(4) and README.md.
 */
#ifndef _UAPI_LINUX_LAZYMAP_H
#define _UAPI_LINUX_LAZYMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * struct lazymap_info - a snapshot of the store, read with LAZYMAP_IOC_INFO.
 * @size:           device size in bytes
 * @resident_pages: pages currently held by the store (exact)
 * @faults:         calls of the fault handler since load
 * @cow_faults:     of those, calls for a write to a MAP_PRIVATE mapping
 * @page_size:      size of one store page in bytes
 * @huge_faults:    of the faults, those that allocated a huge page
 * @huge_page_size: size of a huge page in bytes (the kernel's PMD size)
 *                  when @huge_mode is not LAZYMAP_HUGE_NEVER, else 0
 * @huge_mode:      the huge= mode in effect, a LAZYMAP_HUGE_* value
 *
 * Every field is a __u64, so the layout has no padding and is the same for
 * 32-bit and 64-bit callers.  The last three fields were a reserved[3] of
 * zeros before huge pages: the size, and so the ioctl number, is unchanged,
 * and a module without huge pages reads as huge_mode LAZYMAP_HUGE_NEVER.
 */
struct lazymap_info {
	__u64 size;
	__u64 resident_pages;
	__u64 faults;
	__u64 cow_faults;
	__u64 page_size;
	__u64 huge_faults;
	__u64 huge_page_size;
	__u64 huge_mode;
};

/*
 * Values of lazymap_info.huge_mode: the module parameter huge=, with the
 * meaning of tmpfs's huge= mount option (see lazymap(4)).
 */
#define LAZYMAP_HUGE_NEVER		0	/* only single pages */
#define LAZYMAP_HUGE_ALWAYS		1	/* huge pages where they fit */
#define LAZYMAP_HUGE_WITHIN_SIZE	2	/* as always: fixed size */
#define LAZYMAP_HUGE_ADVISE		3	/* only for MADV_HUGEPAGE */

/*
 * struct lazymap_range - a byte range of the device, for LAZYMAP_IOC_DISCARD.
 * @offset: start, a multiple of the page size
 * @length: length, a non-zero multiple of the page size
 */
struct lazymap_range {
	__u64 offset;
	__u64 length;
};

/* 0xB9 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define LAZYMAP_IOC_MAGIC	0xB9

/* Read struct lazymap_info. Works on a read-only descriptor. */
#define LAZYMAP_IOC_INFO \
	_IOR(LAZYMAP_IOC_MAGIC, 0x00, struct lazymap_info)

/*
 * Free the pages of a range and remove them from every mapping, like
 * fallocate(FALLOC_FL_PUNCH_HOLE) on a memfd.  Needs a descriptor open for
 * writing.
 */
#define LAZYMAP_IOC_DISCARD \
	_IOW(LAZYMAP_IOC_MAGIC, 0x01, struct lazymap_range)

#endif /* _UAPI_LINUX_LAZYMAP_H */
