// SPDX-License-Identifier: GPL-2.0
/*
 * Probe: address_space_operations has .error_remove_folio (6.6), which
 * replaced .error_remove_page and its struct page argument.
 */
#include <linux/fs.h>

static int lazymap_probe_remove(struct address_space *mapping,
				struct folio *folio)
{
	return mapping && folio ? 0 : -EINVAL;
}

const struct address_space_operations lazymap_probe_error_remove_folio_aops;
const struct address_space_operations lazymap_probe_error_remove_folio_aops = {
	.error_remove_folio	= lazymap_probe_remove,
};
