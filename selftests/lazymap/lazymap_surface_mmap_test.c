// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, mapping family: mmap with each flag (MAP_SHARED_VALIDATE,
 * MAP_SYNC, MAP_POPULATE, MAP_LOCKED, MAP_NORESERVE, MAP_FIXED(_NOREPLACE),
 * MAP_HUGETLB), mprotect, mremap (shrink, move, grow, MREMAP_DONTUNMAP),
 * msync with every flag, mincore, mlock/mlock2/munlock/mlockall, fork,
 * mseal, remap_file_pages and the NUMA calls (mbind, get_mempolicy,
 * move_pages), on /dev/lazymap, on a memfd of the same size and, for the
 * reader, on anonymous memory.  See lazymap_surface.h.
 *
 * Every row maps NMAP pages at offset 0 of a target whose pages 0-3 hold
 * the pattern (for anonymous memory, written through the mapping).
 * Effects: pages mapped in this process (present, from pagemap), pages
 * resident in the store (res), the store's bytes (data, with pread), what
 * the mapping reads (self, without a signal: EFAULT for a page that cannot
 * be read), and the advice-related VmFlags.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif
/* mseal(2), 6.10: the same number on every architecture. */
#ifndef SYS_mseal
#define SYS_mseal		462
#endif
#define MPOL_BIND_		2	/* <numaif.h> is libnuma's */
#define MPOL_F_ADDR_		(1 << 1)
#define MPOL_MF_MOVE_		(1 << 1)
/* A flag bit no kernel knows, for MAP_SHARED_VALIDATE. */
#define MAP_UNKNOWN		0x800000

#define SEED		0x6d6d6170	/* "mmap" */
#define NMAP		8
#define NPAT		4

/* The pattern in pages 0..NPAT-1 of a file target. */
static int prep(struct sf_t *t)
{
	return t->kind == SF_ANON ? 0 : sf_fill(t, 0, NPAT * lm_ps, SEED);
}

/*
 * Map NMAP pages with prot and flags; anonymous memory gets the pattern
 * written through a writable mapping first.
 */
static void *map(struct sf_t *t, int prot, int flags)
{
	uint8_t *p;

	if (t->kind != SF_ANON)
		return sf_map(t, NMAP * lm_ps, prot, flags, 0);
	p = sf_map(t, NMAP * lm_ps, PROT_READ | PROT_WRITE, flags, 0);
	if (p == MAP_FAILED)
		return p;
	lm_fill(p, NPAT * lm_ps, 0, SEED);
	if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, NMAP * lm_ps, prot))
		return MAP_FAILED;
	return p;
}

/* What the mapping's pages read (first byte of each), without a signal. */
static void show_self(struct sf_t *t, const void *p, size_t npages)
{
	sf_eff(t, "self=%s", sf_probe(p, npages, 0, SEED));
}

static void after(struct sf_t *t, void *p)
{
	if (p) {
		sf_eff_present(t, p, NMAP);
		sf_eff_vmflags(t, p);
	}
	sf_eff_res(t);
	sf_eff_data(t, 0, NMAP * lm_ps, SEED);
}

/* mmap(arg's flags), read pages 0..5, write page 6; what that did. */
static long m_mmap(struct sf_t *t)
{
	uint8_t *p;
	int i, n;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, (int)t->arg);
	if (p == MAP_FAILED) {
		int err = -errno;

		after(t, NULL);
		return err;
	}
	/* What mmap() itself mapped, before any touch. */
	for (i = 0, n = 0; i < NMAP; i++)
		n += !!(lm_pagemap(p + i * lm_ps) & LM_PM_PRESENT);
	sf_eff(t, "by_mmap=%d", n);
	for (i = 0; i < 6; i++)
		(void)lm_peek(p + i * lm_ps);
	lm_poke(p + 6 * lm_ps, 0);
	show_self(t, p, NPAT);
	after(t, p);
	return 0;
}

/* mmap(PROT_READ, arg's flags): flags that are checked, not used. */
static long m_mmap_ro(struct sf_t *t)
{
	uint8_t *p;

	prep(t);
	p = map(t, PROT_READ, (int)t->arg);
	if (p == MAP_FAILED)
		return -errno;
	show_self(t, p, NPAT);
	return 0;
}

/* MAP_FIXED / MAP_FIXED_NOREPLACE (arg) over a mapping of our own. */
static long m_mmap_fixed(struct sf_t *t)
{
	uint8_t *p, *q;

	prep(t);
	p = mmap(NULL, NMAP * lm_ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	q = t->kind == SF_ANON ?
		mmap(p, NMAP * lm_ps, PROT_READ, (int)t->arg | MAP_SHARED |
		     MAP_ANONYMOUS, -1, 0) :
		mmap(p, NMAP * lm_ps, PROT_READ, (int)t->arg | MAP_SHARED,
		     t->fd, 0);
	if (q == MAP_FAILED)
		return -errno;
	sf_eff(t, "at_hint=%s", q == p ? "yes" : "no");
	if (t->kind != SF_ANON)
		show_self(t, p, NPAT);
	return 0;
}

/* Map the last page of the device and the page after it (past the end). */
static long m_mmap_past_end(struct sf_t *t)
{
	uint8_t *p;

	p = sf_map(t, 2 * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   (off_t)(t->size - lm_ps));
	if (p == MAP_FAILED)
		return -errno;
	sf_eff(t, "last=%s past=%s", sf_probe(p, 1, 0, SEED),
	       sf_probe(p + lm_ps, 1, 0, SEED));
	return 0;
}

/* mmap with an argument the kernel checks (arg picks which). */
static long m_mmap_bad(struct sf_t *t)
{
	void *p = MAP_FAILED;
	int fd;

	switch (t->arg) {
	case 0:		/* offset not page-aligned */
		p = sf_map(t, lm_ps, PROT_READ, MAP_SHARED, 1);
		break;
	case 1:		/* zero length */
		p = sf_map(t, 0, PROT_READ, MAP_SHARED, 0);
		break;
	case 2:		/* shared writable of a read-only descriptor */
	case 3:		/* private writable of a read-only descriptor */
	case 4:		/* any mapping of a write-only descriptor */
		fd = sf_reopen(t, t->arg == 4 ? O_WRONLY : O_RDONLY);
		if (fd < 0)
			return fd;
		p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE,
			 t->arg == 3 ? MAP_PRIVATE : MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			int err = -errno;

			close(fd);
			return err;
		}
		close(fd);
		break;
	case 5:		/* executable */
		prep(t);
		p = sf_map(t, lm_ps, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
		break;
	}
	if (p == MAP_FAILED)
		return -errno;
	return 0;
}

/* mprotect (arg: the new protection) of a read-only shared mapping. */
static long m_mprotect(struct sf_t *t)
{
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	r = sf_ret(mprotect(p, NMAP * lm_ps, (int)t->arg));
	if (!r && (t->arg & PROT_WRITE)) {
		lm_poke(p + 7 * lm_ps, 1);
		sf_eff(t, "written");
	}
	show_self(t, p, NPAT);
	after(t, p);
	return r;
}

/* mprotect(PROT_WRITE) of a shared mapping of a read-only descriptor. */
static long m_mprotect_rofd(struct sf_t *t)
{
	uint8_t *p;
	int fd;
	long r;

	prep(t);
	fd = sf_reopen(t, O_RDONLY);
	if (fd < 0)
		return fd;
	p = mmap(NULL, lm_ps, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	r = sf_ret(mprotect(p, lm_ps, PROT_READ | PROT_WRITE));
	return r;
}

/* mremap: arg 0 shrink, 1 move, 2 grow in the device, 3 DONTUNMAP */
static long m_mremap(struct sf_t *t)
{
	size_t len = NMAP * lm_ps;
	uint8_t *p, *q, *dst = NULL;
	int flags = 0;
	size_t nlen = len;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	lm_touch_read(p, NPAT);
	switch (t->arg) {
	case 0:
		nlen = len / 2;
		break;
	case 1:
	case 3:
		dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
		if (dst == MAP_FAILED)
			return -errno;
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (t->arg == 3) {
			/* DONTUNMAP moves to a new place of its choosing. */
			munmap(dst, len);
			dst = NULL;
			flags = MREMAP_MAYMOVE | MREMAP_DONTUNMAP;
		}
		break;
	case 2:
		nlen = 2 * len;
		flags = MREMAP_MAYMOVE;
		break;
	}
	q = mremap(p, len, nlen, flags, dst);
	if (q == MAP_FAILED) {
		int err = -errno;

		show_self(t, p, NPAT);
		after(t, p);
		return err;
	}
	show_self(t, q, NPAT);
	if (t->arg == 2)
		sf_eff(t, "grown=%s", sf_probe(q + len, NMAP, 0, SEED));
	if (q != p)
		sf_eff(t, "old=%s", sf_probe(p, NPAT, 0, SEED));
	after(t, q);
	return 0;
}

/*
 * Grow a mapping of the last page past the end of the device (mremap),
 * then touch the page past the end in a child: a memfd past its EOF gives
 * SIGBUS.
 */
static long m_mremap_past_end(struct sf_t *t)
{
	uint8_t *p, *q;
	pid_t pid;
	int st;

	p = sf_map(t, lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   (off_t)(t->size - lm_ps));
	if (p == MAP_FAILED)
		return -errno;
	q = mremap(p, lm_ps, 2 * lm_ps, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		lm_poke(q + lm_ps, 1);
		_exit(0);
	}
	st = lm_wait(pid);
	sf_eff(t, "touch_past_end=%s", st > 128 ? sigabbrev_np(st - 128) :
	       st == 0 ? "ok" : "failed");
	sf_eff(t, "last=%s", sf_probe(q, 1, 0, SEED));
	return 0;
}

/* msync(arg) of a shared mapping with a written page. */
static long m_msync(struct sf_t *t)
{
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	lm_touch_read(p, NPAT);
	r = sf_ret(msync(p, NMAP * lm_ps, (int)t->arg));
	show_self(t, p, NPAT);
	after(t, p);
	return r;
}

/* msync of a range that cannot be synced (arg: 0 unaligned, 1 unmapped) */
static long m_msync_bad(struct sf_t *t)
{
	uint8_t *p;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	if (t->arg == 1)
		munmap(p + 4 * lm_ps, lm_ps);
	return sf_ret(msync(t->arg ? p : p + 1, NMAP * lm_ps, MS_ASYNC));
}

/* MS_INVALIDATE of a locked mapping: EBUSY where the lock took. */
static long m_msync_locked(struct sf_t *t)
{
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	sf_eff(t, "mlock=%s", mlock(p, NMAP * lm_ps) ?
	       sf_errname(errno) : "0");
	r = sf_ret(msync(p, NMAP * lm_ps, MS_INVALIDATE));
	after(t, p);
	return r;
}

/*
 * mincore of a mapping (arg: its flags) after a write() to page 5 and a
 * touch of page 1 through the mapping.
 */
static long m_mincore(struct sf_t *t)
{
	uint8_t *p;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, (int)t->arg);
	if (p == MAP_FAILED)
		return -errno;
	if (t->kind != SF_ANON)
		pwrite(t->fd, "x", 1, (off_t)(5 * lm_ps));
	(void)lm_peek(p + lm_ps);
	sf_eff_mincore(t, p, NMAP);
	return 0;
}

/*
 * mlock family (arg picks the call) on a shared mapping of which nothing
 * was touched: what is locked (VmFlags lo/lf) and faulted in.
 */
static long m_mlock(struct sf_t *t)
{
	size_t len = NMAP * lm_ps;
	uint8_t *p;
	long r = 0;

	prep(t);
	if (t->arg == 5) {	/* MCL_FUTURE, then map */
		r = sf_ret(mlockall(MCL_FUTURE));
		p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
		if (p == MAP_FAILED) {
			r = -errno;
			munlockall();
			return r;
		}
		after(t, p);
		munlockall();
		return r;
	}
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	if (t->kind == SF_ANON)
		madvise(p, len, MADV_DONTNEED);
	switch (t->arg) {
	case 0:
		r = sf_ret(mlock(p, len));
		break;
	case 1:
		r = sf_ret(syscall(SYS_mlock2, p, len, MLOCK_ONFAULT));
		break;
	case 2:
		mlock(p, len);
		r = sf_ret(munlock(p, len));
		break;
	case 3:
		r = sf_ret(mlockall(MCL_CURRENT));
		break;
	case 4:
		r = sf_ret(mlockall(MCL_CURRENT | MCL_ONFAULT));
		break;
	case 6:
		r = sf_ret(syscall(SYS_mlock2, p, len, 0x80));
		break;
	}
	after(t, p);
	munlockall();
	return r;
}

/*
 * fork: the child writes page 0 and reads page 1 through the inherited
 * mapping (arg: its flags); what the parent sees afterwards.
 */
static long m_fork(struct sf_t *t)
{
	uint8_t *p;
	pid_t pid;
	int st;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, (int)t->arg);
	if (p == MAP_FAILED)
		return -errno;
	(void)lm_peek(p + lm_ps);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		lm_poke(p, (uint8_t)~lm_peek(p));
		_exit(0);
	}
	st = lm_wait(pid);
	sf_eff(t, "child=%d parent_page0=%s", st, sf_probe(p, 1, 0, SEED));
	after(t, p);
	return 0;
}

/*
 * mseal of a shared mapping, then what munmap and mprotect may still do
 * with it (6.10; ENOSYS before).
 */
static long m_mseal(struct sf_t *t)
{
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	r = sf_ret(syscall(SYS_mseal, p, NMAP * lm_ps, 0UL));
	sf_eff(t, "mprotect=%s", mprotect(p, NMAP * lm_ps, PROT_READ) ?
	       sf_errname(errno) : "0");
	sf_eff(t, "munmap=%s", munmap(p, NMAP * lm_ps) ?
	       sf_errname(errno) : "0");
	return r;
}

/*
 * remap_file_pages (emulated with mmap since 4.0): page 2 of the file at
 * the first page of a shared mapping.
 */
static long m_remap_file_pages(struct sf_t *t)
{
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	r = sf_ret(syscall(SYS_remap_file_pages, p, lm_ps, 0, 2UL, 0));
	sf_eff(t, "page0=%s", sf_probe(p, 1, 2 * lm_ps, SEED));
	return r;
}

/*
 * NUMA policy of a shared mapping (arg): 0 mbind(MPOL_BIND, node 0,
 * MPOL_MF_MOVE), 1 get_mempolicy(MPOL_F_ADDR) after it, 2 move_pages of
 * the first page to node 0.
 */
static long m_numa(struct sf_t *t)
{
	unsigned long nodes = 1;
	uint8_t *p;
	long r;

	prep(t);
	p = map(t, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (p == MAP_FAILED)
		return -errno;
	lm_touch_read(p, NPAT);
	r = sf_ret(syscall(SYS_mbind, p, NMAP * lm_ps, MPOL_BIND_, &nodes,
			   8 * sizeof(nodes), MPOL_MF_MOVE_));
	if (t->arg == 1) {
		int mode = -1;

		nodes = 0;
		r = sf_ret(syscall(SYS_get_mempolicy, &mode, &nodes,
				   8 * sizeof(nodes), p, MPOL_F_ADDR_));
		sf_eff(t, "mode=%d nodes=%#lx", mode, nodes);
	} else if (t->arg == 2) {
		void *pages[1] = { p };
		int node = 0, status = -1;

		r = sf_ret(syscall(SYS_move_pages, 0, 1UL, pages, &node,
				   &status, MPOL_MF_MOVE_));
		sf_eff(t, "status=%d", status);
	}
	show_self(t, p, NPAT);
	after(t, p);
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, mmap_shared)
	SF_SAME("mmap", "mmap MAP_SHARED", m_mmap, MAP_SHARED, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_private)
	SF_SAME("mmap", "mmap MAP_PRIVATE", m_mmap, MAP_PRIVATE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_validate)
	SF_SAME("mmap", "mmap MAP_SHARED_VALIDATE", m_mmap, MAP_SHARED_VALIDATE,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_sync)
	SF_SAME("mmap", "mmap MAP_SHARED_VALIDATE|MAP_SYNC", m_mmap_ro,
		MAP_SHARED_VALIDATE | MAP_SYNC, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_validate_unknown)
	SF_SAME("mmap", "mmap MAP_SHARED_VALIDATE|unknown flag", m_mmap_ro,
		MAP_SHARED_VALIDATE | MAP_UNKNOWN, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_populate_shared)
	SF_SAME("mmap", "mmap MAP_SHARED|MAP_POPULATE", m_mmap,
		MAP_SHARED | MAP_POPULATE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_populate_private)
	SF_SAME("mmap", "mmap MAP_PRIVATE|MAP_POPULATE", m_mmap,
		MAP_PRIVATE | MAP_POPULATE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_locked)
	SF_SAME("mmap", "mmap MAP_SHARED|MAP_LOCKED", m_mmap,
		MAP_SHARED | MAP_LOCKED, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_noreserve)
	SF_SAME("mmap", "mmap MAP_SHARED|MAP_NORESERVE", m_mmap,
		MAP_SHARED | MAP_NORESERVE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_fixed_noreplace)
	SF_SAME("mmap", "mmap MAP_FIXED_NOREPLACE over a mapping", m_mmap_fixed,
		MAP_FIXED_NOREPLACE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_fixed)
	SF_SAME("mmap", "mmap MAP_FIXED over a mapping", m_mmap_fixed,
		MAP_FIXED, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_hugetlb)
	SF_SAME("mmap", "mmap MAP_SHARED|MAP_HUGETLB", m_mmap_ro,
		MAP_SHARED | MAP_HUGETLB, .anon = true);
FIXTURE_VARIANT_ADD(surface, mmap_past_end)
	SF_INHERENT("mmap", "mmap across the end", m_mmap_past_end, 0, "EINVAL",
		    "0 last=zero past=EFAULT",
		    "a fixed size: lazymap(4) refuses a range it can never back (the size never changes); a memfd maps past its end because the file may grow");
FIXTURE_VARIANT_ADD(surface, mmap_unaligned)
	SF_SAME("mmap", "mmap unaligned offset", m_mmap_bad, 0);
FIXTURE_VARIANT_ADD(surface, mmap_zero_len)
	SF_SAME("mmap", "mmap length 0", m_mmap_bad, 1);
FIXTURE_VARIANT_ADD(surface, mmap_rofd_shared_w)
	SF_SAME("mmap", "mmap shared writable of O_RDONLY", m_mmap_bad, 2);
FIXTURE_VARIANT_ADD(surface, mmap_rofd_private_w)
	SF_SAME("mmap", "mmap private writable of O_RDONLY", m_mmap_bad, 3);
FIXTURE_VARIANT_ADD(surface, mmap_wofd)
	SF_SAME("mmap", "mmap of O_WRONLY", m_mmap_bad, 4);
FIXTURE_VARIANT_ADD(surface, mmap_exec)
	SF_SAME("mmap", "mmap PROT_EXEC", m_mmap_bad, 5);

FIXTURE_VARIANT_ADD(surface, mprotect_rw)
	SF_SAME("mprotect", "mprotect PROT_READ|PROT_WRITE", m_mprotect,
		PROT_READ | PROT_WRITE, .anon = true);
FIXTURE_VARIANT_ADD(surface, mprotect_none)
	SF_SAME("mprotect", "mprotect PROT_NONE", m_mprotect, PROT_NONE,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mprotect_exec)
	SF_SAME("mprotect", "mprotect PROT_READ|PROT_EXEC", m_mprotect,
		PROT_READ | PROT_EXEC, .anon = true);
FIXTURE_VARIANT_ADD(surface, mprotect_rofd)
	SF_SAME("mprotect", "mprotect PROT_WRITE, O_RDONLY fd", m_mprotect_rofd,
		0);

FIXTURE_VARIANT_ADD(surface, mremap_shrink)
	SF_SAME("mremap", "mremap shrink", m_mremap, 0, .anon = true);
FIXTURE_VARIANT_ADD(surface, mremap_move)
	SF_SAME("mremap", "mremap MAYMOVE|FIXED (move)", m_mremap, 1,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mremap_grow)
	SF_SAME("mremap", "mremap grow inside the device", m_mremap, 2,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mremap_dontunmap)
	SF_SAME("mremap", "mremap MAYMOVE|DONTUNMAP", m_mremap, 3,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mremap_past_end)
	SF_SAME("mremap", "mremap grow past the end, touch", m_mremap_past_end,
		0);

FIXTURE_VARIANT_ADD(surface, msync_async)
	SF_SAME("msync", "msync MS_ASYNC", m_msync, MS_ASYNC, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_sync)
	SF_SAME("msync", "msync MS_SYNC", m_msync, MS_SYNC, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_invalidate)
	SF_SAME("msync", "msync MS_INVALIDATE", m_msync, MS_INVALIDATE,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, msync_sync_invalidate)
	SF_SAME("msync", "msync MS_SYNC|MS_INVALIDATE", m_msync,
		MS_SYNC | MS_INVALIDATE, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_async_invalidate)
	SF_SAME("msync", "msync MS_ASYNC|MS_INVALIDATE", m_msync,
		MS_ASYNC | MS_INVALIDATE, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_async_sync)
	SF_SAME("msync", "msync MS_ASYNC|MS_SYNC", m_msync, MS_ASYNC | MS_SYNC,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, msync_zero)
	SF_SAME("msync", "msync flags 0", m_msync, 0, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_bad)
	SF_SAME("msync", "msync unknown flag", m_msync, 0x8, .anon = true);
FIXTURE_VARIANT_ADD(surface, msync_unaligned)
	SF_SAME("msync", "msync unaligned address", m_msync_bad, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, msync_hole)
	SF_SAME("msync", "msync over an unmapped page", m_msync_bad, 1,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, msync_locked)
	SF_SAME("msync", "msync MS_INVALIDATE of a locked mapping",
		m_msync_locked, 0, .anon = true);

FIXTURE_VARIANT_ADD(surface, mincore_shared)
	SF_SAME("mincore", "mincore MAP_SHARED", m_mincore, MAP_SHARED,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mincore_private)
	SF_SAME("mincore", "mincore MAP_PRIVATE", m_mincore, MAP_PRIVATE,
		.anon = true);

FIXTURE_VARIANT_ADD(surface, mlock)
	SF_SAME("mlock", "mlock", m_mlock, 0, .anon = true);
FIXTURE_VARIANT_ADD(surface, mlock2_onfault)
	SF_SAME("mlock", "mlock2 MLOCK_ONFAULT", m_mlock, 1, .anon = true);
FIXTURE_VARIANT_ADD(surface, munlock)
	SF_SAME("mlock", "mlock then munlock", m_mlock, 2, .anon = true);
FIXTURE_VARIANT_ADD(surface, mlockall_current)
	SF_SAME("mlock", "mlockall MCL_CURRENT", m_mlock, 3, .anon = true);
FIXTURE_VARIANT_ADD(surface, mlockall_onfault)
	SF_SAME("mlock", "mlockall MCL_CURRENT|MCL_ONFAULT", m_mlock, 4,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mlockall_future)
	SF_SAME("mlock", "mlockall MCL_FUTURE, then mmap", m_mlock, 5,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mlock2_bad)
	SF_SAME("mlock", "mlock2 unknown flag", m_mlock, 6, .anon = true);

FIXTURE_VARIANT_ADD(surface, fork_shared)
	SF_SAME("fork", "fork, child writes MAP_SHARED", m_fork, MAP_SHARED,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, fork_private)
	SF_SAME("fork", "fork, child writes MAP_PRIVATE", m_fork, MAP_PRIVATE,
		.anon = true);

FIXTURE_VARIANT_ADD(surface, mseal)
	SF_SAME("mmap", "mseal, then mprotect and munmap", m_mseal, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, remap_file_pages)
	SF_SAME("mmap", "remap_file_pages", m_remap_file_pages, 0);
FIXTURE_VARIANT_ADD(surface, mbind)
	SF_SAME("numa", "mbind MPOL_BIND MPOL_MF_MOVE", m_numa, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, get_mempolicy)
	SF_SAME("numa", "get_mempolicy MPOL_F_ADDR", m_numa, 1, .anon = true);
FIXTURE_VARIANT_ADD(surface, move_pages)
	SF_SAME("numa", "move_pages", m_numa, 2, .anon = true);
