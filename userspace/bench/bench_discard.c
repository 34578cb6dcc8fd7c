// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario 10 of lazymap-bench: discarding a 1 TiB store that holds a few
 * pages, against discarding one page.
 */
#include <inttypes.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_module.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_store.h"
#include "bench_util.h"

#define S10_ITERS	16	/* discards per repetition, each timed */
#define S10_PAGES	10

/*
 * The time of one discard of [off, off + len), less the cost of reading
 * the clock, which a single short call cannot amortise.
 */
static double timed_discard(struct bench *b, struct store *s, enum backend bk,
			    uint64_t off, uint64_t len)
{
	uint64_t t0, t1, ns;

	t0 = now_ns();
	store_discard(s, bk, off, len);
	t1 = now_ns();
	ns = t1 - t0;
	return ns > b->clock_cost ? (double)(ns - b->clock_cost) : 0;
}

/* Make the page at @off resident: through @mapped if given, else write(). */
static void s10_fill(struct bench *b, struct store *s, char *mapped,
		     uint64_t off)
{
	if (mapped) {
		mapped[off] = 1;
		return;
	}
	if (pwrite(s->fd, b->buf, b->ps, off) != (ssize_t)b->ps)
		die("pwrite:");
}

void s10_setup(struct bench *b)
{
	if (b->ko)
		module_ensure(b, SIZE_MB_1TIB);
	store_open_lazymap(b, &b->big[BK_LAZYMAP]);
	if (b->big[BK_LAZYMAP].size != TIB)
		note("scenario 10: the device has %" PRIu64
		     " MiB, not 1 TiB (no --ko)",
		     b->big[BK_LAZYMAP].size / MIB);
	store_open_memfd(&b->big[BK_MEMFD], b->big[BK_LAZYMAP].size);
}

void s10_teardown(struct bench *b)
{
	store_close(&b->big[BK_LAZYMAP]);
	store_close(&b->big[BK_MEMFD]);
}

/*
 * Discard one resident page, then the whole store holding S10_PAGES pages
 * spread over it; S10_ITERS times, backends interleaved.  @mapped: the
 * whole store of each backend mapped, the pages touched through it, so the
 * discard also zaps page tables.  Else the pages come from write(), and a
 * third discard takes one page alone at 9/10 of the store: the page cache
 * tree then needs its full height for the one page (at offset 0 it needs
 * none), the same per page cost as each of the ten.
 */
static void s10_pass(struct bench *b, const struct scenario *sc,
		     char *const *mapped, struct metrics *out, int m)
{
	double one[BK_NR][S10_ITERS], range[BK_NR][S10_ITERS];
	double far[BK_NR][S10_ITERS];
	enum backend bk;
	uint64_t step;
	int i, k, j;

	for (i = 0; i < S10_ITERS; i++) {
		for (k = 0; (bk = next_backend(sc, i + b->rep, &k)) < BK_NR;) {
			struct store *s = &b->big[bk];

			step = s->size / S10_PAGES / b->ps * b->ps;
			s10_fill(b, s, mapped[bk], 0);
			one[bk][i] = timed_discard(b, s, bk, 0, b->ps);
			for (j = 0; j < S10_PAGES; j++)
				s10_fill(b, s, mapped[bk], j * step);
			range[bk][i] = timed_discard(b, s, bk, 0, s->size);
			if (mapped[bk])
				continue;
			s10_fill(b, s, NULL, (S10_PAGES - 1) * step);
			far[bk][i] = timed_discard(b, s, bk,
						   (S10_PAGES - 1) * step,
						   b->ps);
		}
	}
	for (k = 0; (bk = next_backend(sc, 0, &k)) < BK_NR;) {
		out[bk].v[m] = clean_mean(one[bk], S10_ITERS);
		out[bk].v[m + 1] = clean_mean(range[bk], S10_ITERS);
		if (!mapped[bk])
			out[bk].v[4] = clean_mean(far[bk], S10_ITERS);
	}
}

void s10_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out)
{
	char *none[BK_NR] = { NULL }, *p[BK_NR] = { NULL };
	enum backend bk;

	s10_pass(b, sc, none, out, 0);
	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		p[bk] = mmap(NULL, b->big[bk].size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, b->big[bk].fd, 0);
		if (p[bk] == MAP_FAILED)
			die("mmap(%s, whole store):", bk_name[bk]);
	}
	s10_pass(b, sc, p, out, 2);
	for (bk = 0; bk < BK_NR; bk++)
		if (p[bk])
			unmap(p[bk], b->big[bk].size);
}
