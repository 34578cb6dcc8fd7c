// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroup charging (behaviour 12, the accounting half): a page is
 * charged to the memory cgroup of the task whose touch allocated it, not to
 * later users of the same page, and the charge goes when the page is
 * discarded.  Uses two child cgroups of the cgroup2 root; skips where the
 * memory controller is missing.  (Allocation failure, VM_FAULT_OOM and
 * ENOMEM, is for the fault-injection tests.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_A		CG_ROOT "/lazymap-charge-a"
#define CG_B		CG_ROOT "/lazymap-charge-b"
#define WORD_SEP	"\n "	/* separators in cgroup list files */
/*
 * memcg charges in batches of MEMCG_CHARGE_BATCH pages and keeps what a
 * batch has left over in a per-CPU stock, which memory.current counts:
 * each cgroup's figure may be off by that much per CPU (4 MiB per CPU with
 * 64 KiB pages, 256 KiB with 4 KiB ones).
 */
#define CHARGE_BATCH	64

/*
 * A's and B's working sets in pages (set by the setup from the page size,
 * so that they are the same bytes on every architecture, and from the
 * slack, so that the slack never hides a whole working set), and the
 * slack of memory.current for each cgroup.
 */
static size_t a_pages, b_pages;
static uint64_t a_slack, b_slack, discard_slack;

/*
 * Pages a CPU's folio batch may still hold when the store lets them go
 * (31 from 6.12, 15 before): they are uncharged when that batch drains.
 */
#define FOLIO_BATCH_PAGES	32

FIXTURE(charge) {
	int fd;
	bool have_memcg;
};

static bool file_has_word(const char *path, const char *word)
{
	char buf[512], *t;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (t = strtok(buf, WORD_SEP); t; t = strtok(NULL, WORD_SEP))
		if (!strcmp(t, word))
			return true;
	return false;
}

static uint64_t memory_current(const char *cg)
{
	char path[256];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	return lm_read_u64(path, &v) ? UINT64_MAX : v;
}

/* Move the calling process into cgroup cg.  0 or -errno. */
static int join(const char *cg)
{
	char path[256], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d\n", getpid());
	return lm_write_str(path, pid);
}

FIXTURE_SETUP(charge)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t batch = CHARGE_BATCH * lm_ps * (uint64_t)(cpus > 0 ? cpus : 1);
	uint64_t a_bytes;

	/*
	 * The slack: the per-CPU batches, and 1 MiB for page tables and
	 * stacks (the figures that held with 4 KiB pages).
	 */
	a_slack = batch > LM_MIB ? batch : LM_MIB;
	b_slack = batch + LM_MIB > 2 * LM_MIB ? batch + LM_MIB : 2 * LM_MIB;
	/* A: 16 MiB, or twice the slack, so that moving it shows. */
	a_bytes = 2 * b_slack > 16 * LM_MIB ? 2 * b_slack : 16 * LM_MIB;
	a_pages = a_bytes / lm_ps;
	b_pages = 2 * LM_MIB / lm_ps;
	/* 1 MiB, or the folio batches, which hold 4 MiB with 64 KiB pages. */
	discard_slack = FOLIO_BATCH_PAGES * lm_ps *
			(uint64_t)(cpus > 0 ? cpus : 1);
	if (discard_slack < LM_MIB)
		discard_slack = LM_MIB;

	LM_OPEN_EMPTY(self->fd);
	/* Both working sets fit in the device, one after the other. */
	ASSERT_LE((a_pages + b_pages) * lm_ps, lm_size(self->fd));
	self->have_memcg = !lm_emulated() &&
		file_has_word(CG_ROOT "/cgroup.controllers", "memory");
	if (!self->have_memcg)
		return;
	if (!file_has_word(CG_ROOT "/cgroup.subtree_control", "memory"))
		ASSERT_EQ(0, lm_write_str(CG_ROOT "/cgroup.subtree_control",
					  "+memory"));
	ASSERT_TRUE(mkdir(CG_A, 0755) == 0 || errno == EEXIST);
	ASSERT_TRUE(mkdir(CG_B, 0755) == 0 || errno == EEXIST);
}

FIXTURE_TEARDOWN(charge)
{
	lm_close_empty(self->fd);
	if (self->have_memcg) {
		rmdir(CG_A);
		rmdir(CG_B);
	}
}

/*
 * Run fn in a child process inside cgroup cg; returns the child's exit
 * status (0 for success).
 */
static int in_cgroup(const char *cg, int (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(join(cg) ? 100 : fn());
	return lm_wait(pid);
}

/* A touches a_pages pages by writing through its own mapping. */
static int touch_a(void)
{
	int fd = lm_open(O_RDWR);
	uint8_t *p;

	if (fd < 0)
		return 1;
	p = mmap(NULL, a_pages * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return 2;
	lm_touch_write(p, a_pages, 0xa);
	return 0;
}

/*
 * B reads all of A's pages (through a mapping and read(2)), then writes
 * b_pages new pages with write(2).
 */
static int touch_b(void)
{
	int fd = lm_open(O_RDWR);
	uint8_t *p, buf[64];
	size_t i;

	if (fd < 0)
		return 1;
	p = mmap(NULL, a_pages * lm_ps, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	for (i = 0; i < a_pages; i++)
		if (p[i * lm_ps] != 0xa)
			return 3;
	for (i = 0; i < a_pages; i += 7)
		if (lm_pread_all(fd, buf, sizeof(buf), i * lm_ps))
			return 4;
	for (i = 0; i < b_pages; i++)
		if (lm_pwrite_all(fd, "b", 1, (a_pages + i) * lm_ps))
			return 5;
	return 0;
}

TEST_F(charge, charged_to_first_toucher)
{
	const uint64_t a_bytes = a_pages * lm_ps;
	const uint64_t b_bytes = b_pages * lm_ps;
	uint64_t a0, b0, a1, b1, a2, b2, a3;

	LM_NEED_DEVICE();
	if (!self->have_memcg)
		SKIP(return, "no memory cgroup controller in %s", CG_ROOT);

	a0 = memory_current(CG_A);
	b0 = memory_current(CG_B);
	ASSERT_NE(UINT64_MAX, a0);
	ASSERT_NE(UINT64_MAX, b0);

	ASSERT_EQ(0, in_cgroup(CG_A, touch_a));
	a1 = memory_current(CG_A);
	b1 = memory_current(CG_B);
	ASSERT_EQ(0, in_cgroup(CG_B, touch_b));
	a2 = memory_current(CG_A);
	b2 = memory_current(CG_B);
	TH_LOG("memory.current: A %llu -> %llu -> %llu, B %llu -> %llu -> %llu (A %llu bytes, B %llu, slack %llu and %llu)",
	       (unsigned long long)a0, (unsigned long long)a1,
	       (unsigned long long)a2, (unsigned long long)b0,
	       (unsigned long long)b1, (unsigned long long)b2,
	       (unsigned long long)a_bytes, (unsigned long long)b_bytes,
	       (unsigned long long)a_slack, (unsigned long long)b_slack);

	/* A's pages are A's: all of them, and they stay A's. */
	EXPECT_LE(a0 + a_bytes, a1);
	EXPECT_LE(a1 - a_slack, a2);	/* B's reads moved nothing away */
	/* B paid for its own pages, not for A's (slack: see the setup). */
	EXPECT_LE(b0 + b_bytes, b2);
	EXPECT_LE(b2, b0 + b_bytes + b_slack);

	/*
	 * Discarding A's pages takes their charge away from A (uncharging
	 * bypasses the per-CPU stock), but a page still held by another
	 * CPU's folio batch is uncharged only when that batch drains: with
	 * 64 KiB pages, a ppc64el run beside another VM found 128 KiB more
	 * than 1 MiB still charged.
	 */
	ASSERT_EQ(0, lm_discard(self->fd, 0, a_bytes));
	a3 = memory_current(CG_A);
	TH_LOG("memory.current of A after discard: %llu (slack %llu)",
	       (unsigned long long)a3, (unsigned long long)discard_slack);
	EXPECT_LE(a3 + a_bytes - discard_slack, a2);
}

TEST_HARNESS_MAIN
