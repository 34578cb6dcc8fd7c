/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/PID/pagemap: the page table entry behind an address, as
 * lazymap-demo and the selftests read it.
 */
#ifndef LM_PAGEMAP_H
#define LM_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT	(1ULL << 63)	/* a page is mapped here */
#define PM_SWAP		(1ULL << 62)	/* swapped out */
#define PM_FILE		(1ULL << 61)	/* a page cache (file) or shared page */
#define PM_EXCLUSIVE	(1ULL << 56)	/* mapped by this process only */
#define PM_PFN_MASK	((1ULL << 55) - 1)	/* 0 without CAP_SYS_ADMIN */

/*
 * The raw entries of @n consecutive pages from @addr in process @pid
 * (0: this one).  0 or -errno.
 */
int pm_read_raw(pid_t pid, const void *addr, size_t n, uint64_t *raw);

/* One entry, decoded. */
struct pm_entry {
	bool present;		/* bit 63: a page is mapped here */
	bool file;		/* bit 61: a page cache (file) page */
	bool exclusive;		/* bit 56: mapped by this process only */
	uint64_t pfn;		/* bits 0-54: 0 unless CAP_SYS_ADMIN */
};

/* Reads the entry for @addr in process @pid (0: this one); 0 or -errno. */
int pm_read(pid_t pid, const void *addr, struct pm_entry *e);
/* The same for @n consecutive pages from @addr. */
int pm_read_many(pid_t pid, const void *addr, size_t n, struct pm_entry *e);

/*
 * Whether pagemap shows frame numbers to us: the kernel zeroes them for
 * processes without CAP_SYS_ADMIN.
 */
bool pm_frames_visible(void);

#endif /* LM_PAGEMAP_H */
