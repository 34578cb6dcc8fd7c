/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/kpageflags: the state of a physical page frame (root only), for a
 * frame number that pagemap gave.  The bits are KPF_* of
 * <linux/kernel-page-flags.h>.
 */
#ifndef LM_KPAGEFLAGS_H
#define LM_KPAGEFLAGS_H

#include <stdint.h>

/* The flags word of frame @pfn.  0 or -errno. */
int kpageflags_read(uint64_t pfn, uint64_t *flags);

#endif /* LM_KPAGEFLAGS_H */
