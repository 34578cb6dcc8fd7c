// SPDX-License-Identifier: GPL-2.0
/*
 * Section 2, MAP_SHARED: a forked child and an unrelated process see and
 * write the same bytes, in the same physical page at different virtual
 * addresses, and read() sees them too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"
#include "demo_spawn.h"

void sec_shared(void)
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
