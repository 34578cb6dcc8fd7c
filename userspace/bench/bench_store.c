// SPDX-License-Identifier: GPL-2.0
/*
 * The backends of lazymap-bench: the lazymap device, a memfd of the same
 * size (shmem, the reference) and private anonymous memory in 4 KiB pages.
 */
#define _GNU_SOURCE	/* memfd_create, fallocate, MADV_NOHUGEPAGE */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/lazymap.h>

#include "bench_core.h"
#include "bench_store.h"
#include "bench_util.h"

const char *const bk_name[BK_NR] = {
	"lazymap", "memfd", "anon", "tmpfs-huge", "anon-thp",
};

static uint64_t lazymap_dev_size(int fd)
{
	struct lazymap_info info;

	if (ioctl(fd, LAZYMAP_IOC_INFO, &info))
		die("LAZYMAP_IOC_INFO:");
	return info.size;
}

void store_open_lazymap(struct bench *b, struct store *s)
{
	s->fd = open(b->dev, O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		die("open %s:", b->dev);
	s->size = lazymap_dev_size(s->fd);
}

void store_open_memfd(struct store *s, uint64_t size)
{
	s->fd = memfd_create("lazymap-bench", MFD_CLOEXEC);
	if (s->fd < 0)
		die("memfd_create:");
	if (ftruncate(s->fd, size))
		die("ftruncate(memfd, %" PRIu64 "):", size);
	s->size = size;
}

void store_close(struct store *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Free the pages of [off, off + len): both backends' PUNCH_HOLE. */
void store_discard(struct store *s, enum backend bk, uint64_t off,
		   uint64_t len)
{
	struct lazymap_range r = { .offset = off, .length = len };

	if (bk == BK_LAZYMAP) {
		if (ioctl(s->fd, LAZYMAP_IOC_DISCARD, &r))
			die("LAZYMAP_IOC_DISCARD:");
	} else if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     off, len)) {
		die("fallocate(PUNCH_HOLE):");
	}
}

/* Make [0, len) resident through write(), which maps nothing. */
void store_populate(struct bench *b, struct store *s, uint64_t len)
{
	uint64_t off;
	ssize_t n;

	memset(b->buf, 0x5a, S8_CHUNK);
	for (off = 0; off < len; off += n) {
		n = pwrite(s->fd, b->buf, len - off < S8_CHUNK ?
			   len - off : S8_CHUNK, off);
		if (n <= 0)
			die("pwrite:");
	}
}

/*
 * Anonymous memory in huge pages: MADV_HUGEPAGE on a PMD-aligned range
 * (6.1 aligns only file mappings), whatever the system's THP setting short
 * of never.
 */
static char *map_anon_thp(struct bench *b, uint64_t len)
{
	char *p, *q;

	p = mmap(NULL, len + b->pmd, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return MAP_FAILED;
	q = (char *)(((uintptr_t)p + b->pmd - 1) & ~(uintptr_t)(b->pmd - 1));
	if (q > p)
		munmap(p, q - p);
	munmap(q + len, p + b->pmd - q);
	if (madvise(q, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE):");
	return q;
}

/*
 * A fresh mapping of @len bytes for @bk: the store's bytes from @off, or
 * anonymous memory in 4 KiB pages (BK_ANON) or huge pages (BK_ANON_THP).
 */
char *map(struct bench *b, enum backend bk, uint64_t off, uint64_t len,
	  int flags)
{
	void *p;

	if (bk == BK_ANON_THP) {
		p = map_anon_thp(b, len);
	} else if (bk == BK_ANON) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED && madvise(p, len, MADV_NOHUGEPAGE))
			die("madvise(MADV_NOHUGEPAGE):");
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags,
			 b->st[bk].fd, off);
	}
	if (p == MAP_FAILED)
		die("mmap(%s, %" PRIu64 " bytes):", bk_name[bk], len);
	return p;
}

void unmap(void *p, uint64_t len)
{
	if (munmap(p, len))
		die("munmap:");
}

/* Empty the region of scenarios 1-6 before a first-touch repetition. */
void empty_work(struct bench *b, enum backend bk)
{
	if (bk != BK_ANON)
		store_discard(&b->st[bk], bk, 0, b->work);
}

void empty_stores(struct bench *b)
{
	store_discard(&b->st[BK_LAZYMAP], BK_LAZYMAP, 0,
		      b->st[BK_LAZYMAP].size);
	store_discard(&b->st[BK_MEMFD], BK_MEMFD, 0, b->st[BK_MEMFD].size);
}
