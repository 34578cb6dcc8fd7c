// SPDX-License-Identifier: GPL-2.0
/*
 * The output of lazymap-bench: per scenario min/median/max over the
 * repetitions of every metric, the ratio lazymap/memfd within each
 * repetition, and the verdict on the checked value, as a table (text and
 * Markdown) and as CSV.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "bench_core.h"
#include "bench_output.h"
#include "bench_scenarios.h"
#include "bench_stats.h"
#include "bench_util.h"

static const char *metric_name(const struct scenario *sc, int m)
{
	return m < NMET ? sc->metric[m] : sc->der[m - NMET].name;
}

static const char *metric_unit(const struct scenario *sc, int m)
{
	return m < NMET ? sc->unit[m] : "x";
}

static struct stat3 metric_stats(const struct scenario *sc, enum backend bk,
				 int m, int reps)
{
	return stats_of(sc->v[bk][m], reps);
}

/* The backend lazymap is compared with: memfd unless the scenario says. */
static enum backend vs_backend(const struct scenario *sc)
{
	return sc->vs ? sc->vs : BK_MEMFD;
}

/* Per repetition lazymap / the compared backend, of metric @m. */
static struct stat3 cross_stats(const struct scenario *sc, int m, int reps)
{
	enum backend vs = vs_backend(sc);
	double r[MAX_REPS];
	int i;

	for (i = 0; i < reps; i++)
		r[i] = sc->v[vs][m][i] > 0 ?
		       sc->v[BK_LAZYMAP][m][i] / sc->v[vs][m][i] : NAN;
	return stats_of(r, reps);
}

/* The value the target is checked on. */
static struct stat3 checked_stats(const struct scenario *sc, int reps)
{
	if (sc->target == T_CROSS_LE)
		return cross_stats(sc, sc->key, reps);
	return metric_stats(sc, BK_LAZYMAP, sc->key, reps);
}

static const char *checked_name(const struct scenario *sc)
{
	static char name[BK_NR][32];
	enum backend vs = vs_backend(sc);

	if (sc->target != T_CROSS_LE)
		return "lazymap";
	snprintf(name[vs], sizeof(name[vs]), "lazymap/%s", bk_name[vs]);
	return name[vs];
}

/*
 * The verdict on the median: "met"; for the not-slower-than targets (a
 * ratio <= 1.00) "noise" when the ratio is over 1.00 but within 1.05; else
 * "missed".
 */
static const char *verdict(const struct scenario *sc, double med)
{
	switch (sc->target) {
	case T_CROSS_LE:
		if (med <= sc->limit)
			return "met";
		return sc->limit == 1.00 && med <= 1.05 ? "noise" : "missed";
	case T_LAZY_LE:
		return med <= sc->limit ? "met" : "missed";
	case T_LAZY_LT:
		return med < sc->limit ? "met" : "missed";
	case T_LAZY_GE:
		return med >= sc->limit ? "met" : "missed";
	default:
		return "info";
	}
}

/* A number in a table cell: enough digits to compare, no more. */
static void fmt_num(char *s, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(s, len, "-");
	else if (a >= 1000)
		snprintf(s, len, "%.0f", v);
	else if (a >= 100)
		snprintf(s, len, "%.1f", v);
	else
		snprintf(s, len, "%.2f", v);
}

void write_results_csv(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct stat3 s;
	int bk, m;

	fprintf(f, "scenario,title,backend,metric,unit,reps,min,median,max\n");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		for (m = 0; m < NMET + sc->nder; m++) {
			if (m >= sc->nmet && m < NMET)
				continue;
			for (bk = 0; bk < BK_NR; bk++) {
				if (!has_backend(sc, bk))
					continue;
				s = metric_stats(sc, bk, m, b->reps);
				fprintf(f, "%d,%s,%s,%s,%s,%d,%.6g,%.6g,%.6g\n",
					sc->id, sc->title, bk_name[bk],
					metric_name(sc, m), metric_unit(sc, m),
					s.n, s.min, s.med, s.max);
			}
			if (!has_backend(sc, vs_backend(sc)))
				continue;
			s = cross_stats(sc, m, b->reps);
			fprintf(f, "%d,%s,%s,%s,x,%d,%.6g,%.6g,%.6g\n",
				sc->id, sc->title, checked_name(sc),
				metric_name(sc, m), s.n, s.min, s.med, s.max);
		}
		if (sc->id != 6)
			continue;
		s = stats_of(b->ctl, b->reps);
		fprintf(f, "6,%s,vm-cpu,speedup,x,%d,%.6g,%.6g,%.6g\n",
			sc->title, s.n, s.min, s.med, s.max);
	}
}

/* What the table cannot say in its columns. */
static void write_notes(struct bench *b, FILE *f, const char *bullet)
{
	struct stat3 s;

	if (scenarios[5].ran) {
		s = stats_of(b->ctl, b->reps);
		fprintf(f, "%sscenario 6 control: a loop that only computes gets a speed-up of %.2f [%.2f..%.2f] from two threads in this VM\n",
			bullet, s.med, s.min, s.max);
	}
	if (scenarios[10].ran) {
		const struct scenario *sc = &scenarios[10];
		int bk;

		fprintf(f, "%sscenario 11 page faults for %d MiB (%zu huge pages):",
			bullet, H_MIB,
			(size_t)(b->pmd ? H_MIB * MIB / b->pmd : 0));
		for (bk = 0; bk < BK_NR; bk++)
			if (has_backend(sc, bk))
				fprintf(f, " %s %.0f", bk_name[bk],
					metric_stats(sc, bk, 1, b->reps).med);
		fprintf(f, "\n");
	}
	if (scenarios[13].ran) {
		const struct scenario *sc = &scenarios[13];
		int bk;

		fprintf(f, "%sscenario 14 page faults:", bullet);
		for (bk = 0; bk < BK_NR; bk++)
			if (has_backend(sc, bk))
				fprintf(f, " %s %.0f", bk_name[bk],
					metric_stats(sc, bk, 1, b->reps).med);
		fprintf(f, "\n");
	}
	fprintf(f, "%s%d repetitions; ns/page and ns/op: per repetition the mean of the interleaved blocks within %.1fx the median block (stalls of the host dropped), then the median over repetitions\n",
		bullet, b->reps, CLEAN_LIMIT);
}

static double key_median(const struct scenario *sc, enum backend bk,
			 int reps)
{
	if (!has_backend(sc, bk))
		return NAN;
	return metric_stats(sc, bk, sc->key, reps).med;
}

void write_summary_csv(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct stat3 s;

	fprintf(f, "scenario,title,unit,lazymap,memfd,anon,checked,min,median,max,target,result,tmpfs-huge,anon-thp\n");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		s = checked_stats(sc, b->reps);
		fprintf(f, "%d,%s,%s,%.6g,%.6g,%.6g,%s,%.6g,%.6g,%.6g,%s,%s,%.6g,%.6g\n",
			sc->id, sc->title, metric_unit(sc, sc->key),
			key_median(sc, BK_LAZYMAP, b->reps),
			key_median(sc, BK_MEMFD, b->reps),
			key_median(sc, BK_ANON, b->reps),
			checked_name(sc), s.min, s.med, s.max,
			sc->target_text, verdict(sc, s.med),
			key_median(sc, BK_TMPFS_HUGE, b->reps),
			key_median(sc, BK_ANON_THP, b->reps));
	}
}

/* Cells of one table line, shared by the text and Markdown tables. */
struct cells {
	char id[8], unit[16], bk[BK_NR][24], checked[112];
};

static void table_cells(const struct scenario *sc, int reps, struct cells *c)
{
	char lo[24], med[24], hi[24];
	struct stat3 s = checked_stats(sc, reps);
	int bk;

	snprintf(c->id, sizeof(c->id), "%d", sc->id);
	snprintf(c->unit, sizeof(c->unit), "%s", metric_unit(sc, sc->key));
	for (bk = 0; bk < BK_NR; bk++)
		fmt_num(c->bk[bk], sizeof(c->bk[bk]),
			key_median(sc, bk, reps));
	fmt_num(lo, sizeof(lo), s.min);
	fmt_num(med, sizeof(med), s.med);
	fmt_num(hi, sizeof(hi), s.max);
	snprintf(c->checked, sizeof(c->checked), "%s %s [%s..%s]",
		 checked_name(sc), med, lo, hi);
}

#define ROW_TXT	"%-2s %-46s %-7s %9s %9s %9s %10s %9s  %-37s %-26s %s\n"
#define ROW_MD	"| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n"

/* The lines of the scenarios that ran, as text or as Markdown. */
static void write_rows(struct bench *b, FILE *f, bool md)
{
	const struct scenario *sc;
	struct cells c;

	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		table_cells(sc, b->reps, &c);
		fprintf(f, md ? ROW_MD : ROW_TXT,
			c.id, sc->title, c.unit, c.bk[BK_LAZYMAP],
			c.bk[BK_MEMFD], c.bk[BK_ANON], c.bk[BK_TMPFS_HUGE],
			c.bk[BK_ANON_THP], c.checked,
			sc->target_text,
			verdict(sc, checked_stats(sc, b->reps).med));
	}
}

void write_table_txt(struct bench *b, FILE *f)
{
	fprintf(f, ROW_TXT,
		"#", "scenario (median of the key metric)", "unit",
		"lazymap", "memfd", "anon", "tmpfs-huge", "anon-thp",
		"checked: median [min..max]",
		"target", "result");
	write_rows(b, f, false);
	write_notes(b, f, "");
}

void write_table_md(struct bench *b, FILE *f)
{
	fprintf(f, "| # | scenario | unit | lazymap | memfd | anon | tmpfs-huge | anon-thp | checked: median [min..max] | target | result |\n");
	fprintf(f, "|---|---|---|--:|--:|--:|--:|--:|---|---|---|\n");
	write_rows(b, f, true);
	fprintf(f, "\n");
	write_notes(b, f, "- ");
}

void write_file(struct bench *b, const char *name,
		void (*fn)(struct bench *b, FILE *f))
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", b->out, name);
	f = fopen(path, "w");
	if (!f)
		die("open %s:", path);
	fn(b, f);
	if (fclose(f))
		die("write %s:", path);
}
