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
	 * A poisoned frame stays poisoned (unpoisoning needs the
	 * hwpoison_inject module): only when asked for.
	 */
	if (advice == MADV_HWPOISON && !getenv("LAZYMAP_SURFACE_HWPOISON"))
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

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
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

SF_FIXTURE;

/* One SHARED and one PRIVATE row per advice. */
#define MADV_ROWS(id, name, advice, ...)				\
	SF_SAME(id##_shared, "madvise", name " shared", m_madvise,	\
		ADV(advice, SHARED), .anon = true, ##__VA_ARGS__);	\
	SF_SAME(id##_private, "madvise", name " private", m_madvise,	\
		ADV(advice, PRIVATE), .anon = true, ##__VA_ARGS__)

#define UNEVICTABLE							\
	"the store is unevictable like ramfs (there is nothing to write its pages to): reclaim skips its pages and leaves them mapped; a memfd's pages are reclaimable, so they are unmapped (and kept: no swap)"

#define SPECIAL_GAP							\
	.gap = "VM_DONTEXPAND makes the VMA VM_SPECIAL, which this advice refuses"

MADV_ROWS(normal, "MADV_NORMAL", MADV_NORMAL);
MADV_ROWS(random, "MADV_RANDOM", MADV_RANDOM);
MADV_ROWS(sequential, "MADV_SEQUENTIAL", MADV_SEQUENTIAL);
MADV_ROWS(willneed, "MADV_WILLNEED", MADV_WILLNEED);
MADV_ROWS(dontneed, "MADV_DONTNEED", MADV_DONTNEED);
MADV_ROWS(free, "MADV_FREE", MADV_FREE);
SF_INHERENT(remove_shared, "madvise", "MADV_REMOVE shared", m_madvise,
	    ADV(MADV_REMOVE, SHARED),
	    "ENODEV present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    "0 present=0 res=0 data=ZZZZZZZZ self=zero child=zero vmflags=none",
	    "madvise_remove() punches the hole with vfs_fallocate(), which takes regular files and block devices only (ENODEV); LAZYMAP_IOC_DISCARD is the device's equivalent",
	    .anon = true);
SF_SAME(remove_private, "madvise", "MADV_REMOVE private", m_madvise,
	ADV(MADV_REMOVE, PRIVATE), .anon = true);
MADV_ROWS(dontfork, "MADV_DONTFORK", MADV_DONTFORK);
SF_SAME(dofork_shared, "madvise", "MADV_DOFORK shared", m_dofork, SHARED,
	.anon = true, SPECIAL_GAP);
SF_SAME(dofork_private, "madvise", "MADV_DOFORK private", m_dofork,
	PRIVATE, .anon = true, SPECIAL_GAP);
SF_SAME(mergeable_shared, "madvise", "MADV_MERGEABLE shared", m_madvise,
	ADV(MADV_MERGEABLE, SHARED), .anon = true);
SF_SAME(mergeable_private, "madvise", "MADV_MERGEABLE private", m_madvise,
	ADV(MADV_MERGEABLE, PRIVATE), .anon = true,
	.gap = "VM_DONTEXPAND: ksm_madvise() returns 0 and sets nothing");
MADV_ROWS(unmergeable, "MADV_UNMERGEABLE", MADV_UNMERGEABLE);
MADV_ROWS(hugepage, "MADV_HUGEPAGE", MADV_HUGEPAGE);
MADV_ROWS(nohugepage, "MADV_NOHUGEPAGE", MADV_NOHUGEPAGE);
MADV_ROWS(dontdump, "MADV_DONTDUMP", MADV_DONTDUMP);
MADV_ROWS(dodump, "MADV_DODUMP", MADV_DODUMP, SPECIAL_GAP);
MADV_ROWS(wipeonfork, "MADV_WIPEONFORK", MADV_WIPEONFORK);
MADV_ROWS(keeponfork, "MADV_KEEPONFORK", MADV_KEEPONFORK);
MADV_ROWS(cold, "MADV_COLD", MADV_COLD);
SF_INHERENT(pageout_shared, "madvise", "MADV_PAGEOUT shared", m_madvise,
	    ADV(MADV_PAGEOUT, SHARED),
	    "0 present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    "0 present=0 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    UNEVICTABLE, .anon = true);
SF_INHERENT(pageout_private, "madvise", "MADV_PAGEOUT private", m_madvise,
	    ADV(MADV_PAGEOUT, PRIVATE),
	    "0 present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    "0 present=1 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    UNEVICTABLE, .anon = true);
MADV_ROWS(populate_read, "MADV_POPULATE_READ", MADV_POPULATE_READ);
MADV_ROWS(populate_write, "MADV_POPULATE_WRITE", MADV_POPULATE_WRITE);
MADV_ROWS(dontneed_locked, "MADV_DONTNEED_LOCKED", MADV_DONTNEED_LOCKED);
MADV_ROWS(collapse, "MADV_COLLAPSE", MADV_COLLAPSE);
MADV_ROWS(soft_offline, "MADV_SOFT_OFFLINE", MADV_SOFT_OFFLINE,
	  .skip_on = "ECANCELED");
MADV_ROWS(hwpoison, "MADV_HWPOISON", MADV_HWPOISON, .skip_on = "ECANCELED");
MADV_ROWS(guard_install, "MADV_GUARD_INSTALL", MADV_GUARD_INSTALL,
	  SPECIAL_GAP);
SF_SAME(guard_remove_shared, "madvise", "MADV_GUARD_REMOVE shared",
	m_guard_remove, SHARED, .anon = true, SPECIAL_GAP);
SF_SAME(guard_remove_private, "madvise", "MADV_GUARD_REMOVE private",
	m_guard_remove, PRIVATE, .anon = true, SPECIAL_GAP);
SF_SAME(unknown, "madvise", "every other value 0..255", m_unknown, 0,
	.anon = true);

SF_SAME(pmadv_cold, "madvise", "process_madvise MADV_COLD",
	m_process_madvise, MADV_COLD, .anon = true);
SF_INHERENT(pmadv_pageout, "madvise", "process_madvise MADV_PAGEOUT",
	    m_process_madvise, MADV_PAGEOUT,
	    "{8PS} present=4 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    "{8PS} present=0 res=4 data=PPPPZZZZ self=pattern child=pattern vmflags=none",
	    UNEVICTABLE, .anon = true);
SF_SAME(pmadv_willneed, "madvise", "process_madvise MADV_WILLNEED",
	m_process_madvise, MADV_WILLNEED, .anon = true);
SF_SAME(pmadv_collapse, "madvise", "process_madvise MADV_COLLAPSE",
	m_process_madvise, MADV_COLLAPSE, .anon = true);
SF_SAME(pmadv_dontneed, "madvise", "process_madvise MADV_DONTNEED",
	m_process_madvise, MADV_DONTNEED, .anon = true);
SF_SAME(pmadv_guard, "madvise", "process_madvise MADV_GUARD_INSTALL",
	m_process_madvise, MADV_GUARD_INSTALL, .anon = true, SPECIAL_GAP);

SF_MAIN
