// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only counters in /sys/class/misc/lazymap/, created with the device
 * through miscdevice.groups.  Documented in
 * Documentation/ABI/testing/sysfs-class-misc-lazymap.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include <linux/lazymap.h>

#include "lazymap.h"

/* Each file shows one u64 field of struct lazymap_info. */
struct lazymap_attribute {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t lazymap_info_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	/* misc_register() sets the device's drvdata to the miscdevice. */
	struct miscdevice *misc = dev_get_drvdata(dev);
	struct lazymap_dev *ldev = container_of(misc, struct lazymap_dev, misc);
	struct lazymap_attribute *lattr =
		container_of(attr, struct lazymap_attribute, attr);
	struct lazymap_info info;
	u64 value;

	lazymap_store_info(&ldev->store, &info);
	memcpy(&value, (u8 *)&info + lattr->offset, sizeof(value));
	return sysfs_emit(buf, "%llu\n", value);
}

static struct lazymap_attribute lazymap_attr_size = {
	.attr	= __ATTR(size, 0444, lazymap_info_show, NULL),
	.offset	= offsetof(struct lazymap_info, size),
};

static struct lazymap_attribute lazymap_attr_resident_pages = {
	.attr	= __ATTR(resident_pages, 0444, lazymap_info_show, NULL),
	.offset	= offsetof(struct lazymap_info, resident_pages),
};

static struct lazymap_attribute lazymap_attr_faults = {
	.attr	= __ATTR(faults, 0444, lazymap_info_show, NULL),
	.offset	= offsetof(struct lazymap_info, faults),
};

static struct lazymap_attribute lazymap_attr_cow_faults = {
	.attr	= __ATTR(cow_faults, 0444, lazymap_info_show, NULL),
	.offset	= offsetof(struct lazymap_info, cow_faults),
};

static struct lazymap_attribute lazymap_attr_huge_faults = {
	.attr	= __ATTR(huge_faults, 0444, lazymap_info_show, NULL),
	.offset	= offsetof(struct lazymap_info, huge_faults),
};

/*
 * The huge= mode in effect, by name: the parameter in /sys/module shows
 * what was asked for, which a kernel without THP turns into never.
 */
static ssize_t huge_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct miscdevice *misc = dev_get_drvdata(dev);
	struct lazymap_dev *ldev = container_of(misc, struct lazymap_dev, misc);

	return sysfs_emit(buf, "%s\n", lazymap_huge_name(ldev->store.huge));
}
static DEVICE_ATTR_RO(huge);

static struct attribute *lazymap_attrs[] = {
	&lazymap_attr_size.attr.attr,
	&lazymap_attr_resident_pages.attr.attr,
	&lazymap_attr_faults.attr.attr,
	&lazymap_attr_cow_faults.attr.attr,
	&lazymap_attr_huge_faults.attr.attr,
	&dev_attr_huge.attr,
	NULL
};

static const struct attribute_group lazymap_group = {
	.attrs = lazymap_attrs,
};

const struct attribute_group *lazymap_groups[] = {
	&lazymap_group,
	NULL
};
