// SPDX-License-Identifier: GPL-2.0
/* Reading /proc/kpageflags: one 64-bit word per frame, at pfn * 8. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "kpageflags.h"

int kpageflags_read(uint64_t pfn, uint64_t *flags)
{
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, flags, sizeof(*flags), (off_t)(pfn * sizeof(*flags)));
	close(fd);
	return n == sizeof(*flags) ? 0 : -EIO;
}
