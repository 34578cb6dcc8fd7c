/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of lazymap-demo: the same claims, evidence and verdicts either as
 * text for a person (wrapped to 80 columns, colour on a terminal) or as
 * KTAP for a test runner.
 */
#ifndef DEMO_OUT_H
#define DEMO_OUT_H

#include <stdbool.h>

#include "demo_compiler.h"

enum out_mode { OUT_TEXT, OUT_TAP };

void out_init(enum out_mode mode, bool colour);
bool out_is_tap(void);

/* KTAP header and plan; nothing in text mode. */
void out_plan(int checks);
/* A numbered section promising @checks verdicts. */
void out_section(int num, const char *title, int checks);
/* Ends the section: verdicts it promised but never gave count as failed. */
void out_section_end(void);

/* One paragraph of what is about to happen, wrapped. */
void out_say(const char *fmt, ...) __printf(1, 2);
/* One line of evidence: a measurement, indented under the claim. */
void out_fact(const char *fmt, ...) __printf(1, 2);
/* An event seen by the tracer, marked as such. */
void out_trace(const char *line);
/* A warning that is not a verdict (missing feature, hidden data). */
void out_note(const char *fmt, ...) __printf(1, 2);

/* The verdict on the claim above: ✓ or ✗; returns @ok. */
bool out_check(bool ok, const char *fmt, ...)
	__printf(2, 3);
/* A verdict that could not be reached, and why. */
void out_skip(const char *why, const char *fmt, ...)
	__printf(2, 3);

/* Prints the totals; returns the number of failed checks. */
int out_finish(void);
/* Stops the run: KTAP "Bail out!" or an error message. */
void out_bail(const char *fmt, ...) __printf(1, 2);

#endif /* DEMO_OUT_H */
