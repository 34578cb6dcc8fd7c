/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Other processes for lazymap-demo: a forked child, or the demo itself run
 * again as a helper (a separate program that inherits no mapping), each
 * talking to the demo over a pair of pipes, one line at a time.
 */
#ifndef DEMO_SPAWN_H
#define DEMO_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "demo_compiler.h"

struct proc {
	pid_t pid;
	int rd;			/* lines from the other side */
	int wr;			/* lines to the other side */
};

/*
 * fork() with the pipes set up: returns 0 in the child, the child's pid in
 * the parent, -1 on failure.  The child must end with _exit().
 */
pid_t proc_fork(struct proc *p);
/*
 * Runs "lazymap-demo --device DEV --helper ARGV..." with its stdin and
 * stdout on the pipes.  0 or -1.
 */
int proc_helper(struct proc *p, const char *dev, const char *const argv[]);
/* One line from the other side, without '\n'; length or -1 at EOF. */
int proc_read(struct proc *p, char *buf, size_t len);
/* Sends one line. */
void proc_send(struct proc *p, const char *fmt, ...)
	__printf(2, 3);
/* Waits until the other side closes its end (for a child: the parent). */
void proc_wait_eof(struct proc *p);
/* Closes the pipes and reaps the process; its exit status or -1. */
int proc_end(struct proc *p);

#endif /* DEMO_SPAWN_H */
