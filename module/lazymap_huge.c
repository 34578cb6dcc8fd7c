// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages: the huge= policy, and which faults get a PMD-sized folio.
 *
 * The store can hold folios of the kernel's PMD order (HPAGE_PMD_ORDER)
 * beside single pages.  lazymap_fault() still returns one locked subpage of
 * such a folio, and the kernel's generic finish_fault() maps the whole
 * folio with one PMD when the folio is PMD-sized and the VMA covers the
 * aligned block (do_set_pmd()); filemap_map_pages() does the same for read
 * faults of other mappings through fault-around.  That path, unlike
 * ->huge_fault, works alike on every kernel lazymap builds on and does not
 * depend on /sys/kernel/mm/transparent_hugepage/enabled, as tmpfs's huge=
 * does not.
 *
 * This file decides, for one fault, whether to try that; the store
 * (lazymap_store_get()) does the allocation and falls back to a single
 * page whenever the huge folio cannot be had.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include <linux/lazymap.h>

#include "lazymap.h"
#include "lazymap_compat.h"

/* tmpfs's words for tmpfs's modes (Documentation/filesystems/tmpfs.rst). */
static const char * const lazymap_huge_names[] = {
	[LAZYMAP_HUGE_NEVER]		= "never",
	[LAZYMAP_HUGE_ALWAYS]		= "always",
	[LAZYMAP_HUGE_WITHIN_SIZE]	= "within_size",
	[LAZYMAP_HUGE_ADVISE]		= "advise",
};

/* The LAZYMAP_HUGE_* value of a mode's name, or -EINVAL. */
int lazymap_huge_parse(const char *name)
{
	int mode = match_string(lazymap_huge_names,
				ARRAY_SIZE(lazymap_huge_names), name);

	return mode < 0 ? -EINVAL : mode;
}

const char *lazymap_huge_name(unsigned int mode)
{
	return mode < ARRAY_SIZE(lazymap_huge_names) ?
		lazymap_huge_names[mode] : "?";
}

/*
 * The mode this machine can honour: never, and one line saying why, where
 * the kernel was built without THP, the CPU cannot map a PMD page or the
 * page cache cannot split one.
 */
unsigned int lazymap_huge_supported(unsigned int mode)
{
	if (mode == LAZYMAP_HUGE_NEVER)
		return mode;
	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE)) {
		pr_info("huge=%s: kernel built without CONFIG_TRANSPARENT_HUGEPAGE, using huge=never\n",
			lazymap_huge_name(mode));
		return LAZYMAP_HUGE_NEVER;
	}
	if (!has_transparent_hugepage()) {
		pr_info("huge=%s: the CPU has no PMD-sized pages, using huge=never\n",
			lazymap_huge_name(mode));
		return LAZYMAP_HUGE_NEVER;
	}
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	/*
	 * A discard inside a huge page splits it, and xas_split_alloc() can
	 * split an entry of at most twice the xarray's chunk shift: a kernel
	 * built with CONFIG_BASE_SMALL (16-slot nodes) cannot split a PMD
	 * page, and would warn at every partial discard.
	 */
	if (HPAGE_PMD_ORDER > 2 * XA_CHUNK_SHIFT) {
		pr_info("huge=%s: the page cache of this kernel cannot split a PMD-sized page (XA_CHUNK_SHIFT %d), using huge=never\n",
			lazymap_huge_name(mode), XA_CHUNK_SHIFT);
		return LAZYMAP_HUGE_NEVER;
	}
#endif
	return mode;
}

#ifdef CONFIG_TRANSPARENT_HUGEPAGE

u64 lazymap_huge_page_size(unsigned int mode)
{
	return mode == LAZYMAP_HUGE_NEVER ? 0 : HPAGE_PMD_SIZE;
}

/*
 * As the kernel's anonymous THP with defrag=defer: wake kswapd, but neither
 * reclaim nor compact in the fault (a single page is the better answer
 * then), and fail quietly.  The memory cgroup charge uses the same mask,
 * so a cgroup near its limit gets single pages rather than reclaim.
 */
gfp_t lazymap_huge_gfp(void)
{
	return GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM;
}

/*
 * Whether the VMA maps the PMD-aligned block around @vmf->address whole,
 * with the offsets in the same alignment, as do_set_pmd() requires
 * (transhuge_vma_suitable() on 6.1, thp_vma_suitable_order() later).
 */
static bool lazymap_huge_vma_fits(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;

	if (!IS_ALIGNED((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff,
			HPAGE_PMD_NR))
		return false;
	return haddr >= vma->vm_start &&
		haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

/*
 * The folio order to allocate for a fault on a hole: HPAGE_PMD_ORDER when
 * the policy wants a huge page here and the kernel can PMD-map it, else 0.
 * Whether the block is still empty is for the store to find out.
 */
unsigned int lazymap_huge_fault_order(struct lazymap_store *store,
				      struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pgoff_t first = round_down(vmf->pgoff, HPAGE_PMD_NR);

	switch (store->huge) {
	case LAZYMAP_HUGE_ALWAYS:
	case LAZYMAP_HUGE_WITHIN_SIZE:
		break;
	case LAZYMAP_HUGE_ADVISE:
		if (vma->vm_flags & VM_HUGEPAGE)
			break;
		return 0;
	default:
		return 0;
	}
	/*
	 * MADV_NOHUGEPAGE and prctl(PR_SET_THP_DISABLE): 6.12 and later
	 * refuse the PMD themselves, 6.1 would map it; never allocate one.
	 */
	if (lazymap_vma_thp_disabled(vma))
		return 0;
	/*
	 * A write to a MAP_PRIVATE mapping copies one page: 2 MiB of zeros
	 * in the store to copy 4 KiB from would be pure waste.
	 */
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return 0;
	if (!lazymap_huge_vma_fits(vmf))
		return 0;
	/* A huge page never reaches past the end of the device. */
	if (first + HPAGE_PMD_NR > store->pages)
		return 0;
	return HPAGE_PMD_ORDER;
}

#else /* !CONFIG_TRANSPARENT_HUGEPAGE: HPAGE_PMD_* are BUILD_BUG()s */

u64 lazymap_huge_page_size(unsigned int mode)
{
	return 0;
}

gfp_t lazymap_huge_gfp(void)
{
	return 0;
}

unsigned int lazymap_huge_fault_order(struct lazymap_store *store,
				      struct vm_fault *vmf)
{
	return 0;
}

#endif /* CONFIG_TRANSPARENT_HUGEPAGE */
