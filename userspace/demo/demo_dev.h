/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device as lazymap-demo sees it: opening it with an explanation when
 * that fails, its counters and emptying its store.
 */
#ifndef DEMO_DEV_H
#define DEMO_DEV_H

#include <stddef.h>
#include <stdint.h>

#include <linux/lazymap.h>

#define DEMO_DEV_PATH	"/dev/lazymap"

struct demo_dev {
	const char *path;
	int fd;			/* open for reading and writing */
	uint64_t size;		/* bytes */
	size_t page;		/* bytes per store page */
};

/*
 * Opens @path and reads its size.  On failure, @why says in plain words
 * what is wrong (module not loaded, node missing, not root) and what to do.
 */
int dev_open(struct demo_dev *d, const char *path, char *why, size_t len);
/* LAZYMAP_IOC_INFO; on failure the counters read as zero. */
struct lazymap_info dev_info(const struct demo_dev *d);
/* LAZYMAP_IOC_DISCARD of the whole device; 0 or -errno. */
int dev_empty(const struct demo_dev *d);

#endif /* DEMO_DEV_H */
