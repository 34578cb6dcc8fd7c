/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The seven sections of lazymap-demo, one file each (demo_lazy.c,
 * demo_shared.c, demo_private.c, demo_copy.c, demo_nomap.c, demo_libc.c,
 * demo_huge.c),
 * and what they share: the device, set up by main() before any section
 * runs, and a few helpers for their evidence lines.
 *
 * A section prints what it is about to do (out_say()), does it, prints
 * what it measured (out_fact()) and gives its verdicts (out_check(),
 * out_skip()): exactly as many as the sections table in lazymap-demo.c
 * promises for it, whatever happens.
 */
#ifndef DEMO_SECTIONS_H
#define DEMO_SECTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "demo_dev.h"
#include "demo_proc.h"

#define KB		1024ULL
#define MB		(1024 * KB)
#define GB		(1024 * MB)
#define RW		(PROT_READ | PROT_WRITE)
/* Why a check that compares frame numbers was skipped. */
#define NO_FRAMES	"frame numbers need root"

extern struct demo_dev dev;
extern size_t psz;		/* bytes per page */
extern size_t map_len;		/* what the sections map as "the device" */
extern bool frames;		/* pagemap shows us frame numbers */

/* "64 MiB", "12 kB"; four calls can share one printf. */
const char *sz(uint64_t bytes);
/* pm_str() of @e; four calls can share one printf. */
const char *frame(const struct pm_entry *e);
/* mmap() of the device, or NULL after a note saying why not. */
char *map_dev(size_t off, size_t len, int prot, int flags);
/* Two different pages, as far as we can see without frame numbers. */
bool differ(const struct pm_entry *a, const struct pm_entry *b);
/* Copies the string at @p, a mapping, maybe of another process's bytes. */
const char *str_at(const char *p, char *buf, size_t len);

void sec_lazy(void);		/* 1. lazy loading */
void sec_shared(void);		/* 2. MAP_SHARED */
void sec_private(void);		/* 3. MAP_PRIVATE and copy-on-write */
void sec_copy(void);		/* 4. mmap() versus read() */
void sec_nomap(void);		/* 5. what cannot be mapped */
void sec_libc(void);		/* 6. MAP_PRIVATE in the wild */
void sec_huge(void);		/* 7. huge pages */

#endif /* DEMO_SECTIONS_H */
