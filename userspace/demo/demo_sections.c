// SPDX-License-Identifier: GPL-2.0
/*
 * What the sections of lazymap-demo share: the device and the helpers
 * that format their evidence.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "demo_out.h"
#include "demo_sections.h"

struct demo_dev dev;
size_t psz;
size_t map_len;
bool frames;

/* "64 MiB", "12 kB": kB as /proc prints it, binary units above. */
const char *sz(uint64_t bytes)
{
	static char bufs[4][32];
	static int next;
	char *b = bufs[next++ % 4];

	if (bytes >= GB && !(bytes % GB))
		snprintf(b, 32, "%llu GiB", (unsigned long long)(bytes / GB));
	else if (bytes >= MB && !(bytes % MB))
		snprintf(b, 32, "%llu MiB", (unsigned long long)(bytes / MB));
	else
		snprintf(b, 32, "%llu kB", (unsigned long long)(bytes / KB));
	return b;
}

const char *frame(const struct pm_entry *e)
{
	static char bufs[4][64];
	static int next;

	return pm_str(e, bufs[next++ % 4], sizeof(bufs[0]));
}

char *map_dev(size_t off, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, dev.fd, off);

	if (p == MAP_FAILED) {
		out_note("mmap() of %s of %s failed: %s", sz(len), dev.path,
			 strerror(errno));
		return NULL;
	}
	/*
	 * Sections 1-6 show single pages, whatever huge= the module runs
	 * with: MADV_NOHUGEPAGE asks for them (it fails harmlessly where the
	 * kernel has no THP).  The huge pages section maps its own.
	 */
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

/* Two different pages, as far as we can see without frame numbers. */
bool differ(const struct pm_entry *a, const struct pm_entry *b)
{
	return !frames || a->pfn != b->pfn;
}

/* Copies the string at @p, a mapping, maybe of another process's bytes. */
const char *str_at(const char *p, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && p[i]; i++)
		buf[i] = p[i];
	buf[i] = 0;
	return buf;
}
