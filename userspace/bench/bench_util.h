/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages, the clock and page touches of lazymap-bench.  The clock and
 * the touches are inline: they run inside the timed parts, as they did
 * when the program was one file.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "lazymap-bench: error: ..." and exit(1); a trailing ':' adds errno. */
void die(const char *fmt, ...);
/* A progress line on stderr. */
void note(const char *fmt, ...);

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The compiler must not drop or merge the accesses: each one is a fault.
 * The stores write a non-zero byte so that a page is really dirtied.
 */
static inline void touch_write(char *p, size_t npages, size_t ps)
{
	volatile char *q = p;
	size_t i;

	for (i = 0; i < npages; i++)
		q[i * ps] = 1;
}

static inline unsigned long touch_read(const char *p, size_t npages, size_t ps)
{
	const volatile char *q = p;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < npages; i++)
		sum += q[i * ps];
	return sum;
}

/* Keep a computed value alive without a side effect the timing sees. */
static inline void consume(unsigned long v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

#endif /* BENCH_UTIL_H */
