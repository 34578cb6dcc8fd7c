/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture and the one test of each surface audit program (see
 * lazymap_surface.h): included once, by a lazymap_surface_*_test.c, after
 * kselftest_harness.h and before its table of rows.  It defines functions,
 * so no other file may include it.
 *
 * The test runs once per row (FIXTURE_VARIANT_ADD(surface, id), one KTAP
 * test "surface.<id>.row" each): SAME rows compare lazymap's outcome with
 * the memfd's, INHERENT rows compare both with the table's expectations.
 */
#ifndef LAZYMAP_SURFACE_FIXTURE_H
#define LAZYMAP_SURFACE_FIXTURE_H

#include <string.h>

#include "lazymap_surface.h"

FIXTURE(surface) {
	int unused;
};

FIXTURE_VARIANT(surface) {
	struct sf_row row;
};

FIXTURE_SETUP(surface)
{
}

/* Leave the store empty for whatever runs next. */
FIXTURE_TEARDOWN(surface)
{
	sf_cleanup();
}

TEST_F(surface, row)
{
	const struct sf_row *r = &variant->row;
	struct sf_result res;

	ASSERT_EQ(0, sf_run(r, &res));
	sf_print(r, &res);
	if (r->skip_on && !strcmp(res.out[SF_MEMFD], r->skip_on))
		LM_SKIP("%s: %s (%s)", r->call, r->skip_on,
			strcmp(r->skip_on, "ENOSYS") ? "not run here" :
			"not on this kernel");
	if (r->gap)
		TH_LOG("known gap: %s", r->gap);
	/* An inherent difference is checked on the device only. */
	if (r->lm && lm_emulated())
		LM_SKIP("an inherent difference of the device");
	if (r->lm && !strcmp(res.verdict, "SAME")) {
		/* .or_same: no difference on this kernel. */
		EXPECT_TRUE(r->or_same);
	} else if (r->lm) {
		EXPECT_STREQ(res.exp_lm, res.out[SF_LAZYMAP]);
		if (r->memfd)
			EXPECT_STREQ(res.exp_memfd, res.out[SF_MEMFD]);
	} else {
		EXPECT_STREQ(res.out[SF_MEMFD], res.out[SF_LAZYMAP]);
	}
}

TEST_HARNESS_MAIN

#endif /* LAZYMAP_SURFACE_FIXTURE_H */
