/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc says about a process's memory: the page table entry behind an
 * address (pagemap), the counters of one mapping (smaps) and the process's
 * own page-fault count, from userspace/common/, which the selftests read
 * too; here the mappings of a file (maps) and the evidence line of a
 * pagemap entry.
 */
#ifndef DEMO_PROC_H
#define DEMO_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counters.h"
#include "pagemap.h"
#include "smaps.h"

/* "frame 0x1a2b3 (file page)" and the like, for the evidence lines. */
const char *pm_str(const struct pm_entry *e, char *buf, size_t len);

/* One line of /proc/PID/maps. */
struct map_line {
	unsigned long start, end, offset;
	char perms[8];		/* "r-xp": the 'p' means MAP_PRIVATE */
	char path[256];
};

/* The first mapping with @perms whose path contains @needle; 0 or -1. */
int maps_find(pid_t pid, const char *needle, const char *perms,
	      struct map_line *m);
/* The mapping containing @addr; 0 or -1. */
int maps_at(pid_t pid, unsigned long addr, struct map_line *m);

/* Monotonic time in milliseconds. */
double now_ms(void);

#endif /* DEMO_PROC_H */
