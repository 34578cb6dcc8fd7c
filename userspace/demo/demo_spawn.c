// SPDX-License-Identifier: GPL-2.0
/*
 * Processes and pipes for lazymap-demo.  Lines are read a byte at a time:
 * a stdio buffer could swallow the next line, and the lines are few.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo_spawn.h"

pid_t proc_fork(struct proc *p)
{
	int down[2], up[2];

	if (pipe2(down, O_CLOEXEC))
		return -1;
	if (pipe2(up, O_CLOEXEC)) {
		close(down[0]);
		close(down[1]);
		return -1;
	}
	/* Unflushed output would be printed twice, once by each process. */
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(down[0]);
		close(down[1]);
		close(up[0]);
		close(up[1]);
		return -1;
	}
	if (p->pid == 0) {
		close(down[1]);
		close(up[0]);
		p->rd = down[0];
		p->wr = up[1];
		/* Never outlive a demo that got stuck. */
		alarm(120);
		return 0;
	}
	close(down[0]);
	close(up[1]);
	p->rd = up[0];
	p->wr = down[1];
	return p->pid;
}

int proc_helper(struct proc *p, const char *dev, const char *const argv[])
{
	const char *args[16] = { "lazymap-demo", "--device", dev, "--helper" };
	char self[4096];
	int i, n = 4;
	ssize_t len;

	for (i = 0; argv[i] && n < 15; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (proc_fork(p) < 0)
		return -1;
	if (p->pid)
		return 0;
	/* dup2() clears close-on-exec on the copies. */
	if (dup2(p->rd, 0) < 0 || dup2(p->wr, 1) < 0)
		_exit(127);
	/*
	 * By its real path, so that the helper is called lazymap-demo in ps
	 * and traces rather than "exe".
	 */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = 0;
		execv(self, (char *const *)args);
	}
	execv("/proc/self/exe", (char *const *)args);
	_exit(127);
}

int proc_read(struct proc *p, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	while (read(p->rd, &c, 1) == 1) {
		if (c == '\n') {
			buf[n] = 0;
			return n;
		}
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = 0;
	return -1;
}

void proc_send(struct proc *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(p->wr, fmt, ap);
	va_end(ap);
	dprintf(p->wr, "\n");
}

void proc_wait_eof(struct proc *p)
{
	char c;

	while (read(p->rd, &c, 1) > 0)
		;
}

int proc_end(struct proc *p)
{
	int status;

	close(p->wr);
	close(p->rd);
	if (waitpid(p->pid, &status, 0) != p->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
