// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap-bench: /dev/lazymap side by side with shmem and anonymous memory.
 *
 *   lazymap-bench [--ko FILE] [--dev PATH] [--reps N] [--work-mib N]
 *                 [--mem-mib N] [--scenarios LIST] [--out DIR]
 *
 * --ko FILE        lazymap.ko: the program (re)loads the module with the
 *                  sizes the scenarios need (1 MiB and 1 TiB for scenario 7,
 *                  1 TiB for scenario 10, huge=always for 11-14).  Without
 *                  it, the loaded device is used and scenarios 7 and 11-14
 *                  are skipped.
 * --dev PATH       the device node (default /dev/lazymap)
 * --reps N         repetitions of every measurement (default 7)
 * --work-mib N     region of scenarios 1-6 in MiB (default 32)
 * --mem-mib N      resident size of scenario 9 in MiB (default 128)
 * --scenarios LIST comma-separated scenario numbers (default: all)
 * --out DIR        write results.csv, summary.csv, table.txt and table.md
 *
 * Each scenario is measured for lazymap, a memfd of the device's size
 * (shmem, the reference) and, where it applies, private anonymous memory.
 * The repetitions are interleaved (lazymap, memfd, anon, then anon, memfd,
 * lazymap, ...) so that drift of the machine hits every backend alike, and
 * every first-touch repetition starts from an empty store: the store is
 * discarded (LAZYMAP_IOC_DISCARD, fallocate(PUNCH_HOLE) for the memfd, a
 * fresh mapping for anonymous memory) before it, outside the timed part.
 * Anonymous regions get MADV_NOHUGEPAGE so that all three backends fault
 * in 4 KiB pages.  Scenarios 11-14 compare huge pages instead: the device
 * with huge=always against a memfd, a tmpfs file mounted huge=always and
 * anonymous memory with MADV_HUGEPAGE (bench_huge.c).
 *
 * Times come from CLOCK_MONOTONIC around the measured loop only.  Per
 * scenario the program reports min/median/max over the repetitions and,
 * for ratios, min/median/max of the ratio within each repetition (the
 * backends of one repetition ran back to back).  Under emulation (QEMU TCG)
 * absolute times are meaningless; the ratios are the result.
 *
 * Output: progress on stderr, the table on stdout; with --out, the CSV
 * files.  results.csv has one line per backend and metric:
 *   scenario,title,backend,metric,unit,reps,min,median,max
 * (backend "lazymap/memfd", or the backend compared, for the paired
 * ratio), summary.csv one line per scenario:
 *   scenario,title,unit,lazymap,memfd,anon,checked,min,median,max,target,
 *   result,tmpfs-huge,anon-thp
 * where checked names the value the target applies to.  Exit status 0 when
 * every scenario ran (a missed target is a result, not an error), 1 on an
 * error (a bad option value included), 2 on an unknown option.
 *
 * This file reads the options and runs the scenarios.  The parts:
 * bench_harness.c (timing and interleaving), bench_store.c (the backends),
 * bench_module.c (reloading the module), the scenarios (bench_scenarios.h
 * lists their files), bench_stats.c (statistics), bench_output.c (table
 * and CSV) and bench_util.c (messages).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_harness.h"
#include "bench_module.h"
#include "bench_output.h"
#include "bench_scenarios.h"
#include "bench_store.h"
#include "bench_util.h"

static const char usage_text[] =
	"usage: lazymap-bench [--ko FILE] [--dev PATH] [--reps N] [--work-mib N]\n"
	"                     [--mem-mib N] [--scenarios LIST] [--out DIR]\n";

/* --help: the usage line, then every option; lazymap-bench(1) has the same. */
static const char help_text[] =
	"\n"
	"Measures /dev/lazymap side by side with a memfd (shmem) and anonymous\n"
	"memory, in ten scenarios; prints a table of ratios on stdout.\n"
	"\n"
	"  --ko FILE         lazymap.ko: (re)load the module with the sizes the\n"
	"                    scenarios need; without it the loaded device is used\n"
	"                    and scenario 7 is skipped\n"
	"  --dev PATH        the device node (default /dev/lazymap)\n"
	"  --reps N          repetitions of every measurement (default 7)\n"
	"  --work-mib N      region of scenarios 1-6 in MiB (default 32)\n"
	"  --mem-mib N       resident size of scenario 9 in MiB (default 128)\n"
	"  --scenarios LIST  comma-separated scenario numbers (default: all ten)\n"
	"  --out DIR         also write results.csv, summary.csv, table.txt and\n"
	"                    table.md to DIR\n"
	"  --help            this text\n"
	"\n"
	"It needs read and write access to the device; --ko needs root.\n"
	"Exit status: 0 when every scenario ran (a missed target is a result,\n"
	"not an error), 1 on an error (a bad option value included), 2 on an\n"
	"unknown option.\n";

static void print_usage(FILE *f)
{
	fputs(usage_text, f);
}

static unsigned long parse_num(const char *s, unsigned long lo,
			       unsigned long hi, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s wants a number in %lu..%lu, not '%s'", what, lo, hi, s);
	return v;
}

static unsigned int parse_list(const char *s)
{
	unsigned int mask = 0;
	char *copy = strdup(s), *tok, *save = NULL;

	if (!copy)
		die("strdup:");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		mask |= 1u << parse_num(tok, 1, NSCEN, "--scenarios");
	free(copy);
	return mask;
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ko", required_argument, NULL, 'k' },
		{ "dev", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "work-mib", required_argument, NULL, 'w' },
		{ "mem-mib", required_argument, NULL, 'm' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:d:r:w:m:s:o:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			b->ko = optarg;
			break;
		case 'd':
			b->dev = optarg;
			break;
		case 'r':
			b->reps = parse_num(optarg, 1, MAX_REPS, "--reps");
			break;
		case 'w':
			b->work = parse_num(optarg, 1, 4096, "--work-mib") *
				  MIB;
			break;
		case 'm':
			b->mem = parse_num(optarg, 1, 4096, "--mem-mib") * MIB;
			break;
		case 's':
			b->want = parse_list(optarg);
			break;
		case 'o':
			b->out = optarg;
			break;
		case 'h':
			print_usage(stdout);
			fputs(help_text, stdout);
			exit(0);
		default:
			print_usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		exit(2);
	}
}

/* 11-14: huge pages, on stores of their own (bench_huge.c). */
#define HUGE_SCENARIOS	(((1u << 15) - 1) & ~((1u << 11) - 1))

static bool wanted(struct bench *b, int id)
{
	return b->want & (1u << id);
}

/* Scenarios 1-6, 8, 9 on a device big enough for all of them. */
static void open_main_stores(struct bench *b)
{
	uint64_t need = b->work, mb;

	if (wanted(b, 8) && need < S8_MIB * MIB)
		need = S8_MIB * MIB;
	if (wanted(b, 9) && need < b->mem)
		need = b->mem;
	mb = need / MIB;
	if (b->ko)
		module_ensure(b, mb);
	store_open_lazymap(b, &b->st[BK_LAZYMAP]);
	if (b->st[BK_LAZYMAP].size < need)
		die("%s has %" PRIu64 " MiB; the scenarios need %" PRIu64
		    " MiB (load it with size_mb=%" PRIu64 ", or use --ko)",
		    b->dev, b->st[BK_LAZYMAP].size / MIB, mb, mb);
	store_open_memfd(&b->st[BK_MEMFD], b->st[BK_LAZYMAP].size);
	empty_stores(b);
}

int main(int argc, char **argv)
{
	struct bench b = {
		.dev = "/dev/lazymap", .reps = 7,
		.work = 32 * MIB, .mem = 128 * MIB,
		.want = ((1u << (NSCEN + 1)) - 1) & ~1u,
		.st = { [0 ... BK_NR - 1] = { .fd = -1 } },
		.big = { { .fd = -1 }, { .fd = -1 } },
	};
	struct scenario *sc;

	parse_args(&b, argc, argv);
	b.ps = sysconf(_SC_PAGESIZE);
	b.buf = malloc(S8_CHUNK);
	if (!b.buf)
		die("malloc:");
	memset(b.buf, 0x5a, S8_CHUNK);
	b.clock_cost = clock_cost();
	if (!b.ko && wanted(&b, 7)) {
		note("scenario 7 needs --ko (it reloads the module): skipped");
		b.want &= ~(1u << 7);
	}
	b.pmd = huge_pmd_size();
	if ((!b.ko || !b.pmd) && (b.want & HUGE_SCENARIOS)) {
		note("scenarios 11-14 need %s: skipped",
		     b.ko ? "a kernel with THP" :
		     "--ko (they reload the module with huge=always)");
		b.want &= ~HUGE_SCENARIOS;
	}
	note("%d repetitions, region %" PRIu64 " MiB, scenario 9 %" PRIu64
	     " MiB, page %zu bytes, clock read %" PRIu64 " ns",
	     b.reps, b.work / MIB, b.mem / MIB, b.ps, b.clock_cost);

	/* Scenarios on the main device first, then those that reload it. */
	if (b.want & ~((1u << 7) | (1u << 10) | HUGE_SCENARIOS)) {
		open_main_stores(&b);
		for (sc = scenarios; sc < scenarios + NSCEN; sc++)
			if (sc->id != 7 && sc->id != 10 && sc->id <= 10 &&
			    wanted(&b, sc->id))
				run_scenario(&b, sc);
		store_close(&b.st[BK_LAZYMAP]);
		store_close(&b.st[BK_MEMFD]);
	}
	if (wanted(&b, 7))
		run_scenario(&b, &scenarios[6]);
	if (wanted(&b, 10))
		run_scenario(&b, &scenarios[9]);
	if (b.want & HUGE_SCENARIOS) {
		huge_open_stores(&b);
		for (sc = scenarios + 10; sc < scenarios + NSCEN; sc++)
			if (wanted(&b, sc->id))
				run_scenario(&b, sc);
		huge_close_stores(&b);
	}

	write_table_txt(&b, stdout);
	if (b.out) {
		write_file(&b, "results.csv", write_results_csv);
		write_file(&b, "summary.csv", write_summary_csv);
		write_file(&b, "table.txt", write_table_txt);
		write_file(&b, "table.md", write_table_md);
	}
	free(b.buf);
	return 0;
}
