// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_PRIVATE semantics (behaviour 6): a private mapping reads the store,
 * later shared writes included, until it writes a page; the written page is
 * a private copy that nobody else sees and that never reaches the store;
 * after fork() private pages are copy-on-write between parent and child,
 * while shared mappings stay shared.  Also how copies show in the counters
 * (10): a write to an untouched private page is a cow fault of the driver,
 * a write to a private page already mapped read-only is copied by the
 * kernel without calling the driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define NPAGES	8

FIXTURE(cow) {
	int fd;
	uint8_t *shared;	/* MAP_SHARED view of pages 0..NPAGES-1 */
	uint8_t *priv;		/* MAP_PRIVATE view of the same pages */
};

FIXTURE_SETUP(cow)
{
	LM_OPEN_EMPTY(self->fd);
	self->shared = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			    MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->shared);
	self->priv = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->priv);
}

FIXTURE_TEARDOWN(cow)
{
	munmap(self->priv, NPAGES * lm_ps);
	munmap(self->shared, NPAGES * lm_ps);
	lm_close_empty(self->fd);
}

static uint8_t store_byte(int fd, uint64_t off)
{
	uint8_t b = 0xff;

	if (lm_pread_all(fd, &b, 1, off))
		return 0xee;
	return b;
}

/*
 * Reads of a private page follow the store, including shared writes made
 * after the private page was first read, until the private mapping writes.
 */
TEST_F(cow, private_reads_follow_shared_writes_until_written)
{
	uint8_t *s = self->shared, *p = self->priv;

	/* Written by the shared side first, then read privately. */
	s[0] = 0x11;
	EXPECT_EQ(0x11, p[0]);
	/* Read privately first, then written by the shared side. */
	EXPECT_EQ(0, p[lm_ps]);
	s[lm_ps] = 0x12;
	EXPECT_EQ(0x12, p[lm_ps]);
	/* ... and by write(2). */
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "\x13", 1, lm_ps + 1));
	EXPECT_EQ(0x13, p[lm_ps + 1]);

	/* The private write: a copy with the store's bytes and the new one. */
	p[lm_ps + 2] = 0x21;
	EXPECT_EQ(0x12, p[lm_ps]);
	EXPECT_EQ(0x13, p[lm_ps + 1]);
	EXPECT_EQ(0x21, p[lm_ps + 2]);
	EXPECT_EQ(0, s[lm_ps + 2]);
	EXPECT_EQ(0, store_byte(self->fd, lm_ps + 2));

	/* From now on the store's changes no longer show through. */
	s[lm_ps] = 0x14;
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "\x15", 1, lm_ps + 1));
	EXPECT_EQ(0x12, p[lm_ps]);
	EXPECT_EQ(0x13, p[lm_ps + 1]);
	/* Other pages of the mapping still follow the store. */
	s[0] = 0x16;
	EXPECT_EQ(0x16, p[0]);
}

/* Private writes never reach the store, whoever looks and however. */
TEST_F(cow, private_writes_never_reach_store)
{
	uint8_t *p2, buf[64];
	int fd2;

	lm_fill(self->priv, NPAGES * lm_ps, 0, 3);
	EXPECT_EQ(-1, lm_check(self->priv, NPAGES * lm_ps, 0, 3));
	EXPECT_EQ(-1, lm_nonzero(self->shared, NPAGES * lm_ps));
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, sizeof(buf), lm_ps));
	EXPECT_EQ(-1, lm_nonzero(buf, sizeof(buf)));

	/* Another private mapping, from another open, sees the store. */
	fd2 = lm_open(O_RDONLY);
	ASSERT_LE(0, fd2);
	p2 = mmap(NULL, NPAGES * lm_ps, PROT_READ, MAP_PRIVATE, fd2, 0);
	ASSERT_NE(MAP_FAILED, p2);
	EXPECT_EQ(-1, lm_nonzero(p2, NPAGES * lm_ps));
	munmap(p2, NPAGES * lm_ps);
	close(fd2);

	/* Nor does unmapping write them back. */
	munmap(self->priv, NPAGES * lm_ps);
	self->priv = MAP_FAILED;
	EXPECT_EQ(-1, lm_nonzero(self->shared, NPAGES * lm_ps));
}

/*
 * Counters: a private write to an untouched page calls the driver for a
 * write fault (cow_faults) and allocates the store page, which stays zero.
 * A write to a private page already mapped from a read is copied by the
 * kernel without the driver: neither counter moves.
 */
TEST_F(cow, cow_fault_counting)
{
	struct lazymap_info a, b;
	uint8_t *p = self->priv;

	LM_NEED_DEVICE();

	ASSERT_EQ(0, lm_info(self->fd, &a));
	p[0] = 1;				/* untouched: cow fault */
	ASSERT_EQ(0, lm_info(self->fd, &b));
	EXPECT_EQ(a.faults + 1, b.faults);
	EXPECT_EQ(a.cow_faults + 1, b.cow_faults);
	EXPECT_EQ(a.resident_pages + 1, b.resident_pages);
	EXPECT_EQ(0, store_byte(self->fd, 0));

	EXPECT_EQ(0, p[lm_ps]);			/* read fault */
	ASSERT_EQ(0, lm_info(self->fd, &a));
	EXPECT_EQ(b.faults + 1, a.faults);
	EXPECT_EQ(b.cow_faults, a.cow_faults);
	EXPECT_EQ(b.resident_pages + 1, a.resident_pages);

	p[lm_ps] = 2;				/* copied by the kernel */
	ASSERT_EQ(0, lm_info(self->fd, &b));
	EXPECT_EQ(a.faults, b.faults);
	EXPECT_EQ(a.cow_faults, b.cow_faults);
	EXPECT_EQ(a.resident_pages, b.resident_pages);
	EXPECT_EQ(0, store_byte(self->fd, lm_ps));

	/* A shared write fault is not a cow fault. */
	self->shared[2 * lm_ps] = 3;
	ASSERT_EQ(0, lm_info(self->fd, &a));
	EXPECT_EQ(b.faults + 1, a.faults);
	EXPECT_EQ(b.cow_faults, a.cow_faults);
}

/*
 * fork(): private pages, copied or not, are copy-on-write between parent
 * and child; neither sees the other's later writes, and the store sees
 * none of them.
 */
TEST_F(cow, fork_private_pages_copy_on_write)
{
	uint8_t *p = self->priv, go;
	struct lm_chan ch;
	pid_t pid;

	p[0] = 0xa0;			/* a private copy before fork */
	EXPECT_EQ(0, p[lm_ps]);		/* a store page mapped before fork */
	ASSERT_EQ(0, lm_chan_open(&ch));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		bad |= p[0] != 0xa0;
		p[0] = 0xc0;
		p[lm_ps] = 0xc1;
		p[2 * lm_ps] = 0xc2;	/* untouched before fork */
		if (lm_chan_send(&ch, true, "c", 1) ||
		    lm_chan_recv(&ch, true, &go, 1))
			_exit(2);
		/* The parent's writes after fork are not ours. */
		bad |= p[0] != 0xc0;
		bad |= p[lm_ps] != 0xc1;
		bad |= p[2 * lm_ps] != 0xc2;
		bad |= p[3 * lm_ps] != 0;
		_exit(bad);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, &go, 1));
	EXPECT_EQ(0xa0, p[0]);
	EXPECT_EQ(0, p[lm_ps]);
	EXPECT_EQ(0, p[2 * lm_ps]);
	p[0] = 0xa1;
	p[3 * lm_ps] = 0xa3;
	ASSERT_EQ(0, lm_chan_send(&ch, false, "p", 1));
	EXPECT_EQ(0, lm_wait(pid));
	EXPECT_EQ(0xa1, p[0]);
	EXPECT_EQ(-1, lm_nonzero(self->shared, NPAGES * lm_ps));
	lm_chan_close(&ch);
}

/* fork(): shared mappings stay shared both ways. */
TEST_F(cow, fork_shared_pages_stay_shared)
{
	uint8_t *s = self->shared, go;
	struct lm_chan ch;
	pid_t pid;

	s[0] = 0xb0;
	ASSERT_EQ(0, lm_chan_open(&ch));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = s[0] != 0xb0;

		s[0] = 0xb1;
		s[lm_ps] = 0xb2;
		if (lm_chan_send(&ch, true, "c", 1) ||
		    lm_chan_recv(&ch, true, &go, 1))
			_exit(2);
		bad |= s[2 * lm_ps] != 0xb3;
		_exit(bad);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, &go, 1));
	EXPECT_EQ(0xb1, s[0]);
	EXPECT_EQ(0xb2, s[lm_ps]);
	s[2 * lm_ps] = 0xb3;
	ASSERT_EQ(0, lm_chan_send(&ch, false, "p", 1));
	EXPECT_EQ(0, lm_wait(pid));
	lm_chan_close(&ch);
}

/* Two unrelated private mappings never see each other's writes. */
TEST_F(cow, private_mappings_are_isolated)
{
	uint8_t *q;

	q = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	self->priv[0] = 0xd1;
	q[0] = 0xd2;
	EXPECT_EQ(0xd1, self->priv[0]);
	EXPECT_EQ(0xd2, q[0]);
	EXPECT_EQ(0, self->shared[0]);
	munmap(q, NPAGES * lm_ps);
}

/*
 * Dropping a private copy (MADV_DONTNEED) makes the mapping read the store
 * again, as for any file mapping.
 */
TEST_F(cow, dontneed_drops_private_copy)
{
	uint8_t *p = self->priv;

	self->shared[0] = 0xe1;
	p[0] = 0xe2;
	EXPECT_EQ(0xe2, p[0]);
	ASSERT_EQ(0, madvise(p, lm_ps, MADV_DONTNEED));
	EXPECT_EQ(0xe1, p[0]);
	self->shared[0] = 0xe3;
	EXPECT_EQ(0xe3, p[0]);
}

/* mprotect round trip: a read-only private page becomes a copy on write. */
TEST_F(cow, mprotect_then_write_copies)
{
	uint8_t *p;

	p = mmap(NULL, lm_ps, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->shared[0] = 0xf1;
	EXPECT_EQ(0xf1, p[0]);
	ASSERT_EQ(0, mprotect(p, lm_ps, PROT_READ | PROT_WRITE));
	p[0] = 0xf2;
	ASSERT_EQ(0, mprotect(p, lm_ps, PROT_READ));
	EXPECT_EQ(0xf2, p[0]);
	EXPECT_EQ(0xf1, self->shared[0]);
	EXPECT_EQ(0xf1, store_byte(self->fd, 0));
	munmap(p, lm_ps);
}

TEST_HARNESS_MAIN
