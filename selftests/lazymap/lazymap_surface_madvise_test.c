// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, madvise family: every advice value the kernel knows, on
 * a MAP_SHARED and on a MAP_PRIVATE mapping, every other value 0..255 in
 * one row, and process_madvise, on /dev/lazymap, on a memfd of the same
 * size and, for the reader, on anonymous memory.  See lazymap_surface.h.
 *
 * Each row maps NMAP pages at offset 0 of a target whose pages 0-3 hold
 * the pattern, reads pages 0-3 through the mapping (so they are mapped)
 * and, for a private mapping, writes page 0 (a private copy).  Then the
 * advice over the whole mapping, and its effect: pages still mapped here
 * (present), pages of the store (res), the store's bytes (data), what this
 * process (self) and a forked child (child) read through the mapping, the
 * advice-related VmFlags.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

/* Advice values, for a C library older than the kernel. */
#ifndef MADV_FREE
#define MADV_FREE		8
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON		100
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL	102
#define MADV_GUARD_REMOVE	103
#endif

#define SEED		0x6d616476	/* "madv" */
#define NMAP		8
#define NPAT		4

/* arg: the advice in the low 16 bits, the mapping type above. */
#define SHARED		(MAP_SHARED << 16)
#define PRIVATE		(MAP_PRIVATE << 16)
#define ADV(advice, type)	((advice) | (type))

/* Values madvise() knows on some kernel: each has rows of its own. */
static const int known[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
	MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
	MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
	MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
	MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	MADV_DONTNEED_LOCKED, MADV_COLLAPSE, MADV_HWPOISON,
	MADV_SOFT_OFFLINE, MADV_GUARD_INSTALL, MADV_GUARD_REMOVE,
};

/*
 * The mapping every row starts from: pages 0-3 hold the pattern and are
 * mapped; a private mapping has its own copy of page 0 (the same bytes).
 */
static uint8_t *setup(struct sf_t *t, int type)
{
	uint8_t *p;

	if (t->kind != SF_ANON && sf_fill(t, 0, NPAT * lm_ps, SEED))
		return MAP_FAILED;
	p = sf_map(t, NMAP * lm_ps, PROT_READ | PROT_WRITE, type, 0);
	if (p == MAP_FAILED)
		return p;
	if (t->kind == SF_ANON)
		lm_fill(p, NPAT * lm_ps, 0, SEED);
	lm_touch_read(p, NPAT);
	if (type == MAP_PRIVATE)
		lm_poke(p, lm_peek(p));
	return p;
}

static void after(struct sf_t *t, uint8_t *p)
{
	sf_eff_present(t, p, NMAP);
	sf_eff_res(t);
	sf_eff_data(t, 0, NMAP * lm_ps, SEED);
	sf_eff(t, "self=%s", sf_probe(p, NPAT, 0, SEED));
	sf_eff_child(t, p, NPAT, 0, SEED);
	sf_eff_vmflags(t, p);
}

static long m_madvise(struct sf_t *t)
{
	int advice = (int)(t->arg & 0xffff), type = (int)(t->arg >> 16);
	uint8_t *p;
	long r;

	/*
	 * Soft-offlining and poisoning take a frame of the machine out of
	 * service for good: only in the test VM, never on a host.
	 */
	if (advice == MADV_SOFT_OFFLINE && !lm_module_loaded())
		return -ECANCELED;
	/*
	 * So does poisoning (unpoisoning needs the hwpoison_inject module).
	 * LAZYMAP_SURFACE_NO_HWPOISON=1 leaves it out.
	 */
	if (advice == MADV_HWPOISON &&
	    (!lm_module_loaded() || getenv("LAZYMAP_SURFACE_NO_HWPOISON")))
		return -ECANCELED;
	p = setup(t, type);
	if (p == MAP_FAILED)
		return -errno;
	r = sf_ret(madvise(p, NMAP * lm_ps, advice));
	after(t, p);
	if (advice == MADV_GUARD_INSTALL)
		madvise(p, NMAP * lm_ps, MADV_GUARD_REMOVE);
	return r;
}

/* GUARD_INSTALL then GUARD_REMOVE: the pages come back (re-read). */
static long m_guard_remove(struct sf_t *t)
{
	uint8_t *p = setup(t, (int)(t->arg >> 16));
	long r;

	if (p == MAP_FAILED)
		return -errno;
	sf_eff(t, "install=%s", madvise(p, NMAP * lm_ps, MADV_GUARD_INSTALL) ?
	       sf_errname(errno) : "0");
	r = sf_ret(madvise(p, NMAP * lm_ps, MADV_GUARD_REMOVE));
	after(t, p);
	return r;
}

/* MADV_DOFORK after MADV_DONTFORK: the child has the mapping again. */
static long m_dofork(struct sf_t *t)
{
	uint8_t *p = setup(t, (int)(t->arg >> 16));
	long r;

	if (p == MAP_FAILED)
		return -errno;
	sf_eff(t, "dontfork=%s", madvise(p, NMAP * lm_ps, MADV_DONTFORK) ?
	       sf_errname(errno) : "0");
	r = sf_ret(madvise(p, NMAP * lm_ps, MADV_DOFORK));
	after(t, p);
	return r;
}

/*
 * Every value 0..255 that no kernel defines (yet): the outcome lists the
 * values that did not fail with EINVAL, so a new advice shows up.
 */
static long m_unknown(struct sf_t *t)
{
	uint8_t *p = setup(t, MAP_SHARED);
	char list[SF_EFF_LEN / 2] = "";
	int v, n = 0;
	size_t i;

	if (p == MAP_FAILED)
		return -errno;
	for (v = 0; v < 256; v++) {
		bool is_known = false;

		for (i = 0; i < ARRAY_SIZE(known); i++)
			is_known |= known[i] == v;
		if (is_known)
			continue;
		n++;
		if (!madvise(p, NMAP * lm_ps, v) || errno != EINVAL) {
			size_t used = strlen(list);

			snprintf(list + used, sizeof(list) - used, "%s%d:%s",
				 used ? "," : "", v,
				 errno ? sf_errname(errno) : "0");
		}
	}
	sf_eff(t, "values=%d not_einval=%s", n, list[0] ? list : "none");
	after(t, p);
	return 0;
}

/* process_madvise(arg's advice) on this process's own mapping. */
static long m_process_madvise(struct sf_t *t)
{
	uint8_t *p = setup(t, MAP_SHARED);
	struct iovec iov;
	int pidfd;
	long r;

	if (p == MAP_FAILED)
		return -errno;
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	iov.iov_base = p;
	iov.iov_len = NMAP * lm_ps;
	r = sf_ret(syscall(SYS_process_madvise, pidfd, &iov, 1UL,
			   (int)t->arg, 0U));
	after(t, p);
	close(pidfd);
	return r;
}

#include "lazymap_surface_fixture.h"

/*
 * memory_failure() leaves a poisoned page in the page cache only for shmem
 * (me_pagecache_clean(): extra_pins = shmem_mapping()); any other file's
 * page must leave the cache, which for the store would turn its bytes into
 * zeros at the next touch.  lazymap keeps it, marked: the recovery reports
 * EBUSY (so madvise() stops at that page), and every later access fails as
 * on a memfd (SIGBUS through a mapping, EIO from read()).  On 6.12 and 7.2
 * (measured) the kernel also kills the caller with SIGBUS, whatever the
 * memory: the same outcome on every side (or_same).
 */
#define HWPOISON							\
	"memory_failure() keeps a poisoned page in the page cache only for shmem; lazymap keeps it too, marked, rather than let its bytes silently become zeros: the recovery reports EBUSY (madvise stops at that page) and every later access fails as on a memfd (SIGBUS, EIO)"

#define UNEVICTABLE							\
	"the store is unevictable like ramfs (there is nothing to write its pages to): reclaim skips its pages and leaves them mapped; a memfd's pages are reclaimable, so they are unmapped (and kept: no swap)"

FIXTURE_VARIANT_ADD(surface, normal_shared)
	SF_SAME("madvise", "MADV_NORMAL shared", m_madvise,
		ADV(MADV_NORMAL, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, normal_private)
	SF_SAME("madvise", "MADV_NORMAL private", m_madvise,
		ADV(MADV_NORMAL, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, random_shared)
	SF_SAME("madvise", "MADV_RANDOM shared", m_madvise,
		ADV(MADV_RANDOM, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, random_private)
	SF_SAME("madvise", "MADV_RANDOM private", m_madvise,
		ADV(MADV_RANDOM, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, sequential_shared)
	SF_SAME("madvise", "MADV_SEQUENTIAL shared", m_madvise,
		ADV(MADV_SEQUENTIAL, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, sequential_private)
	SF_SAME("madvise", "MADV_SEQUENTIAL private", m_madvise,
		ADV(MADV_SEQUENTIAL, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, willneed_shared)
	SF_SAME("madvise", "MADV_WILLNEED shared", m_madvise,
		ADV(MADV_WILLNEED, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, willneed_private)
	SF_SAME("madvise", "MADV_WILLNEED private", m_madvise,
		ADV(MADV_WILLNEED, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontneed_shared)
	SF_SAME("madvise", "MADV_DONTNEED shared", m_madvise,
		ADV(MADV_DONTNEED, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontneed_private)
	SF_SAME("madvise", "MADV_DONTNEED private", m_madvise,
		ADV(MADV_DONTNEED, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, free_shared)
	SF_SAME("madvise", "MADV_FREE shared", m_madvise,
		ADV(MADV_FREE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, free_private)
	SF_SAME("madvise", "MADV_FREE private", m_madvise,
		ADV(MADV_FREE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, remove_shared)
	SF_INHERENT("madvise", "MADV_REMOVE shared", m_madvise,
		    ADV(MADV_REMOVE, SHARED),
		    "ENODEV present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    "0 present=0 res=0 data=ZZZZZZZZ self=zero child=zero vmflags=none",
		    "madvise_remove() punches the hole with vfs_fallocate(), which takes regular files and block devices only (ENODEV); LAZYMAP_IOC_DISCARD is the device's equivalent",
		    .anon = true);
FIXTURE_VARIANT_ADD(surface, remove_private)
	SF_SAME("madvise", "MADV_REMOVE private", m_madvise,
		ADV(MADV_REMOVE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontfork_shared)
	SF_SAME("madvise", "MADV_DONTFORK shared", m_madvise,
		ADV(MADV_DONTFORK, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontfork_private)
	SF_SAME("madvise", "MADV_DONTFORK private", m_madvise,
		ADV(MADV_DONTFORK, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dofork_shared)
	SF_SAME("madvise", "MADV_DOFORK shared", m_dofork, SHARED,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, dofork_private)
	SF_SAME("madvise", "MADV_DOFORK private", m_dofork, PRIVATE,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mergeable_shared)
	SF_SAME("madvise", "MADV_MERGEABLE shared", m_madvise,
		ADV(MADV_MERGEABLE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, mergeable_private)
	SF_SAME("madvise", "MADV_MERGEABLE private", m_madvise,
		ADV(MADV_MERGEABLE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, unmergeable_shared)
	SF_SAME("madvise", "MADV_UNMERGEABLE shared", m_madvise,
		ADV(MADV_UNMERGEABLE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, unmergeable_private)
	SF_SAME("madvise", "MADV_UNMERGEABLE private", m_madvise,
		ADV(MADV_UNMERGEABLE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, hugepage_shared)
	SF_SAME("madvise", "MADV_HUGEPAGE shared", m_madvise,
		ADV(MADV_HUGEPAGE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, hugepage_private)
	SF_SAME("madvise", "MADV_HUGEPAGE private", m_madvise,
		ADV(MADV_HUGEPAGE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, nohugepage_shared)
	SF_SAME("madvise", "MADV_NOHUGEPAGE shared", m_madvise,
		ADV(MADV_NOHUGEPAGE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, nohugepage_private)
	SF_SAME("madvise", "MADV_NOHUGEPAGE private", m_madvise,
		ADV(MADV_NOHUGEPAGE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontdump_shared)
	SF_SAME("madvise", "MADV_DONTDUMP shared", m_madvise,
		ADV(MADV_DONTDUMP, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontdump_private)
	SF_SAME("madvise", "MADV_DONTDUMP private", m_madvise,
		ADV(MADV_DONTDUMP, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dodump_shared)
	SF_SAME("madvise", "MADV_DODUMP shared", m_madvise,
		ADV(MADV_DODUMP, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, dodump_private)
	SF_SAME("madvise", "MADV_DODUMP private", m_madvise,
		ADV(MADV_DODUMP, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, wipeonfork_shared)
	SF_SAME("madvise", "MADV_WIPEONFORK shared", m_madvise,
		ADV(MADV_WIPEONFORK, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, wipeonfork_private)
	SF_SAME("madvise", "MADV_WIPEONFORK private", m_madvise,
		ADV(MADV_WIPEONFORK, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, keeponfork_shared)
	SF_SAME("madvise", "MADV_KEEPONFORK shared", m_madvise,
		ADV(MADV_KEEPONFORK, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, keeponfork_private)
	SF_SAME("madvise", "MADV_KEEPONFORK private", m_madvise,
		ADV(MADV_KEEPONFORK, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, cold_shared)
	SF_SAME("madvise", "MADV_COLD shared", m_madvise,
		ADV(MADV_COLD, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, cold_private)
	SF_SAME("madvise", "MADV_COLD private", m_madvise,
		ADV(MADV_COLD, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, pageout_shared)
	SF_INHERENT("madvise", "MADV_PAGEOUT shared", m_madvise,
		    ADV(MADV_PAGEOUT, SHARED),
		    "0 present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    "0 present=0 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    UNEVICTABLE, .anon = true);
/*
 * The memfd's side is not checked: which of its pages reclaim unmaps
 * depends on which it could isolate (a page still in another CPU's LRU
 * batch is skipped): one of four stays mapped as a rule, but all four did
 * in one run on the debug kernel.
 */
FIXTURE_VARIANT_ADD(surface, pageout_private)
	SF_INHERENT("madvise", "MADV_PAGEOUT private", m_madvise,
		    ADV(MADV_PAGEOUT, PRIVATE),
		    "0 present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    NULL, UNEVICTABLE, .anon = true);
FIXTURE_VARIANT_ADD(surface, populate_read_shared)
	SF_SAME("madvise", "MADV_POPULATE_READ shared", m_madvise,
		ADV(MADV_POPULATE_READ, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, populate_read_private)
	SF_SAME("madvise", "MADV_POPULATE_READ private", m_madvise,
		ADV(MADV_POPULATE_READ, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, populate_write_shared)
	SF_SAME("madvise", "MADV_POPULATE_WRITE shared", m_madvise,
		ADV(MADV_POPULATE_WRITE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, populate_write_private)
	SF_SAME("madvise", "MADV_POPULATE_WRITE private", m_madvise,
		ADV(MADV_POPULATE_WRITE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontneed_locked_shared)
	SF_SAME("madvise", "MADV_DONTNEED_LOCKED shared", m_madvise,
		ADV(MADV_DONTNEED_LOCKED, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, dontneed_locked_private)
	SF_SAME("madvise", "MADV_DONTNEED_LOCKED private", m_madvise,
		ADV(MADV_DONTNEED_LOCKED, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, collapse_shared)
	SF_SAME("madvise", "MADV_COLLAPSE shared", m_madvise,
		ADV(MADV_COLLAPSE, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, collapse_private)
	SF_SAME("madvise", "MADV_COLLAPSE private", m_madvise,
		ADV(MADV_COLLAPSE, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, soft_offline_shared)
	SF_SAME("madvise", "MADV_SOFT_OFFLINE shared", m_madvise,
		ADV(MADV_SOFT_OFFLINE, SHARED), .anon = true,
		.skip_on = "ECANCELED");
FIXTURE_VARIANT_ADD(surface, soft_offline_private)
	SF_SAME("madvise", "MADV_SOFT_OFFLINE private", m_madvise,
		ADV(MADV_SOFT_OFFLINE, PRIVATE), .anon = true,
		.skip_on = "ECANCELED");
FIXTURE_VARIANT_ADD(surface, hwpoison_shared)
	SF_INHERENT("madvise", "MADV_HWPOISON shared", m_madvise,
		    ADV(MADV_HWPOISON, SHARED),
		    "EBUSY present=3 res=4 data=EIO self=mixed child=mixed vmflags=none",
		    "0 present=0 res=8 data=EIO self=EFAULT child=EFAULT vmflags=none",
		    HWPOISON, .anon = true, .skip_on = "ECANCELED",
		    .or_same = true);
FIXTURE_VARIANT_ADD(surface, hwpoison_private)
	SF_INHERENT("madvise", "MADV_HWPOISON private", m_madvise,
		    ADV(MADV_HWPOISON, PRIVATE),
		    "EBUSY present=2 res=4 data=short:{PS} self=mixed child=mixed vmflags=none",
		    "0 present=0 res=8 data=short:{PS} self=EFAULT child=EFAULT vmflags=none",
		    HWPOISON, .anon = true, .skip_on = "ECANCELED",
		    .or_same = true);
FIXTURE_VARIANT_ADD(surface, guard_install_shared)
	SF_SAME("madvise", "MADV_GUARD_INSTALL shared", m_madvise,
		ADV(MADV_GUARD_INSTALL, SHARED), .anon = true);
FIXTURE_VARIANT_ADD(surface, guard_install_private)
	SF_SAME("madvise", "MADV_GUARD_INSTALL private", m_madvise,
		ADV(MADV_GUARD_INSTALL, PRIVATE), .anon = true);
FIXTURE_VARIANT_ADD(surface, guard_remove_shared)
	SF_SAME("madvise", "MADV_GUARD_REMOVE shared", m_guard_remove, SHARED,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, guard_remove_private)
	SF_SAME("madvise", "MADV_GUARD_REMOVE private", m_guard_remove, PRIVATE,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, unknown)
	SF_SAME("madvise", "every other value 0..255", m_unknown, 0,
		.anon = true);

FIXTURE_VARIANT_ADD(surface, pmadv_cold)
	SF_SAME("madvise", "process_madvise MADV_COLD", m_process_madvise,
		MADV_COLD, .anon = true);
FIXTURE_VARIANT_ADD(surface, pmadv_pageout)
	SF_INHERENT("madvise", "process_madvise MADV_PAGEOUT",
		    m_process_madvise, MADV_PAGEOUT,
		    "{8PS} present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    "{8PS} present=0 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
		    UNEVICTABLE, .anon = true);
FIXTURE_VARIANT_ADD(surface, pmadv_willneed)
	SF_SAME("madvise", "process_madvise MADV_WILLNEED", m_process_madvise,
		MADV_WILLNEED, .anon = true);
FIXTURE_VARIANT_ADD(surface, pmadv_collapse)
	SF_SAME("madvise", "process_madvise MADV_COLLAPSE", m_process_madvise,
		MADV_COLLAPSE, .anon = true);
FIXTURE_VARIANT_ADD(surface, pmadv_dontneed)
	SF_SAME("madvise", "process_madvise MADV_DONTNEED", m_process_madvise,
		MADV_DONTNEED, .anon = true);
FIXTURE_VARIANT_ADD(surface, pmadv_guard)
	SF_SAME("madvise", "process_madvise MADV_GUARD_INSTALL",
		m_process_madvise, MADV_GUARD_INSTALL, .anon = true);

