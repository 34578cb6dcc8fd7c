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

static struct lazymap_store *lazymap_dev_store(struct device *dev)
{
	/* misc_register() sets the device's drvdata to the miscdevice. */
	struct miscdevice *misc = dev_get_drvdata(dev);

	return &container_of(misc, struct lazymap_dev, misc)->store;
}

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%llu\n", lazymap_dev_store(dev)->size);
}
static DEVICE_ATTR_RO(size);

#define LAZYMAP_INFO_ATTR(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct lazymap_info info;					\
									\
	lazymap_store_info(lazymap_dev_store(dev), &info);		\
	return sysfs_emit(buf, "%llu\n", info.field);			\
}									\
static DEVICE_ATTR_RO(field)

LAZYMAP_INFO_ATTR(resident_pages);
LAZYMAP_INFO_ATTR(faults);
LAZYMAP_INFO_ATTR(cow_faults);

static struct attribute *lazymap_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_resident_pages.attr,
	&dev_attr_faults.attr,
	&dev_attr_cow_faults.attr,
	NULL
};

static const struct attribute_group lazymap_group = {
	.attrs = lazymap_attrs,
};

const struct attribute_group *lazymap_groups[] = {
	&lazymap_group,
	NULL
};
