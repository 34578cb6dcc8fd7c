// SPDX-License-Identifier: GPL-2.0
/*
 * The second program of lazymap-demo's sections 1, 2 and 6.  It is started
 * by proc_helper() with a pipe on stdin and one on stdout; it opens and
 * maps the device itself, so it shares nothing with the demo but the
 * device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo_helper.h"
#include "demo_proc.h"
#include "demo_spawn.h"

static struct proc parent = { .rd = 0, .wr = 1 };

static int helper_touch(int fd, int argc, char **argv)
{
	size_t psz = sysconf(_SC_PAGESIZE), len, pages[8], i, n = 0;
	int before = 0, after = 0;
	struct pm_entry e;
	long m0, m1;
	char *base;

	if (argc < 2)
		return 2;
	len = strtoull(argv[0], NULL, 0);
	for (i = 1; i < (size_t)argc && n < 8; i++)
		pages[n++] = strtoull(argv[i], NULL, 0);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return 1;
	/* Single pages, as the demo's own mappings (map_dev()). */
	madvise(base, len, MADV_NOHUGEPAGE);
	for (i = 0; i < n; i++)
		before += !pm_read(0, base + pages[i] * psz, &e) && e.present;
	/*
	 * A first call faults in its own code and stack; the second then
	 * counts only the faults of the writes in between.
	 */
	minor_faults();
	m0 = minor_faults();
	for (i = 0; i < n; i++)
		__atomic_store_n(base + pages[i] * psz + 1, 'b',
				 __ATOMIC_RELAXED);
	m1 = minor_faults();
	for (i = 0; i < n; i++)
		after += !pm_read(0, base + pages[i] * psz, &e) && e.present;
	proc_send(&parent, "before=%d after=%d minflt=%ld", before, after,
		  m1 - m0);
	return 0;
}

static int helper_shared(int fd, int argc, char **argv)
{
	size_t psz = sysconf(_SC_PAGESIZE), pg;
	char *p;

	if (argc < 1)
		return 2;
	pg = strtoull(argv[0], NULL, 0);
	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg * psz);
	if (p == MAP_FAILED)
		return 1;
	snprintf(p + 128, 64, "process %d was here", getpid());
	proc_send(&parent, "pid=%d addr=%p", getpid(), (void *)p);
	proc_send(&parent, "%.63s", p);
	proc_send(&parent, "%.63s", p + 64);
	proc_wait_eof(&parent);
	return 0;
}

int helper_main(const char *dev, int argc, char **argv)
{
	int fd;

	/* Never outlive a demo that got stuck. */
	alarm(120);
	if (argc < 1)
		return 2;
	if (!strcmp(argv[0], "libc")) {
		proc_send(&parent, "pid=%d", getpid());
		proc_wait_eof(&parent);
		return 0;
	}
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		proc_send(&parent, "cannot open %s: %s", dev, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[0], "touch"))
		return helper_touch(fd, argc - 1, argv + 1);
	if (!strcmp(argv[0], "shared"))
		return helper_shared(fd, argc - 1, argv + 1);
	return 2;
}
