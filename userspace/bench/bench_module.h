/* SPDX-License-Identifier: GPL-2.0 */
/* Loading the lazymap module at a given size (only with --ko). */
#ifndef BENCH_MODULE_H
#define BENCH_MODULE_H

#include <stdint.h>

#define SIZE_MB_1TIB	1048576ULL

struct bench;

void module_ensure(struct bench *b, uint64_t mb);
void module_ensure_huge(struct bench *b, uint64_t mb, const char *mode);

#endif /* BENCH_MODULE_H */
