// SPDX-License-Identifier: GPL-2.0
/*
 * The timing and interleaving harness of lazymap-bench.  Times come from
 * CLOCK_MONOTONIC around the measured loop only; the backends of one
 * scenario take turns, in alternating order, so that drift of the machine
 * hits every backend alike.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_stats.h"
#include "bench_util.h"

#define BLOCK_PAGES	64	/* unit of interleaving of scenarios 1-5 */

double per_page(struct bench *b, double ns, uint64_t bytes)
{
	return ns / (double)(bytes / b->ps);
}

/*
 * Iterate over the backends of @sc in the order of step @step: forward in
 * even steps, backward in odd ones, so that neither backend always follows
 * the other.  *@k starts at 0; BK_NR after the last.
 */
enum backend next_backend(const struct scenario *sc,
			  unsigned long step, int *k)
{
	enum backend bk;

	while (*k < BK_NR) {
		bk = step % 2 ? BK_NR - 1 - *k : *k;
		++*k;
		if (has_backend(sc, bk))
			return bk;
	}
	return BK_NR;
}

/*
 * Touch pages [first, first + n) of @p (in the order of b->perm for
 * TOUCH_RANDOM) and return the time it took.
 */
static uint64_t touch_block(struct bench *b, char *p, size_t first, size_t n,
			    enum touch how)
{
	volatile char *q = p;
	unsigned long sum = 0;
	uint64_t t0, t1;
	size_t i;

	t0 = now_ns();
	switch (how) {
	case TOUCH_WRITE:
		touch_write(p + first * b->ps, n, b->ps);
		break;
	case TOUCH_READ:
		sum = touch_read(p + first * b->ps, n, b->ps);
		break;
	case TOUCH_RANDOM:
		for (i = first; i < first + n; i++)
			q[(size_t)b->perm[i] * b->ps] = 1;
		break;
	}
	t1 = now_ns();
	consume(sum);
	return t1 - t0;
}

static double *alloc_times(size_t n)
{
	double *v = calloc(n, sizeof(*v));

	if (!v)
		die("calloc:");
	return v;
}

/*
 * One pass over the region for every backend of @sc, interleaved block by
 * block (BLOCK_PAGES pages of one backend, then of the next), so that a
 * change in the machine's speed during the pass hits all backends alike.
 * @p holds the mapping of each backend; out[bk].v[0] gets ns per page, from
 * the clean mean of the block times.
 */
void touch_interleaved(struct bench *b, const struct scenario *sc,
		       char *const *p, enum touch how,
		       struct metrics *out)
{
	size_t nblocks = b->work / b->ps / BLOCK_PAGES, j;
	double *ns[BK_NR];
	enum backend bk;
	int k;

	for (bk = 0; bk < BK_NR; bk++)
		ns[bk] = alloc_times(nblocks);
	for (j = 0; j < nblocks; j++)
		for (k = 0; (bk = next_backend(sc, j, &k)) < BK_NR;)
			ns[bk][j] = touch_block(b, p[bk], j * BLOCK_PAGES,
						BLOCK_PAGES, how);
	for (bk = 0; bk < BK_NR; bk++) {
		if (has_backend(sc, bk))
			out[bk].v[0] = clean_mean(ns[bk], nblocks) /
				       BLOCK_PAGES;
		free(ns[bk]);
	}
}

/* Compute the derived metrics of every repetition. */
static void derive(struct scenario *sc, int reps)
{
	int bk, d, i;

	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		for (d = 0; d < sc->nder; d++) {
			double *v = sc->v[bk][NMET + d];
			const double *num = sc->v[bk][sc->der[d].num];
			const double *den = sc->v[bk][sc->der[d].den];

			for (i = 0; i < reps; i++)
				v[i] = den[i] > 0 ? num[i] / den[i] : NAN;
		}
	}
}

/* All repetitions of a scenario; each measures every backend. */
void measure_in_child(struct bench *b, const struct scenario *sc,
		      struct metrics *out,
		      void (*measure)(struct bench *b,
				      const struct scenario *sc,
				      struct metrics *res))
{
	struct metrics res[BK_NR];
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		die("pipe:");
	pid = fork();
	if (pid < 0)
		die("fork:");
	if (!pid) {
		memset(res, 0, sizeof(res));
		measure(b, sc, res);
		_exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], res, sizeof(res)) != sizeof(res))
		die("the scenario %d child sent no times", sc->id);
	close(fds[0]);
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid:");
	memcpy(out, res, sizeof(res));
}

void run_scenario(struct bench *b, struct scenario *sc)
{
	uint64_t t0 = now_ns();
	int rep, bk, m;

	note("scenario %d: %s", sc->id, sc->title);
	if (sc->setup)
		sc->setup(b);
	for (rep = 0; rep < b->reps; rep++) {
		struct metrics out[BK_NR] = { { { 0 } } };

		b->rep = rep;
		sc->measure(b, sc, out);
		for (bk = 0; bk < BK_NR; bk++)
			for (m = 0; m < sc->nmet; m++)
				sc->v[bk][m][rep] = out[bk].v[m];
	}
	if (sc->teardown)
		sc->teardown(b);
	derive(sc, b->reps);
	sc->ran = true;
	note("scenario %d: %.1f s", sc->id, (now_ns() - t0) / 1e9);
}

/* The cost one clock read adds to a measured interval (median of MAX_REPS). */
uint64_t clock_cost(void)
{
	double d[MAX_REPS];
	uint64_t t0;
	int i;

	for (i = 0; i < MAX_REPS; i++) {
		t0 = now_ns();
		d[i] = (double)(now_ns() - t0);
	}
	return (uint64_t)stats_of(d, MAX_REPS).med;
}
