// SPDX-License-Identifier: GPL-2.0
/* Scenario 8 of lazymap-bench: copying 64 MiB out, read() versus a mapping. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_store.h"
#include "bench_util.h"

#define S8_SLICES	16		/* units of interleaving */
#define S8_SLICE	(S8_MIB * MIB / S8_SLICES)

void s8_setup(struct bench *b)
{
	store_populate(b, &b->st[BK_LAZYMAP], S8_MIB * MIB);
	store_populate(b, &b->st[BK_MEMFD], S8_MIB * MIB);
}

static unsigned long sum_words(const uint64_t *p, size_t n)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/* read(): copy [off, off + len) into the reused 1 MiB buffer. */
static uint64_t s8_read(struct bench *b, enum backend bk, uint64_t off,
			uint64_t len)
{
	uint64_t end = off + len, t0 = now_ns();
	ssize_t n;

	for (; off < end; off += n) {
		n = pread(b->st[bk].fd, b->buf, S8_CHUNK, off);
		if (n <= 0)
			die("pread:");
	}
	return now_ns() - t0;
}

/* Mapping: map [off, off + len), read every 64-bit word, unmap. */
static uint64_t s8_map(struct bench *b, enum backend bk, uint64_t off,
		       uint64_t len)
{
	uint64_t t0 = now_ns();
	unsigned long sum;
	char *p;

	p = map(b, bk, off, len, MAP_SHARED);
	sum = sum_words((const uint64_t *)p, len / sizeof(uint64_t));
	unmap(p, len);
	consume(sum);
	return now_ns() - t0;
}

/*
 * Both ways read every byte of the 64 MiB once; read() also writes it into
 * the buffer.  The mapping's time includes mmap(), the faults (fault-around
 * maps 16 pages a fault) and munmap().  The region goes in S8_SLICE pieces,
 * backends and the two ways interleaved.
 */
void s8_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	double t[BK_NR][2][S8_SLICES];
	enum backend bk;
	uint64_t off;
	int c, k;

	for (c = 0; c < S8_SLICES; c++) {
		off = c * S8_SLICE;
		for (k = 0; (bk = next_backend(sc, c + b->rep, &k)) < BK_NR;) {
			if ((c + b->rep) % 2) {
				t[bk][1][c] = s8_map(b, bk, off, S8_SLICE);
				t[bk][0][c] = s8_read(b, bk, off, S8_SLICE);
			} else {
				t[bk][0][c] = s8_read(b, bk, off, S8_SLICE);
				t[bk][1][c] = s8_map(b, bk, off, S8_SLICE);
			}
		}
	}
	for (k = 0; (bk = next_backend(sc, 0, &k)) < BK_NR;) {
		out[bk].v[0] = per_page(b, clean_mean(t[bk][0], S8_SLICES),
					S8_SLICE);
		out[bk].v[1] = per_page(b, clean_mean(t[bk][1], S8_SLICES),
					S8_SLICE);
	}
}
