// SPDX-License-Identifier: GPL-2.0
/* The one place that instantiates lazymap's tracepoints. */
#define CREATE_TRACE_POINTS
#include "lazymap_trace.h"
