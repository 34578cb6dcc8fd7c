// SPDX-License-Identifier: GPL-2.0
/*
 * Section 6, MAP_PRIVATE in the wild: two processes running this program
 * map libc's code privately and still share its physical pages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"
#include "demo_spawn.h"

void sec_libc(void)
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
