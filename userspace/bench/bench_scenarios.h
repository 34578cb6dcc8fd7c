/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenarios of lazymap-bench: the table in bench_scenarios.c and the
 * files that measure them: bench_touch.c (1-5, touching every page of a
 * region), bench_threads.c (6), bench_mapsize.c (7), bench_copy.c (8),
 * bench_overhead.c (9), bench_discard.c (10) and bench_huge.c (11-14,
 * huge pages).
 *
 * A measure function runs one repetition of every backend of its scenario
 * and fills out[backend].v[metric]; setup and teardown, where a scenario
 * has them, run once around all repetitions.
 */
#ifndef BENCH_SCENARIOS_H
#define BENCH_SCENARIOS_H

#include "bench_core.h"

extern struct scenario scenarios[NSCEN];

/* 1-5: first touch (write, read, random order), re-map, copy-on-write */
void s1_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
void s2_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
void populate_work(struct bench *b);
void s3_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
void s4_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
void s5_setup(struct bench *b);
void s5_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
void s5_teardown(struct bench *b);
/* 6: two threads on disjoint halves */
void s6_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
/* 7: mmap+munmap of 1 MiB and 1 TiB */
void s7_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
/* 8: read() versus a mapping */
void s8_setup(struct bench *b);
void s8_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
/* 9: kernel memory beyond the data pages */
void s9_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out);
/* 10: discard of a huge, mostly empty range */
void s10_setup(struct bench *b);
void s10_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out);
void s10_teardown(struct bench *b);
/* 11-14: huge pages, with their own stores (opened by main) */
size_t huge_pmd_size(void);
void huge_open_stores(struct bench *b);
void huge_close_stores(struct bench *b);
void s11_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out);
void s14_setup(struct bench *b);
void s14_measure(struct bench *b, const struct scenario *sc,
		 struct metrics *out);
void s14_teardown(struct bench *b);

#endif /* BENCH_SCENARIOS_H */
