/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of lazymap-bench share: the backends, the description of
 * a scenario with its samples, and the run's settings and stores.
 */
#ifndef BENCH_CORE_H
#define BENCH_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIB		(1024ULL * 1024)
#define TIB		(1024ULL * 1024 * MIB)
#define MAX_REPS	99
#define NSCEN		14
#define NMET		5	/* measured metrics per scenario */
#define NDER		3	/* derived (ratio) metrics per scenario */
#define S8_MIB		64
#define S8_CHUNK	(1024 * 1024)	/* read() buffer */

/*
 * The huge page scenarios (11-14) add a file on a tmpfs mounted huge=always
 * and anonymous memory with MADV_HUGEPAGE; BK_LAZYMAP is then the device
 * loaded with huge=always.
 */
enum backend { BK_LAZYMAP, BK_MEMFD, BK_ANON, BK_TMPFS_HUGE, BK_ANON_THP,
	       BK_NR };

extern const char *const bk_name[BK_NR];

#define BK_ALL	 ((1u << BK_LAZYMAP) | (1u << BK_MEMFD) | (1u << BK_ANON))
#define BK_FILES ((1u << BK_LAZYMAP) | (1u << BK_MEMFD))
#define BK_HUGE	 (BK_FILES | (1u << BK_TMPFS_HUGE) | (1u << BK_ANON_THP))
#define BK_HUGE_FILES (BK_FILES | (1u << BK_TMPFS_HUGE))
#define H_MIB		64	/* region of the huge page scenarios */

/* What a scenario's target applies to. */
enum target_kind {
	T_NONE,		/* information only */
	T_CROSS_LE,	/* lazymap/<vs> ratio of the key metric <= limit */
	T_LAZY_LE,	/* lazymap's key metric <= limit */
	T_LAZY_LT,	/* lazymap's key metric < limit */
	T_LAZY_GE,	/* lazymap's key metric >= limit */
};

/* A ratio computed within each repetition: metric num / metric den. */
struct derived {
	int num, den;
	const char *name;
};

struct bench;

/* What one repetition measured for one backend. */
struct metrics {
	double v[NMET];
};

struct scenario {
	int id;
	const char *title;
	unsigned int backends;
	int nmet;
	const char *metric[NMET];
	const char *unit[NMET];
	int nder;
	struct derived der[NDER];
	/* Index of the key metric: < NMET measured, NMET + i derived i. */
	int key;
	enum target_kind target;
	enum backend vs;	/* T_CROSS_LE: against it; 0 means memfd */
	double limit;
	const char *target_text;
	/* Optional preparation and cleanup around the repetitions. */
	void (*setup)(struct bench *b);
	/* One repetition of every backend: out[backend][metric]. */
	void (*measure)(struct bench *b, const struct scenario *sc,
			struct metrics *out);
	void (*teardown)(struct bench *b);
	/* Samples: [backend][metric][repetition]. */
	double v[BK_NR][NMET + NDER][MAX_REPS];
	bool ran;
};

/* One stored backend: the lazymap device or a memfd of the same size. */
struct store {
	int fd;
	uint64_t size;
};

struct bench {
	const char *dev;
	const char *ko;
	int reps;
	uint64_t work;		/* bytes, scenarios 1-6 */
	uint64_t mem;		/* bytes, scenario 9 */
	unsigned int want;	/* bit per scenario id */
	const char *out;
	size_t ps;
	struct store st[BK_NR];	/* BK_LAZYMAP, BK_MEMFD, BK_TMPFS_HUGE */
	struct store big[2];	/* the same at 1 TiB, scenario 10 */
	uint32_t *perm;		/* scenario 5: page order */
	uint64_t clock_cost;	/* ns one clock read adds to an interval */
	int rep;		/* the repetition being measured */
	double ctl[MAX_REPS];	/* scenario 6: speed-up of a CPU-only loop */
	char *buf;		/* S8_CHUNK bytes for read() and populate */
	size_t pmd;		/* huge page size (scenarios 11-14) */
	char tmpfs[64];		/* where the huge tmpfs is mounted */
};

static inline bool has_backend(const struct scenario *sc, enum backend bk)
{
	return sc->backends & (1u << bk);
}

#endif /* BENCH_CORE_H */
