// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls (behaviour 9) and every one of their errors: LAZYMAP_IOC_INFO
 * (also on a read-only descriptor; EFAULT for bad pointers) and
 * LAZYMAP_IOC_DISCARD (EINVAL for unaligned, empty, overflowing or
 * out-of-range ranges, EBADF on a descriptor not open for writing, EFAULT
 * for bad pointers), ENOTTY for unknown commands.  A failed call changes
 * nothing: the pages and their bytes stay as they were.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define NPAGES	8		/* pages 0..NPAGES-1 hold a pattern */
#define SEED	21

FIXTURE(ioc) {
	int fd;
	uint64_t size;
	uint8_t *bad_ro;	/* a read-only page */
	uint8_t *bad_none;	/* a PROT_NONE page */
};

FIXTURE_SETUP(ioc)
{
	uint8_t *buf = malloc(NPAGES * lm_ps);
	int err;

	ASSERT_NE(NULL, buf);
	LM_OPEN_EMPTY(self->fd);
	self->size = lm_size(self->fd);
	lm_fill(buf, NPAGES * lm_ps, 0, SEED);
	err = lm_pwrite_all(self->fd, buf, NPAGES * lm_ps, 0);
	free(buf);
	ASSERT_EQ(0, err);
	self->bad_ro = mmap(NULL, lm_ps, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bad_ro);
	self->bad_none = mmap(NULL, lm_ps, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bad_none);
}

FIXTURE_TEARDOWN(ioc)
{
	lm_close_empty(self->fd);
	munmap(self->bad_none, lm_ps);
	munmap(self->bad_ro, lm_ps);
}

/* The pattern pages are all there, byte for byte, and nothing else. */
static bool unchanged(int fd)
{
	uint8_t *buf = malloc(NPAGES * lm_ps);
	bool same = buf && lm_resident(fd) == NPAGES &&
		    lm_pread_all(fd, buf, NPAGES * lm_ps, 0) == 0 &&
		    lm_check(buf, NPAGES * lm_ps, 0, SEED) == -1;

	free(buf);
	return same;
}

/* ioctl(2) as -errno, 0 on success. */
static int ioc(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int discard(int fd, uint64_t off, uint64_t len)
{
	struct lazymap_range r = { .offset = off, .length = len };

	return ioc(fd, LAZYMAP_IOC_DISCARD, &r);
}

TEST_F(ioc, info_fields)
{
	struct lazymap_info info;
	uint64_t mb;

	LM_NEED_DEVICE();

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(0, ioc(self->fd, LAZYMAP_IOC_INFO, &info));
	EXPECT_EQ((uint64_t)lm_ps, info.page_size);
	EXPECT_EQ((uint64_t)NPAGES, info.resident_pages);
	EXPECT_EQ(0ULL, info.size % lm_ps);
	ASSERT_EQ(0, lm_read_u64(LM_PARAM_SIZE_MB, &mb));
	EXPECT_EQ(mb * LM_MIB, info.size);
	/* The huge page fields, once reserved[3]: consistent. */
	EXPECT_LE(info.huge_faults, info.faults);
	EXPECT_LE(info.huge_mode, (uint64_t)LAZYMAP_HUGE_ADVISE);
	if (info.huge_mode == LAZYMAP_HUGE_NEVER) {
		EXPECT_EQ(0ULL, info.huge_page_size);
		EXPECT_EQ(0ULL, info.huge_faults);
	} else {
		EXPECT_EQ(lm_pmd_size(), info.huge_page_size);
	}
	/* The layout the uapi promises: eight __u64, no padding. */
	EXPECT_EQ(64UL, sizeof(struct lazymap_info));
	EXPECT_EQ(16UL, sizeof(struct lazymap_range));
}

/* INFO needs no write access. */
TEST_F(ioc, info_on_readonly_fd)
{
	struct lazymap_info a, b;
	int ro;

	LM_NEED_DEVICE();

	ro = lm_open(O_RDONLY);
	ASSERT_LE(0, ro);
	ASSERT_EQ(0, ioc(ro, LAZYMAP_IOC_INFO, &a));
	ASSERT_EQ(0, ioc(self->fd, LAZYMAP_IOC_INFO, &b));
	EXPECT_EQ(b.size, a.size);
	EXPECT_EQ(b.resident_pages, a.resident_pages);
	EXPECT_EQ(b.faults, a.faults);
	EXPECT_EQ(b.cow_faults, a.cow_faults);
	close(ro);
}

TEST_F(ioc, info_bad_pointer_efault)
{
	LM_NEED_DEVICE();

	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_INFO, NULL));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_INFO, self->bad_ro));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_INFO, self->bad_none));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_INFO, (void *)-4096L));
	/* A struct straddling into an inaccessible page. */
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_INFO,
			       self->bad_none - 8));
	EXPECT_TRUE(unchanged(self->fd));
}

/* Every malformed range: EINVAL, and the store is untouched. */
TEST_F(ioc, discard_bad_range_einval)
{
	const uint64_t ps = lm_ps, size = self->size;
	const struct lazymap_range bad[] = {
		{ 1, ps },			/* unaligned offset */
		{ ps / 2, ps },
		{ 0, ps + 1 },			/* unaligned length */
		{ 0, 1 },
		{ 0, 0 },			/* empty */
		{ ps, 0 },
		{ size, ps },			/* at the end */
		{ size + ps, ps },		/* past it */
		{ size - ps, 2 * ps },		/* across it */
		{ 0, size + ps },
		{ 1ULL << 62, ps },
		{ -ps, 2 * ps },		/* offset + length wraps */
		{ ps, -ps },
		{ -ps, ps },
		{ 0, -ps },
	};
	size_t i;

	LM_NEED_DEVICE();

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, discard(self->fd, bad[i].offset,
					   bad[i].length))
			TH_LOG("offset %#llx length %#llx",
			       (unsigned long long)bad[i].offset,
			       (unsigned long long)bad[i].length);
	}
	EXPECT_TRUE(unchanged(self->fd));
}

/* DISCARD needs a descriptor open for writing: EBADF otherwise. */
TEST_F(ioc, discard_readonly_fd_ebadf)
{
	int ro;

	LM_NEED_DEVICE();

	ro = lm_open(O_RDONLY);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, discard(ro, 0, NPAGES * lm_ps));
	EXPECT_EQ(-EBADF, discard(ro, 0, self->size));
	close(ro);
	EXPECT_TRUE(unchanged(self->fd));
}

/* A write-only descriptor may discard. */
TEST_F(ioc, discard_writeonly_fd_ok)
{
	int wo;

	LM_NEED_DEVICE();

	wo = lm_open(O_WRONLY);
	ASSERT_LE(0, wo);
	EXPECT_EQ(0, discard(wo, 0, lm_ps));
	EXPECT_EQ((uint64_t)NPAGES - 1, lm_resident(self->fd));
	close(wo);
}

TEST_F(ioc, discard_bad_pointer_efault)
{
	LM_NEED_DEVICE();

	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_DISCARD, NULL));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_DISCARD,
			       self->bad_none));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_DISCARD,
			       (void *)-4096L));
	EXPECT_EQ(-EFAULT, ioc(self->fd, LAZYMAP_IOC_DISCARD,
			       self->bad_none - 8));
	EXPECT_TRUE(unchanged(self->fd));
}

/* Commands the driver does not know, near misses included: ENOTTY. */
TEST_F(ioc, unknown_command_enotty)
{
	struct lazymap_info info;
	const unsigned long cmds[] = {
		_IO(LAZYMAP_IOC_MAGIC, 0x7f),
		_IOR(LAZYMAP_IOC_MAGIC, 0x02, struct lazymap_info),
		/* INFO with another size or direction */
		_IOR(LAZYMAP_IOC_MAGIC, 0x00, uint32_t),
		_IOWR(LAZYMAP_IOC_MAGIC, 0x00, struct lazymap_info),
		_IO(LAZYMAP_IOC_MAGIC, 0x00),
		/* DISCARD with another size or direction */
		_IOW(LAZYMAP_IOC_MAGIC, 0x01, uint64_t),
		_IOR(LAZYMAP_IOC_MAGIC, 0x01, struct lazymap_range),
		/* other drivers' numbers */
		_IOR(LAZYMAP_IOC_MAGIC + 1, 0x00, struct lazymap_info),
		TCGETS,
		0,
	};
	size_t i;

	LM_NEED_DEVICE();

	memset(&info, 0, sizeof(info));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-ENOTTY, ioc(self->fd, cmds[i], &info))
			TH_LOG("cmd %#lx", cmds[i]);
	}
	EXPECT_EQ(0, isatty(self->fd));
	EXPECT_TRUE(unchanged(self->fd));
}

/*
 * Valid discards: exactly the range's resident pages go, their bytes read
 * as zero, the rest is untouched; discarding holes is fine.
 */
TEST_F(ioc, discard_frees_exactly_the_range)
{
	uint8_t *buf;

	LM_NEED_DEVICE();
	buf = malloc(NPAGES * lm_ps);
	ASSERT_NE(NULL, buf);

	ASSERT_EQ(0, discard(self->fd, 2 * lm_ps, 3 * lm_ps));
	EXPECT_EQ((uint64_t)NPAGES - 3, lm_resident(self->fd));
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, NPAGES * lm_ps, 0));
	EXPECT_EQ(-1, lm_check(buf, 2 * lm_ps, 0, SEED));
	EXPECT_EQ(-1, lm_nonzero(buf + 2 * lm_ps, 3 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf + 5 * lm_ps, (NPAGES - 5) * lm_ps,
			       5 * lm_ps, SEED));

	/* Holes, and a range that is partly holes. */
	EXPECT_EQ(0, discard(self->fd, 100 * lm_ps, 100 * lm_ps));
	EXPECT_EQ(0, discard(self->fd, 3 * lm_ps, 1 * lm_ps));
	EXPECT_EQ((uint64_t)NPAGES - 3, lm_resident(self->fd));
	EXPECT_EQ(0, discard(self->fd, 4 * lm_ps, 2 * lm_ps));
	EXPECT_EQ((uint64_t)NPAGES - 4, lm_resident(self->fd));

	/* The very last page, then everything. */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "z", 1, self->size - 1));
	EXPECT_EQ((uint64_t)NPAGES - 3, lm_resident(self->fd));
	EXPECT_EQ(0, discard(self->fd, self->size - lm_ps, lm_ps));
	EXPECT_EQ((uint64_t)NPAGES - 4, lm_resident(self->fd));
	EXPECT_EQ(0, discard(self->fd, 0, self->size));
	EXPECT_EQ(0ULL, lm_resident(self->fd));
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, NPAGES * lm_ps, 0));
	EXPECT_EQ(-1, lm_nonzero(buf, NPAGES * lm_ps));
	free(buf);
}

TEST_HARNESS_MAIN
