// SPDX-License-Identifier: GPL-2.0
/*
 * Section 7, huge pages: with the module loaded huge=always (make demo
 * does), one fault allocates and maps a whole huge page, the kernel's PMD
 * size, where sections 1-6 (which ask for single pages) take one fault per
 * page.  Under huge=never the section says how to see it and skips.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "demo_out.h"
#include "demo_sections.h"

#define CHECKS	5

/* Write one byte into each of @n pages from @p; the page faults it took. */
static long touch(char *p, size_t n)
{
	long m0;
	size_t i;

	minor_faults();		/* its own code and stack, first */
	m0 = minor_faults();
	for (i = 0; i < n; i++)
		__atomic_store_n(p + i * psz, 'H', __ATOMIC_RELAXED);
	return minor_faults() - m0;
}

static void skip_all(const char *why)
{
	int i;

	for (i = 0; i < CHECKS; i++)
		out_skip(why, "huge pages check %d", i + 1);
}

/* Whether the @n pages from @p sit in @n consecutive frames. */
static bool contiguous(const char *p, size_t n, struct pm_entry *first)
{
	struct pm_entry e;
	size_t i;

	if (pm_read(0, p, first) || !first->present)
		return false;
	for (i = 1; i < n; i++)
		if (pm_read(0, p + i * psz, &e) || !e.present ||
		    e.pfn != first->pfn + i)
			return false;
	return true;
}

void sec_huge(void)
{
	struct lazymap_info a = dev_info(&dev), b, c;
	size_t hp = a.huge_page_size, n = hp / psz;
	struct pm_entry first;
	long flt, flt4k;
	char *base;
	bool cont;

	if (!hp) {
		out_say("The module runs with huge=never: every first touch\n"
			"allocates one %s page, as above. Load it with\n"
			"huge=always (make demo does) to see one fault map a\n"
			"whole huge page.", sz(psz));
		skip_all("the module runs with huge=never");
		return;
	}
	out_say("The module runs with huge=%s: the first touch of a\n"
		"%s block, aligned in the device, can allocate one zeroed\n"
		"huge page of %s (the kernel's PMD size) that the kernel maps\n"
		"with one page-table entry. Map two blocks.",
		a.huge_mode == LAZYMAP_HUGE_ADVISE ? "advise" :
		a.huge_mode == LAZYMAP_HUGE_WITHIN_SIZE ? "within_size" :
		"always", sz(hp), sz(hp));
	base = mmap(NULL, 2 * hp, RW, MAP_SHARED, dev.fd, 0);
	if (base == MAP_FAILED) {
		out_note("mmap() of %s failed: %s", sz(2 * hp),
			 strerror(errno));
		skip_all("mmap() failed");
		return;
	}
	/* huge=advise wants it; the second block asks for single pages. */
	madvise(base, hp, MADV_HUGEPAGE);
	madvise(base + hp, hp, MADV_NOHUGEPAGE);
	out_fact("address %p: %s from a %s boundary", (void *)base,
		 sz((uintptr_t)base % hp), sz(hp));
	out_check((uintptr_t)base % hp == 0,
		  "mmap() gave an address aligned to the huge page size");

	out_say("Write one byte into each of the %zu pages of the first\n"
		"block.", n);
	flt = touch(base, n);
	b = dev_info(&dev);
	out_fact("page faults (getrusage): %ld for %zu pages", flt, n);
	out_fact("huge pages allocated (huge_faults): %llu -> %llu",
		 (unsigned long long)a.huge_faults,
		 (unsigned long long)b.huge_faults);
	out_fact("pages in the store (resident_pages): %llu -> %llu (%s)",
		 (unsigned long long)a.resident_pages,
		 (unsigned long long)b.resident_pages,
		 sz((b.resident_pages - a.resident_pages) * psz));
	out_check(flt == 1 && b.huge_faults - a.huge_faults == 1 &&
		  b.resident_pages - a.resident_pages == n,
		  "one fault allocated the whole %s block", sz(hp));
	out_fact("smaps of the mapping: Rss %ld kB, FilePmdMapped %ld kB",
		 smaps_kb(0, base, "Rss"), smaps_kb(0, base, "FilePmdMapped"));
	out_check(smaps_kb(0, base, "FilePmdMapped") == (long)(hp / KB),
		  "the kernel maps it with one PMD (FilePmdMapped)");

	if (frames) {
		cont = contiguous(base, n, &first);
		out_fact("frames: %s ... + %zu, %s", frame(&first), n - 1,
			 first.pfn % n ? "not aligned" :
			 "aligned to the huge page size");
		out_check(cont && first.pfn % n == 0,
			  "its %zu pages are consecutive, aligned frames", n);
	} else {
		out_skip(NO_FRAMES, "its pages are consecutive frames");
	}

	out_say("The second block asks for single pages (MADV_NOHUGEPAGE),\n"
		"as sections 1-6 do: the same writes there fault once a page.");
	flt4k = touch(base + hp, n);
	c = dev_info(&dev);
	out_fact("page faults: %ld for %zu pages; huge pages allocated: %llu",
		 flt4k, n,
		 (unsigned long long)(c.huge_faults - b.huge_faults));
	out_check(flt4k == (long)n && c.huge_faults == b.huge_faults,
		  "%s pages cost a fault each: %ld faults against 1", sz(psz),
		  flt4k);
	munmap(base, 2 * hp);
}
