// SPDX-License-Identifier: GPL-2.0
/*
 * Section 4, mmap() versus read(): read() copies into a page of the
 * caller, a mapping is the store's page itself; both timed over the same
 * data.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"
#include "demo_trace.h"

/* A checksum of @n words that were words @first.. of the device. */
static uint64_t sum_words(const uint64_t *w, size_t n, size_t first)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += w[i] * ((first + i) | 1);
	return s;
}

/* Sums @len bytes of the store with read(); returns ms. */
static double time_read(size_t len, uint64_t *sum)
{
	const size_t chunk = 64 * KB;
	uint64_t *buf = malloc(chunk);
	double t = now_ms();
	size_t off;

	*sum = 0;
	if (!buf)
		return 0;
	for (off = 0; off < len; off += chunk) {
		if (pread(dev.fd, buf, chunk, off) != (ssize_t)chunk) {
			*sum = 0;
			break;
		}
		*sum += sum_words(buf, chunk / 8, off / 8);
	}
	t = now_ms() - t;
	free(buf);
	return t;
}

void sec_copy(void)
{
	const size_t pg = 7;
	size_t len = map_len < 16 * MB ? map_len : 16 * MB, i;
	uint64_t *w, sum_r, sum_m, best_sum_m = 0, best_sum_r = 0;
	double tr, tm, best_r = 1e9, best_m = 1e9;
	struct pm_entry eb, es, e2;
	char *base, *buf, *m2;
	long flt, faults = 0;
	int run;

	base = map_dev(0, len, RW, MAP_SHARED);
	if (!base)
		return;
	out_say("Fill the first %s of the device with numbers through a\n"
		"MAP_SHARED mapping. Then read() page %zu into a buffer and\n"
		"ask pagemap where the buffer and the store's page are.",
		sz(len), pg);
	w = (uint64_t *)base;
	for (i = 0; i < len / 8; i++)
		w[i] = i * 0x9e3779b97f4a7c15ULL;
	trace_show();
	buf = mmap(NULL, psz, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED ||
	    pread(dev.fd, buf, psz, pg * psz) != (ssize_t)psz) {
		out_note("read() into a buffer failed: %s", strerror(errno));
		goto out;
	}
	pm_read(0, buf, &eb);
	pm_read(0, base + pg * psz, &es);
	out_fact("buffer of read(): %s", frame(&eb));
	out_fact("store's page:     %s", frame(&es));
	out_check(!memcmp(buf, base + pg * psz, psz) && eb.present &&
		  !eb.file && es.present && es.file && differ(&eb, &es),
		  "read() copied the bytes into another page");
	munmap(buf, psz);

	out_say("A second, separate mmap() of page %zu reaches the store's\n"
		"page itself.", pg);
	m2 = map_dev(pg * psz, psz, PROT_READ, MAP_SHARED);
	if (!m2)
		goto out;
	(void)__atomic_load_n(m2, __ATOMIC_RELAXED);
	pm_read(0, m2, &e2);
	munmap(m2, psz);
	out_fact("new mapping:      %s", frame(&e2));
	if (frames)
		out_check(e2.present && e2.file && e2.pfn == es.pfn,
			  "mmap() gives the store's own page: no copy");
	else
		out_skip(NO_FRAMES, "mmap() gives the store's own page:\n"
			 "no copy");

	out_say("Time both ways of reading all %s: read() in 64 kB pieces\n"
		"into a buffer, and a fresh mmap() read in place, its page\n"
		"faults included. Best of three runs each.", sz(len));
	for (run = 0; run < 3; run++) {
		tr = time_read(len, &sum_r);
		flt = minor_faults();
		tm = now_ms();
		m2 = map_dev(0, len, PROT_READ, MAP_SHARED);
		if (!m2)
			goto out;
		sum_m = sum_words((uint64_t *)m2, len / 8, 0);
		munmap(m2, len);
		tm = now_ms() - tm;
		flt = minor_faults() - flt;
		if (tr < best_r) {
			best_r = tr;
			best_sum_r = sum_r;
		}
		if (tm < best_m) {
			best_m = tm;
			best_sum_m = sum_m;
			faults = flt;
		}
	}
	out_fact("read(): %7.1f ms, %6.0f MiB/s", best_r,
		 len / (double)MB / (best_r / 1e3));
	out_fact("mmap(): %7.1f ms, %6.0f MiB/s, %ld page faults", best_m,
		 len / (double)MB / (best_m / 1e3), faults);
	out_fact("read() took %.1f times as long as mmap() here", best_r /
		 best_m);
	out_check(best_sum_r && best_sum_r == best_sum_m,
		  "both ways read the same %s (checksum %016llx)", sz(len),
		  (unsigned long long)best_sum_m);
out:
	munmap(base, len);
}
