// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-copy transfers and durability calls: splice() and sendfile() move the
 * device's bytes in both directions through the same paths as read() and
 * write() (a hole reads as zeros and stays a hole; a write allocates, stops
 * at the end of the device with a partial count, then ENOSPC), and fsync(),
 * fdatasync() and msync() succeed, as on a memfd, without changing a byte.
 * lazymap_surface_test compares every such call with a memfd; this program
 * checks what only the device has: its resident count and its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

FIXTURE(xfer) {
	int fd;
	uint64_t size;
	int pipe[2];
	uint8_t *buf;
	size_t len;
};

FIXTURE_SETUP(xfer)
{
	LM_OPEN_EMPTY(self->fd);
	self->size = lm_size(self->fd);
	ASSERT_EQ(0, pipe(self->pipe));
	/* Two pages and a bit fit in a default (16-page) pipe. */
	self->len = 2 * lm_ps + 100;
	self->buf = malloc(self->len);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(xfer)
{
	free(self->buf);
	close(self->pipe[0]);
	close(self->pipe[1]);
	lm_close_empty(self->fd);
}

/* Read exactly len bytes from the pipe; 0 or -1. */
static int drain(int rfd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(rfd, (uint8_t *)buf + done, len - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* splice() of a hole into a pipe gives zeros and allocates nothing. */
TEST_F(xfer, splice_hole_to_pipe_reads_zeros)
{
	loff_t off = 3 * lm_ps + 7;

	ASSERT_EQ((ssize_t)self->len, splice(self->fd, &off, self->pipe[1],
					     NULL, self->len, 0));
	EXPECT_EQ((loff_t)(3 * lm_ps + 7 + self->len), off);
	memset(self->buf, 0xff, self->len);
	ASSERT_EQ(0, drain(self->pipe[0], self->buf, self->len));
	EXPECT_EQ(-1, lm_nonzero(self->buf, self->len));
	EXPECT_EQ(0ULL, lm_resident(self->fd));
}

/* splice() of written bytes into a pipe gives those bytes. */
TEST_F(xfer, splice_data_to_pipe)
{
	uint64_t at = 5 * lm_ps + 33;
	loff_t off = (loff_t)at;

	lm_fill(self->buf, self->len, at, 3);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, self->buf, self->len, at));
	memset(self->buf, 0, self->len);
	ASSERT_EQ((ssize_t)self->len, splice(self->fd, &off, self->pipe[1],
					     NULL, self->len, 0));
	ASSERT_EQ(0, drain(self->pipe[0], self->buf, self->len));
	EXPECT_EQ(-1, lm_check(self->buf, self->len, at, 3));
}

/*
 * splice() from a pipe into the device writes the bytes where write() would,
 * allocating exactly the pages they cover, seen at once by a mapping.
 */
TEST_F(xfer, splice_pipe_to_device)
{
	uint64_t at = 9 * lm_ps + lm_ps / 2;
	loff_t off = (loff_t)at;
	uint8_t *map;

	map = mmap(NULL, 16 * lm_ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	lm_fill(self->buf, self->len, at, 5);
	ASSERT_EQ((ssize_t)self->len, write(self->pipe[1], self->buf,
					    self->len));
	ASSERT_EQ((ssize_t)self->len, splice(self->pipe[0], NULL, self->fd,
					     &off, self->len, 0));
	EXPECT_EQ((loff_t)(at + self->len), off);
	EXPECT_EQ(-1, lm_check(map + at, self->len, at, 5));
	/* The pages that at .. at + len - 1 covers, no more. */
	EXPECT_EQ((at + self->len - 1) / lm_ps - at / lm_ps + 1,
		  lm_resident(self->fd));
	ASSERT_EQ(0, munmap(map, 16 * lm_ps));
}

/*
 * At the end of the device a splice() write is partial, as write() is, and
 * one at the end fails with ENOSPC; the pipe keeps what did not fit.
 */
TEST_F(xfer, splice_write_stops_at_end)
{
	loff_t off = (loff_t)(self->size - 10);

	lm_fill(self->buf, 64, 0, 9);
	ASSERT_EQ(64, write(self->pipe[1], self->buf, 64));
	EXPECT_EQ(10, splice(self->pipe[0], NULL, self->fd, &off, 64, 0));
	EXPECT_EQ((loff_t)self->size, off);
	EXPECT_EQ(-1, splice(self->pipe[0], NULL, self->fd, &off, 54, 0));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(1ULL, lm_resident(self->fd));
	/* The 54 bytes that did not fit are still in the pipe. */
	ASSERT_EQ(0, drain(self->pipe[0], self->buf + 64, 54));
	EXPECT_EQ(0, memcmp(self->buf + 10, self->buf + 64, 54));
}

/*
 * sendfile() from the device to a socket (a pipe where the kernel has no
 * AF_UNIX, as the debug kernel): the bytes, holes as zeros.
 */
TEST_F(xfer, sendfile_device_to_socket)
{
	uint64_t at = 2 * lm_ps - 50;
	off_t off = (off_t)at;
	int sv[2], p[2];
	uint8_t *got;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		/* A kernel without networking, or without AF_UNIX. */
		ASSERT_NE(0, errno);
		ASSERT_EQ(0, pipe(p));
		/* sendfile() writes to sv[0] and the test reads sv[1]. */
		sv[0] = p[1];
		sv[1] = p[0];
	}
	got = calloc(1, 2 * self->len);
	ASSERT_NE(NULL, got);
	/* First half written, second half a hole. */
	lm_fill(self->buf, self->len / 2, at, 7);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, self->buf, self->len / 2, at));
	ASSERT_EQ((ssize_t)self->len, sendfile(sv[0], self->fd, &off,
					       self->len));
	EXPECT_EQ((off_t)(at + self->len), off);
	ASSERT_EQ(0, drain(sv[1], got, self->len));
	EXPECT_EQ(-1, lm_check(got, self->len / 2, at, 7));
	EXPECT_EQ(-1, lm_nonzero(got + self->len / 2,
				 self->len - self->len / 2));
	/* Only the written pages are resident: the hole stayed a hole. */
	EXPECT_EQ((at + self->len / 2 - 1) / lm_ps - at / lm_ps + 1,
		  lm_resident(self->fd));
	free(got);
	close(sv[0]);
	close(sv[1]);
}

/* sendfile() from a file into the device, at the file position. */
TEST_F(xfer, sendfile_file_to_device)
{
	int src = memfd_create("lazymap-src", MFD_CLOEXEC);
	uint64_t at = 20 * lm_ps + 1;
	off_t in_off = 0;

	ASSERT_LE(0, src);
	lm_fill(self->buf, self->len, at, 13);
	ASSERT_EQ((ssize_t)self->len, write(src, self->buf, self->len));
	ASSERT_EQ((off_t)at, lseek(self->fd, (off_t)at, SEEK_SET));
	ASSERT_EQ((ssize_t)self->len, sendfile(self->fd, src, &in_off,
					       self->len));
	EXPECT_EQ((off_t)(at + self->len), lseek(self->fd, 0, SEEK_CUR));
	memset(self->buf, 0, self->len);
	ASSERT_EQ(0, lm_pread_all(self->fd, self->buf, self->len, at));
	EXPECT_EQ(-1, lm_check(self->buf, self->len, at, 13));
	close(src);
}

/*
 * fsync(), fdatasync() and msync() in every mode succeed, as on a memfd:
 * there is nothing to write back.  They change neither bytes nor pages.
 */
TEST_F(xfer, durability_calls_succeed)
{
	uint8_t *map;

	map = mmap(NULL, 4 * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	lm_fill(map, 2 * lm_ps, 0, 17);
	EXPECT_EQ(0, msync(map, 4 * lm_ps, MS_SYNC));
	EXPECT_EQ(0, msync(map, 4 * lm_ps, MS_ASYNC));
	EXPECT_EQ(0, msync(map, 4 * lm_ps, MS_SYNC | MS_INVALIDATE));
	EXPECT_EQ(0, fsync(self->fd));
	EXPECT_EQ(0, fdatasync(self->fd));
	EXPECT_EQ(-1, lm_check(map, 2 * lm_ps, 0, 17));
	EXPECT_EQ(2ULL, lm_resident(self->fd));
	ASSERT_EQ(0, lm_pread_all(self->fd, self->buf, lm_ps, lm_ps));
	EXPECT_EQ(-1, lm_check(self->buf, lm_ps, lm_ps, 17));
	ASSERT_EQ(0, munmap(map, 4 * lm_ps));
}

TEST_HARNESS_MAIN
