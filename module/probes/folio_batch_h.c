// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: <linux/folio_batch.h> exists (7.x), the header that struct
 * folio_batch moved to from <linux/pagevec.h>, which is gone.
 */
#include <linux/folio_batch.h>

void lazymap_probe_folio_batch_h(struct folio_batch *fbatch);
void lazymap_probe_folio_batch_h(struct folio_batch *fbatch)
{
	folio_batch_init(fbatch);
}
