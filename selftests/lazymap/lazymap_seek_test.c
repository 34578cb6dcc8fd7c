// SPDX-License-Identifier: GPL-2.0
/*
 * llseek (behaviour 8): SEEK_SET/SEEK_CUR/SEEK_END with the end at the
 * device size, EINVAL for a negative result, and SEEK_DATA/SEEK_HOLE at page
 * granularity over the resident pages, ENXIO where no data follows or at
 * and past the end, as on a sparse file.  A memfd of the same size with the
 * same pages written is the reference for every answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

FIXTURE(seek) {
	int fd;
	int ref;		/* memfd of the same size, same pages written */
	uint64_t size;
};

FIXTURE_SETUP(seek)
{
	LM_OPEN_EMPTY(self->fd);
	self->size = lm_size(self->fd);
	ASSERT_LT(64 * lm_ps, self->size);
	self->ref = memfd_create("lazymap-ref", MFD_CLOEXEC);
	ASSERT_LE(0, self->ref);
	ASSERT_EQ(0, ftruncate(self->ref, (off_t)self->size));
}

FIXTURE_TEARDOWN(seek)
{
	lm_close_empty(self->fd);
	close(self->ref);
}

/* Make page pg resident in both the device and the reference. */
static int populate(int fd, int ref, uint64_t pg)
{
	int err = lm_pwrite_all(fd, "d", 1, pg * lm_ps + 7);

	return err ? err : lm_pwrite_all(ref, "d", 1, pg * lm_ps + 7);
}

/* lseek result as an offset, or -errno. */
static off_t seek_err(int fd, off_t off, int whence)
{
	off_t r = lseek(fd, off, whence);

	return r < 0 ? -errno : r;
}

/* The device answers as the memfd does, and as expected. */
#define EXPECT_SEEK(off, whence, expected) do {				\
	off_t __o = (off);						\
	int __w = (whence);						\
	off_t __d = seek_err(self->fd, __o, __w);			\
	off_t __r = seek_err(self->ref, __o, __w);			\
	EXPECT_EQ((off_t)(expected), __d)				\
		TH_LOG("lseek(%lld, %s)", (long long)__o, #whence);	\
	EXPECT_EQ(__r, __d)						\
		TH_LOG("memfd differs: lseek(%lld, %s)",		\
		       (long long)__o, #whence);			\
} while (0)

TEST_F(seek, set_cur_end)
{
	off_t size = (off_t)self->size;

	EXPECT_SEEK(0, SEEK_SET, 0);
	EXPECT_SEEK(12345, SEEK_SET, 12345);
	EXPECT_SEEK(100, SEEK_CUR, 12445);
	EXPECT_SEEK(-445, SEEK_CUR, 12000);
	EXPECT_SEEK(0, SEEK_CUR, 12000);
	EXPECT_SEEK(0, SEEK_END, size);
	EXPECT_SEEK(-1, SEEK_END, size - 1);
	EXPECT_SEEK(-size, SEEK_END, 0);
	/* Past the end is a valid position, as for a file. */
	EXPECT_SEEK(size + (off_t)lm_ps, SEEK_SET, size + (off_t)lm_ps);
	EXPECT_SEEK(10, SEEK_END, size + 10);
}

TEST_F(seek, negative_result_einval)
{
	off_t size = (off_t)self->size;

	ASSERT_EQ(777, lseek(self->fd, 777, SEEK_SET));
	ASSERT_EQ(777, lseek(self->ref, 777, SEEK_SET));
	EXPECT_SEEK(-1, SEEK_SET, -EINVAL);
	EXPECT_SEEK(-778, SEEK_CUR, -EINVAL);
	EXPECT_SEEK(-size - 1, SEEK_END, -EINVAL);
	EXPECT_SEEK(0, 42, -EINVAL);	/* no such whence */
	/* A failed seek leaves the position alone. */
	EXPECT_EQ(777, lseek(self->fd, 0, SEEK_CUR));
}

/* An empty store: all hole. */
TEST_F(seek, data_hole_empty_store)
{
	off_t size = (off_t)self->size;

	EXPECT_SEEK(0, SEEK_DATA, -ENXIO);
	EXPECT_SEEK(size / 2, SEEK_DATA, -ENXIO);
	EXPECT_SEEK(0, SEEK_HOLE, 0);
	EXPECT_SEEK(12345, SEEK_HOLE, 12345);
	EXPECT_SEEK(size - 1, SEEK_HOLE, size - 1);
}

/* At, past or before the device: ENXIO for both. */
TEST_F(seek, data_hole_outside_device_enxio)
{
	off_t size = (off_t)self->size;

	ASSERT_EQ(0, populate(self->fd, self->ref, self->size / lm_ps - 1));
	EXPECT_SEEK(size, SEEK_DATA, -ENXIO);
	EXPECT_SEEK(size, SEEK_HOLE, -ENXIO);
	EXPECT_SEEK(size + 1, SEEK_DATA, -ENXIO);
	EXPECT_SEEK(size + (off_t)lm_ps, SEEK_HOLE, -ENXIO);
	EXPECT_SEEK(-1, SEEK_DATA, -ENXIO);
	EXPECT_SEEK(-1, SEEK_HOLE, -ENXIO);
}

/*
 * Resident pages 3-4, 10 and the last page, at page granularity:
 * SEEK_DATA finds the page an offset is in or the next resident one,
 * SEEK_HOLE the next non-resident page or the end.
 */
TEST_F(seek, data_hole_page_granularity)
{
	off_t ps = (off_t)lm_ps, size = (off_t)self->size;
	uint64_t last = self->size / lm_ps - 1;

	ASSERT_EQ(0, populate(self->fd, self->ref, 3));
	ASSERT_EQ(0, populate(self->fd, self->ref, 4));
	ASSERT_EQ(0, populate(self->fd, self->ref, 10));
	ASSERT_EQ(0, populate(self->fd, self->ref, last));

	EXPECT_SEEK(0, SEEK_DATA, 3 * ps);
	EXPECT_SEEK(3 * ps - 1, SEEK_DATA, 3 * ps);
	EXPECT_SEEK(3 * ps, SEEK_DATA, 3 * ps);
	EXPECT_SEEK(3 * ps + 5, SEEK_DATA, 3 * ps + 5);
	EXPECT_SEEK(4 * ps + 100, SEEK_DATA, 4 * ps + 100);
	EXPECT_SEEK(5 * ps, SEEK_DATA, 10 * ps);
	EXPECT_SEEK(10 * ps + ps - 1, SEEK_DATA, 10 * ps + ps - 1);
	EXPECT_SEEK(11 * ps, SEEK_DATA, (off_t)last * ps);
	EXPECT_SEEK(size - 1, SEEK_DATA, size - 1);

	EXPECT_SEEK(0, SEEK_HOLE, 0);
	EXPECT_SEEK(3 * ps, SEEK_HOLE, 5 * ps);
	EXPECT_SEEK(4 * ps + 9, SEEK_HOLE, 5 * ps);
	EXPECT_SEEK(5 * ps + 9, SEEK_HOLE, 5 * ps + 9);
	EXPECT_SEEK(10 * ps, SEEK_HOLE, 11 * ps);
	EXPECT_SEEK((off_t)last * ps, SEEK_HOLE, size);
	EXPECT_SEEK(size - 1, SEEK_HOLE, size);

	/* The position moves to the answer. */
	ASSERT_EQ(10 * ps, lseek(self->fd, 6 * ps, SEEK_DATA));
	EXPECT_EQ(10 * ps, lseek(self->fd, 0, SEEK_CUR));
}

/*
 * Resident pages from page 0 on: the hole after them.  (6.1's
 * page_cache_next_miss() answers 0 for a scan starting at a present page
 * 0, a trap for a SEEK_HOLE built on it.)
 */
TEST_F(seek, hole_after_first_pages)
{
	off_t ps = (off_t)lm_ps;

	ASSERT_EQ(0, populate(self->fd, self->ref, 0));
	EXPECT_SEEK(0, SEEK_HOLE, ps);
	EXPECT_SEEK(0, SEEK_DATA, 0);
	ASSERT_EQ(0, populate(self->fd, self->ref, 1));
	ASSERT_EQ(0, populate(self->fd, self->ref, 2));
	EXPECT_SEEK(0, SEEK_HOLE, 3 * ps);
	EXPECT_SEEK(100, SEEK_HOLE, 3 * ps);
	EXPECT_SEEK(ps, SEEK_HOLE, 3 * ps);
	EXPECT_SEEK(3 * ps, SEEK_DATA, -ENXIO);
}

/* A page that is resident but was never written to is data too. */
TEST_F(seek, faulted_pages_are_data)
{
	off_t ps = (off_t)lm_ps;
	uint8_t *p, *q;

	p = mmap(NULL, 8 * lm_ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mmap(NULL, 8 * lm_ps, PROT_READ, MAP_SHARED, self->ref, 0);
	ASSERT_NE(MAP_FAILED, q);
	lm_touch_read(p + 6 * lm_ps, 1);
	lm_touch_read(q + 6 * lm_ps, 1);
	EXPECT_SEEK(0, SEEK_DATA, 6 * ps);
	EXPECT_SEEK(6 * ps, SEEK_HOLE, 7 * ps);
	munmap(q, 8 * lm_ps);
	munmap(p, 8 * lm_ps);
}

/* A discarded page becomes a hole again. */
TEST_F(seek, discard_makes_holes)
{
	off_t ps = (off_t)lm_ps;
	int i;

	for (i = 2; i < 8; i++)
		ASSERT_EQ(0, populate(self->fd, self->ref, (uint64_t)i));
	ASSERT_EQ(0, lm_discard(self->fd, 4 * lm_ps, 2 * lm_ps));
	ASSERT_EQ(0, fallocate(self->ref, FALLOC_FL_PUNCH_HOLE |
			       FALLOC_FL_KEEP_SIZE, 4 * ps, 2 * ps));
	EXPECT_SEEK(2 * ps, SEEK_HOLE, 4 * ps);
	EXPECT_SEEK(4 * ps, SEEK_DATA, 6 * ps);
	EXPECT_SEEK(6 * ps, SEEK_HOLE, 8 * ps);
	ASSERT_EQ(0, lm_reset(self->fd));
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
}

/* A walk over a scattered set of pages matches the memfd everywhere. */
TEST_F(seek, walk_matches_memfd)
{
	static const uint64_t pages[] = {
		0, 1, 2, 17, 31, 32, 33, 63, 64, 65, 127, 128, 511, 512, 513,
		1000, 4095, 4096,
	};
	off_t size = (off_t)self->size, d, r, off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i] * lm_ps < self->size)
			ASSERT_EQ(0, populate(self->fd, self->ref, pages[i]));
	/* Every page boundary and a mid-page offset in the first 5000. */
	for (off = 0; off < 5000 * (off_t)lm_ps && off < size;
	     off += (off_t)lm_ps / 2) {
		d = seek_err(self->fd, off, SEEK_DATA);
		r = seek_err(self->ref, off, SEEK_DATA);
		ASSERT_EQ(r, d) TH_LOG("SEEK_DATA from %lld", (long long)off);
		d = seek_err(self->fd, off, SEEK_HOLE);
		r = seek_err(self->ref, off, SEEK_HOLE);
		ASSERT_EQ(r, d) TH_LOG("SEEK_HOLE from %lld", (long long)off);
	}
}

TEST_HARNESS_MAIN
