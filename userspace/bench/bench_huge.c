// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios 11-14 of lazymap-bench: huge pages.  The device is reloaded
 * with huge=always and compared with a memfd (shmem with single pages, as
 * lazymap's huge=never), a file on a tmpfs mounted huge=always (shmem's own
 * huge pages) and anonymous memory with MADV_HUGEPAGE, over H_MIB MiB:
 * 11-13 the first touch (write, MAP_SHARED), each checked against one of
 * them, 14 a new process reading a store populated in huge pages.
 *
 * Each backend's region is touched one huge page at a time, the backends
 * taking turns, and the time is the plain sum: the cost of a huge page
 * is in the first touch of its block, so dropping slow blocks as
 * scenarios 1-5 do would drop the very faults being measured.  The page
 * faults of each backend are counted too (getrusage): one per huge page.
 */
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_module.h"
#include "bench_scenarios.h"
#include "bench_store.h"
#include "bench_util.h"
#include "counters.h"
#include "sysfile.h"

#define THP_PMD_SIZE	"/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"

static long minflt(void)
{
	long n = minor_faults();

	if (n < 0)
		die("getrusage:");
	return n;
}

/* The kernel's huge page size, or 0 without THP. */
size_t huge_pmd_size(void)
{
	long v = sysfile_long(THP_PMD_SIZE);

	return v > 0 ? (size_t)v : 0;
}

static void huge_empty(struct bench *b, enum backend bk);
static void huge_warm_up(struct bench *b);

/*
 * The stores of scenarios 11-14: the device with huge=always, a memfd, a
 * file on a tmpfs of our own mounted huge=always.
 */
void huge_open_stores(struct bench *b)
{
	char path[96];
	int fd;

	module_ensure_huge(b, H_MIB, "always");
	store_open_lazymap(b, &b->st[BK_LAZYMAP]);
	if (b->st[BK_LAZYMAP].size < H_MIB * MIB)
		die("%s has %" PRIu64 " MiB; scenarios 11-14 need %d MiB",
		    b->dev, b->st[BK_LAZYMAP].size / MIB, H_MIB);
	store_open_memfd(&b->st[BK_MEMFD], H_MIB * MIB);

	snprintf(b->tmpfs, sizeof(b->tmpfs), "/tmp/lazymap-bench-huge.%d",
		 (int)getpid());
	if (mkdir(b->tmpfs, 0700))
		die("mkdir %s:", b->tmpfs);
	if (mount("tmpfs", b->tmpfs, "tmpfs", 0, "huge=always"))
		die("mount tmpfs -o huge=always on %s:", b->tmpfs);
	snprintf(path, sizeof(path), "%s/store", b->tmpfs);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		die("open %s:", path);
	if (ftruncate(fd, H_MIB * MIB))
		die("ftruncate %s:", path);
	b->st[BK_TMPFS_HUGE].fd = fd;
	b->st[BK_TMPFS_HUGE].size = H_MIB * MIB;
	huge_warm_up(b);
}

/*
 * One untimed first touch of every store before the first repetition: the
 * first huge allocations after a module load or a mount find the page
 * allocator's free lists in another state than the later ones.
 */
static void huge_warm_up(struct bench *b)
{
	enum backend bk;
	char *p;

	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(&scenarios[10], bk))
			continue;
		huge_empty(b, bk);
		p = map(b, bk, 0, H_MIB * MIB, MAP_SHARED);
		touch_write(p, H_MIB * MIB / b->ps, b->ps);
		unmap(p, H_MIB * MIB);
		huge_empty(b, bk);
	}
}

void huge_close_stores(struct bench *b)
{
	store_close(&b->st[BK_LAZYMAP]);
	store_close(&b->st[BK_MEMFD]);
	store_close(&b->st[BK_TMPFS_HUGE]);
	if (umount(b->tmpfs) || rmdir(b->tmpfs))
		note("cannot remove %s: %s", b->tmpfs, strerror(errno));
}

static void huge_empty(struct bench *b, enum backend bk)
{
	if (bk != BK_ANON_THP)
		store_discard(&b->st[bk], bk, 0, H_MIB * MIB);
}

/*
 * Touch the mappings @p of the backends of @sc one huge page at a time,
 * the backends taking turns; out[bk] gets ns per page and page faults.
 */
static void touch_huge(struct bench *b, const struct scenario *sc,
		       char *const *p, bool write, struct metrics *out)
{
	size_t nblocks = H_MIB * MIB / b->pmd, per = b->pmd / b->ps, j;
	double ns[BK_NR] = { 0 }, flt[BK_NR] = { 0 };
	unsigned long sum = 0;
	enum backend bk;
	uint64_t t0;
	long f0;
	int k;

	for (j = 0; j < nblocks; j++) {
		for (k = 0; (bk = next_backend(sc, j, &k)) < BK_NR;) {
			char *q = p[bk] + j * b->pmd;

			f0 = minflt();
			t0 = now_ns();
			if (write)
				touch_write(q, per, b->ps);
			else
				sum += touch_read(q, per, b->ps);
			ns[bk] += (double)(now_ns() - t0);
			flt[bk] += (double)(minflt() - f0);
		}
	}
	consume(sum);
	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		out[bk].v[0] = per_page(b, ns[bk], H_MIB * MIB);
		out[bk].v[1] = flt[bk];
	}
}

/* 11-13: first touch of empty stores (fresh anonymous memory). */
void s11_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;) {
		huge_empty(b, bk);
		p[bk] = map(b, bk, 0, H_MIB * MIB, MAP_SHARED);
	}
	touch_huge(b, sc, p, true, out);
	for (bk = 0; bk < BK_NR; bk++)
		if (p[bk])
			unmap(p[bk], H_MIB * MIB);
}

/* 14: the stores populated through a mapping, so in huge pages. */
void s14_setup(struct bench *b)
{
	enum backend bk;
	char *p;

	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(&scenarios[13], bk))
			continue;
		huge_empty(b, bk);
		p = map(b, bk, 0, H_MIB * MIB, MAP_SHARED);
		touch_write(p, H_MIB * MIB / b->ps, b->ps);
		unmap(p, H_MIB * MIB);
	}
}

void s14_teardown(struct bench *b)
{
	enum backend bk;

	for (bk = 0; bk < BK_NR; bk++)
		if (has_backend(&scenarios[13], bk))
			huge_empty(b, bk);
}

/*
 * 14: a new process maps the populated stores and reads every page: the
 * resident huge pages are mapped by PMD (lazymap and tmpfs: one fault a
 * huge page), single pages by fault-around.
 */
static void s14_child(struct bench *b, const struct scenario *sc,
		      struct metrics *res)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		p[bk] = map(b, bk, 0, H_MIB * MIB, MAP_SHARED);
	touch_huge(b, sc, p, false, res);
}

void s14_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out)
{
	measure_in_child(b, sc, out, s14_child);
}
