// SPDX-License-Identifier: GPL-2.0
/*
 * Store pages can be migrated (the store's address_space has migrate_folio
 * and its pages come from movable pageblocks, as shmem's do): soft-offlining
 * a resident page moves it to a new frame, and the store, every mapping and
 * read()/write() then use that frame, with the bytes intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif

#define NPAGES		4
#define VICTIM		1	/* the page that is moved */
#define SEED		0x6d6f7665	/* "move" */

FIXTURE(migrate) {
	int fd;
	char *a, *b;	/* two shared mappings of the first NPAGES pages */
};

FIXTURE_SETUP(migrate)
{
	size_t len = NPAGES * lm_ps;

	LM_NEED_DEVICE();
	if (lm_pfn_visible() <= 0)
		LM_SKIP("frame numbers in /proc/self/pagemap need CAP_SYS_ADMIN");
	LM_OPEN_EMPTY(self->fd);
	self->a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->a);
	self->b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->b);
}

FIXTURE_TEARDOWN(migrate)
{
	size_t len = NPAGES * lm_ps;

	if (self->b && self->b != MAP_FAILED)
		munmap(self->b, len);
	if (self->a && self->a != MAP_FAILED)
		munmap(self->a, len);
	lm_close_empty(self->fd);
}

TEST_F(migrate, soft_offline_moves_store_page)
{
	char *a = self->a + VICTIM * lm_ps, *b = self->b + VICTIM * lm_ps;
	uint64_t off = VICTIM * lm_ps, before, after, resident;
	char buf[64];

	lm_fill(self->a, NPAGES * lm_ps, 0, SEED);
	(void)lm_peek(b);
	before = lm_pfn(a);
	ASSERT_NE(0ULL, before);
	ASSERT_EQ(before, lm_pfn(b));
	resident = lm_resident(self->fd);
	ASSERT_EQ((uint64_t)NPAGES, resident);

	if (madvise(a, lm_ps, MADV_SOFT_OFFLINE)) {
		if (errno == EINVAL)
			LM_SKIP("MADV_SOFT_OFFLINE: kernel without CONFIG_MEMORY_FAILURE");
		/* EBUSY or EIO: the page could not be migrated. */
		ASSERT_EQ(0, errno)
			TH_LOG("MADV_SOFT_OFFLINE: %s", strerror(errno));
	}

	/* The bytes survived, through both mappings and read(). */
	EXPECT_EQ(-1, lm_check(self->a, NPAGES * lm_ps, 0, SEED));
	EXPECT_EQ(-1, lm_check(self->b, NPAGES * lm_ps, 0, SEED));
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, sizeof(buf), off));
	EXPECT_EQ(-1, lm_check(buf, sizeof(buf), off, SEED));

	/* A new frame, the same for every mapping; nothing allocated. */
	after = lm_pfn(a);
	EXPECT_NE(before, after);
	EXPECT_EQ(after, lm_pfn(b));
	EXPECT_EQ(resident, lm_resident(self->fd));

	/* The store holds the new page: write() and discard reach it. */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "moved", 5, off));
	EXPECT_EQ(0, memcmp(a, "moved", 5));
	EXPECT_EQ(0, memcmp(b, "moved", 5));
	ASSERT_EQ(0, lm_discard(self->fd, off, lm_ps));
	EXPECT_EQ(-1, lm_nonzero(a, lm_ps));
	EXPECT_EQ(-1, lm_nonzero(b, lm_ps));
}

TEST_HARNESS_MAIN
