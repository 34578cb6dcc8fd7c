// SPDX-License-Identifier: GPL-2.0
/*
 * Section 1, lazy loading: mapping allocates nothing; the first touch of a
 * page faults into the driver, which allocates it; a second process faults
 * again (page tables are per process) but allocates nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"
#include "demo_spawn.h"
#include "demo_trace.h"

void sec_lazy(void)
{
	static const size_t pages[3] = { 0, 64, 128 };
	struct lazymap_info a, b, c;
	unsigned char *vec = NULL;
	char list[64] = "", line[160];
	size_t i, npages = map_len / psz, count = 0;
	int before = -1, after = -1;
	long rss, flt = -1;
	struct proc h;
	char *base;

	out_say("Map %s%s of /dev/lazymap with mmap(MAP_SHARED) and touch\n"
		"nothing. mmap() only reserves addresses: no page should exist\n"
		"yet.", map_len == dev.size ? "all " : "the first ",
		sz(map_len));
	base = map_dev(0, map_len, RW, MAP_SHARED);
	if (!base)
		return;
	a = dev_info(&dev);
	rss = smaps_kb(0, base, "Rss");
	out_fact("pages in the store (resident_pages): %llu",
		 (unsigned long long)a.resident_pages);
	out_fact("memory of the mapping (smaps Rss):   %ld kB", rss);
	out_check(!a.resident_pages && !rss,
		  "mapping %s costs no memory until it is touched",
		  sz(map_len));

	out_say("Write one byte into each of three pages: pages 0, 64 and\n"
		"128 (at 0, %s and %s). Each first touch should fault\n"
		"into the driver, which allocates a zeroed page for it.",
		sz(pages[1] * psz), sz(pages[2] * psz));
	for (i = 0; i < 3; i++)
		/* A store the compiler cannot drop or merge: one write. */
		__atomic_store_n(base + pages[i] * psz, 'A' + i,
				 __ATOMIC_RELAXED);
	trace_show();
	b = dev_info(&dev);
	rss = smaps_kb(0, base, "Rss");
	out_fact("calls of the driver's fault handler: %llu -> %llu",
		 (unsigned long long)a.faults, (unsigned long long)b.faults);
	out_fact("memory of the mapping (smaps Rss):   %ld kB", rss);
	out_check(b.faults - a.faults == 3 && rss == (long)(3 * psz / KB),
		  "each first touch faulted into the driver once");
	out_fact("pages in the store (resident_pages): %llu -> %llu (%s)",
		 (unsigned long long)a.resident_pages,
		 (unsigned long long)b.resident_pages,
		 sz(b.resident_pages * psz));
	out_check(b.resident_pages - a.resident_pages == 3,
		  "the store allocated exactly the three touched pages");

	out_say("mincore() asks the kernel which pages of the mapping are in\n"
		"memory.");
	vec = calloc(npages, 1);
	if (vec && !mincore(base, map_len, vec)) {
		for (i = 0; i < npages; i++) {
			if (!(vec[i] & 1))
				continue;
			if (count++ < 6)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%zu",
					 count > 1 ? ", " : "", i);
		}
		out_fact("pages in memory: %s (%zu of %zu)",
			 count ? list : "none", count, npages);
	} else {
		out_fact("mincore() failed: %s", strerror(errno));
	}
	out_check(vec && count == 3 && (vec[0] & 1) && (vec[64] & 1) &&
		  (vec[128] & 1), "mincore() shows exactly the touched pages");
	free(vec);

	out_say("A second process opens the device and maps it by itself.\n"
		"Page tables belong to a process, so its mapping starts\n"
		"empty although the store holds the pages. It writes to the\n"
		"same three pages.");
	snprintf(line, sizeof(line), "%zu", map_len);
	if (proc_helper(&h, dev.path, (const char *const[]){
				"touch", line, "0", "64", "128", NULL })) {
		out_note("cannot start a second process: %s", strerror(errno));
		goto out;
	}
	if (proc_read(&h, line, sizeof(line)) < 0 ||
	    sscanf(line, "before=%d after=%d minflt=%ld", &before, &after,
		   &flt) != 3)
		out_note("the second process failed: \"%s\"", line);
	proc_end(&h);
	trace_show();
	c = dev_info(&dev);
	out_fact("its page table before / after: %d / %d of the 3 pages\n"
		 "mapped (pagemap)", before, after);
	out_fact("its page faults (getrusage): %ld", flt);
	out_fact("calls of the driver's fault handler: %llu -> %llu",
		 (unsigned long long)b.faults, (unsigned long long)c.faults);
	out_check(before == 0 && after == 3 && flt == 3 &&
		  c.faults - b.faults == 3,
		  "the second process faulted again, once per page");
	out_fact("pages in the store (resident_pages): %llu -> %llu",
		 (unsigned long long)b.resident_pages,
		 (unsigned long long)c.resident_pages);
	out_check(c.resident_pages == b.resident_pages,
		  "but the store allocated nothing: the pages were there");
out:
	munmap(base, map_len);
}
