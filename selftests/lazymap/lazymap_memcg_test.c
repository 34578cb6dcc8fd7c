// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups: store pages are charged to the memory cgroup of the task
 * whose fault or write allocated them (core issue, behaviour 12).  A child
 * in a cgroup v2 group with memory.max far below what it touches therefore
 * cannot grow the store past the limit: the pages cannot be reclaimed (the
 * store is unevictable), so the cgroup's OOM killer ends the child.  Its
 * pages stay in the store and stay charged to the group (memory.current,
 * memory.stat "file") until they are discarded, and the rest of the system,
 * outside the group, goes on using the device.
 *
 * The OOM killer prints a report with a stack dump; the test brackets it
 * with "lazymap-expect: oom begin/end" lines in the kernel log, which
 * scripts/vm-run.sh takes as "this OOM report is expected".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_LIMIT	(8 * LM_MIB)	/* memory.max of the group */
#define CG_TOUCH	(32 * LM_MIB)	/* what the child tries to fill */
#define CG_CHUNK	LM_MIB		/* write() size */

/* Exit codes of the child, besides death by SIGKILL. */
#define CHILD_DONE	0	/* touched everything: the limit did not hold */
#define CHILD_SETUP	2	/* could not join the group or map */
#define CHILD_ENOMEM	3	/* write() failed with ENOMEM */

/* A line in the kernel log (the OOM report markers). */
static void cg_kmsg(const char *msg)
{
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, msg, strlen(msg)) < 0)
			perror("/dev/kmsg");
		close(fd);
	}
}

FIXTURE(memcg) {
	int fd;
	char dir[128];
	char file[160];
	bool made;
	size_t touch;
};

FIXTURE_VARIANT(memcg) {
	bool shared;
	bool write;
	bool syscall;		/* write() instead of faults */
};

FIXTURE_VARIANT_ADD(memcg, shared_write_faults) {
	.shared = true, .write = true,
};

FIXTURE_VARIANT_ADD(memcg, shared_read_faults) {
	.shared = true, .write = false,
};

/* Read faults of a private mapping allocate store pages too. */
FIXTURE_VARIANT_ADD(memcg, private_read_faults) {
	.shared = false, .write = false,
};

FIXTURE_VARIANT_ADD(memcg, write_syscall) {
	.syscall = true,
};

FIXTURE_SETUP(memcg)
{
	char ctl[256] = "", val[32];
	FILE *f;

	self->made = false;
	self->fd = -1;
	LM_NEED_DEVICE();
	f = fopen(CG_ROOT "/cgroup.controllers", "re");
	if (!f || !fgets(ctl, sizeof(ctl), f) || !strstr(ctl, "memory")) {
		if (f)
			fclose(f);
		LM_SKIP("no memory controller in %s (cgroup2 not mounted there, or no CONFIG_MEMCG)",
			CG_ROOT);
	}
	fclose(f);
	ASSERT_EQ(0, lm_write_str(CG_ROOT "/cgroup.subtree_control",
				  "+memory"));

	snprintf(self->dir, sizeof(self->dir), CG_ROOT "/lazymap-memcg-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	self->made = true;
	snprintf(self->file, sizeof(self->file), "%s/memory.max", self->dir);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)CG_LIMIT);
	ASSERT_EQ(0, lm_write_str(self->file, val));

	LM_OPEN_EMPTY(self->fd);
	self->touch = CG_TOUCH;
	if (self->touch > lm_size(self->fd))
		self->touch = lm_size(self->fd);
	ASSERT_LE(2 * CG_LIMIT, self->touch)
		TH_LOG("the device is too small for this test");
}

FIXTURE_TEARDOWN(memcg)
{
	lm_close_empty(self->fd);
	if (self->made)
		rmdir(self->dir);
}

/* In the child: join the group, then fill the device until stopped. */
static int cg_child(const char *dir, int fd, size_t touch, bool shared,
		    bool write, bool syscall)
{
	char procs[160], *buf = NULL;
	volatile char *p = NULL;
	size_t off;

	/* Allocated (and charged) before joining: only the store counts. */
	if (syscall) {
		buf = malloc(CG_CHUNK);
		if (!buf)
			return CHILD_SETUP;
		memset(buf, 0x6d, CG_CHUNK);
	} else {
		p = mmap(NULL, touch, PROT_READ | PROT_WRITE,
			 shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			return CHILD_SETUP;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (lm_write_str(procs, "0"))
		return CHILD_SETUP;

	for (off = 0; off < touch; off += syscall ? CG_CHUNK : lm_ps) {
		if (syscall) {
			if (lm_pwrite_all(fd, buf, CG_CHUNK, off) == -ENOMEM)
				return CHILD_ENOMEM;
		} else if (write) {
			p[off] = 1;
		} else {
			(void)p[off];
		}
	}
	return CHILD_DONE;
}

TEST_F_TIMEOUT(memcg, store_cannot_grow_past_memory_max, 120)
{
	uint64_t before, grown, current = 0, after = 0, file = 0, ooms = 0;
	char path[192];
	int status;
	pid_t pid;

	before = lm_resident(self->fd);
	cg_kmsg("lazymap-expect: oom begin\n");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(cg_child(self->dir, self->fd, self->touch,
			       variant->shared, variant->write,
			       variant->syscall));
	status = lm_wait(pid);
	cg_kmsg("lazymap-expect: oom end\n");

	ASSERT_NE(CHILD_SETUP, status);
	ASSERT_NE(CHILD_DONE, status)
		TH_LOG("the child filled %llu MiB in a group limited to %llu MiB",
		       (unsigned long long)(self->touch / LM_MIB),
		       (unsigned long long)(CG_LIMIT / LM_MIB));
	if (variant->syscall) {
		EXPECT_TRUE(status == 128 + SIGKILL || status == CHILD_ENOMEM)
			TH_LOG("child status %d", status);
	} else {
		EXPECT_EQ(128 + SIGKILL, status);
	}

	/* The store grew, but no further than the group's limit. */
	grown = lm_resident(self->fd) - before;
	TH_LOG("the store grew by %llu pages (%llu KiB) in a group limited to %llu KiB",
	       (unsigned long long)grown,
	       (unsigned long long)(grown * lm_ps / 1024),
	       (unsigned long long)(CG_LIMIT / 1024));
	EXPECT_GE(CG_LIMIT, grown * lm_ps);
	EXPECT_LE(CG_LIMIT / 2, grown * lm_ps);

	/* The pages are the group's, and its OOM killer did the killing. */
	snprintf(path, sizeof(path), "%s/memory.current", self->dir);
	ASSERT_EQ(0, lm_read_u64(path, &current));
	snprintf(path, sizeof(path), "%s/memory.stat", self->dir);
	ASSERT_EQ(0, lm_file_key(path, "file", &file));
	snprintf(path, sizeof(path), "%s/memory.events", self->dir);
	ASSERT_EQ(0, lm_file_key(path, "oom_kill", &ooms));
	TH_LOG("memory.current %llu, memory.stat file %llu, oom_kill %llu",
	       (unsigned long long)current, (unsigned long long)file,
	       (unsigned long long)ooms);
	/* memory.stat lags by up to a charge batch per CPU: only logged. */
	EXPECT_LE(grown * lm_ps, current);
	if (status == 128 + SIGKILL)
		EXPECT_LE(1ULL, ooms);

	/* Outside the group, the whole range is there for the taking. */
	{
		volatile char *p = mmap(NULL, self->touch,
					PROT_READ | PROT_WRITE, MAP_SHARED,
					self->fd, 0);
		size_t off;

		ASSERT_NE(MAP_FAILED, p);
		for (off = 0; off < self->touch; off += lm_ps)
			p[off] = 2;
		EXPECT_EQ(self->touch / lm_ps, lm_resident(self->fd));
		munmap((void *)p, self->touch);
	}

	/*
	 * Discarding returns the group's pages, every one of them.  A page
	 * freshly added to the page cache can still sit in a per-CPU LRU
	 * batch, which holds a reference: it is freed, and uncharged, only
	 * when the batch drains.  memory.reclaim drains every CPU's batches
	 * (lru_add_drain_all) before giving up on unevictable pages.
	 */
	snprintf(path, sizeof(path), "%s/memory.current", self->dir);
	ASSERT_EQ(0, lm_read_u64(path, &current));
	ASSERT_EQ(0, lm_reset(self->fd));
	snprintf(path, sizeof(path), "%s/memory.reclaim", self->dir);
	/* EAGAIN: nothing reclaimable, as expected. */
	lm_write_str(path, "1G");
	snprintf(path, sizeof(path), "%s/memory.current", self->dir);
	ASSERT_EQ(0, lm_read_u64(path, &after));
	TH_LOG("memory.current %llu -> %llu after discarding the store",
	       (unsigned long long)current, (unsigned long long)after);
	EXPECT_LE(grown * lm_ps, current - after);
}

TEST_HARNESS_MAIN
