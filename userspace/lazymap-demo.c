// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap-demo: what mmap() really does, shown on /dev/lazymap.
 *
 * Six sections, each a few claims about memory mapping.  Every claim is
 * followed by a measurement taken right then (the device's counters,
 * /proc/PID/pagemap, smaps, mincore(), errno) and a verdict, so a reader
 * sees the kernel do it instead of being told.  --tap prints the same
 * verdicts as KTAP for the selftests.
 *
 * The helpers that need a second program (an unrelated process, the same
 * program twice) run this binary again with the hidden --helper option;
 * see demo_helper.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo_dev.h"
#include "demo_helper.h"
#include "demo_out.h"
#include "demo_proc.h"
#include "demo_spawn.h"
#include "demo_trace.h"

#define KB		1024ULL
#define MB		(1024 * KB)
#define GB		(1024 * MB)
#define RW		(PROT_READ | PROT_WRITE)
#define NO_FRAMES	"frame numbers need root"

static struct demo_dev dev;
static size_t psz;		/* bytes per page */
static size_t map_len;		/* what the sections map as "the device" */
static bool frames;		/* pagemap shows us frame numbers */

/* "64 MiB", "12 kB": kB as /proc prints it, binary units above. */
static const char *sz(uint64_t bytes)
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

static const char *frame(const struct pm_entry *e)
{
	static char bufs[4][64];
	static int next;

	return pm_str(e, bufs[next++ % 4], sizeof(bufs[0]));
}

static char *map_dev(size_t off, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, dev.fd, off);

	if (p == MAP_FAILED) {
		out_note("mmap() of %s of %s failed: %s", sz(len), dev.path,
			 strerror(errno));
		return NULL;
	}
	return p;
}

/* Two different pages, as far as we can see without frame numbers. */
static bool differ(const struct pm_entry *a, const struct pm_entry *b)
{
	return !frames || a->pfn != b->pfn;
}

/* Copies the string at @p, a mapping, maybe of another process's bytes. */
static const char *str_at(const char *p, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && p[i]; i++)
		buf[i] = p[i];
	buf[i] = 0;
	return buf;
}

/* ----------------------------------------------------------------------- */

static void sec_lazy(void)
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

	out_say("Map %s of /dev/lazymap with mmap(MAP_SHARED) and touch\n"
		"nothing.", map_len == dev.size ? "all" : sz(map_len));
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
		"128 (at 0, 256 kB and 512 kB).");
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

/* ----------------------------------------------------------------------- */

static void sec_shared(void)
{
	const size_t pg = 32;
	char want[3][64], got[3][64], line[160], *page, *base;
	struct pm_entry ep, ec, eo;
	struct proc child, other;
	void *other_addr = NULL;
	int other_pid = 0;
	char pgstr[24];
	bool ok;

	base = map_dev(0, map_len, RW, MAP_SHARED);
	if (!base)
		return;
	page = base + pg * psz;
	snprintf(want[0], 64, "parent %d was here", getpid());
	out_say("This process maps the device MAP_SHARED and writes \"%s\"\n"
		"into page %zu. Then it forks: the child inherits the mapping,\n"
		"reads the page and writes a line of its own 64 bytes further.",
		want[0], pg);
	strcpy(page, want[0]);
	if (proc_fork(&child) < 0) {
		out_note("fork() failed: %s", strerror(errno));
		goto out;
	}
	if (!child.pid) {
		str_at(page, line, sizeof(line));
		snprintf(page + 64, 64, "child %d was here", getpid());
		proc_send(&child, "%s", line);
		proc_wait_eof(&child);
		_exit(0);
	}
	snprintf(want[1], 64, "child %d was here", child.pid);
	proc_read(&child, got[0], sizeof(got[0]));
	str_at(page + 64, got[1], sizeof(got[1]));
	out_fact("the child read:    \"%s\"", got[0]);
	out_fact("the parent reads:  \"%s\"", got[1]);
	out_check(!strcmp(got[0], want[0]) && !strcmp(got[1], want[1]),
		  "a forked child shares the mapping: each sees the other's\n"
		  "bytes");

	out_say("Now an unrelated process: this demo runs again as a separate\n"
		"program, which inherits no mapping. It opens /dev/lazymap\n"
		"and maps only page %zu, reads both lines and writes a third.",
		pg);
	snprintf(pgstr, sizeof(pgstr), "%zu", pg);
	if (proc_helper(&other, dev.path,
			(const char *const[]){ "shared", pgstr, NULL })) {
		out_note("cannot start the other process: %s", strerror(errno));
		proc_end(&child);
		goto out;
	}
	got[0][0] = 0;
	got[1][0] = 0;
	if (proc_read(&other, line, sizeof(line)) < 0 ||
	    sscanf(line, "pid=%d addr=%p", &other_pid, &other_addr) != 2)
		out_note("the other process failed: \"%s\"", line);
	proc_read(&other, got[0], sizeof(got[0]));
	proc_read(&other, got[1], sizeof(got[1]));
	snprintf(want[2], 64, "process %d was here", other_pid);
	str_at(page + 128, got[2], sizeof(got[2]));
	out_fact("it read:           \"%s\"", got[0]);
	out_fact("              and  \"%s\"", got[1]);
	out_fact("the parent reads:  \"%s\"", got[2]);
	out_check(!strcmp(got[0], want[0]) && !strcmp(got[1], want[1]) &&
		  !strcmp(got[2], want[2]),
		  "its own open() and mmap() reach the same bytes");

	out_say("/proc/PID/pagemap tells which physical page frame backs a\n"
		"virtual address in each process:");
	pm_read(0, page, &ep);
	pm_read(child.pid, page, &ec);
	pm_read(other.pid, other_addr, &eo);
	out_fact("parent %-6d at %14p: %s", getpid(), page, frame(&ep));
	out_fact("child  %-6d at %14p: %s", child.pid, page, frame(&ec));
	out_fact("other  %-6d at %14p: %s", other.pid, other_addr,
		 frame(&eo));
	ok = ep.present && ep.file && ep.pfn == ec.pfn && ep.pfn == eo.pfn &&
		(void *)page != other_addr;
	if (frames)
		out_check(ok, "one physical page, at different virtual\n"
			  "addresses");
	else
		out_skip(NO_FRAMES, "one physical page, at different virtual\n"
			 "addresses");
	proc_end(&child);
	proc_end(&other);

	out_say("Finally read() the same page through the file descriptor,\n"
		"with no mapping at all.");
	memset(line, 0, sizeof(line));
	if (pread(dev.fd, line, sizeof(line) - 1, pg * psz) < 0)
		out_note("read() failed: %s", strerror(errno));
	out_fact("at +0:   \"%s\"", line);
	out_fact("at +64:  \"%s\"", line + 64);
	out_fact("at +128: \"%s\"", line + 128);
	out_check(!strcmp(line, want[0]) && !strcmp(line + 64, want[1]) &&
		  !strcmp(line + 128, want[2]),
		  "read() returns what the three processes wrote");
out:
	munmap(base, map_len);
}

/* ----------------------------------------------------------------------- */

static void sec_private(void)
{
	const size_t pa = 48, pb = 96;
	struct lazymap_info i0, i1;
	struct pm_entry es, e0, e1, p1, c1, p2, c2;
	long anon0, anon1, dirty0, dirty1;
	char *shared, *priv, *ps, *pp;
	char buf[64], got[64];
	struct proc child;
	bool zero = true;
	size_t i;

	shared = map_dev(0, map_len, RW, MAP_SHARED);
	priv = map_dev(0, map_len, RW, MAP_PRIVATE);
	if (!shared || !priv)
		goto out;
	ps = shared + pa * psz;
	pp = priv + pa * psz;

	out_say("Map the device twice, once MAP_SHARED and once MAP_PRIVATE.\n"
		"Write \"store v1\" into page %zu through the shared mapping,\n"
		"then read that page through the private one.", pa);
	strcpy(ps, "store v1");
	str_at(pp, got, sizeof(got));
	trace_show();
	pm_read(0, ps, &es);
	pm_read(0, pp, &e0);
	out_fact("the private mapping reads \"%s\"", got);
	out_fact("shared:  %s", frame(&es));
	out_fact("private: %s", frame(&e0));
	out_check(!strcmp(got, "store v1") && e0.present && e0.file &&
		  e0.pfn == es.pfn,
		  "before writing, the private mapping uses the store's page");

	out_say("Someone else changes the page: pwrite() \"store v2\" on the\n"
		"file descriptor.");
	if (pwrite(dev.fd, "store v2", 9, pa * psz) != 9)
		out_note("write() failed: %s", strerror(errno));
	str_at(pp, got, sizeof(got));
	out_fact("the private mapping reads \"%s\"", got);
	out_check(!strcmp(got, "store v2"),
		  "until it writes, it sees the others' writes");

	out_say("Now write \"private copy\" through the private mapping,\n"
		"which has the page mapped read-only: copy-on-write.");
	i0 = dev_info(&dev);
	anon0 = smaps_kb(0, priv, "Anonymous");
	dirty0 = smaps_kb(0, priv, "Private_Dirty");
	strcpy(pp, "private copy");
	i1 = dev_info(&dev);
	anon1 = smaps_kb(0, priv, "Anonymous");
	dirty1 = smaps_kb(0, priv, "Private_Dirty");
	pm_read(0, pp, &e1);
	trace_show();
	out_fact("before: %s", frame(&e0));
	out_fact("after:  %s", frame(&e1));
	out_fact("smaps Anonymous: %ld -> %ld kB, Private_Dirty: %ld -> %ld kB",
		 anon0, anon1, dirty0, dirty1);
	out_check(e1.present && !e1.file && differ(&e1, &e0) &&
		  anon1 - anon0 == (long)(psz / KB) &&
		  dirty1 - dirty0 == (long)(psz / KB),
		  "the first write gave the private mapping a new anonymous\n"
		  "page");
	memset(buf, 0, sizeof(buf));
	if (pread(dev.fd, buf, sizeof(buf) - 1, pa * psz) < 0)
		out_note("read() failed: %s", strerror(errno));
	str_at(ps, got, sizeof(got));
	out_fact("the store (read()) holds \"%s\", the shared mapping \"%s\"",
		 buf, got);
	out_check(!strcmp(buf, "store v2") && !strcmp(got, "store v2"),
		  "the store and the shared mapping did not change");
	out_fact("calls of the fault handler: +%llu, of them copy-on-write\n"
		 "(cow_faults): +%llu",
		 (unsigned long long)(i1.faults - i0.faults),
		 (unsigned long long)(i1.cow_faults - i0.cow_faults));
	out_check(i1.faults == i0.faults && i1.cow_faults == i0.cow_faults,
		  "the kernel copied a page it had mapped without asking the\n"
		  "driver");

	out_say("Write to page %zu of the private mapping, which nobody has\n"
		"touched. There is no page to copy from yet, so the kernel\n"
		"asks the driver's fault handler for it, then copies it.", pb);
	i0 = dev_info(&dev);
	priv[pb * psz] = 'X';
	i1 = dev_info(&dev);
	trace_show();
	memset(buf, 0, sizeof(buf));
	if (pread(dev.fd, buf, sizeof(buf), pb * psz) < 0)
		out_note("read() failed: %s", strerror(errno));
	for (i = 0; i < sizeof(buf); i++)
		zero &= !buf[i];
	out_fact("fault handler calls: +%llu, cow_faults: +%llu",
		 (unsigned long long)(i1.faults - i0.faults),
		 (unsigned long long)(i1.cow_faults - i0.cow_faults));
	out_fact("pages in the store: +%llu (the zeroed page copied from)",
		 (unsigned long long)(i1.resident_pages - i0.resident_pages));
	out_fact("the store's page reads %s; the private mapping reads '%c'",
		 zero ? "zeros" : "NOT zeros", priv[pb * psz]);
	out_check(i1.faults - i0.faults == 1 &&
		  i1.cow_faults - i0.cow_faults == 1 &&
		  i1.resident_pages - i0.resident_pages == 1 && zero &&
		  priv[pb * psz] == 'X',
		  "a first write to an untouched page reaches the driver as a\n"
		  "copy-on-write fault");

	out_say("Last, fork(). Parent and child both map the private page\n"
		"holding \"private copy\": the kernel shares it, write-protected,\n"
		"until one of them writes.");
	if (proc_fork(&child) < 0) {
		out_note("fork() failed: %s", strerror(errno));
		goto out;
	}
	if (!child.pid) {
		proc_send(&child, "%s", str_at(pp, got, sizeof(got)));
		proc_read(&child, got, sizeof(got));
		strcpy(pp, "child's copy");
		proc_send(&child, "%s", str_at(pp, got, sizeof(got)));
		proc_wait_eof(&child);
		_exit(0);
	}
	proc_read(&child, got, sizeof(got));
	pm_read(0, pp, &p1);
	pm_read(child.pid, pp, &c1);
	out_fact("the child reads \"%s\"", got);
	out_fact("parent: %s%s", frame(&p1), p1.exclusive ? "" : ", shared");
	out_fact("child:  %s%s", frame(&c1), c1.exclusive ? "" : ", shared");
	out_check(!strcmp(got, "private copy") && p1.present && c1.present &&
		  !p1.exclusive && !c1.exclusive && p1.pfn == c1.pfn,
		  "after fork() parent and child share the private page");

	out_say("The child writes \"child's copy\" into it.");
	proc_send(&child, "write");
	proc_read(&child, got, sizeof(got));
	pm_read(0, pp, &p2);
	pm_read(child.pid, pp, &c2);
	proc_end(&child);
	str_at(pp, buf, sizeof(buf));
	out_fact("the child reads \"%s\", the parent \"%s\"", got, buf);
	out_fact("parent: %s%s", frame(&p2), p2.exclusive ? "" : ", shared");
	out_fact("child:  %s%s", frame(&c2), c2.exclusive ? "" : ", shared");
	out_check(!strcmp(got, "child's copy") &&
		  !strcmp(buf, "private copy") && p2.exclusive &&
		  c2.exclusive && p2.pfn == p1.pfn && differ(&c2, &p2),
		  "the child's write gave it a copy of its own; the parent's\n"
		  "page did not change");
out:
	if (shared)
		munmap(shared, map_len);
	if (priv)
		munmap(priv, map_len);
}

/* ----------------------------------------------------------------------- */

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

static void sec_copy(void)
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

/* ----------------------------------------------------------------------- */

static const char *errno_name(int err)
{
	switch (err) {
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	case ENXIO: return "ENXIO";
	case ESPIPE: return "ESPIPE";
	case EBADF: return "EBADF";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "errno";
	}
}

/*
 * A terminal to try, opened for reading and writing (a write-only one
 * would fail mmap(PROT_READ) with EACCES for that reason alone): the
 * controlling terminal, else the one our standard streams are on (the
 * serial console in the VM), else a new pseudo-terminal.  O_NOCTTY:
 * opening it must not make it ours.
 */
static int open_terminal(char *name, size_t len)
{
	const int flags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	const char *tty = "/dev/tty";
	int fd, i;

	for (i = -1; i < 3; i++) {
		if (i >= 0)
			tty = isatty(i) ? ttyname(i) : NULL;
		if (!tty)
			continue;
		fd = open(tty, flags);
		if (fd >= 0) {
			snprintf(name, len, "the terminal %s", tty);
			return fd;
		}
	}
	fd = posix_openpt(flags);
	if (fd >= 0) {
		snprintf(name, len, "a pseudo-terminal (/dev/ptmx)");
		return fd;
	}
	snprintf(name, len, "a terminal");
	return -1;
}

static void try_map(const char *what, int fd)
{
	void *p;
	int err;

	if (fd < 0) {
		out_fact("could not get %s to try: %s", what, strerror(errno));
		out_check(false, "mmap() of %s fails", what);
		return;
	}
	p = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, 0);
	err = errno;
	if (p != MAP_FAILED) {
		out_fact("mmap() of %s returned %p", what, p);
		munmap(p, psz);
	} else {
		out_fact("mmap() of %s: -1, errno %d %s (%s)", what, err,
			 errno_name(err), strerror(err));
	}
	out_check(p == MAP_FAILED, "mmap() of %s fails", what);
}

static void sec_nomap(void)
{
	char name[96];
	int fds[2], fd;

	out_say("mmap() needs pages that stay at an offset, as a file's or\n"
		"this device's do. A pipe, a socket and a terminal are streams:\n"
		"bytes pass through once and are gone, so there is nothing to\n"
		"map. Their drivers have no mmap, and the kernel refuses.");
	if (pipe2(fds, O_CLOEXEC)) {
		try_map("a pipe", -1);
	} else {
		try_map("a pipe", fds[0]);
		close(fds[0]);
		close(fds[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)) {
		try_map("a socket", -1);
	} else {
		try_map("a socket (AF_UNIX)", fds[0]);
		close(fds[0]);
		close(fds[1]);
	}
	fd = open_terminal(name, sizeof(name));
	try_map(name, fd);
	if (fd >= 0)
		close(fd);
}

/* ----------------------------------------------------------------------- */

static void sec_libc(void)
{
	size_t n, i, both = 0, same = 0, file = 0, excl = 0;
	struct pm_entry *a = NULL, *b = NULL;
	struct map_line me, him;
	char line[128];
	struct proc h;

	out_say("This demo is a dynamically linked program: the dynamic\n"
		"loader mapped the C library's code into it with\n"
		"mmap(MAP_PRIVATE), as into every such program. Start a\n"
		"second copy of the demo and compare the two.");
	if (maps_find(0, "libc", "r-xp", &me)) {
		out_note("no libc code in /proc/self/maps: is this demo\n"
			 "linked statically?");
		return;
	}
	if (proc_helper(&h, dev.path, (const char *const[]){ "libc", NULL })) {
		out_note("cannot start a second copy: %s", strerror(errno));
		return;
	}
	if (proc_read(&h, line, sizeof(line)) < 0 ||
	    maps_find(h.pid, "libc", "r-xp", &him)) {
		out_note("the second copy failed: \"%s\"", line);
		goto out;
	}
	out_fact("%-6d %lx-%lx %s %s", getpid(), me.start, me.end, me.perms,
		 me.path);
	out_fact("%-6d %lx-%lx %s %s", h.pid, him.start, him.end, him.perms,
		 him.path);
	out_check(me.perms[3] == 'p' && him.perms[3] == 'p' &&
		  !strcmp(me.path, him.path) && me.offset == him.offset,
		  "both map libc's code private ('p' in /proc/PID/maps)");

	out_say("pagemap compares the two mappings page by page.");
	n = (me.end - me.start) / psz;
	if ((him.end - him.start) / psz < n)
		n = (him.end - him.start) / psz;
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	if (!a || !b || pm_read_many(0, (void *)me.start, n, a) ||
	    pm_read_many(h.pid, (void *)him.start, n, b)) {
		out_note("cannot read pagemap: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!a[i].present || !b[i].present)
			continue;
		both++;
		same += a[i].pfn == b[i].pfn;
		file += a[i].file && b[i].file;
		excl += a[i].exclusive || b[i].exclusive;
	}
	out_fact("libc code pages mapped in both: %zu of %zu", both, n);
	if (frames)
		out_fact("of them in the same physical frame: %zu", same);
	else
		out_fact("of them in the same physical frame: (hidden)");
	if (frames)
		out_check(both && same == both,
			  "the same physical frames hold libc's code in both");
	else
		out_skip(NO_FRAMES, "the same physical frames hold libc's\n"
			 "code in both");
	out_fact("page cache pages: %zu, mapped by one process only: %zu",
		 file, excl);
	out_check(both && file == both && !excl,
		  "private, yet not copied: until written they are the page\n"
		  "cache's pages, shared");
out:
	free(a);
	free(b);
	proc_end(&h);
}

/* ----------------------------------------------------------------------- */

static const struct section {
	const char *title;
	int checks;		/* verdicts it gives, for the KTAP plan */
	void (*run)(void);
} sections[] = {
	{ "Lazy loading: a page exists once it is touched", 6, sec_lazy },
	{ "MAP_SHARED: one page for every process", 4, sec_shared },
	{ "MAP_PRIVATE and copy-on-write", 8, sec_private },
	{ "mmap() versus read()", 3, sec_copy },
	{ "What cannot be mapped", 3, sec_nomap },
	{ "MAP_PRIVATE in the wild: shared libraries", 3, sec_libc },
};

#define NSECTIONS	((int)(sizeof(sections) / sizeof(*sections)))

static const char usage_text[] =
	"Usage: lazymap-demo [--section N] [--tap] [--trace]\n"
	"                    [--device PATH]\n"
	"\n"
	"Shows what mmap() really does, on /dev/lazymap: six sections of\n"
	"claims, each followed by the measurement that backs it and a\n"
	"verdict (✓ or ✗).\n"
	"\n"
	"  1. Lazy loading                4. mmap() versus read()\n"
	"  2. MAP_SHARED                  5. What cannot be mapped\n"
	"  3. MAP_PRIVATE, copy-on-write  6. MAP_PRIVATE in the wild\n"
	"\n"
	"  --section N    run section N only (1-6); repeat it or give a\n"
	"                 list (1,3) for several\n"
	"  --tap          print the checks as KTAP, for test runners\n"
	"  --trace        show the module's lazymap:* trace events\n"
	"  --device PATH  use PATH instead of /dev/lazymap\n"
	"  --help         this text\n"
	"\n"
	"It needs the lazymap module loaded, and root: the kernel shows\n"
	"physical frame numbers in /proc/PID/pagemap only to processes\n"
	"with CAP_SYS_ADMIN; without them the checks that compare frames\n"
	"are skipped.  Each section empties the device first\n"
	"(LAZYMAP_IOC_DISCARD): its data is lost.\n"
	"\n"
	"Exit status: 0 if no check failed (skipped ones do not count),\n"
	"1 if one failed, 2 if the demo could not run.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int parse_sections(const char *arg, unsigned int *mask)
{
	char *end;
	long n;

	do {
		n = strtol(arg, &end, 10);
		if (end == arg || n < 1 || n > NSECTIONS ||
		    (*end && *end != ','))
			return -1;
		*mask |= 1U << (n - 1);
		arg = end + 1;
	} while (*end);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "section", required_argument, NULL, 's' },
		{ "tap", no_argument, NULL, 't' },
		{ "trace", no_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "helper", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = DEMO_DEV_PATH;
	bool tap = false, trace = false;
	unsigned int mask = 0;
	int c, i, planned = 0;
	char why[512];

	/* "+": stop at the first non-option, the helper's arguments. */
	while ((c = getopt_long(argc, argv, "+s:th", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_sections(optarg, &mask)) {
				fprintf(stderr, "lazymap-demo: no section %s\n"
					"(1-%d)\n", optarg, NSECTIONS);
				return 2;
			}
			break;
		case 't':
			tap = true;
			break;
		case 'T':
			trace = true;
			break;
		case 'd':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'H':
			return helper_main(path, argc - optind, argv + optind);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!mask)
		mask = (1U << NSECTIONS) - 1;
	/* A helper that died must not kill the demo when it writes to it. */
	signal(SIGPIPE, SIG_IGN);

	out_init(tap ? OUT_TAP : OUT_TEXT,
		 isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	for (i = 0; i < NSECTIONS; i++)
		if (mask & (1U << i))
			planned += sections[i].checks;
	out_plan(planned);
	if (dev_open(&dev, path, why, sizeof(why))) {
		out_bail("%s", why);
		return 2;
	}
	psz = dev.page;
	/* Mapping 1 TiB works, but its mincore() vector would not be small. */
	map_len = dev.size < GB ? dev.size : GB;
	if (map_len < 1 * MB) {
		out_bail("%s has %s; the demo needs at least 1 MiB", path,
			 sz(dev.size));
		return 2;
	}
	frames = pm_frames_visible();

	if (tap)
		out_say("lazymap-demo on %s: %s, %s pages", path, sz(dev.size),
			sz(psz));
	else
		printf("lazymap-demo: what mmap() really does, shown on %s\n",
		       path);
	out_say("%s holds %s in %s pages, each allocated on its first touch.\n"
		"Every section starts by emptying it (LAZYMAP_IOC_DISCARD), so\n"
		"its counts start from zero.", path, sz(dev.size), sz(psz));
	if (!frames)
		out_note("not running as root: the kernel hides physical\n"
			 "frame numbers in /proc/PID/pagemap from processes\n"
			 "without CAP_SYS_ADMIN. The checks that compare frames\n"
			 "are skipped; run the demo as root to see them.");
	if (trace)
		trace_start();

	for (i = 0; i < NSECTIONS; i++) {
		int err;

		if (!(mask & (1U << i)))
			continue;
		out_section(i + 1, sections[i].title, sections[i].checks);
		err = dev_empty(&dev);
		if (err)
			out_note("cannot empty the store (%s): counts may not\n"
				 "start from zero", strerror(-err));
		trace_flush();
		sections[i].run();
		out_section_end();
	}
	trace_stop();
	return out_finish() ? 1 : 0;
}
