// SPDX-License-Identifier: GPL-2.0
/* The statistics of lazymap-bench: order statistics and the clean mean. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_core.h"
#include "bench_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stat3 stats_of(const double *v, int n)
{
	double s[MAX_REPS];
	struct stat3 r = { .n = n };

	if (!n)
		return r;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/*
 * The mean of the "clean" values of v[0..n) (sorted in place): those at
 * most CLEAN_LIMIT times the median.  On a busy host the VM's virtual CPUs
 * do not run for milliseconds at a time, and a block of work that such a
 * stall hits takes 10 to 50 times longer; a third of the blocks can be hit.
 * The plain mean would measure the host, an interquartile mean still keeps
 * stalls, and the median alone would drop the blocks that rightly cost a
 * little more (a new page table every 512 pages).
 */
double clean_mean(double *v, int n)
{
	double sum = 0, lim;
	int i, m = 0;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	lim = CLEAN_LIMIT * (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
	for (i = 0; i < n && v[i] <= lim; i++, m++)
		sum += v[i];
	return sum / m;
}
