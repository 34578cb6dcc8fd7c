/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers that the kernel publishes one to a file, in /proc and /sys. */
#ifndef LM_SYSFILE_H
#define LM_SYSFILE_H

/*
 * The decimal number at the start of the file at path (a sysctl, a module
 * parameter, a sysfs attribute), or -1 if the file cannot be read or does
 * not start with one.
 */
long sysfile_long(const char *path);

#endif /* LM_SYSFILE_H */
