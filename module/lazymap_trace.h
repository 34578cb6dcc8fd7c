/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of lazymap: lazymap:lazymap_fault and lazymap:lazymap_discard,
 * in tracefs under events/lazymap/.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM lazymap

#if !defined(_LAZYMAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _LAZYMAP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

/*
 * huge: the page that the fault found or allocated is part of a huge page
 * (so allocated=1 huge=1 is a fault that allocated one).  The field comes
 * last so that parsers of the older format still match.
 */
TRACE_EVENT(lazymap_fault,
	    TP_PROTO(u64 offset, bool write, bool shared, bool allocated,
		     bool huge),
	    TP_ARGS(offset, write, shared, allocated, huge),
	    TP_STRUCT__entry(__field(u64, offset)
			     __field(bool, write)
			     __field(bool, shared)
			     __field(bool, allocated)
			     __field(bool, huge)),
	    TP_fast_assign(__entry->offset = offset;
			   __entry->write = write;
			   __entry->shared = shared;
			   __entry->allocated = allocated;
			   __entry->huge = huge;),
	    TP_printk("offset=0x%llx %s %s allocated=%d huge=%d",
		      __entry->offset, __entry->write ? "write" : "read",
		      __entry->shared ? "shared" : "private",
		      __entry->allocated, __entry->huge)
);

TRACE_EVENT(lazymap_discard,
	    TP_PROTO(u64 offset, u64 length, unsigned long freed),
	    TP_ARGS(offset, length, freed),
	    TP_STRUCT__entry(__field(u64, offset)
			     __field(u64, length)
			     __field(unsigned long, freed)),
	    TP_fast_assign(__entry->offset = offset;
			   __entry->length = length;
			   __entry->freed = freed;),
	    TP_printk("offset=0x%llx length=0x%llx freed=%lu",
		      __entry->offset, __entry->length, __entry->freed)
);

#endif /* _LAZYMAP_TRACE_H */

/* Out of tree: tell define_trace.h where this header is. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE lazymap_trace
#include <trace/define_trace.h>
