// SPDX-License-Identifier: GPL-2.0
/* Reading this process's page-fault counters. */
#include <sys/resource.h>

#include "counters.h"

long minor_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}
