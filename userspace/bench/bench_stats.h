/* SPDX-License-Identifier: GPL-2.0 */
/* The statistics of lazymap-bench: order statistics and the clean mean. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#define CLEAN_LIMIT	1.5	/* see clean_mean() */

struct stat3 {
	int n;
	double min, med, max;
};

/* Minimum, median and maximum of v[0..n). */
struct stat3 stats_of(const double *v, int n);
/* The mean of the values within CLEAN_LIMIT times the median (sorts v). */
double clean_mean(double *v, int n);

#endif /* BENCH_STATS_H */
