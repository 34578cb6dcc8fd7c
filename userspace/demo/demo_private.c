// SPDX-License-Identifier: GPL-2.0
/*
 * Section 3, MAP_PRIVATE and copy-on-write: the store's page until the
 * first write, then an anonymous copy; which copies reach the driver; and
 * how fork() shares private pages until one side writes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"
#include "demo_spawn.h"
#include "demo_trace.h"

void sec_private(void)
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
