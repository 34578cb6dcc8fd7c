// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario 6 of lazymap-bench: first touch by two threads on disjoint
 * halves against one thread, with a CPU-only loop as the control of what
 * two threads can gain in the VM at all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_store.h"
#include "bench_util.h"

#define S6_PAIRS	16	/* chunk pairs: one thread, then two */
#define S6_SPIN		2048	/* control loop iterations per page */

/*
 * Two worker threads wait at a barrier for a job: first-touch writes to
 * pages [0, npages) of p, split between the first nthreads of them.
 */
struct pool {
	pthread_barrier_t start, done;
	pthread_t tid[2];
	char *p;		/* NULL: spin instead, the CPU-only control */
	size_t npages, ps;
	int nthreads;
	bool quit;
	uint64_t t0[2], t1[2];
};

/* About as long per unit as a first touch under emulation. */
static void spin(size_t units)
{
	volatile unsigned long x = 0;
	unsigned long i;

	for (i = 0; i < units * S6_SPIN; i++)
		x += i;
}

struct pool_arg {
	struct pool *pool;
	int idx;
};

static void *pool_worker(void *arg)
{
	struct pool_arg *a = arg;
	struct pool *pl = a->pool;
	size_t half;

	for (;;) {
		pthread_barrier_wait(&pl->start);
		if (pl->quit)
			return NULL;
		if (a->idx < pl->nthreads) {
			half = pl->npages / pl->nthreads;
			pl->t0[a->idx] = now_ns();
			if (pl->p)
				touch_write(pl->p + a->idx * half * pl->ps,
					    half, pl->ps);
			else
				spin(half);
			pl->t1[a->idx] = now_ns();
		}
		pthread_barrier_wait(&pl->done);
	}
}

/* Run one job; its wall time from the first start to the last end. */
static uint64_t pool_run(struct pool *pl, char *p, size_t npages,
			 int nthreads)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
	int i;

	pl->p = p;
	pl->npages = npages;
	pl->nthreads = nthreads;
	pthread_barrier_wait(&pl->start);
	pthread_barrier_wait(&pl->done);
	for (i = 0; i < nthreads; i++) {
		t0 = pl->t0[i] < t0 ? pl->t0[i] : t0;
		t1 = pl->t1[i] > t1 ? pl->t1[i] : t1;
	}
	return t1 - t0;
}

/* Two runs: one thread on @one, two threads on @two, in either order. */
static void s6_pair(struct pool *pl, char *one, char *two, size_t chunk,
		    bool swap, double *t1, double *t2)
{
	if (swap) {
		*t2 = pool_run(pl, two, chunk, 2);
		*t1 = pool_run(pl, one, chunk, 1);
	} else {
		*t1 = pool_run(pl, one, chunk, 1);
		*t2 = pool_run(pl, two, chunk, 2);
	}
}

/*
 * The region is cut into chunks; in each pair of chunks one is touched by
 * one thread and the other by two (each its half), which one first
 * alternating, for every backend in turn.  out[bk].v[0] and [1]: ns per page
 * with one and with two threads.  b->ctl gets the speed-up of a loop that
 * only computes: what two threads can gain in this VM at all.
 */
void s6_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	size_t n = b->work / b->ps, chunk = n / (2 * S6_PAIRS), c;
	double t[BK_NR][2][S6_PAIRS], ctl[2][S6_PAIRS];
	struct pool_arg args[2];
	char *p[BK_NR] = { NULL };
	struct pool pl = { .ps = b->ps };
	enum backend bk;
	int i, k;

	if (chunk < 2)
		die("scenario 6 needs a bigger --work-mib");
	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		empty_work(b, bk);
		p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
	}
	pthread_barrier_init(&pl.start, NULL, 3);
	pthread_barrier_init(&pl.done, NULL, 3);
	for (i = 0; i < 2; i++) {
		args[i] = (struct pool_arg){ .pool = &pl, .idx = i };
		errno = pthread_create(&pl.tid[i], NULL, pool_worker, &args[i]);
		if (errno)
			die("pthread_create:");
	}
	for (c = 0; c < S6_PAIRS; c++) {
		bool swap = (c + b->rep) % 2;

		for (k = 0; (bk = next_backend(sc, c, &k)) < BK_NR;) {
			char *a = p[bk] + 2 * c * chunk * b->ps;

			s6_pair(&pl, a, a + chunk * b->ps, chunk, swap,
				&t[bk][0][c], &t[bk][1][c]);
		}
		s6_pair(&pl, NULL, NULL, chunk, swap, &ctl[0][c], &ctl[1][c]);
	}
	pl.quit = true;
	pthread_barrier_wait(&pl.start);
	for (i = 0; i < 2; i++)
		pthread_join(pl.tid[i], NULL);
	pthread_barrier_destroy(&pl.start);
	pthread_barrier_destroy(&pl.done);
	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		unmap(p[bk], b->work);
		out[bk].v[0] = clean_mean(t[bk][0], S6_PAIRS) / chunk;
		out[bk].v[1] = clean_mean(t[bk][1], S6_PAIRS) / chunk;
	}
	b->ctl[b->rep] = clean_mean(ctl[0], S6_PAIRS) /
			 clean_mean(ctl[1], S6_PAIRS);
}
