/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc says about a process's memory: the page table entry behind an
 * address (pagemap), the counters of one mapping (smaps), the mappings of
 * a file (maps) and the process's own page-fault count.
 */
#ifndef DEMO_PROC_H
#define DEMO_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One /proc/PID/pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
struct pm_entry {
	bool present;		/* bit 63: a page is mapped here */
	bool file;		/* bit 61: a page cache (file) page */
	bool exclusive;		/* bit 56: mapped by this process only */
	uint64_t pfn;		/* bits 0-54: 0 unless CAP_SYS_ADMIN */
};

/* Reads the entry for @addr in process @pid (0: this one); 0 or -errno. */
int pm_read(pid_t pid, const void *addr, struct pm_entry *e);
/* The same for @n consecutive pages from @addr. */
int pm_read_many(pid_t pid, const void *addr, size_t n, struct pm_entry *e);
/* "frame 0x1a2b3 (file page)" and the like, for the evidence lines. */
const char *pm_str(const struct pm_entry *e, char *buf, size_t len);

/*
 * Whether pagemap shows frame numbers to us: the kernel zeroes them for
 * processes without CAP_SYS_ADMIN.
 */
bool pm_frames_visible(void);

/* The value in kB of @field ("Rss", "Anonymous") of the VMA at @start. */
long smaps_kb(pid_t pid, const void *start, const char *field);

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

/* Page faults this process took that needed no I/O (getrusage). */
long minor_faults(void);
/* Monotonic time in milliseconds. */
double now_ms(void);

#endif /* DEMO_PROC_H */
