// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap-demo: what mmap() really does, shown on /dev/lazymap.
 *
 * Seven sections, each a few claims about memory mapping.  Every claim is
 * followed by a measurement taken right then (the device's counters,
 * /proc/PID/pagemap, smaps, mincore(), errno) and a verdict, so a reader
 * sees the kernel do it instead of being told.  --tap prints the same
 * verdicts as KTAP for the selftests.
 *
 * This file runs the sections (demo_sections.h lists their files).  The
 * sections that need a second program (an unrelated process, the same
 * program twice) run this binary again with the hidden --helper option;
 * see demo_helper.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo_dev.h"
#include "demo_helper.h"
#include "demo_out.h"
#include "demo_proc.h"
#include "demo_sections.h"
#include "demo_trace.h"

/* Section 7's title names the huge page size, known once the device is. */
static char huge_title[64] = "Huge pages: one fault, one huge page";

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
	{ huge_title, 5, sec_huge },
};

#define NSECTIONS	((int)(sizeof(sections) / sizeof(*sections)))

static const char usage_text[] =
	"Usage: lazymap-demo [--section N] [--tap] [--trace]\n"
	"                    [--device PATH]\n"
	"\n"
	"Shows what mmap() really does, on /dev/lazymap: seven sections of\n"
	"claims, each followed by the measurement that backs it and a\n"
	"verdict (✓ or ✗).\n"
	"\n"
	"  1. Lazy loading                4. mmap() versus read()\n"
	"  2. MAP_SHARED                  5. What cannot be mapped\n"
	"  3. MAP_PRIVATE, copy-on-write  6. MAP_PRIVATE in the wild\n"
	"  7. Huge pages (with huge=always)\n"
	"\n"
	"  --section N    run section N only (1-7); repeat it or give a\n"
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
	if (dev_info(&dev).huge_page_size)
		snprintf(huge_title, sizeof(huge_title),
			 "Huge pages: one fault, %s",
			 sz(dev_info(&dev).huge_page_size));

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
	/* Leave no pages behind: the store's data was lost anyway. */
	dev_empty(&dev);
	return out_finish() ? 1 : 0;
}
