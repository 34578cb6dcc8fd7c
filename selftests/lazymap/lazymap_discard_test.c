// SPDX-License-Identifier: GPL-2.0
/*
 * What LAZYMAP_IOC_DISCARD does to mappings (behaviour 9), as
 * fallocate(FALLOC_FL_PUNCH_HOLE) on a memfd: discarded pages leave every
 * mapping in every process (shared mappings and private mappings that had
 * not copied the page read zeros afterwards, from a new page), private
 * copies survive, and pages pinned elsewhere (vmsplice) keep their bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define NPAGES	8
#define SEED	31

FIXTURE(discard) {
	int fd;
	uint8_t *s;		/* MAP_SHARED, pages 0..NPAGES-1 */
};

FIXTURE_SETUP(discard)
{
	LM_OPEN_EMPTY(self->fd);
	self->s = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
		       MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->s);
	lm_fill(self->s, NPAGES * lm_ps, 0, SEED);
}

FIXTURE_TEARDOWN(discard)
{
	munmap(self->s, NPAGES * lm_ps);
	lm_close_empty(self->fd);
}

/*
 * A shared mapping loses the discarded pages (no longer present in its
 * page table), reads zeros, and a new touch allocates a new page.
 */
TEST_F(discard, shared_mapping_reads_zero)
{
	struct lazymap_info a, b;
	uint8_t *s = self->s;
	int i;

	ASSERT_EQ(0, lm_discard(self->fd, 2 * lm_ps, 3 * lm_ps));
	for (i = 2; i < 5; i++)
		EXPECT_EQ(0ULL, lm_pagemap(s + i * lm_ps) & LM_PM_PRESENT)
			TH_LOG("page %d still mapped", i);
	EXPECT_NE(0ULL, lm_pagemap(s + 5 * lm_ps) & LM_PM_PRESENT);
	EXPECT_EQ((uint64_t)NPAGES - 3, lm_resident(self->fd));

	ASSERT_EQ(0, lm_info(self->fd, &a));
	EXPECT_EQ(-1, lm_nonzero(s + 2 * lm_ps, 3 * lm_ps));
	ASSERT_EQ(0, lm_info(self->fd, &b));
	EXPECT_EQ((uint64_t)NPAGES, b.resident_pages);
	/* Three new faults (an emulation file counts none). */
	EXPECT_EQ(lm_emulated() ? 0 : a.faults + 3, b.faults);
	EXPECT_EQ(-1, lm_check(s, 2 * lm_ps, 0, SEED));
	EXPECT_EQ(-1, lm_check(s + 5 * lm_ps, 3 * lm_ps, 5 * lm_ps, SEED));

	/* The new pages are ordinary store pages. */
	s[3 * lm_ps] = 0x5c;
	EXPECT_EQ(0x5c, s[3 * lm_ps]);
}

/* Another process's shared mapping, from its own open: reads zeros. */
TEST_F(discard, seen_by_other_process)
{
	struct lm_chan ch;
	uint8_t go;
	pid_t pid;

	ASSERT_EQ(0, lm_chan_open(&ch));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = lm_open(O_RDWR), bad = 0;
		uint8_t *q;

		q = fd < 0 ? MAP_FAILED :
			mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, 0);
		if (q == MAP_FAILED)
			_exit(2);
		/* Map every page here before the discard. */
		if (lm_check(q, NPAGES * lm_ps, 0, SEED) != -1)
			_exit(3);
		if (lm_chan_send(&ch, true, "r", 1) ||
		    lm_chan_recv(&ch, true, &go, 1))
			_exit(4);
		bad |= lm_nonzero(q, 4 * lm_ps) != -1;
		bad |= lm_check(q + 4 * lm_ps, 4 * lm_ps, 4 * lm_ps,
				SEED) != -1;
		/* Now the child discards; the parent must see it. */
		q[5 * lm_ps] = 0x77;
		if (lm_discard(fd, 6 * lm_ps, lm_ps))
			bad |= 8;
		_exit(bad);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, &go, 1));
	ASSERT_EQ(0, lm_discard(self->fd, 0, 4 * lm_ps));
	ASSERT_EQ(0, lm_chan_send(&ch, false, "d", 1));
	EXPECT_EQ(0, lm_wait(pid));
	EXPECT_EQ(0x77, self->s[5 * lm_ps]);
	EXPECT_EQ(-1, lm_nonzero(self->s + 6 * lm_ps, lm_ps));
	lm_chan_close(&ch);
}

/*
 * Private mappings: a page already copied keeps its private bytes; a page
 * only read (still the store's page) reads zeros afterwards.
 */
TEST_F(discard, private_copies_survive)
{
	uint8_t *p;

	p = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0xa5;				/* page 0: copied */
	EXPECT_EQ(-1, lm_check(p + lm_ps, lm_ps, lm_ps, SEED)); /* 1: read */
	/* page 2: never touched through p */

	ASSERT_EQ(0, lm_discard(self->fd, 0, 3 * lm_ps));
	EXPECT_EQ(0xa5, p[0]);
	EXPECT_EQ(-1, lm_check(p + 1, lm_ps - 1, 1, SEED));
	EXPECT_EQ(-1, lm_nonzero(p + lm_ps, 2 * lm_ps));
	EXPECT_EQ(-1, lm_check(p + 3 * lm_ps, lm_ps, 3 * lm_ps, SEED));
	munmap(p, NPAGES * lm_ps);
}

/* A private copy inherited through fork survives in both processes. */
TEST_F(discard, inherited_private_copy_survives)
{
	struct lm_chan ch;
	uint8_t *p, go;
	pid_t pid;

	p = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[10] = 0xb6;		/* page 0 becomes a copy of the pattern */
	ASSERT_EQ(0, lm_chan_open(&ch));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (lm_chan_recv(&ch, true, &go, 1))
			_exit(2);
		_exit(p[10] == 0xb6 &&
		      lm_check(p + 11, lm_ps - 11, 11, SEED) == -1 ? 0 : 1);
	}
	ASSERT_EQ(0, lm_discard(self->fd, 0, NPAGES * lm_ps));
	ASSERT_EQ(0, lm_chan_send(&ch, false, "d", 1));
	EXPECT_EQ(0, lm_wait(pid));
	EXPECT_EQ(0xb6, p[10]);
	EXPECT_EQ(-1, lm_check(p + 11, lm_ps - 11, 11, SEED));
	EXPECT_EQ(-1, lm_nonzero(p + lm_ps, lm_ps));
	lm_chan_close(&ch);
	munmap(p, NPAGES * lm_ps);
}

/*
 * Pages spliced into a pipe with vmsplice keep their bytes after the
 * range is discarded: the store drops its reference, not the pipe's.
 */
TEST_F(discard, vmspliced_pages_keep_bytes)
{
	struct iovec iov = { self->s, 2 * lm_ps };
	uint8_t *buf = malloc(2 * lm_ps);
	int pfd[2];

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, pipe(pfd));
	ASSERT_EQ((ssize_t)(2 * lm_ps), vmsplice(pfd[1], &iov, 1, 0));
	ASSERT_EQ(0, lm_discard(self->fd, 0, 2 * lm_ps));
	EXPECT_EQ(-1, lm_nonzero(self->s, 2 * lm_ps));
	ASSERT_EQ((ssize_t)(2 * lm_ps), read(pfd[0], buf, 2 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf, 2 * lm_ps, 0, SEED));
	close(pfd[0]);
	close(pfd[1]);
	free(buf);
}

/* Discarding through one descriptor is seen through any other. */
TEST_F(discard, seen_through_other_descriptor)
{
	uint8_t buf[64];
	int fd2;

	fd2 = lm_open(O_RDONLY);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, lm_discard(self->fd, 7 * lm_ps, lm_ps));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, lm_pread_all(fd2, buf, sizeof(buf), 7 * lm_ps));
	EXPECT_EQ(-1, lm_nonzero(buf, sizeof(buf)));
	close(fd2);
}

/* The race below: writers fault pages in while a discarder punches. */
#define RACE_PAGES	64
#define RACE_SECONDS	2

struct race {
	int fd;
	uint8_t *s;			/* MAP_SHARED, RACE_PAGES */
	uint8_t *p;			/* MAP_PRIVATE, only read */
	time_t end;
	unsigned int seed;
	int err;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;
	unsigned int seed = r->seed;

	while (time(NULL) < r->end) {
		size_t pg = (size_t)rand_r(&seed) % RACE_PAGES;

		lm_poke(r->s + pg * lm_ps + 1, (uint8_t)seed);
		(void)lm_peek(r->p + pg * lm_ps);
	}
	return NULL;
}

static void *race_discarder(void *arg)
{
	struct race *r = arg;
	unsigned int seed = r->seed;

	while (time(NULL) < r->end && !r->err) {
		size_t pg = (size_t)rand_r(&seed) % RACE_PAGES;
		size_t n = 1 + (size_t)rand_r(&seed) % (RACE_PAGES - pg);

		r->err = lm_discard(r->fd, pg * lm_ps, n * lm_ps);
	}
	return NULL;
}

/*
 * Discards racing faults on the same range must never leave a mapping of
 * a page that is no longer in the store.  Afterwards every page the shared
 * mapping still maps must be the store's: a store through it is what
 * read(2) returns, and a page the private mapping maps without having
 * copied it is the store's frame.
 */
TEST_F(discard, racing_faults_leave_no_stale_mapping)
{
	struct race w1 = { 0 }, w2, d;
	pthread_t t1, t2, t3;
	uint64_t ent, pfn;
	uint8_t b, *fresh;
	size_t i;

	w1.fd = self->fd;
	w1.s = mmap(NULL, RACE_PAGES * lm_ps, PROT_READ | PROT_WRITE,
		    MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, w1.s);
	w1.p = mmap(NULL, RACE_PAGES * lm_ps, PROT_READ, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, w1.p);
	w1.end = time(NULL) + RACE_SECONDS;
	w1.seed = 1;
	w2 = w1;
	w2.seed = 2;
	d = w1;
	d.seed = 3;
	ASSERT_EQ(0, pthread_create(&t1, NULL, race_writer, &w1));
	ASSERT_EQ(0, pthread_create(&t2, NULL, race_writer, &w2));
	ASSERT_EQ(0, pthread_create(&t3, NULL, race_discarder, &d));
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	pthread_join(t3, NULL);
	ASSERT_EQ(0, d.err) TH_LOG("discard: %s", strerror(-d.err));

	fresh = mmap(NULL, RACE_PAGES * lm_ps, PROT_READ, MAP_SHARED,
		     self->fd, 0);
	ASSERT_NE(MAP_FAILED, fresh);
	for (i = 0; i < RACE_PAGES; i++) {
		/* The private view first: pokes below would allocate. */
		ent = lm_pagemap(w1.p + i * lm_ps);
		if ((ent & LM_PM_PRESENT) && (ent & LM_PM_FILE)) {
			(void)lm_peek(fresh + i * lm_ps);
			pfn = lm_pfn(fresh + i * lm_ps);
			if (pfn && (ent & LM_PM_PFN_MASK))
				EXPECT_EQ(pfn, ent & LM_PM_PFN_MASK)
					TH_LOG("private view of page %zu", i);
		}
		lm_poke(w1.s + i * lm_ps + 2, (uint8_t)(i + 1));
		ASSERT_EQ(0, lm_pread_all(self->fd, &b, 1, i * lm_ps + 2));
		EXPECT_EQ((uint8_t)(i + 1), b) TH_LOG("shared page %zu", i);
	}
	munmap(fresh, RACE_PAGES * lm_ps);
	munmap(w1.p, RACE_PAGES * lm_ps);
	munmap(w1.s, RACE_PAGES * lm_ps);
}

TEST_HARNESS_MAIN
