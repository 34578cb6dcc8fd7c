// SPDX-License-Identifier: GPL-2.0
/* Reading one mapping's counters from /proc/PID/smaps. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

int smaps_field_kb(pid_t pid, const void *addr, const char *field,
		   uint64_t *kb)
{
	unsigned long lo, hi, want = (uintptr_t)addr;
	size_t flen = strlen(field);
	char path[64], line[512];
	int ret = -ENOENT;
	bool in = false;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/*
		 * A mapping's header line is "start-end perms ..." in
		 * lower-case hex; its fields follow as "Name:  value kB".  No
		 * field name parses as "hex-hex".
		 */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = want >= lo && want < hi;
			continue;
		}
		if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			*kb = strtoull(line + flen + 1, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

long smaps_kb(pid_t pid, const void *addr, const char *field)
{
	uint64_t kb;

	return smaps_field_kb(pid, addr, field, &kb) ? -1 : (long)kb;
}
