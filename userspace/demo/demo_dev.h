/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device as lazymap-demo sees it: opening it with an explanation when
 * that fails, its counters, emptying its store and reloading its module.
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
/* A number from /sys/class/misc/lazymap/<attr>, or -1. */
long dev_sysfs(const char *attr);
/*
 * Closes @d, unloads the module, loads @ko with the parameters the module
 * had and opens @d again.  The caller must hold no mapping of it.  0, or
 * -errno with @why saying which step failed.
 */
int dev_reload(struct demo_dev *d, const char *ko, char *why, size_t len);

#endif /* DEMO_DEV_H */
