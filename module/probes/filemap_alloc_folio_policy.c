// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: filemap_alloc_folio() takes a NUMA memory policy as a third
 * argument (7.x); before, it took only the gfp mask and the order.
 */
#include <linux/pagemap.h>

struct folio *lazymap_probe_filemap_alloc_folio_policy(void);
struct folio *lazymap_probe_filemap_alloc_folio_policy(void)
{
	return filemap_alloc_folio(GFP_KERNEL, 0, NULL);
}
