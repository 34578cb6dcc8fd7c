// SPDX-License-Identifier: GPL-2.0
/*
 * Output of lazymap-demo: text for a person or KTAP for a test runner.
 *
 * Every verdict goes through out_check()/out_skip(), so the text and the
 * KTAP forms always list the same checks in the same order, numbered
 * "section.check" in both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "demo_out.h"

/* One column short of 80, so that a terminal never wraps on its own. */
#define WIDTH		79

#define C_RESET		"\033[0m"
#define C_BOLD		"\033[1m"
#define C_DIM		"\033[2m"
#define C_RED		"\033[31m"
#define C_GREEN		"\033[32m"
#define C_YELLOW	"\033[33m"

static struct {
	enum out_mode mode;
	bool colour;
	int total;		/* verdicts given, numbers the KTAP lines */
	int failed;
	int skipped;
	int section;		/* current section number */
	int promised;		/* verdicts the current section promised */
	int given;		/* verdicts the current section gave */
	char failures[128];	/* "1.3 3.6" for the summary */
} out;

void out_init(enum out_mode mode, bool colour)
{
	memset(&out, 0, sizeof(out));
	out.mode = mode;
	out.colour = colour && mode == OUT_TEXT;
}

bool out_is_tap(void)
{
	return out.mode == OUT_TAP;
}

static const char *col(const char *code)
{
	return out.colour ? code : "";
}

/*
 * Display width of UTF-8 text: every byte but continuation bytes, and
 * nothing for colour codes ("\033[...m").
 */
static int width(const char *s, size_t n)
{
	int w = 0;
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		if (s[i] == '\033') {
			while (i < n && s[i] && s[i] != 'm')
				i++;
			continue;
		}
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/*
 * Prints @text to @f word-wrapped to WIDTH columns: the first line after
 * @first, the others after @rest.  A '\n' in @text is a blank like any
 * other: the text is always reflowed.  (checkpatch wants a string that
 * continues on the next source line to end in "\n", so that is where the
 * demo's sources break their sentences.)
 */
static void wrap(FILE *f, const char *first, const char *rest,
		 const char *text)
{
	const char *prefix = first;
	const char *p = text;

	do {
		int col = width(prefix, strlen(prefix));
		const char *start, *end;

		/* Leading blanks of the text are kept: they align columns. */
		while (prefix != first && (*p == ' ' || *p == '\n'))
			p++;
		start = p;
		end = p;
		while (*p) {
			const char *q = p;
			bool code = false;
			int w;

			/* A `command` is one word: it must stay copyable. */
			while (*q && (code || (*q != ' ' && *q != '\n'))) {
				if (*q == '`')
					code = !code;
				q++;
			}
			w = width(p, q - p);
			/* The first word of a line goes in even if too long. */
			if (end != start && col + 1 + w > WIDTH)
				break;
			col += (end != start) + w;
			end = q;
			p = q;
			while (*p == ' ' || *p == '\n')
				p++;
		}
		fprintf(f, "%s", prefix);
		for (; start < end; start++)
			fputc(*start == '\n' ? ' ' : *start, f);
		fputc('\n', f);
		prefix = rest;
	} while (*p);
}

static void vwrap(const char *first, const char *rest, const char *fmt,
		  va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	wrap(stdout, first, rest, buf);
}

void out_plan(int checks)
{
	if (out.mode == OUT_TAP)
		printf("KTAP version 1\n1..%d\n", checks);
}

void out_section(int num, const char *title, int checks)
{
	out.section = num;
	out.promised = checks;
	out.given = 0;
	if (out.mode == OUT_TAP)
		printf("# %d. %s\n", num, title);
	else
		printf("\n%s%d. %s%s\n", col(C_BOLD), num, title, col(C_RESET));
	fflush(stdout);
}

static void verdict(const char *tap, const char *mark, const char *colour,
		    const char *why, char *text)
{
	char id[16], first[64], line[1200], *nl;

	/* A KTAP result is one line. */
	while ((nl = strchr(text, '\n')))
		*nl = ' ';

	out.total++;
	out.given++;
	snprintf(id, sizeof(id), "%d.%d", out.section, out.given);
	if (out.mode == OUT_TAP) {
		if (why)
			printf("%s %d %s %s # SKIP %s\n", tap, out.total, id,
			       text, why);
		else
			printf("%s %d %s %s\n", tap, out.total, id, text);
	} else {
		snprintf(first, sizeof(first), "   %s%s%s ", col(colour), mark,
			 col(C_RESET));
		if (why)
			snprintf(line, sizeof(line), "%s (skipped: %s)", text,
				 why);
		else
			snprintf(line, sizeof(line), "%s", text);
		wrap(stdout, first, "     ", line);
	}
	fflush(stdout);
}

static void note_failure(void)
{
	size_t len = strlen(out.failures);

	out.failed++;
	snprintf(out.failures + len, sizeof(out.failures) - len, "%s%d.%d",
		 len ? " " : "", out.section, out.given);
}

bool out_check(bool ok, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (out.given >= out.promised) {
		/* A bug in the demo: the KTAP plan would be wrong. */
		out_note("section %d gives more checks than it promised",
			 out.section);
		ok = false;
	}
	verdict(ok ? "ok" : "not ok", ok ? "✓" : "✗",
		ok ? C_GREEN : C_RED, NULL, text);
	if (!ok)
		note_failure();
	return ok;
}

void out_skip(const char *why, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	out.skipped++;
	verdict("ok", "-", C_YELLOW, why, text);
}

void out_section_end(void)
{
	while (out.given < out.promised) {
		char text[] = "(not reached: the section stopped early)";

		verdict("not ok", "✗", C_RED, NULL, text);
		note_failure();
	}
}

void out_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (out.mode == OUT_TAP)
		vwrap("# ", "# ", fmt, ap);
	else
		vwrap("   ", "   ", fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void out_fact(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (out.mode == OUT_TAP)
		vwrap("#   ", "#     ", fmt, ap);
	else
		vwrap("     ", "       ", fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void out_trace(const char *line)
{
	char first[32];

	if (out.mode == OUT_TAP) {
		wrap(stdout, "# trace: ", "#        ", line);
	} else {
		snprintf(first, sizeof(first), "   %strace:%s ", col(C_DIM),
			 col(C_RESET));
		wrap(stdout, first, "          ", line);
	}
	fflush(stdout);
}

void out_note(const char *fmt, ...)
{
	char first[32];
	va_list ap;

	va_start(ap, fmt);
	if (out.mode == OUT_TAP) {
		vwrap("# note: ", "#       ", fmt, ap);
	} else {
		snprintf(first, sizeof(first), "   %snote:%s ", col(C_YELLOW),
			 col(C_RESET));
		vwrap(first, "         ", fmt, ap);
	}
	va_end(ap);
	fflush(stdout);
}

int out_finish(void)
{
	int passed = out.total - out.failed - out.skipped;

	if (out.mode == OUT_TAP) {
		/* The totals line of kselftest.h, for whoever parses it. */
		printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d ",
		       passed, out.failed, out.skipped);
		printf("error:0\n");
	} else if (!out.failed && !out.skipped) {
		printf("\n%sAll %d checks passed.%s\n", col(C_GREEN),
		       out.total, col(C_RESET));
	} else {
		printf("\n%d of %d checks passed", passed, out.total);
		if (out.skipped)
			printf(", %d skipped", out.skipped);
		if (out.failed)
			printf(", %s%d failed (%s)%s", col(C_RED), out.failed,
			       out.failures, col(C_RESET));
		printf(".\n");
	}
	fflush(stdout);
	return out.failed;
}

void out_bail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (out.mode == OUT_TAP)
		printf("Bail out! %s\n", buf);
	/* The person, or the log of a test run, sees why on stderr. */
	wrap(stderr, "lazymap-demo: ", "  ", buf);
	fflush(stdout);
}
