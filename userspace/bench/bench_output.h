/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output of lazymap-bench: the table as text and Markdown, and the
 * CSV files results.csv and summary.csv (columns in lazymap-bench.c).
 */
#ifndef BENCH_OUTPUT_H
#define BENCH_OUTPUT_H

#include <stdio.h>

struct bench;

void write_results_csv(struct bench *b, FILE *f);
void write_summary_csv(struct bench *b, FILE *f);
void write_table_txt(struct bench *b, FILE *f);
void write_table_md(struct bench *b, FILE *f);
/* Write b->out/@name with @fn. */
void write_file(struct bench *b, const char *name,
		void (*fn)(struct bench *b, FILE *f));

#endif /* BENCH_OUTPUT_H */
