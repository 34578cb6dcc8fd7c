// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages (issue 13): with huge=always the first touch of a PMD-aligned
 * block that a suitable mapping covers allocates one zeroed huge page (the
 * kernel's PMD size, read from the system) and the kernel maps it with one
 * PMD: one fault for the whole block, "FilePmdMapped" in smaps, contiguous
 * aligned frames that /proc/kpageflags calls a THP.  Every other case falls
 * back to single pages without an error, and every byte stays exact across
 * discard, split, read() and write().  The policies never, within_size,
 * advise, MADV_NOHUGEPAGE and PR_SET_THP_DISABLE are checked too.
 *
 * Each test reloads the module with the mode it needs (and LAZYMAP_PARAMS
 * before it) and restores the suite's at the end; they skip where the
 * kernel has no THP, except the one that checks that such a kernel loads
 * with huge=never.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst). */
#define KPF_COMPOUND_HEAD	15
#define KPF_COMPOUND_TAIL	16
#define KPF_THP			22

#define SPLIT_CTL	"/sys/kernel/debug/split_huge_pages"

FIXTURE(huge) {
	int fd;
	size_t pmd;	/* huge page size, from the system */
	size_t nr;	/* pages in one */
	struct lazymap_info info;
	uint64_t fault_around;	/* the kernel's window to restore, or 0 */
};

FIXTURE_SETUP(huge)
{
	self->fd = -1;
	LM_NEED_DEVICE();
	LM_NEED_RELOAD();
	self->pmd = lm_pmd_size();
	if (!self->pmd)
		LM_SKIP("kernel without THP (no %s)", LM_THP_DIR);
	self->nr = self->pmd / lm_ps;
}

FIXTURE_TEARDOWN(huge)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fault_around)
		EXPECT_EQ(0, lm_fault_around_set(self->fault_around));
	if (lm_module_reloadable())
		EXPECT_EQ(0, lm_module_restore());
}

/*
 * Set the kernel's fault-around window to bytes for this test; the
 * teardown restores it.  Skips where debugfs does not offer the knob.
 */
#define SET_FAULT_AROUND(bytes) do {					\
	uint64_t lm_fa;							\
	int lm_err = lm_fault_around_get(&lm_fa);			\
									\
	if (lm_err)							\
		LM_SKIP("no %s: %s", LM_FAULT_AROUND, strerror(-lm_err)); \
	if (!self->fault_around)					\
		self->fault_around = lm_fa;				\
	ASSERT_EQ(0, lm_fault_around_set(bytes));			\
} while (0)

/* Reload the module with params (after LAZYMAP_PARAMS), open it empty. */
#define RELOAD(params) do {						\
	const char *lm_params = (params);				\
									\
	if (self->fd >= 0)						\
		close(self->fd);					\
	self->fd = -1;							\
	ASSERT_EQ(0, lm_module_unload());				\
	ASSERT_EQ(0, lm_module_load(lm_params)) TH_LOG("%s", lm_params); \
	LM_OPEN_EMPTY(self->fd);					\
	ASSERT_EQ(0, lm_info(self->fd, &self->info));			\
} while (0)

/*
 * RELOAD with huge=always and a device of at least blocks huge pages: the
 * default 64 MiB holds only two of arm64's 32 MiB ones (16 KiB pages).
 */
#define RELOAD_BLOCKS(blocks) do {					\
	uint64_t lm_mb = ((blocks) * self->pmd + LM_MIB - 1) / LM_MIB;	\
	char lm_p[64];							\
									\
	if (lm_mb < LM_DEFAULT_SIZE_MB)					\
		lm_mb = LM_DEFAULT_SIZE_MB;				\
	snprintf(lm_p, sizeof(lm_p), "huge=always size_mb=%llu",	\
		 (unsigned long long)lm_mb);				\
	RELOAD(lm_p);							\
} while (0)

/*
 * The kernel places a 64-bit process's mapping of the device at an address
 * congruent with its offset modulo the huge page size
 * (thp_get_unmapped_area()), so that its blocks line up with the store's.
 * A 32-bit process gets no such placement: since "mm: huge_memory: don't
 * force huge page alignment on 32 bit" (6.8, and the 6.1 and 6.6 stable
 * kernels) __thp_get_unmapped_area() declines for compat callers, whose
 * address space is too small to give up the randomisation.
 */
static bool kernel_aligns(void)
{
	return sizeof(long) == sizeof(uint64_t);
}

static void *map_plain(int fd, size_t len, uint64_t off, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * A fresh mapping of len bytes at offset off whose blocks line up with the
 * store's: where the kernel does not place it so (a 32-bit process), the
 * test does, inside a reservation one huge page larger.
 */
static void *map_at(int fd, size_t len, uint64_t off, int flags)
{
	size_t pmd = lm_pmd_size(), lead, tail;
	uint8_t *area, *p;

	if (kernel_aligns() || !pmd)
		return map_plain(fd, len, off, flags);
	area = mmap(NULL, len + pmd, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return NULL;
	lead = (off % pmd + pmd - (uintptr_t)area % pmd) % pmd;
	p = mmap(area + lead, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		 fd, (off_t)off);
	if (p == MAP_FAILED) {
		munmap(area, len + pmd);
		return NULL;
	}
	tail = pmd - lead;
	if (lead)
		munmap(area, lead);
	if (tail)
		munmap(p + len, tail);
	return p;
}

static uint64_t smaps_kb(const void *p, const char *key)
{
	uint64_t kb = ~0ULL;

	return lm_smaps_kb(p, key, &kb) ? ~0ULL : kb;
}

static uint64_t huge_faults(int fd)
{
	struct lazymap_info info;

	return lm_info(fd, &info) ? ~0ULL : info.huge_faults;
}

/* Touch nr pages from p, and return the faults that took. */
static long touch_block(uint8_t *p, size_t nr, bool write)
{
	long before = lm_minflt();

	if (write)
		lm_touch_write(p, nr, 1);
	else
		lm_touch_read(p, nr);
	return lm_minflt() - before;
}

/*
 * Run touch_block() over len bytes of memory that is mapped already, so
 * that the faults of a touch_block() right after are those of its own
 * touch only.  A forked child must fault in the program's text again (a
 * file mapping's page tables are not copied), one page per fault when the
 * fault-around window is a page, and that would count.
 */
static void warm_up_touch(size_t len)
{
	void *warm = mmap(NULL, len, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (warm == MAP_FAILED)
		return;
	touch_block(warm, len / lm_ps, false);
	munmap(warm, len);
}

/*
 * Expect the block at p (a fresh mapping) to be a huge page mapped by PMD
 * after the touch that took `faults` faults.
 */
#define EXPECT_PMD_MAPPED(p, faults) do {				\
	EXPECT_EQ(1, (faults));						\
	EXPECT_EQ(self->pmd / 1024, smaps_kb((p), "FilePmdMapped"));	\
} while (0)

/* ...and to be single pages mapped by PTEs. */
#define EXPECT_PTE_MAPPED(p) \
	EXPECT_EQ(0ULL, smaps_kb((p), "FilePmdMapped"))

TEST_F(huge, info_reports_mode_and_size)
{
	char buf[32] = "";
	FILE *f;

	RELOAD("huge=always");
	EXPECT_EQ((__u64)LAZYMAP_HUGE_ALWAYS, self->info.huge_mode);
	EXPECT_EQ(self->pmd, self->info.huge_page_size);
	EXPECT_EQ(lm_ps, self->info.page_size);
	EXPECT_EQ(0ULL, self->info.huge_faults);
	f = fopen(LM_SYSFS_DIR "/huge", "re");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("always\n", buf);

	RELOAD("huge=never");
	EXPECT_EQ((__u64)LAZYMAP_HUGE_NEVER, self->info.huge_mode);
	EXPECT_EQ(0ULL, self->info.huge_page_size);
}

TEST_F(huge, bad_mode_einval)
{
	static const char * const bad[] = {
		"huge=sometimes", "huge=", "huge=Always", "huge=always,",
		"huge=1",
	};
	size_t i;

	ASSERT_EQ(0, lm_module_unload());
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, lm_module_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(lm_module_loaded());
	}
	ASSERT_EQ(0, lm_module_load("huge=advise"));
}

TEST_F(huge, mappings_are_pmd_aligned)
{
	uint8_t *p;

	if (!kernel_aligns())
		LM_SKIP("the kernel does not align a 32-bit process's mappings");
	RELOAD_BLOCKS(3);
	p = map_plain(self->fd, 2 * self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0UL, (uintptr_t)p % self->pmd);
	munmap(p, 2 * self->pmd);
	/* The address is congruent with the offset, so blocks line up. */
	p = map_plain(self->fd, 2 * self->pmd, lm_ps, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(lm_ps, (uintptr_t)p % self->pmd);
	munmap(p, 2 * self->pmd);
}

/* One write fault allocates and PMD-maps a whole block; nothing else. */
TEST_F(huge, one_write_fault_maps_block)
{
	uint8_t *p;
	long faults;

	RELOAD("huge=always");
	p = map_at(self->fd, 2 * self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	faults = touch_block(p, self->nr, true);
	EXPECT_PMD_MAPPED(p, faults);
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	/* The rest of the page is zero, the other block untouched. */
	EXPECT_EQ(-1, lm_nonzero(p + 1, lm_ps - 1));
	EXPECT_EQ(0ULL, lm_pagemap(p + self->pmd) & LM_PM_PRESENT);
	munmap(p, 2 * self->pmd);
}

/* A read fault maps the zeroed block too; writes then take no fault. */
TEST_F(huge, read_then_write_one_fault)
{
	uint8_t *p;
	long faults;

	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	faults = touch_block(p, self->nr, false);
	EXPECT_PMD_MAPPED(p, faults);
	EXPECT_EQ(-1, lm_nonzero(p, self->pmd));
	EXPECT_EQ(0, touch_block(p, self->nr, true));
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	munmap(p, self->pmd);
}

/* Touching the whole device costs one fault per huge page. */
TEST_F(huge, whole_device_one_fault_per_block)
{
	size_t size, blocks;
	uint8_t *p;
	long faults;

	RELOAD("huge=always");
	size = (size_t)self->info.size;
	blocks = size / self->pmd;
	if (!blocks)
		LM_SKIP("device smaller than one huge page");
	p = map_at(self->fd, blocks * self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	faults = touch_block(p, blocks * self->nr, true);
	EXPECT_EQ((long)blocks, faults);
	EXPECT_EQ(blocks, huge_faults(self->fd));
	EXPECT_EQ(blocks * self->nr, lm_resident(self->fd));
	EXPECT_EQ(blocks * self->pmd / 1024, smaps_kb(p, "FilePmdMapped"));
	munmap(p, blocks * self->pmd);
}

/*
 * Map the last block of the empty device fd, loaded huge=always, and fill
 * it (one huge page of pmd bytes); then read it through a second mapping,
 * and in a child that inherits that one: each must get the huge page mapped
 * by PMD with one fault, the bytes intact.  driver_faults: how many times
 * lazymap_fault() is called for the second mapping's read.
 *
 * The last block, because 6.12 and later map a folio by PMD there only if
 * i_size reaches a page past it: this fails with i_size at the device's end.
 */
static void remap_by_pmd(struct __test_metadata *_metadata, int fd,
			 size_t pmd, uint64_t driver_faults)
{
	uint64_t faults_before, off;
	struct lazymap_info info;
	size_t nr = pmd / lm_ps;
	uint8_t *p, *q;
	long faults;
	pid_t pid;

	ASSERT_EQ(0, lm_info(fd, &info));
	off = info.size / pmd * pmd - pmd;
	p = map_at(fd, pmd, off, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_fill(p, pmd, off, 7);
	ASSERT_EQ(nr, lm_resident(fd));
	ASSERT_EQ(0, lm_info(fd, &info));
	faults_before = info.faults;

	q = map_at(fd, pmd, off, MAP_SHARED);
	ASSERT_NE(NULL, q);
	warm_up_touch(pmd);
	faults = touch_block(q, nr, false);
	EXPECT_EQ(1, faults);
	EXPECT_EQ(pmd / 1024, smaps_kb(q, "FilePmdMapped"));
	EXPECT_EQ(-1, lm_check(q, pmd, off, 7));
	ASSERT_EQ(0, lm_info(fd, &info));
	EXPECT_EQ(faults_before + driver_faults, info.faults);
	EXPECT_EQ(nr, lm_resident(fd));

	/* A child refaults the inherited mapping the same way. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t kb = 0;

		munmap(p, pmd);
		warm_up_touch(pmd);
		if (touch_block(q, nr, false) > 1 ||
		    lm_check(q, pmd, off, 7) != -1 ||
		    lm_smaps_kb(q, "FilePmdMapped", &kb) ||
		    kb != pmd / 1024)
			_exit(1);
		_exit(0);
	}
	EXPECT_EQ(0, lm_wait(pid));
	munmap(q, pmd);
	munmap(p, pmd);
}

/*
 * A resident block is PMD-mapped in another mapping by the kernel's
 * fault-around (filemap_map_pages()), without calling the driver.  With
 * 64 KiB pages the kernel's default window is a single page, which turns
 * fault-around off: the test widens it to two pages there.
 */
TEST_F(huge, other_mapping_gets_pmd_by_fault_around)
{
	uint64_t window;

	if (lm_fault_around_get(&window))
		window = LM_FAULT_AROUND_DEFAULT;
	if (window < 2 * lm_ps)
		SET_FAULT_AROUND(2 * lm_ps);
	RELOAD("huge=always");
	remap_by_pmd(_metadata, self->fd, self->pmd, 0);
}

/*
 * With a window of one page (the default with 64 KiB pages) the kernel
 * calls lazymap_fault() for the read instead; it finds the resident huge
 * page, and the kernel maps it by PMD all the same: one fault for the
 * block, counted once by the driver.
 */
TEST_F(huge, other_mapping_gets_pmd_from_the_fault_handler)
{
	SET_FAULT_AROUND(lm_ps);
	RELOAD("huge=always");
	remap_by_pmd(_metadata, self->fd, self->pmd, 1);
}

/* The block is one PMD-aligned run of frames that the kernel calls a THP. */
TEST_F(huge, frames_contiguous_and_thp)
{
	uint64_t pfn0, pfn, flags;
	uint8_t *p;
	size_t i;

	if (lm_pfn_visible() != 1)
		LM_SKIP("pagemap shows no frame numbers (not root?)");
	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, 1, 1);
	pfn0 = lm_pfn(p);
	ASSERT_NE(0ULL, pfn0);
	EXPECT_EQ(0ULL, pfn0 % self->nr);
	for (i = 0; i < self->nr; i++) {
		pfn = lm_pfn(p + i * lm_ps);
		ASSERT_EQ(pfn0 + i, pfn) TH_LOG("page %zu", i);
		EXPECT_NE(0ULL, lm_pagemap(p + i * lm_ps) & LM_PM_FILE);
		ASSERT_EQ(0, lm_kpageflags(pfn, &flags));
		ASSERT_NE(0ULL, flags & (1ULL << KPF_THP))
			TH_LOG("page %zu", i);
		ASSERT_EQ(i == 0, !!(flags & (1ULL << KPF_COMPOUND_HEAD)));
		ASSERT_EQ(i != 0, !!(flags & (1ULL << KPF_COMPOUND_TAIL)));
	}
	munmap(p, self->pmd);
}

/*
 * MAP_PRIVATE: a read maps the shared huge page read-only by PMD; a write
 * copies one page, never the block, and never reaches the store; a first
 * write to a hole allocates one store page, not a huge one.
 */
TEST_F(huge, private_write_copies_one_page)
{
	uint8_t *s, *p;

	RELOAD("huge=always");
	s = map_at(self->fd, 2 * self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, s);
	lm_fill(s, self->pmd, 0, 3);
	p = map_at(self->fd, 2 * self->pmd, 0, MAP_PRIVATE);
	ASSERT_NE(NULL, p);
	EXPECT_PMD_MAPPED(p, touch_block(p, self->nr, false));

	p[5 * lm_ps] ^= 0xff;
	EXPECT_EQ(lm_ps / 1024, smaps_kb(p, "Anonymous"));
	EXPECT_EQ(0ULL, smaps_kb(p, "FilePmdMapped"));
	EXPECT_EQ(-1, lm_check(s, self->pmd, 0, 3));
	EXPECT_EQ(-1, lm_check(p, 5 * lm_ps, 0, 3));
	EXPECT_EQ(-1, lm_check(p + 5 * lm_ps + 1, self->pmd - 5 * lm_ps - 1,
			       5 * lm_ps + 1, 3));
	EXPECT_EQ(self->nr, lm_resident(self->fd));

	/* A private first write to the empty second block. */
	lm_poke(p + self->pmd, 9);
	EXPECT_EQ(self->nr + 1, lm_resident(self->fd));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	EXPECT_EQ(0, lm_peek(s + self->pmd));
	munmap(p, 2 * self->pmd);
	munmap(s, 2 * self->pmd);
}

/*
 * Fallbacks to single pages, each without an error: a mapping whose
 * address is not congruent with its offset, a mapping that covers only
 * part of a block, a block that already holds a page.
 */
TEST_F(huge, fallback_misaligned_mapping)
{
	uint8_t *area, *p;

	RELOAD("huge=always");
	/* Reserve room, then map at an address one page past a boundary. */
	area = mmap(NULL, 3 * self->pmd, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	p = (uint8_t *)(((uintptr_t)area + self->pmd) & ~(self->pmd - 1)) +
		lm_ps;
	ASSERT_EQ(p, mmap(p, self->pmd, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED, self->fd, 0));
	lm_touch_write(p, self->nr, 4);
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_PTE_MAPPED(p);
	munmap(area, 3 * self->pmd);
}

TEST_F(huge, fallback_partial_mapping)
{
	uint8_t *p;

	RELOAD("huge=always");
	/* Half a block: the kernel could not map a PMD there. */
	p = map_at(self->fd, self->pmd / 2, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, 1, 4);
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	munmap(p, self->pmd / 2);
}

TEST_F(huge, fallback_occupied_block)
{
	uint8_t b = 5, *p;

	RELOAD("huge=always");
	/* write() allocates single pages, whatever huge= says. */
	ASSERT_EQ(1, pwrite(self->fd, &b, 1, (off_t)(self->pmd - lm_ps)));
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, 1, 4);
	EXPECT_EQ(2ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_EQ(5, p[self->pmd - lm_ps]);
	EXPECT_PTE_MAPPED(p);
	munmap(p, self->pmd);
}

/* The last block, shorter than a huge page, gets single pages. */
TEST_F(huge, fallback_partial_block_at_end)
{
	char params[64];
	uint64_t mb = self->pmd / LM_MIB;
	size_t size, tail;
	uint8_t *p;

	if (!mb || self->pmd % LM_MIB)
		LM_SKIP("huge page size is not a whole number of MiB");
	snprintf(params, sizeof(params), "huge=within_size size_mb=%llu",
		 (unsigned long long)(mb + 1));
	RELOAD(params);
	size = (size_t)self->info.size;
	tail = size - self->pmd;
	p = map_at(self->fd, size, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(0UL, (uintptr_t)p % self->pmd);
	lm_touch_write(p + self->pmd, tail / lm_ps, 6);
	EXPECT_EQ(tail / lm_ps, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_PMD_MAPPED(p, touch_block(p, self->nr, true));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	munmap(p, size);
}

/*
 * Discarding part of a huge page zeroes exactly that part and keeps every
 * other byte; with nobody else holding the page, the kernel splits it and
 * frees the discarded pages, so resident_pages drops by exactly them.
 */
TEST_F(huge, partial_discard_keeps_the_rest)
{
	size_t hole = 3 * lm_ps, at = 7 * lm_ps;
	uint8_t *p, *q, *buf;
	uint64_t off;

	RELOAD("huge=always");
	/* The last block: splitting drops what lies past i_size. */
	off = self->info.size / self->pmd * self->pmd - self->pmd;
	p = map_at(self->fd, self->pmd, off, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_fill(p, self->pmd, off, 11);
	ASSERT_EQ(self->nr, lm_resident(self->fd));
	ASSERT_EQ(0, lm_discard(self->fd, off + at, hole));
	EXPECT_EQ(self->nr - hole / lm_ps, lm_resident(self->fd));

	/* Through the old mapping, a new one, and read(). */
	EXPECT_EQ(-1, lm_nonzero(p + at, hole));
	EXPECT_EQ(-1, lm_check(p, at, off, 11));
	EXPECT_EQ(-1, lm_check(p + at + hole, self->pmd - at - hole,
			       off + at + hole, 11));
	q = map_at(self->fd, self->pmd, off, MAP_SHARED);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(-1, lm_check(q + at + hole, self->pmd - at - hole,
			       off + at + hole, 11));
	buf = malloc(self->pmd);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, self->pmd, off));
	EXPECT_EQ(-1, lm_check(buf, at, off, 11));
	EXPECT_EQ(-1, lm_nonzero(buf + at, hole));
	EXPECT_EQ(-1, lm_check(buf + at + hole, self->pmd - at - hole,
			       off + at + hole, 11));
	free(buf);
	/* Touching the hole again allocates the pages back, one each. */
	lm_touch_write(p + at, hole / lm_ps, 1);
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	munmap(q, self->pmd);
	munmap(p, self->pmd);
}

/* A whole-block discard frees the huge page; the next touch gets one. */
TEST_F(huge, block_discard_frees_and_refaults_huge)
{
	uint8_t *p;

	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, self->nr, 1);
	ASSERT_EQ(self->nr, lm_resident(self->fd));
	ASSERT_EQ(0, lm_discard(self->fd, 0, self->pmd));
	EXPECT_EQ(0ULL, lm_resident(self->fd));
	EXPECT_EQ(-1, lm_nonzero(p, self->pmd));
	munmap(p, self->pmd);
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_PMD_MAPPED(p, touch_block(p, self->nr, true));
	EXPECT_EQ(2ULL, huge_faults(self->fd));
	munmap(p, self->pmd);
}

/* read(), write() and SEEK_DATA/SEEK_HOLE inside a huge page. */
TEST_F(huge, read_write_seek_inside_huge_page)
{
	uint64_t off = 2 * self->pmd;
	size_t at = self->pmd / 2 + 123;
	uint8_t *p, buf[64], want[64];

	RELOAD_BLOCKS(3);
	p = map_at(self->fd, self->pmd, off, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_fill(p, self->pmd, off, 5);
	ASSERT_EQ(1ULL, huge_faults(self->fd));

	ASSERT_EQ(0, lm_pread_all(self->fd, buf, sizeof(buf), off + at));
	EXPECT_EQ(-1, lm_check(buf, sizeof(buf), off + at, 5));
	lm_fill(want, sizeof(want), 0, 99);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, want, sizeof(want), off + at));
	EXPECT_EQ(0, memcmp(p + at, want, sizeof(want)));
	EXPECT_EQ(self->nr, lm_resident(self->fd));

	EXPECT_EQ((off_t)(off + at),
		  lseek(self->fd, (off_t)(off + at), SEEK_DATA));
	EXPECT_EQ((off_t)(off + self->pmd),
		  lseek(self->fd, (off_t)(off + at), SEEK_HOLE));
	EXPECT_EQ((off_t)off, lseek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ((off_t)(off + self->pmd),
		  lseek(self->fd, (off_t)off, SEEK_HOLE));
	munmap(p, self->pmd);
}

/*
 * SEEK_HOLE from anywhere inside a huge page lands on the first page after
 * it, to the byte, when a hole of one page separates it from more data:
 * the scan must step over the huge page whole, whatever the PMD's order
 * (order 5 with 64 KiB pages, smaller than an xarray node of 64 slots).
 */
TEST_F(huge, seek_hole_right_after_a_huge_page)
{
	uint64_t block = self->pmd, single = 2 * self->pmd + lm_ps;
	uint8_t *p;
	size_t i;

	RELOAD_BLOCKS(4);
	p = map_at(self->fd, self->pmd, block, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_fill(p, self->pmd, block, 3);
	ASSERT_EQ(1ULL, huge_faults(self->fd));
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "x", 1, single));
	EXPECT_EQ(self->nr + 1, lm_resident(self->fd));

	for (i = 0; i < self->nr; i++) {
		off_t from = (off_t)(block + i * lm_ps + i % lm_ps);

		ASSERT_EQ((off_t)(block + self->pmd),
			  lseek(self->fd, from, SEEK_HOLE))
			TH_LOG("page %zu", i);
		ASSERT_EQ(from, lseek(self->fd, from, SEEK_DATA));
	}
	EXPECT_EQ((off_t)block, lseek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ((off_t)0, lseek(self->fd, 0, SEEK_HOLE));
	EXPECT_EQ((off_t)single,
		  lseek(self->fd, (off_t)(block + self->pmd), SEEK_DATA));
	EXPECT_EQ((off_t)(single + lm_ps),
		  lseek(self->fd, (off_t)single, SEEK_HOLE));
	munmap(p, self->pmd);
}

/*
 * A forced split (debugfs split_huge_pages) turns the huge page into
 * single pages and loses nothing: same data, same resident count.
 */
TEST_F(huge, forced_split_loses_nothing)
{
	uint8_t *p, *q;
	char cmd[128];
	uint64_t flags;
	int err;

	if (access(SPLIT_CTL, W_OK))
		LM_SKIP("no %s (debugfs)", SPLIT_CTL);
	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_fill(p, self->pmd, 0, 13);
	ASSERT_EQ(self->pmd / 1024, smaps_kb(p, "FilePmdMapped"));

	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(),
		 (unsigned long)p, (unsigned long)(p + self->pmd));
	err = lm_write_str(SPLIT_CTL, cmd);
	ASSERT_EQ(0, err) TH_LOG("%s: %s", cmd, strerror(-err));

	EXPECT_EQ(self->nr, lm_resident(self->fd));
	EXPECT_EQ(-1, lm_check(p, self->pmd, 0, 13));
	q = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, q);
	EXPECT_EQ(-1, lm_check(q, self->pmd, 0, 13));
	/* Now single pages: mapped by PTEs, and no THP frame any more. */
	EXPECT_EQ(0ULL, smaps_kb(q, "FilePmdMapped"));
	if (lm_pfn_visible() == 1 && !lm_kpageflags(lm_pfn(q), &flags))
		EXPECT_EQ(0ULL, flags & (1ULL << KPF_THP));
	munmap(q, self->pmd);
	munmap(p, self->pmd);
}

/* huge=never: today's behaviour, one page per touch. */
TEST_F(huge, never_allocates_single_pages)
{
	uint8_t *p;

	RELOAD("huge=never");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, 1, 1);
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_PTE_MAPPED(p);
	munmap(p, self->pmd);
}

/* within_size: as always, since the device's size is fixed. */
TEST_F(huge, within_size_maps_block)
{
	uint8_t *p;

	RELOAD("huge=within_size");
	EXPECT_EQ((__u64)LAZYMAP_HUGE_WITHIN_SIZE, self->info.huge_mode);
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	EXPECT_PMD_MAPPED(p, touch_block(p, self->nr, true));
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	munmap(p, self->pmd);
}

/* advise: huge pages only for mappings with MADV_HUGEPAGE. */
TEST_F(huge, advise_needs_madv_hugepage)
{
	uint8_t *p;

	RELOAD("huge=advise");
	p = map_at(self->fd, 2 * self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	lm_touch_write(p, 1, 1);
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));

	ASSERT_EQ(0, madvise(p + self->pmd, self->pmd, MADV_HUGEPAGE));
	EXPECT_PMD_MAPPED(p + self->pmd,
			  touch_block(p + self->pmd, self->nr, true));
	EXPECT_EQ(1 + self->nr, lm_resident(self->fd));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	munmap(p, 2 * self->pmd);
}

/* MADV_NOHUGEPAGE wins over huge=always, on every kernel. */
TEST_F(huge, madv_nohugepage_honoured)
{
	uint8_t *p;

	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, self->pmd, MADV_NOHUGEPAGE));
	lm_touch_write(p, 1, 1);
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_PTE_MAPPED(p);
	munmap(p, self->pmd);
}

/* So does prctl(PR_SET_THP_DISABLE), for the whole process. */
TEST_F(huge, prctl_thp_disable_honoured)
{
	uint8_t *p;
	pid_t pid;

	RELOAD("huge=always");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t kb = 1;

		if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
			_exit(2);
		p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
		if (!p)
			_exit(3);
		lm_touch_write(p, 1, 1);
		if (lm_smaps_kb(p, "FilePmdMapped", &kb) || kb)
			_exit(4);
		_exit(0);
	}
	EXPECT_EQ(0, lm_wait(pid));
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
}

/*
 * khugepaged and MADV_COLLAPSE leave the device alone: the kernel collapses
 * only anonymous memory, shmem and regular files, and this is a character
 * device (VM_DONTEXPAND, which used to rule it out too, is gone).
 */
TEST_F(huge, madv_collapse_refused)
{
	uint8_t *p;

	RELOAD("huge=always");
	p = map_at(self->fd, self->pmd, 0, MAP_SHARED);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, madvise(p, self->pmd, MADV_NOHUGEPAGE));
	lm_touch_write(p, self->nr, 1);
	ASSERT_EQ(0, madvise(p, self->pmd, MADV_HUGEPAGE));
	EXPECT_EQ(-1, madvise(p, self->pmd, MADV_COLLAPSE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_EQ(0ULL, smaps_kb(p, "FilePmdMapped"));
	munmap(p, self->pmd);
}

#define CG_ROOT		"/sys/fs/cgroup"

/*
 * In a child: join the memory cgroup dir (made by the caller), map the
 * first block of the device and write to its first page.  The exit status
 * says how far it got; 0 is all the way.
 */
static int cg_touch_child(const char *dir, int fd, size_t pmd)
{
	char procs[192];
	uint8_t *p;

	/* Mapped before joining: only the store page counts in the group. */
	p = map_at(fd, pmd, 0, MAP_SHARED);
	if (!p)
		return 2;
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (lm_write_str(procs, "0"))
		return 3;
	lm_poke(p, 1);
	return 0;
}

/* Run cg_touch_child in a new group with memory.max max ("max": none). */
static int cg_run(struct __test_metadata *_metadata, int fd, size_t pmd,
		  const char *max, char *dir, size_t dirlen)
{
	char ctl[256] = "", path[192];
	pid_t pid;
	FILE *f;

	f = fopen(CG_ROOT "/cgroup.controllers", "re");
	if (!f || !fgets(ctl, sizeof(ctl), f) || !strstr(ctl, "memory")) {
		if (f)
			fclose(f);
		LM_SKIP("no memory controller in %s", CG_ROOT);
	}
	fclose(f);
	if (lm_write_str(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -1;
	snprintf(dir, dirlen, CG_ROOT "/lazymap-huge-%d", getpid());
	if (mkdir(dir, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	if (lm_write_str(path, max))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(cg_touch_child(dir, fd, pmd));
	return lm_wait(pid);
}

/* The memory cgroup of the faulting task is charged the whole page. */
TEST_F(huge, memcg_charged_whole_page)
{
	uint64_t thp = 0, file = 0;
	char dir[128], path[192];

	RELOAD("huge=always");
	EXPECT_EQ(0, cg_run(_metadata, self->fd, self->pmd, "max", dir,
			    sizeof(dir)));
	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	EXPECT_EQ(0, lm_file_key(path, "file_thp", &thp));
	EXPECT_EQ(0, lm_file_key(path, "file", &file));
	EXPECT_EQ(self->pmd, thp);
	EXPECT_LE(self->pmd, file);
	EXPECT_EQ(self->nr, lm_resident(self->fd));
	EXPECT_EQ(1ULL, huge_faults(self->fd));
	/* Uncharge, so that the group can go. */
	EXPECT_EQ(0, lm_reset(self->fd));
	EXPECT_EQ(0, rmdir(dir));
}

/*
 * A group whose limit leaves no room for a huge page still gets its page:
 * a single one, without an error or an OOM kill.
 */
TEST_F(huge, fallback_memcg_limit)
{
	char dir[128], max[32];

	RELOAD("huge=always");
	snprintf(max, sizeof(max), "%zu", self->pmd / 2);
	EXPECT_EQ(0, cg_run(_metadata, self->fd, self->pmd, max, dir,
			    sizeof(dir)));
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	EXPECT_EQ(0ULL, huge_faults(self->fd));
	EXPECT_EQ(0, lm_reset(self->fd));
	EXPECT_EQ(0, rmdir(dir));
}

/* A kernel without THP loads huge=always as never. */
TEST(no_thp_kernel_loads_never)
{
	struct lazymap_info info;
	int fd;

	if (lm_pmd_size())
		SKIP(return, "the kernel has THP");
	if (!lm_module_reloadable())
		SKIP(return, "the module cannot be reloaded here");
	ASSERT_EQ(0, lm_module_unload());
	ASSERT_EQ(0, lm_module_load("huge=always"));
	fd = lm_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lm_info(fd, &info));
	EXPECT_EQ((__u64)LAZYMAP_HUGE_NEVER, info.huge_mode);
	EXPECT_EQ(0ULL, info.huge_page_size);
	close(fd);
	EXPECT_EQ(0, lm_module_restore());
}

TEST_HARNESS_MAIN
