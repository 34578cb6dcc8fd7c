/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/PID/smaps: the counters of one mapping. */
#ifndef LM_SMAPS_H
#define LM_SMAPS_H

#include <stdint.h>
#include <sys/types.h>

/*
 * The value in kB of @field ("Rss", "Private_Dirty") of the mapping of
 * process @pid (0: this one) that holds @addr.  0, -ENOENT without such a
 * mapping or field, or -errno.
 */
int smaps_field_kb(pid_t pid, const void *addr, const char *field,
		   uint64_t *kb);

/* The same as a number, or -1 if it cannot be read. */
long smaps_kb(pid_t pid, const void *addr, const char *field);

#endif /* LM_SMAPS_H */
