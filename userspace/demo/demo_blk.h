/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A file on a disk, seen from both sides of the page cache: through the
 * file system (open, mmap, read) and straight from the block device under
 * it (O_DIRECT at the file's block, found with FIEMAP), plus the knobs and
 * counters of write-back.  For the disk section of lazymap-demo.
 */
#ifndef DEMO_BLK_H
#define DEMO_BLK_H

#include <stddef.h>
#include <stdint.h>

struct disk_file {
	const char *path;	/* the file, on a disk file system */
	int fd;			/* the file, read-write */
	char dev[64];		/* its block device, "/dev/vda" */
	int bdev;		/* the device, O_RDONLY | O_DIRECT */
	uint64_t phys;		/* byte offset of file byte 0 on the device */
	size_t io;		/* bytes per direct read: one page */
	char *buf;		/* @io bytes, aligned for O_DIRECT */
};

/*
 * Opens @path, its block device and the device byte of file byte 0.
 * 0, or -errno with @why saying what was missing.
 */
int disk_open(struct disk_file *d, const char *path, size_t page,
	      char *why, size_t len);
void disk_close(struct disk_file *d);
/*
 * Copies @n bytes (< page) of what the device holds at file byte 0,
 * bypassing the page cache, as a string.  0 or -errno.
 */
int disk_read_direct(struct disk_file *d, char *out, size_t n);

/* A number from /proc/sys/vm/<knob>, or -1. */
long vm_knob(const char *knob);
/* Sets it; 0 or -errno. */
int vm_knob_set(const char *knob, long val);
/* The value of @key in /proc/meminfo (kB) or /proc/vmstat, or -1. */
long meminfo_kb(const char *key);
long vmstat_value(const char *key);

#endif /* DEMO_BLK_H */
