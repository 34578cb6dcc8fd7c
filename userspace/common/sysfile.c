// SPDX-License-Identifier: GPL-2.0
/* Reading a number from a /proc or /sys file. */
#include <stdio.h>

#include "sysfile.h"

long sysfile_long(const char *path)
{
	long val = -1;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}
