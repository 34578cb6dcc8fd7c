// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario 9 of lazymap-bench: the kernel memory a backend takes beyond
 * its data pages, from /proc/meminfo before and after making them resident.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_scenarios.h"
#include "bench_store.h"
#include "bench_util.h"

struct meminfo {
	long long free, slab, pagetables, kstack, percpu, vmalloc;
};

/* Write @val to the file @path if it exists; errors do not matter. */
static void poke(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		note("%s: %s", path, strerror(errno));
	close(fd);
}

/*
 * Free pages on the per-CPU lists: the page allocator keeps up to a few
 * hundred pages per CPU there, outside MemFree.  Sum of the "count:" lines
 * of /proc/zoneinfo, in bytes.
 */
static long long pcp_free(size_t ps)
{
	char line[256];
	long long sum = 0, v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		die("open /proc/zoneinfo:");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &v) == 1)
			sum += v;
	fclose(f);
	return sum * (long long)ps;
}

static void meminfo_once(struct meminfo *m, size_t ps)
{
	char line[256], key[64];
	long long v;
	FILE *f;

	/* Fold the per-CPU counter deltas into the global counters. */
	poke("/proc/sys/vm/stat_refresh", "1");
	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("open /proc/meminfo:");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", key, &v) != 2)
			continue;
		v *= 1024;
		if (!strcmp(key, "MemFree"))
			m->free = v;
		else if (!strcmp(key, "Slab"))
			m->slab = v;
		else if (!strcmp(key, "PageTables"))
			m->pagetables = v;
		else if (!strcmp(key, "KernelStack"))
			m->kstack = v;
		else if (!strcmp(key, "Percpu"))
			m->percpu = v;
		else if (!strcmp(key, "VmallocUsed"))
			m->vmalloc = v;
	}
	fclose(f);
	m->free += pcp_free(ps);
}

/*
 * A snapshot once the machine has settled: work freed just before (RCU,
 * per-CPU batches) trickles back for a moment.  Empty slabs of the page
 * cache's tree nodes are given back first, so that the nodes a populate
 * needs show as new slab pages, not as reuse of free ones.
 */
static void meminfo_read(struct meminfo *m, size_t ps)
{
	struct meminfo prev;
	int i;

	poke("/sys/kernel/slab/radix_tree_node/shrink", "1");
	meminfo_once(m, ps);
	for (i = 0; i < 20; i++) {
		usleep(20000);
		prev = *m;
		meminfo_once(m, ps);
		if (llabs(m->free - prev.free) <= 16 * (long long)ps)
			break;
	}
}

/*
 * Make b->mem bytes resident and compare snapshots before and after.  For
 * lazymap and the memfd the pages are written through a mapping that is
 * gone again at the second snapshot: what remains is the store.  Anonymous
 * memory cannot exist without its mapping, so its page tables count.
 */
static void s9_one(struct bench *b, enum backend bk, double *out)
{
	struct meminfo m0, m1;
	double data = (double)b->mem;
	long long counted;
	char *p;

	if (bk != BK_ANON)
		store_discard(&b->st[bk], bk, 0, b->mem);
	meminfo_read(&m0, b->ps);
	p = map(b, bk, 0, b->mem, MAP_SHARED);
	touch_write(p, b->mem / b->ps, b->ps);
	if (bk != BK_ANON)
		unmap(p, b->mem);
	meminfo_read(&m1, b->ps);
	if (bk == BK_ANON)
		unmap(p, b->mem);
	else
		store_discard(&b->st[bk], bk, 0, b->mem);

	counted = (m1.slab - m0.slab) + (m1.pagetables - m0.pagetables) +
		  (m1.kstack - m0.kstack) + (m1.percpu - m0.percpu) +
		  (m1.vmalloc - m0.vmalloc);
	out[0] = ((double)(m0.free - m1.free) - data) / data * 100;
	out[1] = (double)counted / data * 100;
}

/*
 * out[bk].v[0]: memory gone from the free lists beyond the data; out[bk].v[1]:
 * growth of the kernel's own counters (slab, page tables, stacks, per-CPU,
 * vmalloc); both in percent of the data.
 */
void s9_measure(struct bench *b, const struct scenario *sc,
		struct metrics *out)
{
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		s9_one(b, bk, out[bk].v);
}
