/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hidden "--helper" modes of lazymap-demo: the second program the demo
 * needs, which is the demo itself run again (so nothing more has to be
 * installed), answering on stdout one line at a time.
 */
#ifndef DEMO_HELPER_H
#define DEMO_HELPER_H

/*
 *   touch LEN PAGE...  map LEN bytes shared, write to each PAGE; print
 *                      "before=N after=N minflt=N" (pages in our page
 *                      table before and after, our page faults)
 *   shared PAGE        map that one page shared; print "pid=N addr=P",
 *                      then the strings at +0 and +64; write
 *                      "process N was here" at +128; wait for EOF
 *   libc               print "pid=N" and wait for EOF on stdin
 */
int helper_main(const char *dev, int argc, char **argv);

#endif /* DEMO_HELPER_H */
