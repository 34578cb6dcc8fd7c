/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timing and interleaving harness of lazymap-bench: the backends of a
 * scenario take turns in alternating order, block by block, so that drift
 * of the machine hits them alike; a scenario runs its repetitions here.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stdint.h>

#include "bench_core.h"

enum touch { TOUCH_WRITE, TOUCH_READ, TOUCH_RANDOM };

/* ns per page of @bytes that took @ns. */
double per_page(struct bench *b, double ns, uint64_t bytes);
/* The backends of @sc, forward in even steps, backward in odd ones. */
enum backend next_backend(const struct scenario *sc,
			  unsigned long step, int *k);
/* One pass over the region, backends interleaved block by block. */
void touch_interleaved(struct bench *b, const struct scenario *sc,
		       char *const *p, enum touch how,
		       struct metrics *out);
/*
 * Run @measure in a new process, whose page tables start empty, and copy
 * the times it fills in (zeroed first) back into @out through a pipe.
 */
void measure_in_child(struct bench *b, const struct scenario *sc,
		      struct metrics *out,
		      void (*measure)(struct bench *b,
				      const struct scenario *sc,
				      struct metrics *res));
/* All repetitions of a scenario; each measures every backend. */
void run_scenario(struct bench *b, struct scenario *sc);
/* The cost one clock read adds to a measured interval. */
uint64_t clock_cost(void);

#endif /* BENCH_HARNESS_H */
