// SPDX-License-Identifier: GPL-2.0
/*
 * The device node (behaviour 1), the module parameter file (2) and the
 * sysfs counters (10): /dev/lazymap is a character device of mode 0600
 * matching /sys/class/misc/lazymap/dev; size, resident_pages, faults and
 * cow_faults are read-only, one decimal number each, exactly the values
 * LAZYMAP_IOC_INFO gives, and follow the activity exactly; size_mb is
 * read-only and agrees with the size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

static const char *const attrs[] = {
	"size", "resident_pages", "faults", "cow_faults",
};

FIXTURE(sysfs) {
	int fd;
};

FIXTURE_SETUP(sysfs)
{
	LM_OPEN_EMPTY(self->fd);
}

FIXTURE_TEARDOWN(sysfs)
{
	lm_close_empty(self->fd);
}

/* All four attributes, read between two identical ioctl snapshots. */
static int read_all(int fd, struct lazymap_info *info, uint64_t val[4])
{
	struct lazymap_info again;
	int err, i;

	err = lm_info(fd, info);
	for (i = 0; !err && i < 4; i++)
		err = lm_sysfs_u64(attrs[i], &val[i]);
	if (!err)
		err = lm_info(fd, &again);
	if (!err && memcmp(info, &again, sizeof(again)))
		err = -EAGAIN;	/* something else touched the device */
	return err;
}

TEST_F(sysfs, device_node)
{
	char path[128];
	unsigned int maj, min;
	struct stat st;
	FILE *f;

	LM_NEED_DEVICE();

	ASSERT_EQ(0, stat(LM_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777U)
		TH_LOG("mode %o", st.st_mode & 07777U);
	EXPECT_EQ(0U, st.st_uid);

	/* The misc device's sysfs directory names the same numbers. */
	snprintf(path, sizeof(path), "%s/dev", LM_SYSFS_DIR);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%u:%u", &maj, &min));
	fclose(f);
	EXPECT_EQ(major(st.st_rdev), maj);
	EXPECT_EQ(minor(st.st_rdev), min);
	EXPECT_EQ(10U, maj);	/* MISC_MAJOR */
}

/* Read-only: mode 0444, and even root cannot open them for writing. */
TEST_F(sysfs, attributes_read_only)
{
	char path[128];
	struct stat st;
	int i, fd;

	LM_NEED_DEVICE();

	for (i = 0; i < 5; i++) {
		if (i < 4)
			snprintf(path, sizeof(path), "%s/%s", LM_SYSFS_DIR,
				 attrs[i]);
		else
			snprintf(path, sizeof(path), "%s", LM_PARAM_SIZE_MB);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444U, st.st_mode & 0777U)
			TH_LOG("%s: mode %o", path, st.st_mode & 0777U);
		fd = open(path, O_WRONLY);
		EXPECT_EQ(-1, fd) TH_LOG("%s opened for writing", path);
		if (fd >= 0)
			close(fd);
	}
}

/* Exactly the ioctl's numbers, in the strict "%llu\n" format. */
TEST_F(sysfs, values_equal_ioctl)
{
	struct lazymap_info info;
	uint64_t val[4], mb;
	uint8_t *p;

	LM_NEED_DEVICE();

	/* Some activity first, so the numbers are not all zero. */
	p = mmap(NULL, 4 * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	lm_touch_read(p + lm_ps, 2);
	munmap(p, 4 * lm_ps);

	ASSERT_EQ(0, read_all(self->fd, &info, val));
	EXPECT_EQ(info.size, val[0]);
	EXPECT_EQ(info.resident_pages, val[1]);
	EXPECT_EQ(info.faults, val[2]);
	EXPECT_EQ(info.cow_faults, val[3]);
	EXPECT_EQ(3ULL, val[1]);

	ASSERT_EQ(0, lm_read_u64(LM_PARAM_SIZE_MB, &mb));
	EXPECT_EQ(mb * LM_MIB, val[0]);
}

/* The attributes move exactly with the activity. */
TEST_F(sysfs, values_follow_activity)
{
	struct lazymap_info info;
	uint64_t a[4], b[4];
	uint8_t *s, *p;

	LM_NEED_DEVICE();

	s = mmap(NULL, 16 * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, s);
	p = mmap(NULL, 16 * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, read_all(self->fd, &info, a));
	EXPECT_EQ(0ULL, a[1]);
	lm_touch_write(s, 5, 1);		/* 5 shared faults */
	lm_touch_write(p + 8 * lm_ps, 3, 2);	/* 3 cow faults */
	/* A write(2): a page, no fault. */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "w", 1, 12 * lm_ps));
	ASSERT_EQ(0, read_all(self->fd, &info, b));
	EXPECT_EQ(a[0], b[0]);
	EXPECT_EQ(9ULL, b[1]);
	EXPECT_EQ(a[2] + 8, b[2]);
	EXPECT_EQ(a[3] + 3, b[3]);

	ASSERT_EQ(0, lm_discard(self->fd, 0, 4 * lm_ps));
	ASSERT_EQ(0, read_all(self->fd, &info, a));
	EXPECT_EQ(5ULL, a[1]);
	EXPECT_EQ(b[2], a[2]);
	munmap(p, 16 * lm_ps);
	munmap(s, 16 * lm_ps);
}

TEST_HARNESS_MAIN
