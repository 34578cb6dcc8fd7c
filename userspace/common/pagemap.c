// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /proc/PID/pagemap.  Any process may read its own entries, or with
 * ptrace rights another's; the frame numbers in them additionally need
 * CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagemap.h"

int pm_read_raw(pid_t pid, const void *addr, size_t n, uint64_t *raw)
{
	size_t psz = sysconf(_SC_PAGESIZE);
	char path[64];
	ssize_t got;
	int fd, ret = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Entry i of the file describes virtual page i. */
	got = pread(fd, raw, n * sizeof(*raw),
		    (off_t)((uintptr_t)addr / psz * sizeof(*raw)));
	if (got != (ssize_t)(n * sizeof(*raw)))
		ret = got < 0 ? -errno : -EIO;
	close(fd);
	return ret;
}

int pm_read_many(pid_t pid, const void *addr, size_t n, struct pm_entry *e)
{
	uint64_t *raw;
	size_t i;
	int ret;

	memset(e, 0, n * sizeof(*e));
	raw = calloc(n, sizeof(*raw));
	if (!raw)
		return -ENOMEM;
	ret = pm_read_raw(pid, addr, n, raw);
	for (i = 0; !ret && i < n; i++) {
		e[i].present = raw[i] & PM_PRESENT;
		e[i].file = raw[i] & PM_FILE;
		e[i].exclusive = raw[i] & PM_EXCLUSIVE;
		e[i].pfn = e[i].present ? raw[i] & PM_PFN_MASK : 0;
	}
	free(raw);
	return ret;
}

int pm_read(pid_t pid, const void *addr, struct pm_entry *e)
{
	return pm_read_many(pid, addr, 1, e);
}

bool pm_frames_visible(void)
{
	struct pm_entry e;
	int here = 0;

	/* The page of the stack we are running on is surely present. */
	return !pm_read(0, &here, &e) && e.present && e.pfn;
}
