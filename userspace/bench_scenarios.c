// SPDX-License-Identifier: GPL-2.0
/*
 * The scenarios of lazymap-bench: what each measures on which backends,
 * its metrics, the ratios derived from them and the target it is checked
 * against.
 */
#include "bench_core.h"
#include "bench_scenarios.h"
#include "bench_store.h"

struct scenario scenarios[NSCEN] = {
	{
		.id = 1, .title = "first touch: write sequential (MAP_SHARED)",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.measure = s1_measure,
	}, {
		.id = 2, .title = "first touch: read sequential (MAP_SHARED)",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.measure = s2_measure,
	}, {
		.id = 3, .title = "re-map populated store in new process: read",
		.backends = BK_FILES, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = populate_work, .measure = s3_measure,
		.teardown = empty_stores,
	}, {
		.id = 4, .title = "first write to MAP_PRIVATE of populated (CoW)",
		.backends = BK_FILES, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = populate_work, .measure = s4_measure,
		.teardown = empty_stores,
	}, {
		.id = 5, .title = "first touch: write random page order",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = s5_setup, .measure = s5_measure,
		.teardown = s5_teardown,
	}, {
		.id = 6, .title = "2 threads on disjoint halves: speed-up",
		.backends = BK_ALL, .nmet = 2,
		.metric = { "time-1thread", "time-2threads" },
		.unit = { "ns/page", "ns/page" },
		.nder = 1, .der = { { 0, 1, "speedup" } },
		.key = NMET, .target = T_LAZY_GE, .limit = 1.6,
		.target_text = "lazymap >= 1.6",
		.measure = s6_measure,
	}, {
		.id = 7, .title = "mmap+munmap whole device: 1 TiB / 1 MiB",
		.backends = BK_ALL, .nmet = 3,
		.metric = { "time-1MiB", "time-1TiB", "time-1MiB-of-1TiB" },
		.unit = { "ns/op", "ns/op", "ns/op" },
		.nder = 2, .der = { { 1, 0, "size-ratio" },
				    { 2, 0, "device-size-only" } },
		.key = NMET, .target = T_LAZY_LE, .limit = 1.5,
		.target_text = "lazymap <= 1.5",
		.measure = s7_measure,
	}, {
		.id = 8, .title = "copy out 64 MiB: read() / via mapping",
		.backends = BK_FILES, .nmet = 2,
		.metric = { "time-read", "time-mmap" },
		.unit = { "ns/page", "ns/page" },
		.nder = 1, .der = { { 0, 1, "read/mmap" } },
		.key = NMET, .target = T_NONE,
		.target_text = "-",
		.setup = s8_setup, .measure = s8_measure,
		.teardown = empty_stores,
	}, {
		.id = 9, .title = "kernel memory beyond the data pages",
		.backends = BK_ALL, .nmet = 2,
		.metric = { "overhead-memfree", "overhead-counted" },
		.unit = { "%", "%" },
		.key = 0, .target = T_LAZY_LE, .limit = 1.0,
		.target_text = "lazymap <= 1 %",
		.measure = s9_measure,
	}, {
		.id = 10, .title = "discard: 1 TiB holding 10 pages / 1 page",
		.backends = BK_FILES, .nmet = 5,
		.metric = { "time-1page", "time-range",
			    "time-1page-mapped", "time-range-mapped",
			    "time-1page-far" },
		.unit = { "ns/op", "ns/op", "ns/op", "ns/op", "ns/op" },
		.nder = 3, .der = { { 1, 0, "range/1page" },
				    { 3, 2, "range/1page-mapped" },
				    { 1, 4, "range/1page-far" } },
		.key = NMET, .target = T_LAZY_LT, .limit = 10,
		.target_text = "lazymap < 10",
		.setup = s10_setup, .measure = s10_measure,
		.teardown = s10_teardown,
	},
};
