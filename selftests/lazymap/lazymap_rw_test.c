// SPDX-License-Identifier: GPL-2.0
/*
 * read/write and friends (behaviour 7): coherent with the mappings both
 * ways, holes read as zeros and allocate nothing, end-of-device rules
 * (read 0, write ENOSPC, partial write across the end), EINVAL for offset
 * overflow, EFAULT for bad buffers, and no deadlock when the user buffer is
 * a mapping of the device itself.  The store keeps its content across
 * close and reopen (3).  Where the contract is silent, a memfd of the same
 * size given the same operations is the reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

FIXTURE(rw) {
	int fd;
	uint64_t size;
	struct lazymap_info base;
};

FIXTURE_SETUP(rw)
{
	LM_OPEN_EMPTY(self->fd);
	ASSERT_EQ(0, lm_info(self->fd, &self->base));
	self->size = self->base.size;
}

FIXTURE_TEARDOWN(rw)
{
	lm_close_empty(self->fd);
}

/* A memfd of the device's size: the reference where the contract is silent. */
static int ref_memfd(uint64_t size)
{
	int fd = memfd_create("lazymap-ref", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* write(2) is seen by shared and private mappings made before or after. */
TEST_F(rw, write_seen_by_mappings)
{
	size_t len = 3 * lm_ps;
	uint64_t off = 5 * lm_ps + 123;
	uint8_t *buf, *s, *p, *s2;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	s = mmap(NULL, 5 * lm_ps, PROT_READ, MAP_SHARED, self->fd,
		 (off_t)(5 * lm_ps));
	ASSERT_NE(MAP_FAILED, s);
	p = mmap(NULL, 5 * lm_ps, PROT_READ, MAP_PRIVATE, self->fd,
		 (off_t)(5 * lm_ps));
	ASSERT_NE(MAP_FAILED, p);
	lm_touch_read(s, 5);	/* some mapped before the write ... */

	lm_fill(buf, len, off, 11);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, len, off));
	EXPECT_EQ(-1, lm_check(s + 123, len, off, 11));
	EXPECT_EQ(-1, lm_check(p + 123, len, off, 11));	/* ... some not */

	s2 = mmap(NULL, 5 * lm_ps, PROT_READ, MAP_SHARED, self->fd,
		  (off_t)(5 * lm_ps));
	ASSERT_NE(MAP_FAILED, s2);
	EXPECT_EQ(-1, lm_check(s2 + 123, len, off, 11));
	EXPECT_EQ(0, s2[122]);
	EXPECT_EQ(0, s2[123 + len]);
	munmap(s2, 5 * lm_ps);
	munmap(p, 5 * lm_ps);
	munmap(s, 5 * lm_ps);
	free(buf);
}

/* Stores through a shared mapping are seen at once by read(2). */
TEST_F(rw, mapping_writes_seen_by_read)
{
	size_t len = 4 * lm_ps;
	uint8_t *s, *buf;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (off_t)(16 * lm_ps));
	ASSERT_NE(MAP_FAILED, s);
	lm_fill(s, len, 16 * lm_ps, 12);
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, len, 16 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf, len, 16 * lm_ps, 12));

	/* read(2) at the file position, in odd-sized pieces. */
	ASSERT_EQ((off_t)(16 * lm_ps + 1),
		  lseek(self->fd, (off_t)(16 * lm_ps + 1), SEEK_SET));
	ASSERT_EQ(1000, read(self->fd, buf, 1000));
	ASSERT_EQ((ssize_t)lm_ps, read(self->fd, buf + 1000, lm_ps));
	EXPECT_EQ(-1, lm_check(buf, 1000 + lm_ps, 16 * lm_ps + 1, 12));
	EXPECT_EQ((off_t)(16 * lm_ps + 1 + 1000 + lm_ps),
		  lseek(self->fd, 0, SEEK_CUR));

	/* A later store is seen too: no stale copy anywhere. */
	s[7] = (uint8_t)~s[7];
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, 8, 16 * lm_ps));
	EXPECT_EQ(s[7], buf[7]);
	munmap(s, len);
	free(buf);
}

/* readv/writev/preadv/pwritev scatter and gather across page boundaries. */
TEST_F(rw, vectored_io)
{
	uint8_t a[100], b[5000], c[300], out[5400];
	struct iovec wv[3] = {
		{ a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) },
	};
	struct iovec rv[2] = {
		{ out, 2000 }, { out + 2000, sizeof(out) - 2000 },
	};
	uint64_t off = 3 * lm_ps - 50;

	lm_fill(a, sizeof(a), off, 13);
	lm_fill(b, sizeof(b), off + sizeof(a), 13);
	lm_fill(c, sizeof(c), off + sizeof(a) + sizeof(b), 13);

	ASSERT_EQ((off_t)off, lseek(self->fd, (off_t)off, SEEK_SET));
	ASSERT_EQ((ssize_t)sizeof(out), writev(self->fd, wv, 3));
	EXPECT_EQ((off_t)(off + sizeof(out)), lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ((off_t)off, lseek(self->fd, (off_t)off, SEEK_SET));
	ASSERT_EQ((ssize_t)sizeof(out), readv(self->fd, rv, 2));
	EXPECT_EQ(-1, lm_check(out, sizeof(out), off, 13));

	memset(out, 0, sizeof(out));
	ASSERT_EQ((ssize_t)sizeof(out), preadv(self->fd, rv, 2, (off_t)off));
	EXPECT_EQ(-1, lm_check(out, sizeof(out), off, 13));

	lm_fill(a, sizeof(a), 0, 14);
	lm_fill(b, sizeof(b), sizeof(a), 14);
	lm_fill(c, sizeof(c), sizeof(a) + sizeof(b), 14);
	ASSERT_EQ((ssize_t)sizeof(out), pwritev(self->fd, wv, 3, 0));
	ASSERT_EQ(0, lm_pread_all(self->fd, out, sizeof(out), 0));
	EXPECT_EQ(-1, lm_check(out, sizeof(out), 0, 14));
	/* pwritev does not move the file position. */
	EXPECT_EQ((off_t)(off + sizeof(out)), lseek(self->fd, 0, SEEK_CUR));
}

/* Reading never-touched ranges returns zeros and allocates nothing. */
TEST_F(rw, holes_read_zero_and_allocate_nothing)
{
	size_t len = 1024 * 1024;
	struct lazymap_info info;
	uint8_t *buf;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	memset(buf, 0xaa, len);
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, len, self->size / 2));
	EXPECT_EQ(-1, lm_nonzero(buf, len));
	memset(buf, 0xaa, len);
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, len, self->size - len));
	EXPECT_EQ(-1, lm_nonzero(buf, len));

	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(0ULL, info.resident_pages);
	EXPECT_EQ(self->base.faults, info.faults);
	free(buf);
}

/* write(2) allocates exactly the pages it touches, without faults. */
TEST_F(rw, write_allocates_touched_pages_only)
{
	struct lazymap_info info;
	int i;

	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, lm_pwrite_all(self->fd, "x", 1,
					   (uint64_t)(10 + 3 * i) * lm_ps + 9));
	/* One write straddling a page boundary: two pages. */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "yz", 2, 40 * lm_ps - 1));
	ASSERT_EQ(0, lm_info(self->fd, &info));
	EXPECT_EQ(7ULL, info.resident_pages);
	EXPECT_EQ(self->base.faults, info.faults);
}

/* Reads at or past the end return 0; a read across the end is short. */
TEST_F(rw, read_at_end)
{
	uint8_t buf[300];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), (off_t)self->size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf),
			   (off_t)(self->size + lm_ps)));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), 1LL << 62));
	EXPECT_EQ(100, pread(self->fd, buf, sizeof(buf),
			     (off_t)(self->size - 100)));

	ASSERT_EQ((off_t)(self->size - 10),
		  lseek(self->fd, -10, SEEK_END));
	EXPECT_EQ(10, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_CUR));
}

/* Writes at or past the end fail with ENOSPC and allocate nothing. */
TEST_F(rw, write_at_end_enospc)
{
	uint8_t buf[16] = { 1 };

	LM_NEED_DEVICE();

	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), (off_t)self->size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, (off_t)self->size + 1));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, 1LL << 62));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(0ULL, lm_resident(self->fd));
}

/* A write across the end writes what fits; the next one gets ENOSPC. */
TEST_F(rw, write_across_end_is_partial)
{
	uint8_t buf[300], back[300];
	struct iovec iov[2] = { { buf, 100 }, { buf + 100, 200 } };

	LM_NEED_DEVICE();

	lm_fill(buf, sizeof(buf), 0, 15);
	EXPECT_EQ(100, pwrite(self->fd, buf, sizeof(buf),
			      (off_t)(self->size - 100)));
	ASSERT_EQ(0, lm_pread_all(self->fd, back, 100, self->size - 100));
	EXPECT_EQ(0, memcmp(buf, back, 100));

	ASSERT_EQ((off_t)(self->size - 150),
		  lseek(self->fd, -150, SEEK_END));
	EXPECT_EQ(150, writev(self->fd, iov, 2));
	EXPECT_EQ((off_t)self->size, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, lm_pread_all(self->fd, back, 150, self->size - 150));
	EXPECT_EQ(0, memcmp(buf, back, 150));
}

/* Negative offsets and offsets whose end overflows: EINVAL. */
TEST_F(rw, offset_overflow_einval)
{
	uint8_t buf[16] = { 0 };

	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), -(off_t)lm_ps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), LLONG_MAX - 8));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), LLONG_MAX - 8));
	EXPECT_EQ(EINVAL, errno);
}

/* Bad user buffers: EFAULT, and the store is left as it was. */
TEST_F(rw, bad_buffer_efault)
{
	void *nil = lm_launder(NULL);
	uint8_t *ro, *none, back[8];

	ro = mmap(NULL, lm_ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	none = mmap(NULL, lm_ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "abcdefgh", 8, lm_ps));

	EXPECT_EQ(-1, pread(self->fd, nil, 8, (off_t)lm_ps));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(self->fd, ro, 8, (off_t)lm_ps));
	EXPECT_EQ(EFAULT, errno);
	/* A hole is copied out too. */
	EXPECT_EQ(-1, pread(self->fd, none, 8, (off_t)(7 * lm_ps)));
	EXPECT_EQ(EFAULT, errno);

	EXPECT_EQ(-1, pwrite(self->fd, nil, 8, (off_t)lm_ps));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, none, 8, (off_t)lm_ps));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, (void *)-4096L, 8, (off_t)lm_ps));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, lm_pread_all(self->fd, back, 8, lm_ps));
	EXPECT_EQ(0, memcmp("abcdefgh", back, 8));
	munmap(none, lm_ps);
	munmap(ro, lm_ps);
}

/*
 * pwrite (or pread) of len bytes at offset 0 from (into) buf, on the device
 * and then on the reference: the same return value and the same errno.
 */
static void expect_like_ref(struct __test_metadata *_metadata, int fd,
			    int ref, bool is_write, void *buf, size_t len)
{
	const char *op = is_write ? "pwrite" : "pread";
	ssize_t dev_ret, ref_ret;
	int dev_err, ref_err;

	errno = 0;
	dev_ret = is_write ? pwrite(fd, buf, len, 0) : pread(fd, buf, len, 0);
	dev_err = errno;
	errno = 0;
	ref_ret = is_write ? pwrite(ref, buf, len, 0) : pread(ref, buf, len, 0);
	ref_err = errno;
	EXPECT_EQ(ref_ret, dev_ret) TH_LOG("%s", op);
	EXPECT_EQ(ref_err, dev_err) TH_LOG("%s", op);
}

/*
 * A buffer good for its first page only: same result as a memfd (a short
 * transfer of the good part), and nothing beyond it is written.
 */
TEST_F(rw, partly_bad_buffer_like_memfd)
{
	uint8_t *buf;
	int ref;

	ref = ref_memfd(self->size);
	ASSERT_LE(0, ref);
	buf = mmap(NULL, 2 * lm_ps, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + lm_ps, lm_ps, PROT_NONE));
	lm_fill(buf, lm_ps, 0, 16);

	expect_like_ref(_metadata, self->fd, ref, true, buf + 100, lm_ps);
	expect_like_ref(_metadata, self->fd, ref, false, buf + 200, lm_ps);
	munmap(buf, 2 * lm_ps);
	close(ref);
}

/*
 * The user buffer is a mapping of the device itself: the copy faults pages
 * of the device while read/write is in progress.  Must not deadlock (the
 * harness times the test out), and must copy the right bytes.
 */
TEST_F(rw, buffer_is_own_mapping)
{
	size_t len = 4 * lm_ps;
	uint8_t *s, *p, *buf;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	s = mmap(NULL, 32 * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, s);
	p = mmap(NULL, 32 * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);

	/* Pages 0-3 resident, not mapped yet. */
	lm_fill(buf, len, 0, 17);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, len, 0));

	/* write() from resident pages not yet mapped, into pages 8-11. */
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, s, len, (off_t)(8 * lm_ps)));
	EXPECT_EQ(-1, lm_check(s + 8 * lm_ps, len, 0, 17));

	/* write() from untouched pages (allocated by the copy) to 12-15. */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "\x01", 1, 12 * lm_ps));
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, s + 4 * lm_ps, len,
				       (off_t)(12 * lm_ps)));
	EXPECT_EQ(-1, lm_nonzero(s + 12 * lm_ps, len));

	/* write() of a page onto itself. */
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, s, len, 0));
	EXPECT_EQ(-1, lm_check(s, len, 0, 17));

	/* read() into untouched pages of a shared mapping: 16-19. */
	ASSERT_EQ((ssize_t)len, pread(self->fd, s + 16 * lm_ps, len, 0));
	EXPECT_EQ(-1, lm_check(s + 16 * lm_ps, len, 0, 17));
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, len, 16 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf, len, 0, 17));

	/* read() of pages onto themselves. */
	ASSERT_EQ((ssize_t)len, pread(self->fd, s, len, 0));
	EXPECT_EQ(-1, lm_check(s, len, 0, 17));

	/* read() into untouched pages of a private mapping: 20-23. */
	ASSERT_EQ((ssize_t)len, pread(self->fd, p + 20 * lm_ps, len, 0));
	EXPECT_EQ(-1, lm_check(p + 20 * lm_ps, len, 0, 17));
	EXPECT_EQ(-1, lm_nonzero(s + 20 * lm_ps, len));

	/* read() into a private mapping of the very pages being read. */
	ASSERT_EQ((ssize_t)len, pread(self->fd, p + 24 * lm_ps, len,
				      (off_t)(24 * lm_ps)));
	EXPECT_EQ(-1, lm_nonzero(p + 24 * lm_ps, len));

	munmap(p, 32 * lm_ps);
	munmap(s, 32 * lm_ps);
	free(buf);
}

/*
 * The same random sequence of writes, stores, discards and private writes
 * applied to the device and to a memfd gives the same bytes and the same
 * SEEK_DATA/SEEK_HOLE map.
 */
TEST_F(rw, matches_memfd)
{
	size_t region = 64 * lm_ps;
	uint8_t *dev_s, *ref_s, *dev_p, *ref_p, *buf, *back;
	unsigned int seed = 20250101;
	int ref, i;
	off_t d, r, from;

	ref = ref_memfd(self->size);
	ASSERT_LE(0, ref);
	buf = malloc(3 * lm_ps + 1);
	back = malloc(region);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	dev_s = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_SHARED,
		     self->fd, 0);
	ref_s = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_SHARED, ref, 0);
	dev_p = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		     self->fd, 0);
	ref_p = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE, ref, 0);
	ASSERT_NE(MAP_FAILED, dev_s);
	ASSERT_NE(MAP_FAILED, ref_s);
	ASSERT_NE(MAP_FAILED, dev_p);
	ASSERT_NE(MAP_FAILED, ref_p);

	for (i = 0; i < 300; i++) {
		unsigned int op = (unsigned int)rand_r(&seed) % 5;
		size_t off = (size_t)rand_r(&seed) % region;
		size_t len = 1 + (size_t)rand_r(&seed) % (3 * lm_ps);
		size_t pg = off / lm_ps, npg;

		if (off + len > region)
			len = region - off;
		switch (op) {
		case 0:		/* write(2) */
			lm_fill(buf, len, off, (uint32_t)i);
			ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, len, off));
			ASSERT_EQ(0, lm_pwrite_all(ref, buf, len, off));
			break;
		case 1:		/* stores through the shared mappings */
			lm_fill(dev_s + off, len, off, (uint32_t)i);
			lm_fill(ref_s + off, len, off, (uint32_t)i);
			break;
		case 2:		/* discard / punch hole */
			npg = 1 + len / lm_ps;
			if (pg + npg > region / lm_ps)
				npg = region / lm_ps - pg;
			ASSERT_EQ(0, lm_discard(self->fd, pg * lm_ps,
						npg * lm_ps));
			ASSERT_EQ(0, fallocate(ref, FALLOC_FL_PUNCH_HOLE |
					       FALLOC_FL_KEEP_SIZE,
					       (off_t)(pg * lm_ps),
					       (off_t)(npg * lm_ps)));
			break;
		case 3:		/* private stores: must change nothing */
			dev_p[off] = (uint8_t)i;
			ref_p[off] = (uint8_t)i;
			break;
		default:	/* reads through every path agree */
			ASSERT_EQ(0, lm_pread_all(self->fd, buf, len, off));
			ASSERT_EQ(0, lm_pread_all(ref, back, len, off));
			EXPECT_EQ(0, memcmp(buf, back, len))
				TH_LOG("op %d: read at %zu", i, off);
			EXPECT_EQ(0, memcmp(dev_s + off, ref_s + off, len));
			EXPECT_EQ(0, memcmp(dev_p + off, ref_p + off, len))
				TH_LOG("op %d: private view at %zu", i, off);
			break;
		}
		if (!_metadata->passed)
			break;
	}

	/* Same pages allocated (before the reads below fault them all in). */
	EXPECT_EQ(lm_file_resident(ref), lm_resident(self->fd));

	/* Same data/hole map over the whole device. */
	for (d = 0;;) {
		from = d;
		r = lseek(ref, from, SEEK_DATA);
		d = lseek(self->fd, from, SEEK_DATA);
		EXPECT_EQ(r, d) TH_LOG("SEEK_DATA from %lld", (long long)from);
		if (d < 0 || r != d)
			break;
		from = d;
		r = lseek(ref, from, SEEK_HOLE);
		d = lseek(self->fd, from, SEEK_HOLE);
		EXPECT_EQ(r, d) TH_LOG("SEEK_HOLE from %lld", (long long)from);
		if (d < 0 || r != d || d >= (off_t)self->size)
			break;
	}

	/* Same bytes, read(2) and the private views. */
	ASSERT_EQ(0, lm_pread_all(self->fd, back, region, 0));
	EXPECT_EQ(0, memcmp(back, ref_s, region));
	EXPECT_EQ(0, memcmp(dev_p, ref_p, region));

	munmap(ref_p, region);
	munmap(dev_p, region);
	munmap(ref_s, region);
	munmap(dev_s, region);
	free(back);
	free(buf);
	close(ref);
}

/* Descriptors opened read-only or write-only cannot do the other. */
TEST_F(rw, open_mode_enforced)
{
	uint8_t b = 0;
	int ro, wo;

	ro = lm_open(O_RDONLY);
	wo = lm_open(O_WRONLY);
	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	EXPECT_EQ(-1, pwrite(ro, &b, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, pread(wo, &b, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(1, pwrite(wo, "w", 1, 0));
	EXPECT_EQ(1, pread(ro, &b, 1, 0));
	EXPECT_EQ('w', b);
	close(wo);
	close(ro);
}

/*
 * The store keeps its content when every descriptor and mapping is gone,
 * and a new opener, in another process, sees it (behaviour 3).
 */
TEST_F(rw, content_survives_close_and_reopen)
{
	size_t len = 2 * lm_ps;
	uint8_t *s, *buf;
	pid_t pid;
	int fd;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	lm_fill(buf, len, 30 * lm_ps, 18);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, len, 30 * lm_ps));
	s = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (off_t)(40 * lm_ps));
	ASSERT_NE(MAP_FAILED, s);
	lm_fill(s, lm_ps, 40 * lm_ps, 18);
	munmap(s, lm_ps);
	close(self->fd);
	self->fd = -1;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = lm_open(O_RDONLY);
		if (fd < 0 || lm_pread_all(fd, buf, len, 30 * lm_ps) ||
		    lm_check(buf, len, 30 * lm_ps, 18) != -1 ||
		    lm_pread_all(fd, buf, lm_ps, 40 * lm_ps) ||
		    lm_check(buf, lm_ps, 40 * lm_ps, 18) != -1)
			_exit(1);
		_exit(0);
	}
	EXPECT_EQ(0, lm_wait(pid));

	fd = lm_open(O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lm_pread_all(fd, buf, len, 30 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf, len, 30 * lm_ps, 18));
	self->fd = fd;
	free(buf);
}

TEST_HARNESS_MAIN
