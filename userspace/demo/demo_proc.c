// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /proc for lazymap-demo, beyond what userspace/common/ reads:
 * /proc/PID/maps, which any process can read about itself or, with ptrace
 * rights, about another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo_proc.h"

static void proc_path(char *buf, size_t len, pid_t pid, const char *what)
{
	if (pid)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
	else
		snprintf(buf, len, "/proc/self/%s", what);
}

const char *pm_str(const struct pm_entry *e, char *buf, size_t len)
{
	const char *kind = e->file ? "page cache page" : "anonymous page";

	if (!e->present)
		snprintf(buf, len, "nothing mapped");
	else if (e->pfn)
		snprintf(buf, len, "frame 0x%llx, %s",
			 (unsigned long long)e->pfn, kind);
	else
		snprintf(buf, len, "frame hidden, %s", kind);
	return buf;
}

static int parse_map(const char *line, struct map_line *m)
{
	int pos = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &m->start, &m->end,
		   m->perms, &m->offset, &pos) < 4)
		return -1;
	if (pos) {
		snprintf(m->path, sizeof(m->path), "%s", line + pos);
		m->path[strcspn(m->path, "\n")] = 0;
	}
	return 0;
}

static int maps_scan(pid_t pid, const char *needle, const char *perms,
		     unsigned long addr, struct map_line *m)
{
	char path[64], line[512];
	int ret = -1;
	FILE *f;

	proc_path(path, sizeof(path), pid, "maps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		if (parse_map(line, m))
			continue;
		if (needle && strstr(m->path, needle) &&
		    !strcmp(m->perms, perms))
			ret = 0;
		if (!needle && addr >= m->start && addr < m->end)
			ret = 0;
	}
	fclose(f);
	return ret;
}

int maps_find(pid_t pid, const char *needle, const char *perms,
	      struct map_line *m)
{
	return maps_scan(pid, needle, perms, 0, m);
}

int maps_at(pid_t pid, unsigned long addr, struct map_line *m)
{
	return maps_scan(pid, NULL, NULL, addr, m);
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
