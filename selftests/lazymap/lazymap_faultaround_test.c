// SPDX-License-Identifier: GPL-2.0
/*
 * Fault-around of a read fault (lazymap_map_pages() in module/lazymap_vm.c):
 * when the faulting page is resident, one fault maps the resident pages
 * ahead of it to the end of its page table, not only the kernel's 64 KiB
 * window; it never maps a hole, a page of another VMA or of another part of
 * the store, and a private mapping still copies on write.  The store is
 * filled with write(2), which allocates single pages in every huge= mode,
 * so these hold under huge=never and huge=always alike.
 *
 * With 64 KiB pages the kernel's fault-around window (fault_around_bytes,
 * 64 KiB) is a single page, and the kernel then never calls ->map_pages:
 * the fixture widens it to two pages there (debugfs), and restores it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

FIXTURE(fa) {
	int fd;
	size_t table;	/* what one page table maps: the PMD size */
	size_t npages;	/* pages in it */
	uint8_t *resv;	/* an address range reserved for the mappings */
	size_t resv_len;
	uint8_t *base;	/* its first table-aligned address */
	bool reloaded;	/* the module was reloaded with a larger device */
	uint64_t fault_around;	/* the kernel's window to restore, or 0 */
};

FIXTURE_SETUP(fa)
{
	uint64_t window;
	char params[64];
	uintptr_t a;
	int err;

	LM_OPEN_EMPTY(self->fd);
	LM_NEED_DEVICE();
	self->table = lm_pmd_size();
	if (!self->table)
		LM_SKIP("the kernel has no transparent huge pages: no PMD size in %s",
			LM_THP_DIR);
	self->npages = self->table / lm_ps;
	/*
	 * The tests need four page tables' worth of device.  The default
	 * 64 MiB holds only two where a table maps 32 MiB (16 KiB pages):
	 * reload with a device large enough, the run's other parameters kept.
	 */
	if (lm_size(self->fd) < 4 * self->table) {
		LM_NEED_RELOAD();
		snprintf(params, sizeof(params), "size_mb=%llu",
			 (unsigned long long)((4 * self->table + LM_MIB - 1) /
					      LM_MIB));
		lm_close_empty(self->fd);
		self->fd = -1;
		ASSERT_EQ(0, lm_module_unload());
		self->reloaded = true;
		ASSERT_EQ(0, lm_module_load(params)) TH_LOG("%s", params);
		LM_OPEN_EMPTY(self->fd);
	}
	ASSERT_GE(lm_size(self->fd), 4 * self->table);
	err = lm_fault_around_get(&window);
	if (err)
		window = LM_FAULT_AROUND_DEFAULT;
	if (window < 2 * lm_ps) {
		if (err)
			LM_SKIP("a fault-around window of one page, and no %s to widen it: %s",
				LM_FAULT_AROUND, strerror(-err));
		ASSERT_EQ(0, lm_fault_around_set(2 * lm_ps));
		self->fault_around = window;
	}
	/* Three tables of addresses: two of them table-aligned. */
	self->resv_len = 3 * self->table;
	self->resv = mmap(NULL, self->resv_len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->resv);
	a = ((uintptr_t)self->resv + self->table - 1) & ~(self->table - 1);
	self->base = (uint8_t *)a;
}

FIXTURE_TEARDOWN(fa)
{
	if (self->resv && self->resv != MAP_FAILED)
		munmap(self->resv, self->resv_len);
	lm_close_empty(self->fd);
	if (self->fault_around)
		EXPECT_EQ(0, lm_fault_around_set(self->fault_around));
	if (self->reloaded)
		EXPECT_EQ(0, lm_module_restore());
}

/* Write byte (page index & 0x7f) | 0x80 into page i of the store. */
static int fill_page(int fd, size_t i)
{
	uint8_t b = (uint8_t)((i & 0x7f) | 0x80);

	return lm_pwrite_all(fd, &b, 1, (uint64_t)i * lm_ps);
}

/* Map len bytes of the device at addr (inside the reservation). */
static uint8_t *map_at(void *addr, size_t len, int prot, int flags, int fd,
		       uint64_t off)
{
	return mmap(addr, len, prot, flags | MAP_FIXED, fd, (off_t)off);
}

static bool mapped(const void *p)
{
	return lm_pagemap(p) & LM_PM_PRESENT;
}

/*
 * A re-map of a populated store: the first read maps the whole table, so
 * reading every page of it costs one fault (the kernel's 64 KiB window
 * alone: one per 64 KiB, 32 with 4 KiB pages).
 */
TEST_F(fa, remap_populated_one_fault_per_table)
{
	uint8_t *p;
	size_t i, sum = 0;
	long before, faults;

	for (i = 0; i < self->npages; i++)
		ASSERT_EQ(0, fill_page(self->fd, i));
	p = map_at(self->base, self->table, PROT_READ, MAP_SHARED,
		   self->fd, 0);
	ASSERT_EQ(self->base, p);

	before = lm_minflt();
	for (i = 0; i < self->npages; i++)
		sum += lm_peek(p + i * lm_ps);
	faults = lm_minflt() - before;
	TH_LOG("%zu pages read: %ld faults", self->npages, faults);
	EXPECT_EQ(1, faults);
	for (i = 0; i < self->npages; i++)
		ASSERT_EQ((uint8_t)((i & 0x7f) | 0x80), p[i * lm_ps]);
	EXPECT_NE(0U, sum);
}

/*
 * A read in the middle maps the resident pages ahead of it to the end of
 * the table, the kernel's window behind it, and no hole.
 */
TEST_F(fa, maps_ahead_and_no_holes)
{
	size_t i, mid = self->npages / 2;
	uint8_t *p;

	/* Every page but every eighth. */
	for (i = 0; i < self->npages; i++)
		if (i % 8)
			ASSERT_EQ(0, fill_page(self->fd, i));
	p = map_at(self->base, self->table, PROT_READ, MAP_SHARED,
		   self->fd, 0);
	ASSERT_EQ(self->base, p);

	EXPECT_EQ((uint8_t)((mid + 1) | 0x80), lm_peek(p + (mid + 1) * lm_ps));
	for (i = mid + 1; i < self->npages; i++) {
		if (i % 8) {
			EXPECT_TRUE(mapped(p + i * lm_ps))
				TH_LOG("resident page %zu ahead not mapped", i);
		} else {
			EXPECT_FALSE(mapped(p + i * lm_ps))
				TH_LOG("hole %zu mapped", i);
		}
	}
	/* Far behind the fault: more than the kernel's window, unmapped. */
	EXPECT_FALSE(mapped(p + 1 * lm_ps));
	for (i = 0; i < self->npages; i += 8)
		EXPECT_EQ(0, lm_peek(p + i * lm_ps));
}

/*
 * The window stops at the end of the VMA: a second VMA right after it, of
 * another part of the store, resident too, is left alone, and reads its
 * own pages.
 */
TEST_F(fa, stops_at_the_vma)
{
	size_t half = self->npages / 2, i;
	uint64_t other = 2 * self->table;
	uint8_t *a, *b;

	for (i = 0; i < self->npages; i++)
		ASSERT_EQ(0, fill_page(self->fd, i));
	for (i = 0; i < half; i++)
		ASSERT_EQ(0, fill_page(self->fd, other / lm_ps + i));
	a = map_at(self->base, half * lm_ps, PROT_READ, MAP_SHARED, self->fd,
		   0);
	ASSERT_EQ(self->base, a);
	b = map_at(self->base + half * lm_ps, half * lm_ps, PROT_READ,
		   MAP_SHARED, self->fd, other);
	ASSERT_EQ(self->base + half * lm_ps, b);

	lm_peek(a);
	EXPECT_TRUE(mapped(a + (half - 1) * lm_ps));
	for (i = 0; i < half; i++)
		EXPECT_FALSE(mapped(b + i * lm_ps))
			TH_LOG("page %zu of the next VMA mapped", i);
	for (i = 0; i < half; i++)
		ASSERT_EQ((uint8_t)(((other / lm_ps + i) & 0x7f) | 0x80),
			  lm_peek(b + i * lm_ps));
}

/*
 * A private mapping mapped wide by one read still copies on write: the
 * written page is private, the store and the other pages unchanged.
 */
TEST_F(fa, private_still_copies_on_write)
{
	size_t i, w = self->npages - 3;
	uint8_t *p, b;

	for (i = 0; i < self->npages; i++)
		ASSERT_EQ(0, fill_page(self->fd, i));
	p = map_at(self->base, self->table, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE, self->fd, 0);
	ASSERT_EQ(self->base, p);

	lm_peek(p);
	ASSERT_TRUE(mapped(p + w * lm_ps));
	lm_poke(p + w * lm_ps, 0x11);
	EXPECT_EQ(0x11, lm_peek(p + w * lm_ps));
	ASSERT_EQ(0, lm_pread_all(self->fd, &b, 1, (uint64_t)w * lm_ps));
	EXPECT_EQ((uint8_t)((w & 0x7f) | 0x80), b);
	EXPECT_EQ((uint8_t)(((w + 1) & 0x7f) | 0x80),
		  lm_peek(p + (w + 1) * lm_ps));
	/* A later store write shows through the unwritten pages only. */
	b = 0x22;
	ASSERT_EQ(0, lm_pwrite_all(self->fd, &b, 1, (uint64_t)(w + 1) * lm_ps));
	EXPECT_EQ(0x22, lm_peek(p + (w + 1) * lm_ps));
	EXPECT_EQ(0x11, lm_peek(p + w * lm_ps));
}

TEST_HARNESS_MAIN
