/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backends of lazymap-bench: a store (the lazymap device or a memfd of
 * its size, shmem) and mappings of a store or of anonymous memory.
 */
#ifndef BENCH_STORE_H
#define BENCH_STORE_H

#include <stdint.h>

#include "bench_core.h"

/* Open the device (--dev); its size from LAZYMAP_IOC_INFO. */
void store_open_lazymap(struct bench *b, struct store *s);
void store_open_memfd(struct store *s, uint64_t size);
void store_close(struct store *s);
/* Free the pages of [off, off + len): both backends' PUNCH_HOLE. */
void store_discard(struct store *s, enum backend bk, uint64_t off,
		   uint64_t len);
/* Make [0, len) resident through write(), which maps nothing. */
void store_populate(struct bench *b, struct store *s, uint64_t len);
/* A fresh mapping: the store's bytes from @off, or anonymous memory. */
char *map(struct bench *b, enum backend bk, uint64_t off, uint64_t len,
	  int flags);
void unmap(void *p, uint64_t len);
/* Empty the region of scenarios 1-6 before a first-touch repetition. */
void empty_work(struct bench *b, enum backend bk);
/* Empty both stores, all of them. */
void empty_stores(struct bench *b);

#endif /* BENCH_STORE_H */
