// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, read/write family: read, write, pread, pwrite, readv,
 * writev, preadv2/pwritev2 with every RWF_* flag, and the open flags that
 * change what they do (O_APPEND, O_DIRECT, O_SYNC, O_DSYNC, O_NONBLOCK,
 * O_TRUNC, O_PATH), on /dev/lazymap and on a memfd of the same size.  See
 * lazymap_surface.h for the table's rules.
 *
 * Every row starts from the same layout: the pattern in pages 0 and 1,
 * holes after.  Effects: what a read returned (one letter per page: P
 * pattern, Z zero, X mixed), the bytes of pages 0-3 afterwards, the file
 * position and the resident pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

/* The RWF_* flags, for a C library older than the kernel. */
#ifndef RWF_HIPRI
#define RWF_HIPRI	0x00000001
#endif
#ifndef RWF_DSYNC
#define RWF_DSYNC	0x00000002
#endif
#ifndef RWF_SYNC
#define RWF_SYNC	0x00000004
#endif
#ifndef RWF_NOWAIT
#define RWF_NOWAIT	0x00000008
#endif
#ifndef RWF_APPEND
#define RWF_APPEND	0x00000010
#endif
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND	0x00000020	/* 6.9 */
#endif
#ifndef RWF_ATOMIC
#define RWF_ATOMIC	0x00000040	/* 6.11 */
#endif
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE	0x00000080	/* 6.14 */
#endif
/* A bit no kernel defines yet. */
#define RWF_UNKNOWN	0x40000000

#define SEED		0x73757266	/* "surf": the layout */
#define SEED2		0x6e657721	/* "new!": what rows write */
#define NDATA		4		/* pages whose bytes are reported */

/* The pattern in pages 0 and 1, holes after. */
static int prep(struct sf_t *t)
{
	return sf_fill(t, 0, 2 * lm_ps, SEED);
}

/*
 * The bytes of pages 0..NDATA-1 after a write of SEED2's pattern: P where
 * only the layout is, X where the write landed (a mix of both patterns is
 * judged against SEED), Z for holes.
 */
static void after(struct sf_t *t, int fd)
{
	sf_eff_data(t, 0, NDATA * lm_ps, SEED);
	if (fd >= 0)
		sf_eff_pos(t, fd);
	sf_eff_res(t);
}

/* Read len bytes at the position, report what came back. */
static long read_at_pos(struct sf_t *t, int fd, off_t pos, size_t len)
{
	uint8_t *buf = calloc(1, len);
	long r;

	if (!buf)
		return -ENOMEM;
	lseek(fd, pos, SEEK_SET);
	r = sf_ret(read(fd, buf, len));
	if (r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, (uint64_t)pos, SEED);
	free(buf);
	return r;
}

/* Write len bytes of SEED2's pattern at the position. */
static long write_at_pos(struct sf_t *t, int fd, off_t pos, size_t len)
{
	uint8_t *buf = malloc(len);
	long r;

	if (!buf)
		return -ENOMEM;
	lm_fill(buf, len, (uint64_t)pos, SEED2);
	if (lseek(fd, pos, SEEK_SET) < 0)
		sf_eff(t, "lseek=%s", sf_errname(errno));
	r = sf_ret(write(fd, buf, len));
	free(buf);
	return r;
}

static long rw_read(struct sf_t *t)
{
	long r;

	prep(t);
	r = read_at_pos(t, t->fd, (off_t)(lm_ps / 2), 3 * lm_ps);
	after(t, t->fd);
	return r;
}

static long rw_read_end(struct sf_t *t)
{
	long r;

	prep(t);
	r = read_at_pos(t, t->fd, (off_t)t->size, lm_ps);
	after(t, t->fd);
	return r;
}

static long rw_read_across_end(struct sf_t *t)
{
	long r;

	prep(t);
	r = read_at_pos(t, t->fd, (off_t)(t->size - 100), lm_ps);
	after(t, t->fd);
	return r;
}

static long rw_read_efault(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(read(t->fd, lm_launder(NULL), 16));
	after(t, t->fd);
	return r;
}

static long rw_write(struct sf_t *t)
{
	long r;

	prep(t);
	r = write_at_pos(t, t->fd, (off_t)lm_ps, 2 * lm_ps);
	after(t, t->fd);
	return r;
}

static long rw_write_end(struct sf_t *t)
{
	long r;

	prep(t);
	r = write_at_pos(t, t->fd, (off_t)t->size, 16);
	after(t, t->fd);
	return r;
}

static long rw_write_across_end(struct sf_t *t)
{
	long r;

	prep(t);
	r = write_at_pos(t, t->fd, (off_t)(t->size - 100), 200);
	after(t, t->fd);
	return r;
}

static long rw_write_efault(struct sf_t *t)
{
	long r;

	prep(t);
	lseek(t->fd, (off_t)lm_ps, SEEK_SET);
	r = sf_ret(write(t->fd, lm_launder(NULL), 16));
	after(t, t->fd);
	return r;
}

static long rw_pread(struct sf_t *t)
{
	size_t len = 2 * lm_ps;
	uint8_t *buf = calloc(1, len);
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	r = sf_ret(pread(t->fd, buf, len, (off_t)(lm_ps / 2)));
	if (r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, lm_ps / 2, SEED);
	after(t, t->fd);
	free(buf);
	return r;
}

static long rw_pwrite(struct sf_t *t)
{
	size_t len = lm_ps;
	uint8_t *buf = malloc(len);
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	lm_fill(buf, len, 3 * lm_ps, SEED);
	r = sf_ret(pwrite(t->fd, buf, len, (off_t)(3 * lm_ps)));
	after(t, t->fd);
	free(buf);
	return r;
}

/* Two pieces: the rest of page 0 and all of page 1, then a hole. */
static long rw_readv(struct sf_t *t)
{
	size_t a = lm_ps / 2, b = 2 * lm_ps;
	uint8_t *buf = calloc(1, a + b);
	struct iovec iov[2] = { { buf, a }, { buf + a, b } };
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	lseek(t->fd, (off_t)(lm_ps / 2), SEEK_SET);
	r = sf_ret(readv(t->fd, iov, 2));
	if (r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, lm_ps / 2, SEED);
	after(t, t->fd);
	free(buf);
	return r;
}

static long rw_writev(struct sf_t *t)
{
	size_t a = 100, b = lm_ps - 100;
	uint8_t *buf = malloc(a + b);
	struct iovec iov[2] = { { buf, a }, { buf + a, b } };
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	lm_fill(buf, a + b, 2 * lm_ps, SEED);
	lseek(t->fd, (off_t)(2 * lm_ps), SEEK_SET);
	r = sf_ret(writev(t->fd, iov, 2));
	after(t, t->fd);
	free(buf);
	return r;
}

/*
 * In the argument of the preadv2/pwritev2 rows, above the RWF_* flags: use
 * a descriptor of a new open() (a memfd through /proc/self/fd), whose
 * f_mode the file system's open() set, rather than memfd_create()'s.
 */
#define REOPEN		((int64_t)1 << 32)

/* The descriptor a row works on, and whether it must be closed. */
static int row_fd(struct sf_t *t)
{
	return t->arg & REOPEN ? sf_reopen(t, O_RDWR) : t->fd;
}

static void row_fd_done(struct sf_t *t, int fd)
{
	if (fd >= 0 && fd != t->fd)
		close(fd);
}

/* preadv2(arg) of two pages at page 1, half of it pattern, half hole. */
static long rw_preadv2(struct sf_t *t)
{
	size_t len = 2 * lm_ps;
	uint8_t *buf = calloc(1, len);
	struct iovec iov = { buf, len };
	int fd = row_fd(t);
	long r;

	if (!buf || fd < 0)
		return -ENOMEM;
	prep(t);
	r = sf_ret(preadv2(fd, &iov, 1, (off_t)lm_ps,
			   (int)(t->arg & 0xffffffff)));
	row_fd_done(t, fd);
	if (r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, lm_ps, SEED);
	after(t, t->fd);
	free(buf);
	return r;
}

/*
 * pwritev2(arg) of one page of the layout's pattern at page 2, so that a
 * write where it was asked leaves data=PPPZ.
 */
static long rw_pwritev2(struct sf_t *t)
{
	uint8_t *buf = malloc(lm_ps);
	struct iovec iov = { buf, lm_ps };
	int fd = row_fd(t);
	long r;

	if (!buf || fd < 0)
		return -ENOMEM;
	prep(t);
	lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
	r = sf_ret(pwritev2(fd, &iov, 1, (off_t)(2 * lm_ps),
			    (int)(t->arg & 0xffffffff)));
	row_fd_done(t, fd);
	after(t, t->fd);
	free(buf);
	return r;
}

/* RWF_NOAPPEND on a descriptor opened with O_APPEND. */
static long rw_pwritev2_noappend(struct sf_t *t)
{
	uint8_t *buf = malloc(lm_ps);
	struct iovec iov = { buf, lm_ps };
	int fd;
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	fd = sf_reopen(t, O_RDWR | O_APPEND);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
	r = sf_ret(pwritev2(fd, &iov, 1, (off_t)(2 * lm_ps), RWF_NOAPPEND));
	after(t, -1);
	close(fd);
	free(buf);
	return r;
}

/*
 * Open the target again with arg's flags, then write one page of the
 * layout's pattern at page 2 (where the position is, unless O_APPEND),
 * and read page 0 back through the new descriptor.
 */
static long rw_open_write(struct sf_t *t)
{
	uint8_t *buf = malloc(lm_ps);
	int fd;
	long r;

	if (!buf)
		return -ENOMEM;
	prep(t);
	fd = sf_reopen(t, (int)t->arg);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
	lseek(fd, (off_t)(2 * lm_ps), SEEK_SET);
	r = sf_ret(write(fd, buf, lm_ps));
	sf_eff_pos(t, fd);
	after(t, -1);
	close(fd);
	free(buf);
	return r;
}

/* Open again with arg's flags and read page 0 through the new descriptor. */
static long rw_open_read(struct sf_t *t)
{
	int fd;
	long r;

	prep(t);
	fd = sf_reopen(t, (int)t->arg);
	if (fd < 0)
		return fd;
	r = read_at_pos(t, fd, 0, lm_ps);
	after(t, -1);
	close(fd);
	return r;
}

/*
 * O_DIRECT: open with it, then read a page-aligned page into a
 * page-aligned buffer (what direct I/O asks for).
 */
static long rw_open_direct(struct sf_t *t)
{
	void *buf;
	int fd;
	long r;

	prep(t);
	fd = sf_reopen(t, O_RDWR | O_DIRECT);
	if (fd < 0) {
		after(t, -1);
		return fd;
	}
	if (posix_memalign(&buf, lm_ps, lm_ps)) {
		close(fd);
		return -ENOMEM;
	}
	r = sf_ret(pread(fd, buf, lm_ps, 0));
	if (r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, 0, SEED);
	after(t, -1);
	free(buf);
	close(fd);
	return r;
}

/*
 * fcntl(F_SETFL, O_DIRECT) on a descriptor of a new open(): a memfd's
 * through /proc/self/fd, since memfd_create() does not run shmem's open()
 * (which says whether the file can do direct I/O).
 */
static long rw_setfl_direct(struct sf_t *t)
{
	int fd = sf_reopen(t, O_RDWR);
	long r;

	if (fd < 0)
		return fd;
	prep(t);
	r = sf_ret(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_DIRECT));
	sf_eff(t, "direct=%s", fcntl(fd, F_GETFL) & O_DIRECT ? "on" : "off");
	after(t, -1);
	close(fd);
	return r;
}

/* O_TRUNC: what the bytes and the size are after the open. */
static long rw_open_trunc(struct sf_t *t)
{
	struct stat st;
	int fd;

	prep(t);
	fd = sf_reopen(t, O_RDWR | O_TRUNC);
	if (fd < 0)
		return fd;
	if (!fstat(t->fd, &st))
		sf_eff(t, "st_size=%s", (uint64_t)st.st_size == t->size ?
		       "size" : st.st_size ? "other" : "0");
	after(t, -1);
	close(fd);
	return 0;
}

/* O_PATH: a descriptor that only names the file; read must fail. */
static long rw_open_path(struct sf_t *t)
{
	uint8_t b;
	int fd;
	long r;

	prep(t);
	fd = sf_reopen(t, O_PATH);
	if (fd < 0)
		return fd;
	r = sf_ret(read(fd, &b, 1));
	after(t, -1);
	close(fd);
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, read)
	SF_SAME("rw", "read (pattern then hole)", rw_read, 0);
FIXTURE_VARIANT_ADD(surface, read_at_end)
	SF_SAME("rw", "read at the end", rw_read_end, 0);
FIXTURE_VARIANT_ADD(surface, read_across_end)
	SF_SAME("rw", "read across the end", rw_read_across_end, 0);
FIXTURE_VARIANT_ADD(surface, read_efault)
	SF_SAME("rw", "read into a bad buffer", rw_read_efault, 0);
FIXTURE_VARIANT_ADD(surface, write)
	SF_SAME("rw", "write", rw_write, 0);
FIXTURE_VARIANT_ADD(surface, write_at_end)
	SF_INHERENT("rw", "write at the end", rw_write_end, 0,
		    "ENOSPC data=PPZZ pos=end res=2",
		    "16 data=PPZZ pos=end+16 res=3",
		    "fixed size: the device cannot grow, a memfd grows");
FIXTURE_VARIANT_ADD(surface, write_across_end)
	SF_INHERENT("rw", "write across the end", rw_write_across_end, 0,
		    "100 data=PPZZ pos=end res=3",
		    "200 data=PPZZ pos=end+100 res=4",
		    "fixed size: the device writes what fits, a memfd grows");
FIXTURE_VARIANT_ADD(surface, write_efault)
	SF_SAME("rw", "write from a bad buffer", rw_write_efault, 0);
FIXTURE_VARIANT_ADD(surface, pread)
	SF_SAME("rw", "pread", rw_pread, 0);
FIXTURE_VARIANT_ADD(surface, pwrite)
	SF_SAME("rw", "pwrite", rw_pwrite, 0);
FIXTURE_VARIANT_ADD(surface, readv)
	SF_SAME("rw", "readv", rw_readv, 0);
FIXTURE_VARIANT_ADD(surface, writev)
	SF_SAME("rw", "writev", rw_writev, 0);

FIXTURE_VARIANT_ADD(surface, preadv2_0)
	SF_SAME("rw", "preadv2 flags 0", rw_preadv2, 0);
FIXTURE_VARIANT_ADD(surface, preadv2_hipri)
	SF_SAME("rw", "preadv2 RWF_HIPRI", rw_preadv2, RWF_HIPRI);
FIXTURE_VARIANT_ADD(surface, preadv2_dsync)
	SF_SAME("rw", "preadv2 RWF_DSYNC", rw_preadv2, RWF_DSYNC);
FIXTURE_VARIANT_ADD(surface, preadv2_sync)
	SF_SAME("rw", "preadv2 RWF_SYNC", rw_preadv2, RWF_SYNC);
FIXTURE_VARIANT_ADD(surface, preadv2_nowait)
	SF_SAME("rw", "preadv2 RWF_NOWAIT", rw_preadv2, RWF_NOWAIT);
FIXTURE_VARIANT_ADD(surface, preadv2_nowait_reopen)
	SF_SAME("rw", "preadv2 RWF_NOWAIT, reopened fd", rw_preadv2,
		RWF_NOWAIT | REOPEN);
FIXTURE_VARIANT_ADD(surface, preadv2_append)
	SF_SAME("rw", "preadv2 RWF_APPEND", rw_preadv2, RWF_APPEND);
FIXTURE_VARIANT_ADD(surface, preadv2_noappend)
	SF_SAME("rw", "preadv2 RWF_NOAPPEND", rw_preadv2, RWF_NOAPPEND);
FIXTURE_VARIANT_ADD(surface, preadv2_atomic)
	SF_SAME("rw", "preadv2 RWF_ATOMIC", rw_preadv2, RWF_ATOMIC);
FIXTURE_VARIANT_ADD(surface, preadv2_dontcache)
	SF_SAME("rw", "preadv2 RWF_DONTCACHE", rw_preadv2, RWF_DONTCACHE);
FIXTURE_VARIANT_ADD(surface, preadv2_unknown)
	SF_SAME("rw", "preadv2 unknown RWF bit", rw_preadv2, RWF_UNKNOWN);

FIXTURE_VARIANT_ADD(surface, pwritev2_0)
	SF_SAME("rw", "pwritev2 flags 0", rw_pwritev2, 0);
FIXTURE_VARIANT_ADD(surface, pwritev2_hipri)
	SF_SAME("rw", "pwritev2 RWF_HIPRI", rw_pwritev2, RWF_HIPRI);
FIXTURE_VARIANT_ADD(surface, pwritev2_dsync)
	SF_SAME("rw", "pwritev2 RWF_DSYNC", rw_pwritev2, RWF_DSYNC);
FIXTURE_VARIANT_ADD(surface, pwritev2_sync)
	SF_SAME("rw", "pwritev2 RWF_SYNC", rw_pwritev2, RWF_SYNC);
FIXTURE_VARIANT_ADD(surface, pwritev2_nowait)
	SF_SAME("rw", "pwritev2 RWF_NOWAIT", rw_pwritev2, RWF_NOWAIT);
FIXTURE_VARIANT_ADD(surface, pwritev2_nowait_reopen)
	SF_SAME("rw", "pwritev2 RWF_NOWAIT, reopened fd", rw_pwritev2,
		RWF_NOWAIT | REOPEN);
FIXTURE_VARIANT_ADD(surface, pwritev2_append)
	SF_INHERENT("rw", "pwritev2 RWF_APPEND", rw_pwritev2, RWF_APPEND,
		    "ENOSPC data=PPZZ pos=0 res=2", "{PS} data=PPZZ pos=0 res=3",
		    "fixed size: appending writes at the end, where the device has no room (ENOSPC as for any write there) and a memfd grows");
FIXTURE_VARIANT_ADD(surface, pwritev2_noappend)
	SF_SAME("rw", "pwritev2 RWF_NOAPPEND on O_APPEND", rw_pwritev2_noappend,
		0);
FIXTURE_VARIANT_ADD(surface, pwritev2_atomic)
	SF_SAME("rw", "pwritev2 RWF_ATOMIC", rw_pwritev2, RWF_ATOMIC);
FIXTURE_VARIANT_ADD(surface, pwritev2_dontcache)
	SF_SAME("rw", "pwritev2 RWF_DONTCACHE", rw_pwritev2, RWF_DONTCACHE);
FIXTURE_VARIANT_ADD(surface, pwritev2_unknown)
	SF_SAME("rw", "pwritev2 unknown RWF bit", rw_pwritev2, RWF_UNKNOWN);

FIXTURE_VARIANT_ADD(surface, open_append)
	SF_INHERENT("rw", "O_APPEND write", rw_open_write, O_RDWR | O_APPEND,
		    "ENOSPC pos={2PS} data=PPZZ res=2",
		    "{PS} pos=end+{PS} data=PPZZ res=3",
		    "fixed size: appending writes at the end, where the device has no room (ENOSPC as for any write there) and a memfd grows");
/*
 * Not inherent but deliberate: lazymap takes O_DIRECT on every kernel, as
 * tmpfs does since 6.6; an older kernel's memfd refuses it.  On 6.6 and
 * later both sides take it (or_same).
 */
#define ODIRECT								\
	"deliberate: lazymap accepts O_DIRECT on every kernel and serves it from the store, as tmpfs does since 6.6; before 6.6 a memfd refuses it"

FIXTURE_VARIANT_ADD(surface, open_direct)
	SF_INHERENT("rw", "O_DIRECT open + pread", rw_open_direct, 0,
		    "{PS} buf=P data=PPZZ res=2", "EINVAL data=PPZZ res=2",
		    ODIRECT, .or_same = true);
FIXTURE_VARIANT_ADD(surface, setfl_direct)
	SF_INHERENT("rw", "fcntl F_SETFL O_DIRECT", rw_setfl_direct, 0,
		    "0 direct=on data=PPZZ res=2",
		    "EINVAL direct=off data=PPZZ res=2",
		    ODIRECT, .or_same = true);
FIXTURE_VARIANT_ADD(surface, open_sync)
	SF_SAME("rw", "O_SYNC write", rw_open_write, O_RDWR | O_SYNC);
FIXTURE_VARIANT_ADD(surface, open_dsync)
	SF_SAME("rw", "O_DSYNC write", rw_open_write, O_RDWR | O_DSYNC);
FIXTURE_VARIANT_ADD(surface, open_nonblock_read)
	SF_SAME("rw", "O_NONBLOCK read", rw_open_read, O_RDWR | O_NONBLOCK);
FIXTURE_VARIANT_ADD(surface, open_nonblock_write)
	SF_SAME("rw", "O_NONBLOCK write", rw_open_write, O_RDWR | O_NONBLOCK);
FIXTURE_VARIANT_ADD(surface, open_rdonly_write)
	SF_SAME("rw", "write on O_RDONLY", rw_open_write, O_RDONLY);
FIXTURE_VARIANT_ADD(surface, open_wronly_read)
	SF_SAME("rw", "read on O_WRONLY", rw_open_read, O_WRONLY);
FIXTURE_VARIANT_ADD(surface, open_trunc)
	SF_INHERENT("rw", "O_TRUNC open", rw_open_trunc, 0,
		    "0 st_size=0 data=PPZZ res=2", "0 st_size=0 data=short:0 res=0",
		    "a device has no size to cut: may_open() drops O_TRUNC for character devices");
FIXTURE_VARIANT_ADD(surface, open_path_read)
	SF_SAME("rw", "O_PATH read", rw_open_path, 0);

