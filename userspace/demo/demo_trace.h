/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --trace: the module's tracepoints (lazymap:*, e.g. lazymap_fault), read
 * from tracefs and shown under the step that caused them.
 */
#ifndef DEMO_TRACE_H
#define DEMO_TRACE_H

/*
 * Enables the lazymap events.  Returns 0 when tracing, or -1 after saying
 * (as a note) why there is nothing to trace: no tracefs, no tracepoints in
 * this module, or no permission.
 */
int trace_start(void);
/* Prints the events recorded since the last call, at most a few lines. */
void trace_show(void);
/* Drops the events recorded so far without showing them. */
void trace_flush(void);
/* Disables the events again. */
void trace_stop(void);

#endif /* DEMO_TRACE_H */
