// SPDX-License-Identifier: GPL-2.0
/*
 * A file on a disk for lazymap-demo's disk section: where its first block
 * lies on the block device, and what the device itself holds there.
 *
 * The device is read with O_DIRECT: the bytes come from the disk, not from
 * the page cache, which is the point.  O_DIRECT wants the buffer, offset
 * and length aligned to the device's logical block size; one page, aligned
 * to a page, satisfies every block size up to the page size.
 */
#define _GNU_SOURCE	/* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>

#include "demo_blk.h"
#include "sysfile.h"

/* "/dev/vda" for the device @st_dev, from sysfs's uevent file. */
static int bdev_name(dev_t dev, char *out, size_t len)
{
	char path[96], line[128];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent",
		 major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(out, len, "/dev/%.48s", line + 8);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The device byte of file byte 0, from FIEMAP.  Without FIEMAP_FLAG_SYNC:
 * that flag would write the file back first, and the section wants to
 * choose when that happens.  The extent must be an ordinary one: not
 * delayed (no block yet), inline, encoded or of unknown place.
 */
static int first_block(int fd, size_t page, uint64_t *phys)
{
	const unsigned int odd = FIEMAP_EXTENT_UNKNOWN |
		FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_ENCODED |
		FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED;
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[1];
	} q;

	memset(&q, 0, sizeof(q));
	q.fm.fm_start = 0;
	q.fm.fm_length = page;
	q.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &q.fm))
		return -errno;
	if (q.fm.fm_mapped_extents != 1 || q.ext[0].fe_logical != 0 ||
	    (q.ext[0].fe_flags & odd))
		return -EINVAL;
	*phys = q.ext[0].fe_physical;
	return 0;
}

int disk_open(struct disk_file *d, const char *path, size_t page,
	      char *why, size_t len)
{
	struct stat st;
	int err;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->bdev = -1;
	d->path = path;
	d->io = page;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		err = -errno;
		snprintf(why, len, "cannot open %s: %s", path, strerror(-err));
		goto fail;
	}
	if ((uint64_t)st.st_size < page) {
		err = -EINVAL;
		snprintf(why, len, "%s is smaller than a page", path);
		goto fail;
	}
	err = bdev_name(st.st_dev, d->dev, sizeof(d->dev));
	if (err) {
		snprintf(why, len, "%s is on no block device (%s)", path,
			 strerror(-err));
		goto fail;
	}
	err = first_block(d->fd, page, &d->phys);
	if (err) {
		snprintf(why, len, "FIEMAP does not place %s on %s (%s)",
			 path, d->dev, strerror(-err));
		goto fail;
	}
	d->bdev = open(d->dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (d->bdev < 0) {
		err = -errno;
		snprintf(why, len, "cannot open %s with O_DIRECT: %s", d->dev,
			 strerror(-err));
		goto fail;
	}
	err = -posix_memalign((void **)&d->buf, page, page);
	if (err) {
		d->buf = NULL;
		snprintf(why, len, "no memory");
		goto fail;
	}
	return 0;
fail:
	disk_close(d);
	return err;
}

void disk_close(struct disk_file *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->bdev >= 0)
		close(d->bdev);
	free(d->buf);
	d->fd = -1;
	d->bdev = -1;
	d->buf = NULL;
}

int disk_read_direct(struct disk_file *d, char *out, size_t n)
{
	uint64_t at = d->phys / d->io * d->io;
	size_t skip = d->phys - at, i;
	ssize_t got;

	got = pread(d->bdev, d->buf, d->io, at);
	if (got < 0)
		return -errno;
	if ((size_t)got < skip + n)
		return -EIO;
	for (i = 0; i + 1 < n && d->buf[skip + i] &&
	     d->buf[skip + i] != '\n'; i++)
		out[i] = d->buf[skip + i];
	out[i] = 0;
	return 0;
}

long vm_knob(const char *knob)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", knob);
	return sysfile_long(path);
}

int vm_knob_set(const char *knob, long val)
{
	char path[96];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", knob);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", val) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* "Key: value" (meminfo) or "key value" (vmstat) lines. */
static long file_key(const char *path, const char *key)
{
	size_t klen = strlen(key);
	char line[256];
	long val = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) &&
		    (line[klen] == ':' || line[klen] == ' ')) {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

long meminfo_kb(const char *key)
{
	return file_key("/proc/meminfo", key);
}

long vmstat_value(const char *key)
{
	return file_key("/proc/vmstat", key);
}
