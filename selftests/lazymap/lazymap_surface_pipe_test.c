// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, zero-copy family: splice (both ways), vmsplice, tee,
 * sendfile (both ways) and copy_file_range (both ways), on /dev/lazymap and
 * on a memfd of the same size; vmsplice also on anonymous memory.  See
 * lazymap_surface.h.
 *
 * Every row starts from the pattern in pages 0 and 1 and moves one page
 * and a half between the target and a pipe, a socket or a scratch memfd.
 * Effects: what arrived (one letter per page: P pattern, Z zero, X mixed),
 * the target's bytes of pages 0-3 afterwards, its position, its resident
 * pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

#define SEED		0x70697065	/* "pipe" */
#define NDATA		4

static int prep(struct sf_t *t)
{
	return t->kind == SF_ANON ? 0 : sf_fill(t, 0, 2 * lm_ps, SEED);
}

static void after(struct sf_t *t)
{
	sf_eff_data(t, 0, NDATA * lm_ps, SEED);
	if (t->fd >= 0)
		sf_eff_pos(t, t->fd);
	sf_eff_res(t);
}

/* Read what a descriptor holds (up to len), as letters from base_off. */
static void drain(struct sf_t *t, int fd, size_t len, uint64_t base_off)
{
	uint8_t *buf = calloc(1, len);
	ssize_t n;

	if (!buf)
		return;
	n = read(fd, buf, len);
	if (n > 0)
		sf_eff_buf(t, "got", buf, (size_t)n, base_off, SEED);
	else
		sf_eff(t, "got=%s", n ? sf_errname(errno) : "nothing");
	free(buf);
}

/* Fill a pipe with the pattern of [base_off, base_off + len). */
static int pipe_with(int p[2], size_t len, uint64_t base_off)
{
	uint8_t *buf = malloc(len);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		err = -errno;
	lm_fill(buf, len, base_off, SEED);
	if (!err && write(p[1], buf, len) != (ssize_t)len)
		err = -EIO;
	free(buf);
	return err;
}

/* splice from the target at offset ps/2 into a pipe. */
static long z_splice_read(struct sf_t *t)
{
	size_t len = 3 * lm_ps / 2;
	loff_t off = (loff_t)(lm_ps / 2);
	int p[2];
	long r;

	prep(t);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (t->arg)
		lseek(t->fd, off, SEEK_SET);
	r = sf_ret(splice(t->fd, t->arg ? NULL : &off, p[1], NULL, len, 0));
	if (r >= 0)
		drain(t, p[0], len, lm_ps / 2);
	after(t);
	close(p[0]);
	close(p[1]);
	return r;
}

/* splice from a pipe into the target at page 2. */
static long z_splice_write(struct sf_t *t)
{
	size_t len = 3 * lm_ps / 2;
	loff_t off = (loff_t)(2 * lm_ps);
	int p[2];
	long r;

	prep(t);
	r = pipe_with(p, len, 2 * lm_ps);
	if (r)
		return r;
	r = sf_ret(splice(p[0], NULL, t->fd, &off, len, 0));
	after(t);
	close(p[0]);
	close(p[1]);
	return r;
}

/*
 * vmsplice pages 0-1 of a mapping of the target into a pipe, then change
 * the mapping: a vmspliced page is the page itself, not a copy.
 */
static long z_vmsplice(struct sf_t *t)
{
	size_t len = 2 * lm_ps;
	struct iovec iov;
	uint8_t *m;
	int p[2];
	long r;

	prep(t);
	m = sf_map(t, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (m == MAP_FAILED)
		return -errno;
	if (t->kind == SF_ANON)
		lm_fill(m, len, 0, SEED);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	iov.iov_base = m;
	iov.iov_len = len;
	r = sf_ret(vmsplice(p[1], &iov, 1, 0));
	sf_eff_res(t);
	memset(m + lm_ps, 0, lm_ps);	/* after the splice */
	if (r > 0)
		drain(t, p[0], len, 0);
	close(p[0]);
	close(p[1]);
	return r;
}

/* splice the target into a pipe, tee that pipe into another. */
static long z_tee(struct sf_t *t)
{
	size_t len = lm_ps;
	loff_t off = 0;
	int a[2], b[2];
	long r;

	prep(t);
	if (pipe2(a, O_CLOEXEC | O_NONBLOCK) ||
	    pipe2(b, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	sf_eff(t, "splice=%s", splice(t->fd, &off, a[1], NULL, len, 0) < 0 ?
	       sf_errname(errno) : "ok");
	r = sf_ret(tee(a[0], b[1], len, SPLICE_F_NONBLOCK));
	if (r > 0)
		drain(t, b[0], len, 0);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	return r;
}

/* sendfile from the target (at ps/2) to a socket (arg 1) or a pipe. */
static long z_sendfile_from(struct sf_t *t)
{
	size_t len = 3 * lm_ps / 2;
	off_t off = (off_t)(lm_ps / 2);
	int s[2];
	long r;

	prep(t);
	if (t->arg ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) :
	    pipe2(s, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (t->arg) {
		int sz = (int)(4 * lm_ps);

		setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(s[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	r = sf_ret(sendfile(t->arg ? s[0] : s[1], t->fd, &off, len));
	if (r > 0)
		drain(t, t->arg ? s[1] : s[0], len, lm_ps / 2);
	after(t);
	close(s[0]);
	close(s[1]);
	return r;
}

/* sendfile from a scratch memfd into the target at page 2. */
static long z_sendfile_to(struct sf_t *t)
{
	size_t len = 3 * lm_ps / 2;
	int src = memfd_create("lazymap-src", MFD_CLOEXEC);
	off_t off = (off_t)(2 * lm_ps);
	uint8_t *buf = malloc(len + 2 * lm_ps);
	long r;

	if (src < 0 || !buf)
		return -ENOMEM;
	prep(t);
	lm_fill(buf, len + 2 * lm_ps, 0, SEED);
	if (pwrite(src, buf, len + 2 * lm_ps, 0) < 0)
		return -errno;
	lseek(t->fd, (off_t)(2 * lm_ps), SEEK_SET);
	r = sf_ret(sendfile(t->fd, src, &off, len));
	after(t);
	free(buf);
	close(src);
	return r;
}

/*
 * copy_file_range of a page between the target and a scratch memfd (arg
 * 1: into the target).
 */
static long z_copy_file_range(struct sf_t *t)
{
	size_t len = lm_ps;
	int other = memfd_create("lazymap-other", MFD_CLOEXEC);
	loff_t in_off = (loff_t)(lm_ps / 2), out_off = (loff_t)(2 * lm_ps);
	uint8_t *buf = malloc(2 * lm_ps);
	long r;

	if (other < 0 || !buf)
		return -ENOMEM;
	prep(t);
	lm_fill(buf, 2 * lm_ps, 0, SEED);
	if (ftruncate(other, (off_t)(4 * lm_ps)) ||
	    pwrite(other, buf, 2 * lm_ps, 0) < 0)
		return -errno;
	if (t->arg)
		r = sf_ret(copy_file_range(other, &in_off, t->fd, &out_off,
					   len, 0));
	else
		r = sf_ret(copy_file_range(t->fd, &in_off, other, &out_off,
					   len, 0));
	if (!t->arg) {
		uint8_t *got = calloc(1, len);

		if (got && pread(other, got, len, 2 * lm_ps) == (ssize_t)len)
			sf_eff_buf(t, "dst", got, len, lm_ps / 2, SEED);
		free(got);
	}
	after(t);
	free(buf);
	close(other);
	return r;
}

/* copy_file_range inside the target, from page 0 to page 2. */
static long z_copy_file_range_self(struct sf_t *t)
{
	loff_t in_off = 0, out_off = (loff_t)(2 * lm_ps);
	long r;

	prep(t);
	r = sf_ret(copy_file_range(t->fd, &in_off, t->fd, &out_off, lm_ps,
				   0));
	after(t);
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, splice_read)
	SF_SAME("splice", "splice file -> pipe (offset)", z_splice_read, 0);
FIXTURE_VARIANT_ADD(surface, splice_read_pos)
	SF_SAME("splice", "splice file -> pipe (position)", z_splice_read, 1);
FIXTURE_VARIANT_ADD(surface, splice_write)
	SF_SAME("splice", "splice pipe -> file", z_splice_write, 0);
FIXTURE_VARIANT_ADD(surface, vmsplice)
	SF_SAME("splice", "vmsplice mapping -> pipe", z_vmsplice, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, tee)
	SF_SAME("splice", "splice file -> pipe, tee", z_tee, 0);
FIXTURE_VARIANT_ADD(surface, sendfile_pipe)
	SF_SAME("splice", "sendfile file -> pipe", z_sendfile_from, 0);
FIXTURE_VARIANT_ADD(surface, sendfile_socket)
	SF_SAME("splice", "sendfile file -> socket", z_sendfile_from, 1);
FIXTURE_VARIANT_ADD(surface, sendfile_to)
	SF_SAME("splice", "sendfile memfd -> file", z_sendfile_to, 0);
FIXTURE_VARIANT_ADD(surface, copy_from)
	SF_INHERENT("splice", "copy_file_range file -> memfd",
		    z_copy_file_range, 0, "EINVAL dst=Z data=PPZZ pos=0 res=2",
		    "{PS} dst=P data=PPZZ pos=0 res=2",
		    "generic_copy_file_checks() refuses anything but regular files (EINVAL) before the driver is asked");
FIXTURE_VARIANT_ADD(surface, copy_to)
	SF_INHERENT("splice", "copy_file_range memfd -> file",
		    z_copy_file_range, 1, "EINVAL data=PPZZ pos=0 res=2",
		    "{PS} data=PPXZ pos=0 res=3",
		    "generic_copy_file_checks() refuses anything but regular files (EINVAL) before the driver is asked");
FIXTURE_VARIANT_ADD(surface, copy_self)
	SF_INHERENT("splice", "copy_file_range file -> same file",
		    z_copy_file_range_self, 0, "EINVAL data=PPZZ pos=0 res=2",
		    "{PS} data=PPXZ pos=0 res=3",
		    "generic_copy_file_checks() refuses anything but regular files (EINVAL) before the driver is asked");

