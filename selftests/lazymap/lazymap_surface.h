/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system-call surface audit: every call a program can aim at a file
 * descriptor or at an address range of a mapping, run on /dev/lazymap and
 * on a memfd of the same size, compared by outcome, effect and bytes.
 *
 * One program per family (lazymap_surface_<family>_test.c).  Each program
 * includes lazymap_surface_fixture.h (the fixture and the one test, which
 * runs a row) and is a table of rows, one FIXTURE_VARIANT_ADD(surface, id)
 * each, initialised with one of:
 *
 *   SF_SAME("family", "call", run, arg)
 *       lazymap must give exactly the memfd's outcome string, measured in
 *       the same run on the same kernel (so a kernel-dependent behaviour
 *       is expected to be whatever this kernel does for a memfd);
 *   SF_INHERENT("family", "call", run, arg, "lm", "memfd", "why")
 *       a difference a fixed-size character device cannot avoid: lazymap
 *       must give exactly "lm" and the memfd exactly "memfd" (NULL: not
 *       checked), so the row fails if either side changes; "{PS}" and
 *       "{<n>PS}" in them stand for the page size times n, so that no
 *       expectation assumes a page size;
 *   .or_same = true  (INHERENT) where this kernel gives lazymap and the
 *       memfd the same outcome, that is fine too: for a difference that
 *       exists only on some kernels (a mode an older VFS rejects for all);
 *   .anon = true  also run on anonymous memory, for the reader only;
 *   .gap = "..."  a known gap of the module, not inherent: the row asserts
 *       what lazymap should do and fails until the module is fixed.
 *
 * The reference is a huge=never memfd in every huge= mode of the device
 * (make check runs the audit under huge=never and huge=always): the device
 * allocates a huge page only on a fault through a mapping that covers a
 * whole aligned huge block, and no row maps one (rows map a few pages), so
 * residency, mapped pages and bytes must equal the memfd's in both modes.
 * A tmpfs file mounted huge=always is not the device's equal: it allocates
 * a huge page at any first touch, by write(2) or through a mapping of a few
 * pages.  Measured on 6.1 with it as the reference under huge=always:
 * about 200 rows DIFF, e.g. MADV_NORMAL "present=4 res=4" on the device
 * against "present=8 res=512" on the file.  The huge-page behaviour of the
 * device itself is asserted by lazymap_huge_test.
 *
 * A row's run function gets a target (struct sf_t): the descriptor (-1 for
 * anonymous memory) and the device size.  It does the same thing to any
 * target, returns the call's result (>= 0) or -errno, and describes what
 * the call did with sf_eff() ("res=3 data=pattern").  The runner forks one
 * child per target, so that locks, mlockall() and signals of one target
 * never reach another, and turns each into one outcome string:
 *
 *   "<result or errno name>[ <effect>]"  or  "killed by SIGBUS"
 *
 * Each row prints one line for docs/syscalls.md (scripts/syscalls-doc.sh):
 *
 *   # surface|family|call|lazymap|memfd|anon or -|SAME/INHERENT/DIFF|reason
 *
 * The helpers never include kselftest_harness.h (as lazymap_util.h).
 */
#ifndef LAZYMAP_SURFACE_H
#define LAZYMAP_SURFACE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lazymap_util.h"

#define SF_EFF_LEN	320
#define SF_OUT_LEN	384

enum sf_kind { SF_LAZYMAP, SF_MEMFD, SF_ANON, SF_NKINDS };

struct sf_t {
	enum sf_kind kind;
	int fd;			/* the target; -1 for anonymous memory */
	uint64_t size;		/* of the device and of the memfd */
	int64_t arg;		/* the row's argument: a flag, advice, mode */
	char eff[SF_EFF_LEN];	/* the effect, appended by sf_eff() */
};

struct sf_row {
	const char *family;
	const char *call;
	long (*run)(struct sf_t *t);
	int64_t arg;
	bool anon;		/* also run on anonymous memory */
	const char *lm;		/* INHERENT: lazymap's exact outcome */
	const char *memfd;	/* INHERENT: the memfd's, or NULL */
	const char *why;	/* INHERENT: the reason */
	const char *gap;	/* a known module gap: fails until fixed */
	bool or_same;		/* INHERENT only where the memfd differs */
	/*
	 * INHERENT: the memfd's outcome is .memfd only where this says the
	 * kernel has the feature (an architecture may not); elsewhere the
	 * memfd must refuse as lazymap does (.lm).
	 */
	bool (*memfd_if)(void);
	const char *skip_on;	/* skip the row if the memfd gives this */
};

struct sf_result {
	char out[SF_NKINDS][SF_OUT_LEN];
	char exp_lm[SF_OUT_LEN];	/* INHERENT: the expectations, */
	char exp_memfd[SF_OUT_LEN];	/* {PS} etc. expanded */
	const char *verdict;	/* "SAME", "INHERENT" or "DIFF" */
};

/* Append " fmt..." to the target's effect. */
void sf_eff(struct sf_t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A result of a libc call: r, or -errno if r < 0. */
static inline long sf_ret(long r)
{
	return r < 0 ? -errno : r;
}

/* The name of an errno value ("EINVAL"), or its number. */
const char *sf_errname(int err);

/*
 * mmap of the target: of t->fd at off, or anonymous memory (off ignored,
 * MAP_ANONYMOUS added).  MAP_FAILED with errno on failure.
 */
void *sf_map(struct sf_t *t, size_t len, int prot, int flags, off_t off);

/*
 * Open the target again with flags (the device by path, the memfd through
 * /proc/self/fd): a new open file description.  A descriptor or -errno.
 */
int sf_reopen(struct sf_t *t, int flags);

/* Pages held by the store: LAZYMAP_IOC_INFO, or st_blocks for a memfd. */
uint64_t sf_res(struct sf_t *t);

/* Write the test pattern (seed) over [off, off + len) with pwrite. */
int sf_fill(struct sf_t *t, uint64_t off, size_t len, uint32_t seed);

/*
 * What len bytes hold: "pattern" (lm_fill's with seed and base_off),
 * "zero", or "other".
 */
const char *sf_what(const void *p, size_t len, uint64_t base_off,
		    uint32_t seed);

/*
 * One letter per page-sized piece of len bytes: P (the pattern), Z (zero)
 * or X (anything else), into out.
 */
void sf_pages(char *out, size_t outlen, const void *p, size_t len,
	      uint64_t base_off, uint32_t seed);

/* Effects, appended to t->eff: */
/* key=PZX...: sf_pages() of a buffer or a mapping */
void sf_eff_buf(struct sf_t *t, const char *key, const void *p, size_t len,
		uint64_t base_off, uint32_t seed);
void sf_eff_res(struct sf_t *t);		/* res=N (fd targets) */
/* data=PZX... of [off, off + len) of the target, read with pread */
void sf_eff_data(struct sf_t *t, uint64_t off, size_t len, uint32_t seed);
/* map=... of a mapping's bytes, read through the mapping */
void sf_eff_map(struct sf_t *t, const char *key, const void *p, size_t len,
		uint64_t base_off, uint32_t seed);
/* present=N: pages of [p, p + npages) mapped in this process (pagemap) */
void sf_eff_present(struct sf_t *t, const void *p, size_t npages);
/* mincore=0101...: mincore() of npages pages */
void sf_eff_mincore(struct sf_t *t, void *p, size_t npages);
/* vmflags=...: the advice-related VmFlags of the VMA at p (smaps) */
void sf_eff_vmflags(struct sf_t *t, const void *p);
/* pos=N: the file position */
void sf_eff_pos(struct sf_t *t, int fd);

/*
 * Whether the first byte of each of npages pages can be read by this
 * process without a signal: "pattern"/"zero"/"other" of those bytes, or
 * "EFAULT" (a guard region, a hole past the end), with a pipe as the
 * reader so that a bad page is an error, not a signal.
 */
const char *sf_probe(const void *p, size_t npages, uint64_t base_off,
		     uint32_t seed);

/* The same, from a forked child: what fork() gave it (child=...). */
void sf_eff_child(struct sf_t *t, const void *p, size_t npages,
		  uint64_t base_off, uint32_t seed);

/*
 * Run a row on each target in a child process of its own and judge it.
 * 0, or -errno if the runner itself failed.
 */
int sf_run(const struct sf_row *row, struct sf_result *res);

/* The row's machine-readable line. */
void sf_print(const struct sf_row *row, const struct sf_result *res);

/* Leave the store empty (for the end of a program). */
void sf_cleanup(void);

/*
 * A row of the table, the initializer of a FIXTURE_VARIANT(surface) (see
 * lazymap_surface_fixture.h):
 *
 *   FIXTURE_VARIANT_ADD(surface, id)
 *	SF_SAME("family", "call", run, arg, .anon = true);
 */
#define SF_SAME(fam, name, fn, a, ...)					\
	{ .row = { .family = fam, .call = name, .run = fn,		\
		   .arg = (int64_t)(a), ##__VA_ARGS__ } }

#define SF_INHERENT(fam, name, fn, a, lm_out, memfd_out, reason, ...)	\
	{ .row = { .family = fam, .call = name, .run = fn,		\
		   .arg = (int64_t)(a), .lm = lm_out, .memfd = memfd_out, \
		   .why = reason, ##__VA_ARGS__ } }

#endif /* LAZYMAP_SURFACE_H */
