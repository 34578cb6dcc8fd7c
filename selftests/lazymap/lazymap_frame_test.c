// SPDX-License-Identifier: GPL-2.0
/*
 * Physical frames, read from /proc/self/pagemap (root only): every shared
 * mapping of an offset maps the one store page, in any process, however the
 * device was opened (behaviour 5); a private mapping maps the store page
 * until it writes, then a new anonymous page of its own (6); after fork a
 * private copy is shared copy-on-write between parent and child.
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

FIXTURE(frame) {
	int fd;
	uint64_t size;
	bool have_pfn;
};

/* Frame numbers read as zero without CAP_SYS_ADMIN. */
#define NEED_PFN() do {							\
	if (!self->have_pfn)						\
		LM_SKIP("pagemap shows no frame numbers (needs root)");	\
} while (0)

FIXTURE_SETUP(frame)
{
	int visible;

	LM_OPEN_EMPTY(self->fd);
	self->size = lm_size(self->fd);
	visible = lm_pfn_visible();
	ASSERT_LE(0, visible);
	self->have_pfn = visible;
}

FIXTURE_TEARDOWN(frame)
{
	lm_close_empty(self->fd);
}

/* Frames of npages pages from p; 0 for a page not present. */
static void pfns(const uint8_t *p, size_t npages, uint64_t *out)
{
	size_t i;

	for (i = 0; i < npages; i++)
		out[i] = lm_pfn(p + i * lm_ps);
}

/* Two shared mappings in one process, from two opens: the same frames. */
TEST_F(frame, two_opens_share_frames)
{
	uint64_t fa[NPAGES], fb[NPAGES];
	uint8_t *a, *b;
	int fd2, i;

	NEED_PFN();

	fd2 = lm_open(O_RDWR);
	ASSERT_LE(0, fd2);
	a = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	b = mmap(NULL, NPAGES * lm_ps, PROT_READ, MAP_SHARED, fd2, 0);
	ASSERT_NE(MAP_FAILED, b);
	lm_touch_write(a, NPAGES / 2, 0x31);	/* half by write */
	lm_touch_read(b + NPAGES / 2 * lm_ps, NPAGES / 2); /* half by read */
	lm_touch_read(a, NPAGES);
	lm_touch_read(b, NPAGES);
	pfns(a, NPAGES, fa);
	pfns(b, NPAGES, fb);
	for (i = 0; i < NPAGES; i++) {
		EXPECT_NE(0ULL, fa[i]) TH_LOG("page %d", i);
		EXPECT_EQ(fa[i], fb[i]) TH_LOG("page %d", i);
		EXPECT_NE(0ULL, lm_pagemap(a + i * lm_ps) & LM_PM_FILE);
	}
	/* Distinct offsets, distinct pages. */
	for (i = 1; i < NPAGES; i++)
		EXPECT_NE(fa[0], fa[i]);
	munmap(a, NPAGES * lm_ps);
	munmap(b, NPAGES * lm_ps);
	close(fd2);
}

/*
 * A mapping inherited by fork: the child sees the parent's frames, and a
 * page first touched by the child is the one the parent then maps.
 */
TEST_F(frame, fork_shares_frames)
{
	uint64_t mine[NPAGES], theirs[NPAGES];
	struct lm_chan ch;
	uint8_t *p;
	pid_t pid;
	int i;

	NEED_PFN();

	p = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	lm_touch_write(p, NPAGES / 2, 0x42);
	ASSERT_EQ(0, lm_chan_open(&ch));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The second half is first touched here, in the child. */
		lm_touch_write(p + NPAGES / 2 * lm_ps, NPAGES / 2, 0x43);
		/* fork copies no page tables of shared file mappings. */
		lm_touch_read(p, NPAGES / 2);
		pfns(p, NPAGES, theirs);
		_exit(lm_chan_send(&ch, true, theirs, sizeof(theirs)) ? 1 : 0);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, theirs, sizeof(theirs)));
	ASSERT_EQ(0, lm_wait(pid));
	lm_touch_read(p, NPAGES);
	pfns(p, NPAGES, mine);
	for (i = 0; i < NPAGES; i++) {
		EXPECT_NE(0ULL, mine[i]);
		EXPECT_EQ(mine[i], theirs[i]) TH_LOG("page %d", i);
		EXPECT_EQ(i < NPAGES / 2 ? 0x42 : 0x43, p[i * lm_ps]);
	}
	lm_chan_close(&ch);
	munmap(p, NPAGES * lm_ps);
}

/*
 * An unrelated process (forked before anything was opened) opens and maps
 * the device itself, at another offset: it maps the same frames.
 */
TEST_F(frame, unrelated_process_shares_frames)
{
	uint64_t mine[NPAGES], theirs[NPAGES];
	struct lm_chan ch;
	uint8_t *p;
	pid_t pid;
	int i;

	NEED_PFN();

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, lm_chan_open(&ch));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t *q, go;
		int fd = lm_open(O_RDWR);

		/* Maps pages 2..NPAGES+1 of the device. */
		q = fd < 0 ? MAP_FAILED :
			mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, (off_t)(2 * lm_ps));
		if (q == MAP_FAILED)
			_exit(2);
		lm_touch_write(q, NPAGES, 0x50);
		pfns(q, NPAGES, theirs);
		if (lm_chan_send(&ch, true, theirs, sizeof(theirs)))
			_exit(3);
		/* Keep the mapping until the parent has compared. */
		if (lm_chan_recv(&ch, true, &go, 1))
			_exit(4);
		_exit(q[0] == 0x51 ? 0 : 5);
	}

	self->fd = lm_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, lm_chan_recv(&ch, false, theirs, sizeof(theirs)));
	p = mmap(NULL, (NPAGES + 2) * lm_ps, PROT_READ | PROT_WRITE,
		 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	lm_touch_read(p, NPAGES + 2);
	pfns(p + 2 * lm_ps, NPAGES, mine);
	for (i = 0; i < NPAGES; i++) {
		EXPECT_NE(0ULL, mine[i]);
		EXPECT_EQ(mine[i], theirs[i]) TH_LOG("page %d", i + 2);
		EXPECT_EQ(0x50, p[(i + 2) * lm_ps]);
	}
	/* And a write here is seen there. */
	p[2 * lm_ps] = 0x51;
	ASSERT_EQ(0, lm_chan_send(&ch, false, "g", 1));
	EXPECT_EQ(0, lm_wait(pid));
	lm_chan_close(&ch);
	munmap(p, (NPAGES + 2) * lm_ps);
}

/*
 * A private mapping reads through to the store's frame (a file page); its
 * first write replaces it with a new anonymous frame, exclusively mapped,
 * while the store's frame stays where it was.
 */
TEST_F(frame, private_write_gets_new_anon_frame)
{
	uint64_t store, before, after, ent;
	uint8_t *s, *p;

	NEED_PFN();

	s = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (off_t)(3 * lm_ps));
	ASSERT_NE(MAP_FAILED, s);
	p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 (off_t)(3 * lm_ps));
	ASSERT_NE(MAP_FAILED, p);

	s[0] = 0x61;
	store = lm_pfn(s);
	EXPECT_EQ(0x61, p[0]);
	before = lm_pagemap(p);
	ASSERT_NE(0ULL, before & LM_PM_PRESENT);
	EXPECT_EQ(store, before & LM_PM_PFN_MASK);
	EXPECT_NE(0ULL, before & LM_PM_FILE);

	p[1] = 0x62;
	after = lm_pagemap(p);
	ASSERT_NE(0ULL, after & LM_PM_PRESENT);
	EXPECT_NE(store, after & LM_PM_PFN_MASK);
	EXPECT_EQ(0ULL, after & LM_PM_FILE);
	EXPECT_NE(0ULL, after & LM_PM_EXCLUSIVE);
	EXPECT_EQ(0x61, p[0]);	/* the copy carries the store's bytes */

	ent = lm_pagemap(s);
	EXPECT_EQ(store, ent & LM_PM_PFN_MASK);
	EXPECT_NE(0ULL, ent & LM_PM_FILE);
	EXPECT_EQ(0, s[1]);
	munmap(p, lm_ps);
	munmap(s, lm_ps);
}

/*
 * A private write to a never-touched offset: the private page is
 * anonymous, the store gets its own zero page at another frame.
 */
TEST_F(frame, private_write_untouched_page)
{
	uint8_t *s, *p;
	uint64_t ent;

	NEED_PFN();

	p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 (off_t)(5 * lm_ps));
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x71;
	ent = lm_pagemap(p);
	ASSERT_NE(0ULL, ent & LM_PM_PRESENT);
	EXPECT_EQ(0ULL, ent & LM_PM_FILE);

	s = mmap(NULL, lm_ps, PROT_READ, MAP_SHARED, self->fd,
		 (off_t)(5 * lm_ps));
	ASSERT_NE(MAP_FAILED, s);
	EXPECT_EQ(-1, lm_nonzero(s, lm_ps));
	EXPECT_NE(0ULL, lm_pfn(s));
	EXPECT_NE(ent & LM_PM_PFN_MASK, lm_pfn(s));
	munmap(s, lm_ps);
	munmap(p, lm_ps);
}

/*
 * fork() with a private copy: parent and child share the anonymous frame
 * until one writes; the writer gets a new frame, the other keeps the old.
 */
TEST_F(frame, fork_private_copy_on_write)
{
	uint64_t parent_pfn, child[3];
	struct lm_chan ch;
	uint8_t *p, go;
	pid_t pid;

	NEED_PFN();

	p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 (off_t)(6 * lm_ps));
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 0x81;
	parent_pfn = lm_pfn(p);
	ASSERT_NE(0ULL, parent_pfn);
	ASSERT_EQ(0, lm_chan_open(&ch));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child[0] = lm_pfn(p);		/* before writing */
		child[1] = p[0];
		p[0] = 0x82;
		child[2] = lm_pfn(p);		/* after */
		if (lm_chan_send(&ch, true, child, sizeof(child)))
			_exit(1);
		if (lm_chan_recv(&ch, true, &go, 1))
			_exit(2);
		/* The parent wrote after our copy: we must not see it. */
		_exit(p[0] == 0x82 ? 0 : 3);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, child, sizeof(child)));
	EXPECT_EQ(parent_pfn, child[0]);
	EXPECT_EQ(0x81ULL, child[1]);
	EXPECT_NE(parent_pfn, child[2]);
	EXPECT_NE(0ULL, child[2]);
	EXPECT_EQ(0x81, p[0]);
	p[0] = 0x83;
	ASSERT_EQ(0, lm_chan_send(&ch, false, "g", 1));
	EXPECT_EQ(0, lm_wait(pid));
	EXPECT_EQ(0x83, p[0]);
	EXPECT_EQ(0ULL, lm_pagemap(p) & LM_PM_FILE);
	lm_chan_close(&ch);
	munmap(p, lm_ps);
}

TEST_HARNESS_MAIN
