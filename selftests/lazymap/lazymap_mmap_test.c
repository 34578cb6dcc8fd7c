// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of /dev/lazymap: mapping allocates nothing, each first touch
 * allocates one zeroed page (behaviour 5), the range must lie inside the
 * device (4) though mremap() may grow it as on a memfd, protections and
 * open modes are enforced as for a file, and mappings of one offset see
 * each other's writes unless a private copy was made (6).  Every test runs
 * for MAP_SHARED and MAP_PRIVATE.  With huge=always or within_size a first
 * touch allocates the zeroed huge page of its block instead (a private
 * write still a single page): the counting tests expect that then.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

/* Pages touched by the counting tests, spread over the device. */
#define NTOUCH		16
#define STRIDE		7

FIXTURE(map) {
	int fd;
	uint64_t size;
	struct lazymap_info base;
	size_t block;	/* what a first touch allocates: lm_huge_block() */
	size_t stride;	/* bytes between the counting tests' touches */
};

FIXTURE_VARIANT(map) {
	int flags;
	bool shared;
};

FIXTURE_VARIANT_ADD(map, shared) {
	.flags = MAP_SHARED,
	.shared = true,
};

FIXTURE_VARIANT_ADD(map, private) {
	.flags = MAP_PRIVATE,
	.shared = false,
};

FIXTURE_SETUP(map)
{
	LM_OPEN_EMPTY(self->fd);
	ASSERT_EQ(0, lm_info(self->fd, &self->base));
	ASSERT_EQ(0ULL, self->base.resident_pages);
	self->size = self->base.size;
	/* With huge pages, one touch per block: each still a first touch. */
	self->block = lm_huge_block(self->fd);
	self->stride = self->block > lm_ps ? self->block : STRIDE * lm_ps;
	ASSERT_LE((uint64_t)NTOUCH * self->stride, self->size);
}

/* Leave the store empty for whatever runs next. */
FIXTURE_TEARDOWN(map)
{
	lm_close_empty(self->fd);
}

/* Mapping the whole device allocates nothing and calls no fault handler. */
TEST_F(map, mapping_allocates_nothing)
{
	struct lazymap_info info;
	uint8_t *p;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(0ULL, info.resident_pages);
	EXPECT_EQ(self->base.faults, info.faults);
	EXPECT_EQ(self->base.cow_faults, info.cow_faults);
	/* Nothing is mapped until touched. */
	EXPECT_EQ(0ULL, lm_pagemap(p) & LM_PM_PRESENT);
	EXPECT_EQ(0ULL, lm_pagemap(p + self->size - lm_ps) & LM_PM_PRESENT);
	ASSERT_EQ(0, munmap(p, self->size));
	EXPECT_EQ(0ULL, lm_resident(self->fd));
}

/*
 * Reading N untouched pages allocates N zeroed pages and calls the fault
 * handler N times; touching them again, or unmapping, changes nothing.
 * With huge pages each is a whole zeroed block, mapped at once: the
 * neighbour page is then resident and mapped too, without a fault.
 */
TEST_F(map, read_touch_allocates_one_page_each)
{
	uint64_t per = self->block / lm_ps;	/* pages per first touch */
	uint64_t huge = per > 1 ? LM_PM_PRESENT : 0;
	struct lazymap_info info;
	uint8_t *p;
	int i;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < NTOUCH; i++)
		lm_touch_read(p + (size_t)i * self->stride, 1);
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(NTOUCH * per, info.resident_pages);
	if (!lm_emulated()) {
		EXPECT_EQ(self->base.faults + NTOUCH, info.faults);
		EXPECT_EQ(self->base.cow_faults, info.cow_faults);
		EXPECT_EQ(self->base.huge_faults + (per > 1 ? NTOUCH : 0),
			  info.huge_faults);
	}
	for (i = 0; i < NTOUCH; i++) {
		uint8_t *pg = p + (size_t)i * self->stride;

		EXPECT_EQ(-1, lm_nonzero(pg, self->block))
			TH_LOG("page %d", i);
		EXPECT_NE(0ULL, lm_pagemap(pg) & LM_PM_PRESENT);
		/*
		 * The untouched neighbour stays unallocated and unmapped;
		 * with huge pages it is part of the touched block.
		 */
		EXPECT_EQ(huge, lm_pagemap(pg + lm_ps) & LM_PM_PRESENT);
	}

	/* Second touches find the pages mapped: no fault, no allocation. */
	for (i = 0; i < NTOUCH; i++)
		lm_touch_read(p + (size_t)i * self->stride, 1);
	ASSERT_EQ(0, lm_info(self->fd, &self->base));
	EXPECT_EQ(info.resident_pages, self->base.resident_pages);
	EXPECT_EQ(info.faults, self->base.faults);

	/* The store keeps its pages when the mapping goes. */
	ASSERT_EQ(0, munmap(p, self->size));
	EXPECT_EQ(NTOUCH * per, lm_resident(self->fd));
}

/*
 * Writing N untouched pages allocates N store pages either way.  Shared:
 * the bytes land in the store.  Private: each write is a copy-on-write
 * fault (cow_faults), the store page stays zero.  With huge pages a shared
 * write allocates its whole block; a private one still a single page.
 */
TEST_F(map, write_touch_allocates_one_page_each)
{
	uint64_t per = variant->shared ? self->block / lm_ps : 1;
	struct lazymap_info info;
	uint8_t *p, byte;
	int i;

	p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < NTOUCH; i++)
		p[(size_t)i * self->stride + 1] = (uint8_t)(0x40 + i);
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(NTOUCH * per, info.resident_pages);
	if (!lm_emulated()) {
		EXPECT_EQ(self->base.faults + NTOUCH, info.faults);
		EXPECT_EQ(self->base.cow_faults +
			  (variant->shared ? 0 : NTOUCH), info.cow_faults);
		EXPECT_EQ(self->base.huge_faults + (per > 1 ? NTOUCH : 0),
			  info.huge_faults);
	}
	for (i = 0; i < NTOUCH; i++) {
		uint64_t off = (uint64_t)i * self->stride + 1;

		EXPECT_EQ(0x40 + i, p[off]);
		ASSERT_EQ(0, lm_pread_all(self->fd, &byte, 1, off));
		EXPECT_EQ(variant->shared ? 0x40 + i : 0, byte)
			TH_LOG("store byte of page %d", i * STRIDE);
	}
	ASSERT_EQ(0, munmap(p, self->size));
}

/* A new page reads as zeros in every byte, through any mapping type. */
TEST_F(map, new_pages_are_zero)
{
	uint8_t *p;

	p = mmap(NULL, 8 * lm_ps, PROT_READ, variant->flags, self->fd,
		 (off_t)(self->size - 8 * lm_ps));
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, lm_nonzero(p, 8 * lm_ps));
	ASSERT_EQ(0, munmap(p, 8 * lm_ps));
}

/*
 * A second mapping of the same offsets, MAP_SHARED: writes through it are
 * seen by the first mapping until that one writes (private) or always
 * (shared); writes through the first reach the second only if shared.
 */
TEST_F(map, aliases_see_shared_writes)
{
	uint8_t *a, *b, byte;
	size_t len = 4 * lm_ps;
	off_t off = (off_t)(9 * lm_ps);

	a = mmap(NULL, len, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, off);
	ASSERT_NE(MAP_FAILED, a);
	/* b also covers the page before a, so the offsets differ. */
	b = mmap(NULL, len + lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, off - (off_t)lm_ps);
	ASSERT_NE(MAP_FAILED, b);

	EXPECT_EQ(0, a[0]);
	b[lm_ps] = 0x11;
	EXPECT_EQ(0x11, a[0]);
	b[lm_ps + 2 * lm_ps + 5] = 0x22;
	EXPECT_EQ(0x22, a[2 * lm_ps + 5]);

	a[0] = 0x33;
	EXPECT_EQ(variant->shared ? 0x33 : 0x11, b[lm_ps]);
	ASSERT_EQ(0, lm_pread_all(self->fd, &byte, 1, (uint64_t)off));
	EXPECT_EQ(variant->shared ? 0x33 : 0x11, byte);

	/* After a's write, b's writes reach a only if a is shared. */
	b[lm_ps] = 0x44;
	EXPECT_EQ(variant->shared ? 0x44 : 0x33, a[0]);

	ASSERT_EQ(0, munmap(a, len));
	ASSERT_EQ(0, munmap(b, len + lm_ps));
}

/* The mapped range must lie inside the device: EINVAL otherwise. */
TEST_F(map, range_outside_device_einval)
{
	int prot = PROT_READ | PROT_WRITE;
	uint8_t *p;

	LM_NEED_DEVICE();

	p = mmap(NULL, self->size + lm_ps, prot, variant->flags, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, lm_ps, prot, variant->flags, self->fd,
		 (off_t)self->size);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, 2 * lm_ps, prot, variant->flags, self->fd,
		 (off_t)(self->size - lm_ps));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	p = mmap(NULL, lm_ps, prot, variant->flags, self->fd, 1LL << 50);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);

	/*
	 * An offset whose end wraps past 2^64: the core refuses it with
	 * EOVERFLOW before the driver sees it; either refusal will do.
	 */
	p = mmap(NULL, 2 * lm_ps, prot, variant->flags, self->fd,
		 -(off_t)lm_ps);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_TRUE(errno == EINVAL || errno == EOVERFLOW)
		TH_LOG("errno %d (%s)", errno, strerror(errno));

	/* The last page and the whole device are fine. */
	p = mmap(NULL, lm_ps, prot, variant->flags, self->fd,
		 (off_t)(self->size - lm_ps));
	ASSERT_NE(MAP_FAILED, p);
	p[lm_ps - 1] = 1;
	EXPECT_EQ(1, p[lm_ps - 1]);
	ASSERT_EQ(0, munmap(p, lm_ps));
	/* A length that is not a page multiple is rounded up, as for files. */
	p = mmap(NULL, self->size - 100, prot, variant->flags, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, self->size));
	/* Nothing above allocated a page but the one written to. */
	EXPECT_EQ(1ULL, lm_resident(self->fd));
}

/*
 * mremap() may shrink, move and grow a mapping, as on a memfd: the bytes go
 * with it and the grown part maps the device's next pages, lazily.
 */
TEST_F(map, mremap_shrinks_moves_and_grows)
{
	struct lazymap_info info;
	uint8_t *p, *q, byte;

	p = mmap(NULL, 2 * lm_ps, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x5a;
	p[lm_ps] = 0xa5;

	/* Growing allocates nothing until the new part is touched. */
	q = mremap(p, 2 * lm_ps, 4 * lm_ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0x5a, q[0]);
	EXPECT_EQ(0xa5, q[lm_ps]);
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(2ULL, info.resident_pages);
	EXPECT_EQ(0, q[3 * lm_ps]);
	q[2 * lm_ps] = 0x3c;
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(4ULL, info.resident_pages);
	/* The grown part is offset 2 pages of the device, not a new page. */
	ASSERT_EQ(1, pread(self->fd, &byte, 1, 2 * lm_ps));
	EXPECT_EQ(variant->shared ? 0x3c : 0, byte);

	q = mremap(q, 4 * lm_ps, lm_ps, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(0x5a, q[0]);
	ASSERT_EQ(0, munmap(q, lm_ps));
}

/*
 * A mapping grown past the end of the device maps nothing there: a touch is
 * SIGBUS, as past the end of a memfd.
 */
TEST_F_SIGNAL(map, grown_past_end_sigbus, SIGBUS)
{
	volatile uint8_t *q;
	uint8_t *p;

	p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, self->size - lm_ps);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, lm_ps, 2 * lm_ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	q[0] = 1;
	(void)q[lm_ps];
}

/* Writing a PROT_READ mapping kills the writer with SIGSEGV. */
TEST_F_SIGNAL(map, write_to_prot_read_segv, SIGSEGV)
{
	uint8_t *p;

	p = mmap(NULL, lm_ps, PROT_READ, variant->flags, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, lm_peek(p));
	lm_poke(p, 1);
	/* Not reached. */
	TH_LOG("a write to a PROT_READ mapping succeeded");
}

/*
 * An O_RDONLY descriptor: MAP_SHARED cannot be writable (EACCES, now or
 * by mprotect later); MAP_PRIVATE can, and the writes stay private.
 */
TEST_F(map, readonly_fd)
{
	uint8_t *p, byte;
	int ro;

	ASSERT_EQ(0, lm_pwrite_all(self->fd, "\x77", 1, 0));
	ro = lm_open(O_RDONLY);
	ASSERT_LE(0, ro);

	p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, variant->flags, ro, 0);
	if (variant->shared) {
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(EACCES, errno);
		p = mmap(NULL, lm_ps, PROT_READ, variant->flags, ro, 0);
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(0x77, p[0]);
		EXPECT_EQ(-1, mprotect(p, lm_ps, PROT_READ | PROT_WRITE));
		EXPECT_EQ(EACCES, errno);
	} else {
		ASSERT_NE(MAP_FAILED, p);
		EXPECT_EQ(0x77, p[0]);
		p[0] = 0x88;
		EXPECT_EQ(0x88, p[0]);
		ASSERT_EQ(0, lm_pread_all(self->fd, &byte, 1, 0));
		EXPECT_EQ(0x77, byte);
	}
	ASSERT_EQ(0, munmap(p, lm_ps));
	close(ro);
}

/* Mapping needs read access: an O_WRONLY descriptor gives EACCES. */
TEST_F(map, writeonly_fd_eacces)
{
	uint8_t *p;
	int wo;

	wo = lm_open(O_WRONLY);
	ASSERT_LE(0, wo);
	p = mmap(NULL, lm_ps, PROT_READ, variant->flags, wo, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	close(wo);
}

/* A shared mapping's writes persist in the store after munmap. */
TEST_F(map, unmap_keeps_shared_writes_only)
{
	uint8_t *p;
	size_t len = 3 * lm_ps;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, variant->flags,
		 self->fd, (off_t)lm_ps);
	ASSERT_NE(MAP_FAILED, p);
	lm_fill(p, len, lm_ps, 7);
	ASSERT_EQ(0, munmap(p, len));

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, (off_t)lm_ps);
	ASSERT_NE(MAP_FAILED, p);
	/* Shared: the pattern.  Private: zeros, the writes were a copy. */
	EXPECT_EQ(-1, variant->shared ? lm_check(p, len, lm_ps, 7) :
		  lm_nonzero(p, len));
	ASSERT_EQ(0, munmap(p, len));
}

TEST_HARNESS_MAIN
