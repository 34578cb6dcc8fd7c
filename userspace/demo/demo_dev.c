// SPDX-License-Identifier: GPL-2.0
/*
 * Opening /dev/lazymap for lazymap-demo.  Most people who run the demo for
 * the first time hit one of three problems: the module is not loaded, the
 * device node was not created, or they are not root.  Each gets its own
 * message saying what to do.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "demo_dev.h"
#include "sysfile.h"

#define SYS_MODULE	"/sys/module/lazymap"
#define SYS_MISC	"/sys/class/misc/lazymap"
#define SYS_MISC_DEV	SYS_MISC "/dev"
#define SYS_PARAMS	SYS_MODULE "/parameters"

/* "10:123" from sysfs, or "" when there is no such misc device. */
static void misc_devnum(char *buf, size_t len)
{
	FILE *f = fopen(SYS_MISC_DEV, "re");

	buf[0] = 0;
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

static void explain_missing(const char *path, char *why, size_t len)
{
	char num[32];

	misc_devnum(num, sizeof(num));
	if (access(SYS_MODULE, F_OK)) {
		snprintf(why, len,
			 "%s does not exist: the lazymap module is not loaded\n"
			 "(no %s). Build it with `make module` and load it with\n"
			 "`sudo insmod lazymap.ko`, or run `make demo`, which\n"
			 "does all of this in a VM.", path, SYS_MODULE);
	} else if (num[0]) {
		char *colon = strchr(num, ':');

		if (colon)
			*colon = ' ';
		snprintf(why, len,
			 "the lazymap module is loaded but %s is missing (no\n"
			 "devtmpfs or udev to create it?). Create it with\n"
			 "`sudo mknod %s c %s`.", path, path, num);
	} else {
		snprintf(why, len,
			 "%s does not exist, and the loaded lazymap module\n"
			 "registered no misc device (%s is missing): check\n"
			 "dmesg for why it failed.", path, SYS_MISC_DEV);
	}
}

int dev_open(struct demo_dev *d, const char *path, char *why, size_t len)
{
	struct lazymap_info info;
	int err;

	memset(d, 0, sizeof(*d));
	d->path = path;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		err = errno;
		if (err == ENOENT)
			explain_missing(path, why, len);
		else if (err == EACCES || err == EPERM)
			snprintf(why, len,
				 "permission denied opening %s: only root may\n"
				 "use it. Run the demo as root (sudo).", path);
		else
			snprintf(why, len, "cannot open %s: %s", path,
				 strerror(err));
		return -err;
	}
	if (ioctl(d->fd, LAZYMAP_IOC_INFO, &info)) {
		err = errno;
		snprintf(why, len,
			 "%s does not answer LAZYMAP_IOC_INFO (%s): it is not\n"
			 "a lazymap device, or its module is older than this\n"
			 "demo.", path, strerror(err));
		close(d->fd);
		d->fd = -1;
		return -err;
	}
	d->size = info.size;
	d->page = info.page_size ? info.page_size : (size_t)getpagesize();
	return 0;
}

struct lazymap_info dev_info(const struct demo_dev *d)
{
	struct lazymap_info info;

	if (ioctl(d->fd, LAZYMAP_IOC_INFO, &info))
		memset(&info, 0, sizeof(info));
	return info;
}

int dev_empty(const struct demo_dev *d)
{
	struct lazymap_range r = { .offset = 0, .length = d->size };

	return ioctl(d->fd, LAZYMAP_IOC_DISCARD, &r) ? -errno : 0;
}

long dev_sysfs(const char *attr)
{
	char path[96];

	snprintf(path, sizeof(path), SYS_MISC "/%s", attr);
	return sysfile_long(path);
}

/* "size_mb=64 huge=always": the loaded module's parameters, for insmod. */
static void module_params(char *out, size_t len)
{
	struct dirent *de;
	size_t used = 0;
	char path[512], val[64];
	DIR *dir;
	FILE *f;

	out[0] = 0;
	dir = opendir(SYS_PARAMS);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SYS_PARAMS "/%s", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = 0;
			used += snprintf(out + used, len - used, "%s%s=%s",
					 used ? " " : "", de->d_name, val);
			if (used >= len)
				used = len - 1;
		}
		fclose(f);
	}
	closedir(dir);
}

int dev_reload(struct demo_dev *d, const char *ko, char *why, size_t len)
{
	const char *path = d->path;
	char params[256];
	int fd, tries, err = 0;

	module_params(params, sizeof(params));
	close(d->fd);
	d->fd = -1;
	/* A helper that just exited may still hold the device a moment. */
	for (tries = 0; tries < 100; tries++) {
		err = syscall(SYS_delete_module, "lazymap", O_NONBLOCK) ?
			-errno : 0;
		if (err != -EWOULDBLOCK && err != -EAGAIN && err != -EBUSY)
			break;
		usleep(10000);
	}
	if (err) {
		snprintf(why, len, "cannot unload lazymap: %s",
			 strerror(-err));
		goto reopen;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0)) {
		err = -errno;
		snprintf(why, len, "cannot load %s %s: %s", ko, params,
			 strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	close(fd);
reopen:
	if (dev_open(d, path, why, len))
		return err ? err : -ENODEV;
	return err;
}
