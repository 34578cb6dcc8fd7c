// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation: what one user of /dev/lazymap must never learn about memory
 * it was not given.
 *  - A non-root user cannot open the default node (mode 0600, root).
 *  - A page freed by discard and faulted again reads zero, however it is
 *    faulted (read or write, shared or private mapping, read()), even when
 *    the allocator hands back the very frames that held the old data.
 *  - LAZYMAP_IOC_INFO writes exactly its struct, fully initialised: the
 *    reserved fields are zero whatever the buffer held before, and not one
 *    byte outside the struct is touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define NOBODY		65534
#define ISO_PAGES	64	/* pages filled with a secret, then discarded */
#define ISO_ROUNDS	20

/* Index of the first of len bytes that is not val, or -1. */
static ssize_t iso_first_not(const unsigned char *p, size_t len,
			     unsigned char val)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return (ssize_t)i;
	return -1;
}

TEST(node_is_root_only)
{
	struct stat st;

	LM_NEED_DEVICE();
	ASSERT_EQ(0, stat(lm_dev_path(), &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777)
		TH_LOG("%s has mode %o", lm_dev_path(), st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
}

TEST(nonroot_cannot_open)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	pid_t pid;

	LM_NEED_DEVICE();
	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		unsigned int i;

		/* Drop every credential: groups, gid, then uid. */
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(10);
		if (geteuid() != NOBODY || getegid() != NOBODY)
			_exit(11);
		for (i = 0; i < ARRAY_SIZE(modes); i++) {
			int fd = open(lm_dev_path(), modes[i] | O_CLOEXEC);

			if (fd >= 0)
				_exit(20 + i);
			if (errno != EACCES)
				_exit(30 + i);
		}
		_exit(0);
	}
	/* 20+i: opened with modes[i]; 30+i: failed, but not with EACCES. */
	ASSERT_EQ(0, lm_wait(pid));
}

FIXTURE(refault) {
	int fd;
	char *shared;
	char *private;
	size_t len;
};

FIXTURE_SETUP(refault)
{
	LM_OPEN_EMPTY(self->fd);
	self->len = ISO_PAGES * lm_ps;
	ASSERT_LE(self->len, lm_size(self->fd));
	self->shared = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			    MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->shared);
	self->private = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->private);
}

FIXTURE_TEARDOWN(refault)
{
	munmap(self->shared, self->len);
	munmap(self->private, self->len);
	lm_close_empty(self->fd);
}

/*
 * Each round writes a secret to every page, discards them all and faults
 * them back in one of four ways; the frames just freed are the allocator's
 * hottest, so a missing zeroing would show the secret at once.
 */
TEST_F(refault, discarded_pages_come_back_zero)
{
	char *buf = malloc(self->len);
	int round;

	ASSERT_NE(NULL, buf);
	for (round = 0; round < ISO_ROUNDS; round++) {
		uint32_t seed = 0x5ec0de00 + round;
		size_t i;
		ssize_t bad;

		lm_fill(self->shared, self->len, 0, seed);
		ASSERT_EQ((uint64_t)ISO_PAGES, lm_resident(self->fd));
		ASSERT_EQ(-1, lm_check(self->private, self->len, 0, seed));
		ASSERT_EQ(0, lm_discard(self->fd, 0, self->len));
		ASSERT_EQ(0ULL, lm_resident(self->fd));

		switch (round % 4) {
		case 0:	/* read faults through the shared mapping */
			bad = lm_nonzero(self->shared, self->len);
			break;
		case 1:	/* read faults through the private mapping */
			bad = lm_nonzero(self->private, self->len);
			break;
		case 2:	/* write faults: one byte, the rest must be zero */
			for (i = 0; i < ISO_PAGES; i++)
				self->shared[i * lm_ps] = 0;
			bad = lm_nonzero(self->shared, self->len);
			break;
		default: /* read() allocates nothing; then private CoW */
			ASSERT_EQ(0, lm_pread_all(self->fd, buf, self->len, 0));
			bad = lm_nonzero(buf, self->len);
			if (bad >= 0)
				break;
			for (i = 0; i < ISO_PAGES; i++)
				self->private[i * lm_ps] = 0;
			bad = lm_nonzero(self->private, self->len);
			break;
		}
		ASSERT_EQ(-1, bad)
			TH_LOG("round %d (way %d): byte %zd of a refaulted page is not zero",
			       round, round % 4, bad);
		/* Drop private copies before the next round. */
		ASSERT_EQ(0, madvise(self->private, self->len, MADV_DONTNEED));
	}
	free(buf);
}

/*
 * The struct is placed last on a page followed by an inaccessible page, at
 * an odd address, in a buffer full of a pattern: the ioctl must succeed,
 * fill every field (reserved ones zero) and leave the pattern around it.
 */
TEST(info_has_no_uninitialised_bytes)
{
	static const unsigned char fills[] = { 0x00, 0xa5, 0xff, 0x5a };
	struct lazymap_info ref, *info;
	unsigned char *area, *p;
	uint64_t sysfs_size;
	unsigned int f;
	size_t i;
	int fd;

	LM_NEED_DEVICE();
	fd = lm_open(O_RDONLY);
	ASSERT_LE(0, fd);
	area = mmap(NULL, 2 * lm_ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(0, mprotect(area + lm_ps, lm_ps, PROT_NONE));

	ASSERT_EQ(0, ioctl(fd, LAZYMAP_IOC_INFO, &ref));
	for (f = 0; f < sizeof(fills); f++) {
		for (i = 0; i < 2; i++) {
			/* Last on the page, then one byte earlier (odd). */
			p = area + lm_ps - sizeof(*info) - i;
			info = (struct lazymap_info *)p;
			memset(area, fills[f], lm_ps);
			ASSERT_EQ(0, ioctl(fd, LAZYMAP_IOC_INFO, info))
				TH_LOG("at offset %zu in the page: %s",
				       (size_t)(p - area), strerror(errno));
			EXPECT_EQ(ref.huge_faults, info->huge_faults);
			EXPECT_EQ(ref.huge_page_size, info->huge_page_size);
			EXPECT_EQ(ref.huge_mode, info->huge_mode);
			EXPECT_EQ((uint64_t)lm_ps, info->page_size);
			EXPECT_EQ(ref.size, info->size);
			/* Nothing runs: the counters stay put. */
			EXPECT_EQ(ref.resident_pages, info->resident_pages);
			EXPECT_EQ(ref.faults, info->faults);
			EXPECT_EQ(ref.cow_faults, info->cow_faults);
			EXPECT_EQ(-1, iso_first_not(area, p - area,
						    fills[f]));
			if (i)
				EXPECT_EQ(fills[f], area[lm_ps - 1]);
		}
	}
	/* One byte further and the struct crosses into the PROT_NONE page. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, LAZYMAP_IOC_INFO,
			    area + lm_ps - sizeof(*info) + 1));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, lm_sysfs_u64("size", &sysfs_size));
	EXPECT_EQ(sysfs_size, ref.size);
	munmap(area, 2 * lm_ps);
	close(fd);
}

TEST_HARNESS_MAIN
