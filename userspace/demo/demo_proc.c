// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /proc for lazymap-demo.  Everything here is what any process can
 * look up about itself or, with ptrace rights, about another; frame numbers
 * additionally need CAP_SYS_ADMIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "demo_proc.h"

#define BIT_ULL(nr)	(1ULL << (nr))
#define PM_PRESENT	BIT_ULL(63)
#define PM_FILE		BIT_ULL(61)
#define PM_EXCLUSIVE	BIT_ULL(56)
#define PM_PFN_MASK	(BIT_ULL(55) - 1)

static void proc_path(char *buf, size_t len, pid_t pid, const char *what)
{
	if (pid)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, what);
	else
		snprintf(buf, len, "/proc/self/%s", what);
}

int pm_read_many(pid_t pid, const void *addr, size_t n, struct pm_entry *e)
{
	size_t psz = sysconf(_SC_PAGESIZE), i;
	uint64_t *raw;
	char path[64];
	ssize_t got;
	int fd, ret = 0;

	memset(e, 0, n * sizeof(*e));
	raw = calloc(n, sizeof(*raw));
	if (!raw)
		return -ENOMEM;
	proc_path(path, sizeof(path), pid, "pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	/* Entry i of the file describes virtual page i. */
	got = pread(fd, raw, n * sizeof(*raw),
		    (uintptr_t)addr / psz * sizeof(*raw));
	if (got != (ssize_t)(n * sizeof(*raw)))
		ret = got < 0 ? -errno : -EIO;
	close(fd);
	for (i = 0; !ret && i < n; i++) {
		e[i].present = raw[i] & PM_PRESENT;
		e[i].file = raw[i] & PM_FILE;
		e[i].exclusive = raw[i] & PM_EXCLUSIVE;
		e[i].pfn = e[i].present ? raw[i] & PM_PFN_MASK : 0;
	}
out:
	free(raw);
	return ret;
}

int pm_read(pid_t pid, const void *addr, struct pm_entry *e)
{
	return pm_read_many(pid, addr, 1, e);
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

bool pm_frames_visible(void)
{
	struct pm_entry e;
	int here = 0;

	/* The page of the stack we are running on is surely present. */
	return !pm_read(0, &here, &e) && e.present && e.pfn;
}

long smaps_kb(pid_t pid, const void *start, const char *field)
{
	unsigned long lo, hi, want = (uintptr_t)start;
	size_t flen = strlen(field);
	char path[64], line[512];
	bool in = false;
	long kb = -1;
	FILE *f;

	proc_path(path, sizeof(path), pid, "smaps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/*
		 * A VMA's header line is "start-end perms ..." in lower-case
		 * hex; its fields follow as "Name:  value kB".  No field name
		 * parses as "hex-hex".
		 */
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			if (in)
				break;
			in = want >= lo && want < hi;
			continue;
		}
		if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
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

long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
