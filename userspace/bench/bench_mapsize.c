// SPDX-License-Identifier: GPL-2.0
/* Scenario 7 of lazymap-bench: mmap + munmap, 1 MiB versus 1 TiB. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <sys/mman.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_module.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_store.h"
#include "bench_util.h"

#define S7_BLOCKS	100	/* timed batches per measurement */
#define S7_ITERS	2	/* mmap+munmap pairs per timed batch */

/* One mapping to time: @len bytes of @fd (-1: anonymous memory). */
struct s7_map {
	int fd;
	uint64_t len;
	double *out;
};

/*
 * ns per mmap+munmap pair of each of @n mappings, timed in S7_BLOCKS
 * batches of S7_ITERS pairs, one mapping after the other.  Not interleaved
 * batch by batch: the munmap() of a 1 TiB mapping makes the next mapping
 * of 1 MiB slower, which would blur the comparison of the two sizes.
 */
static void s7_time(struct bench *b, struct s7_map *m, int n)
{
	double t[3][S7_BLOCKS];
	uint64_t t0;
	void *p;
	int i, j, k;

	for (k = 0; k < n; k++) {
		for (j = 0; j < S7_BLOCKS; j++) {
			t0 = now_ns();
			for (i = 0; i < S7_ITERS; i++) {
				p = m[k].fd < 0 ?
				    mmap(NULL, m[k].len, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_NORESERVE, -1, 0) :
				    mmap(NULL, m[k].len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, m[k].fd, 0);
				if (p == MAP_FAILED)
					die("mmap(%" PRIu64 " bytes):",
					    m[k].len);
				if (munmap(p, m[k].len))
					die("munmap:");
			}
			t[k][j] = (double)(now_ns() - t0 - b->clock_cost) /
				  S7_ITERS;
		}
	}
	for (k = 0; k < n; k++)
		*m[k].out = clean_mean(t[k], S7_BLOCKS);
}

/*
 * lazymap: the module holds one size at a time, so the 1 MiB device and
 * the 1 TiB device are measured after a reload each, in alternating order.
 * On the 1 TiB device, mapping only 1 MiB of it tells the device size
 * (which lazymap's mmap() must not depend on) from the mapping size (the
 * kernel's munmap() walks the page table levels the mapping spans, about
 * one entry per GiB).
 */
static void s7_lazymap(struct bench *b, double *out)
{
	struct store s = { .fd = -1 };
	int j;

	for (j = 0; j < 2; j++) {
		if ((j + b->rep) % 2) {
			module_ensure(b, SIZE_MB_1TIB);
			store_open_lazymap(b, &s);
			s7_time(b, (struct s7_map[]){
				{ s.fd, MIB, &out[2] },
				{ s.fd, TIB, &out[1] } }, 2);
		} else {
			module_ensure(b, 1);
			store_open_lazymap(b, &s);
			s7_time(b, &(struct s7_map){ s.fd, MIB, &out[0] }, 1);
		}
		store_close(&s);
	}
}

static void s7_memfd(struct bench *b, double *out)
{
	struct store small, big;

	store_open_memfd(&small, MIB);
	store_open_memfd(&big, TIB);
	s7_time(b, (struct s7_map[]){
		{ small.fd, MIB, &out[0] },
		{ big.fd, MIB, &out[2] },
		{ big.fd, TIB, &out[1] } }, 3);
	store_close(&small);
	store_close(&big);
}

/* Anonymous memory has no device: only the mapping size varies. */
static void s7_anon(struct bench *b, double *out)
{
	s7_time(b, (struct s7_map[]){
		{ -1, MIB, &out[0] },
		{ -1, TIB, &out[1] } }, 2);
	out[2] = NAN;
}

void s7_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;) {
		if (bk == BK_LAZYMAP)
			s7_lazymap(b, out[bk].v);
		else if (bk == BK_MEMFD)
			s7_memfd(b, out[bk].v);
		else
			s7_anon(b, out[bk].v);
	}
}
