// SPDX-License-Identifier: GPL-2.0
/*
 * Section 5, what cannot be mapped: a pipe, a socket and a terminal, with
 * the errno the kernel really returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_sections.h"

static const char *errno_name(int err)
{
	switch (err) {
	case ENODEV: return "ENODEV";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	case ENXIO: return "ENXIO";
	case ESPIPE: return "ESPIPE";
	case EBADF: return "EBADF";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "errno";
	}
}

/*
 * A terminal to try, opened for reading and writing (a write-only one
 * would fail mmap(PROT_READ) with EACCES for that reason alone): the
 * controlling terminal, else the one our standard streams are on (the
 * serial console in the VM), else a new pseudo-terminal.  O_NOCTTY:
 * opening it must not make it ours.
 */
static int open_terminal(char *name, size_t len)
{
	const int flags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	const char *tty = "/dev/tty";
	int fd, i;

	for (i = -1; i < 3; i++) {
		if (i >= 0)
			tty = isatty(i) ? ttyname(i) : NULL;
		if (!tty)
			continue;
		fd = open(tty, flags);
		if (fd >= 0) {
			snprintf(name, len, "the terminal %s", tty);
			return fd;
		}
	}
	fd = posix_openpt(flags);
	if (fd >= 0) {
		snprintf(name, len, "a pseudo-terminal (/dev/ptmx)");
		return fd;
	}
	snprintf(name, len, "a terminal");
	return -1;
}

static void try_map(const char *what, int fd)
{
	void *p;
	int err;

	if (fd < 0) {
		err = errno;
		out_fact("could not get %s to try: %s", what, strerror(err));
		/* A kernel built without networking has no sockets. */
		if (!strcmp(what, "a socket") && access("/proc/net", F_OK))
			out_skip("no networking in this kernel",
				 "mmap() of %s fails", what);
		else
			out_check(false, "mmap() of %s fails", what);
		return;
	}
	p = mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, 0);
	err = errno;
	if (p != MAP_FAILED) {
		out_fact("mmap() of %s returned %p", what, p);
		munmap(p, psz);
	} else {
		out_fact("mmap() of %s: -1, errno %d %s (%s)", what, err,
			 errno_name(err), strerror(err));
	}
	out_check(p == MAP_FAILED, "mmap() of %s fails", what);
}

void sec_nomap(void)
{
	char name[96];
	int fds[2], fd;

	out_say("mmap() needs pages that stay at an offset, as a file's or\n"
		"this device's do. A pipe, a socket and a terminal are streams:\n"
		"bytes pass through once and are gone, so there is nothing to\n"
		"map. Their drivers have no mmap, and the kernel refuses.");
	if (pipe2(fds, O_CLOEXEC)) {
		try_map("a pipe", -1);
	} else {
		try_map("a pipe", fds[0]);
		close(fds[0]);
		close(fds[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)) {
		try_map("a socket", -1);
	} else {
		try_map("a socket (AF_UNIX)", fds[0]);
		close(fds[0]);
		close(fds[1]);
	}
	fd = open_terminal(name, sizeof(name));
	try_map(name, fd);
	if (fd >= 0)
		close(fd);
}
