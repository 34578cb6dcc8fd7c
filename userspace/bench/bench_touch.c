// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios 1-5 of lazymap-bench: touching every page of a region.  1, 2
 * and 5 touch an empty store (first-touch faults), 3 and 4 a populated one
 * (read faults on resident pages in a new process, copy-on-write).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_scenarios.h"
#include "bench_store.h"
#include "bench_util.h"

/* First touch: every backend's region is emptied and mapped afresh. */
static void first_touch(struct bench *b, const struct scenario *sc,
			enum touch how, struct metrics *out)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	/* Mapped in turn first, in case the address or layout matters. */
	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;) {
		empty_work(b, bk);
		p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
	}
	touch_interleaved(b, sc, p, how, out);
	for (bk = 0; bk < BK_NR; bk++)
		if (p[bk])
			unmap(p[bk], b->work);
}

void s1_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	first_touch(b, sc, TOUCH_WRITE, out);
}

void s2_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	first_touch(b, sc, TOUCH_READ, out);
}

void s5_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	first_touch(b, sc, TOUCH_RANDOM, out);
}

/* A fixed pseudo-random permutation of the region's pages (xorshift64). */
void s5_setup(struct bench *b)
{
	size_t n = b->work / b->ps, i, j;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t t;

	b->perm = malloc(n * sizeof(*b->perm));
	if (!b->perm)
		die("malloc:");
	for (i = 0; i < n; i++)
		b->perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = b->perm[i];
		b->perm[i] = b->perm[j];
		b->perm[j] = t;
	}
}

void s5_teardown(struct bench *b)
{
	free(b->perm);
	b->perm = NULL;
}

/* ---- Scenarios 3 and 4: a populated store ---- */

void populate_work(struct bench *b)
{
	store_populate(b, &b->st[BK_LAZYMAP], b->work);
	store_populate(b, &b->st[BK_MEMFD], b->work);
}

/*
 * A new process maps the populated stores and reads every page: read
 * faults on resident pages, where fault-around maps the neighbours too.
 */
static void s3_child(struct bench *b, const struct scenario *sc,
		     struct metrics *res)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
	touch_interleaved(b, sc, p, TOUCH_READ, res);
}

void s3_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	measure_in_child(b, sc, out, s3_child);
}

/* Copy-on-write: the first write to each page of a private mapping. */
void s4_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		p[bk] = map(b, bk, 0, b->work, MAP_PRIVATE);
	touch_interleaved(b, sc, p, TOUCH_WRITE, out);
	unmap(p[BK_LAZYMAP], b->work);
	unmap(p[BK_MEMFD], b->work);
}
