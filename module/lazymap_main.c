// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap: /dev/lazymap, a demand-paged memory device.
 *
 * The device behaves like a fixed-size tmpfs file that every opener shares
 * and whose pages exist only once touched: mmap() allocates nothing, the
 * fault handler allocates a zeroed page on the first touch of an offset,
 * MAP_SHARED mappings in every process map the same pages, MAP_PRIVATE
 * mappings get copy-on-write, and read()/write() use the same pages.
 *
 * Files:
 *   lazymap_main.c   module parameters, load and unload
 *   lazymap_store.c  the store (page cache of a private inode) and discard
 *                    (the header there says why page cache, not an xarray)
 *   lazymap_vm.c     mmap() and the fault path
 *   lazymap_huge.c   the huge= policy: which faults get a huge page
 *   lazymap_file.c   open, read/write, llseek, ioctl
 *   lazymap_sysfs.c  /sys/class/misc/lazymap/ counters
 *   lazymap_trace.h  tracepoints lazymap:lazymap_fault and lazymap_discard
 *   lazymap_compat.h kernel API differences, chosen by compile probes
 *
 * Lifetime: every open file and every mapping (through its file) holds a
 * module reference, so the module cannot be unloaded while either exists,
 * and unloading frees every page the store still holds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>

#include "lazymap.h"

#define LAZYMAP_SIZE_MB_MIN	1UL
#define LAZYMAP_SIZE_MB_MAX	1048576UL	/* 1 TiB */

static unsigned long size_mb = 64;
module_param(size_mb, ulong, 0444);
MODULE_PARM_DESC(size_mb,
		 "Device size in MiB, 1..1048576 (default 64); pages are allocated only when touched");

/*
 * A string, checked in lazymap_init(), rather than custom parameter ops: a
 * bad value then fails the load with one line of ours, as size_mb does.
 */
static char *huge = "never";
module_param(huge, charp, 0444);
MODULE_PARM_DESC(huge,
		 "Huge pages, as tmpfs's huge=: never (default), always, within_size, advise (only MADV_HUGEPAGE mappings)");

static struct lazymap_dev lazymap_dev = {
	.misc = {
		.minor	= MISC_DYNAMIC_MINOR,
		.name	= "lazymap",
		.fops	= &lazymap_fops,
		.groups	= lazymap_groups,
		/* Memory shared by every opener: root only by default. */
		.mode	= 0600,
	},
};

static int __init lazymap_init(void)
{
	int mode, err;

	if (size_mb < LAZYMAP_SIZE_MB_MIN || size_mb > LAZYMAP_SIZE_MB_MAX) {
		pr_err("size_mb=%lu is out of range: allowed %lu..%lu (MiB)\n",
		       size_mb, LAZYMAP_SIZE_MB_MIN, LAZYMAP_SIZE_MB_MAX);
		return -EINVAL;
	}
	mode = lazymap_huge_parse(huge);
	if (mode < 0) {
		pr_err("huge=%s is not a mode: allowed never, always, within_size, advise\n",
		       huge);
		return -EINVAL;
	}

	err = lazymap_store_init(&lazymap_dev.store, (u64)size_mb * SZ_1M,
				 lazymap_huge_supported(mode));
	if (err)
		return err;

	err = misc_register(&lazymap_dev.misc);
	if (err) {
		lazymap_store_destroy(&lazymap_dev.store);
		return err;
	}
	return 0;
}

static void __exit lazymap_exit(void)
{
	misc_deregister(&lazymap_dev.misc);
	lazymap_store_destroy(&lazymap_dev.store);
}

module_init(lazymap_init);
module_exit(lazymap_exit);

MODULE_DESCRIPTION("Demand-paged memory device shared by all openers");
MODULE_AUTHOR("The lazymap developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
