/* SPDX-License-Identifier: GPL-2.0 */
/* The page-fault counters of this process. */
#ifndef LM_COUNTERS_H
#define LM_COUNTERS_H

/*
 * Page faults this process took that needed no I/O (getrusage ru_minflt),
 * or -1 if they cannot be read.
 */
long minor_faults(void);

#endif /* LM_COUNTERS_H */
