// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, file family: lseek (every whence), fsync, fdatasync,
 * sync_file_range, syncfs, posix_fadvise (every advice), fallocate (every
 * mode), ftruncate, fstat, statx, flock, fcntl locks (POSIX and OFD),
 * leases, readahead(2), the generic ioctls, seals and xattrs, on
 * /dev/lazymap and on a memfd of the same size.  See lazymap_surface.h.
 *
 * Every row starts from the pattern in pages 1, 2 and 5 (holes at 0, 3,
 * 4, 6...), reports the call's result and what it changed: the bytes of
 * pages 0-7 (one letter per page), the resident pages, the position.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/fs.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE		0x01
#endif
#define FL_PUNCH_HOLE			0x02
#define FL_NO_HIDE_STALE		0x04
#define FL_COLLAPSE_RANGE		0x08
#define FL_ZERO_RANGE			0x10
#define FL_INSERT_RANGE			0x20
#define FL_UNSHARE_RANGE		0x40
#define FL_WRITE_ZEROES			0x80	/* 6.17 */
#define FL_UNKNOWN			0x4000

#ifndef F_OFD_GETLK
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS	1033
#define F_GET_SEALS	1034
#define F_SEAL_WRITE	0x0008
#endif

#define SEED		0x66696c65	/* "file" */
#define NDATA		8

static int prep(struct sf_t *t)
{
	int err = sf_fill(t, lm_ps, 2 * lm_ps, SEED);

	return err ? err : sf_fill(t, 5 * lm_ps, lm_ps, SEED);
}

static void after(struct sf_t *t)
{
	sf_eff_data(t, 0, NDATA * lm_ps, SEED);
	sf_eff_res(t);
}

/* lseek(arg's whence) from an offset picked for it; the new position. */
static long f_lseek(struct sf_t *t)
{
	int whence = (int)(t->arg & 0xff), where = (int)(t->arg >> 8);
	/* where: 0 page 0, 1 the middle of page 1, 2 page 3, 3 the end */
	off_t offs[] = { 0, (off_t)(lm_ps + 10), (off_t)(3 * lm_ps),
			 (off_t)t->size, -1 };
	long r;

	prep(t);
	lseek(t->fd, (off_t)lm_ps, SEEK_SET);
	r = sf_ret(lseek(t->fd, offs[where], whence));
	if (r >= 0 && (uint64_t)r == t->size)
		sf_eff(t, "=end");
	sf_eff_pos(t, t->fd);
	return r;
}

#define WH(whence, where)	((whence) | ((where) << 8))

static long f_fsync(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(fsync(t->fd));
	after(t);
	return r;
}

static long f_fdatasync(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(fdatasync(t->fd));
	after(t);
	return r;
}

static long f_sync_file_range(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(sync_file_range(t->fd, 0, (off_t)(NDATA * lm_ps),
				   (unsigned int)t->arg));
	after(t);
	return r;
}

/*
 * syncfs(2) reports a writeback error of the file system that no syncfs
 * has seen yet, even one from before the file was opened (errseq).  The
 * memfd's file system is the kernel's one internal tmpfs, where an earlier
 * test (MADV_HWPOISON of a memfd page: EIO) leaves one: a first syncfs
 * takes it, on both sides, so the row measures this file's own.
 */
static long f_syncfs(struct sf_t *t)
{
	long r;

	prep(t);
	syncfs(t->fd);
	r = sf_ret(syncfs(t->fd));
	after(t);
	return r;
}

static long f_fadvise(struct sf_t *t)
{
	long r;

	prep(t);
	/* posix_fadvise returns the error number, not -1/errno. */
	r = -posix_fadvise(t->fd, 0, (off_t)(NDATA * lm_ps), (int)t->arg);
	after(t);
	return r;
}

/* fallocate(arg) over pages 1-2 (KEEP_SIZE modes) */
static long f_fallocate(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(fallocate(t->fd, (int)t->arg, (off_t)lm_ps,
			     (off_t)(2 * lm_ps)));
	after(t);
	return r;
}

static long f_ftruncate(struct sf_t *t)
{
	struct stat st;
	long r;

	prep(t);
	r = sf_ret(ftruncate(t->fd, t->arg ? (off_t)(t->size / 2) :
			     (off_t)t->size));
	if (!fstat(t->fd, &st))
		sf_eff(t, "st_size=%s", (uint64_t)st.st_size == t->size ?
		       "size" : (uint64_t)st.st_size == t->size / 2 ?
		       "half" : st.st_size ? "other" : "0");
	after(t);
	return r;
}

static const char *type_name(mode_t mode)
{
	return S_ISREG(mode) ? "reg" : S_ISCHR(mode) ? "chr" :
		S_ISBLK(mode) ? "blk" : "other";
}

/* The fields whose meaning a device and a file share. */
static void stat_eff(struct sf_t *t, mode_t mode, uint64_t size,
		     uint64_t blocks, uint64_t blksize, uint64_t rdev)
{
	sf_eff(t, "type=%s size=%s blocks=%s blksize=%s rdev=%s",
	       type_name(mode), size == t->size ? "size" : size ? "other" : "0",
	       blocks * 512 == sf_res(t) * lm_ps ? "res" :
	       blocks ? "other" : "0",
	       blksize == lm_ps ? "page" : "other", rdev ? "dev" : "0");
}

static long f_fstat(struct sf_t *t)
{
	struct stat st;
	long r;

	prep(t);
	r = sf_ret(fstat(t->fd, &st));
	if (!r)
		stat_eff(t, st.st_mode, (uint64_t)st.st_size,
			 (uint64_t)st.st_blocks, (uint64_t)st.st_blksize,
			 (uint64_t)st.st_rdev);
	return r;
}

static long f_statx(struct sf_t *t)
{
	struct statx stx;
	long r;

	prep(t);
	r = sf_ret(statx(t->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	if (!r)
		stat_eff(t, stx.stx_mode, stx.stx_size, stx.stx_blocks,
			 stx.stx_blksize,
			 stx.stx_rdev_major | stx.stx_rdev_minor);
	return r;
}

/*
 * flock: an exclusive lock through this description, then what a second
 * description of the same file gets (arg: its operation).
 */
static long f_flock(struct sf_t *t)
{
	int fd2 = sf_reopen(t, O_RDWR);
	long r;

	if (fd2 < 0)
		return fd2;
	r = sf_ret(flock(t->fd, LOCK_EX | LOCK_NB));
	sf_eff(t, "second=%s",
	       flock(fd2, (int)t->arg) ? sf_errname(errno) : "0");
	flock(t->fd, LOCK_UN);
	sf_eff(t, "after_unlock=%s",
	       flock(fd2, (int)t->arg) ? sf_errname(errno) : "0");
	close(fd2);
	return r;
}

/*
 * A record lock on pages 1-2 (arg: F_SETLK or F_OFD_SETLK), then what
 * another process (POSIX) or another description (OFD) is told by GETLK.
 */
static long f_reclock(struct sf_t *t)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = (off_t)lm_ps, .l_len = (off_t)(2 * lm_ps),
	};
	int setcmd = (int)t->arg;
	int getcmd = setcmd == F_SETLK ? F_GETLK : F_OFD_GETLK;
	long r;

	r = sf_ret(fcntl(t->fd, setcmd, &fl));
	if (setcmd == F_SETLK) {
		pid_t pid;

		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			struct flock q = {
				.l_type = F_RDLCK, .l_whence = SEEK_SET,
				.l_start = (off_t)(2 * lm_ps), .l_len = 1,
			};

			if (fcntl(t->fd, F_GETLK, &q))
				_exit(2);
			_exit(q.l_type == F_WRLCK ? 0 : 1);
		}
		sf_eff(t, "other_process_sees=%s",
		       lm_wait(pid) == 0 ? "F_WRLCK" : "none");
	} else {
		struct flock q = {
			.l_type = F_RDLCK, .l_whence = SEEK_SET,
			.l_start = (off_t)(2 * lm_ps), .l_len = 1,
		};
		int fd2 = sf_reopen(t, O_RDWR);

		if (fd2 >= 0 && !fcntl(fd2, getcmd, &q))
			sf_eff(t, "other_fd_sees=%s",
			       q.l_type == F_WRLCK ? "F_WRLCK" : "none");
		else
			sf_eff(t, "other_fd_sees=%s", sf_errname(errno));
		if (fd2 >= 0)
			close(fd2);
	}
	return r;
}

/* F_SETLEASE(arg) on the only open description. */
static long f_setlease(struct sf_t *t)
{
	long r = sf_ret(fcntl(t->fd, F_SETLEASE, (int)t->arg));

	sf_eff(t, "getlease=%d", fcntl(t->fd, F_GETLEASE));
	return r;
}

static long f_getlease(struct sf_t *t)
{
	return sf_ret(fcntl(t->fd, F_GETLEASE));
}

static long f_readahead(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(readahead(t->fd, 0, NDATA * lm_ps));
	after(t);
	return r;
}

/* ioctl(arg) with an int-sized out argument. */
static long f_ioctl_int(struct sf_t *t)
{
	int v = -1;
	long r;

	prep(t);
	lseek(t->fd, (off_t)lm_ps, SEEK_SET);
	r = sf_ret(ioctl(t->fd, (unsigned long)t->arg, &v));
	if (!r && (unsigned long)t->arg == FIONREAD)
		sf_eff(t, "v=%s", (uint64_t)v == t->size - lm_ps ?
		       "size-pos" : "other");
	else if (!r && (unsigned long)t->arg == FIGETBSZ)
		sf_eff(t, "v=%s", (size_t)v == lm_ps ? "page" : "other");
	else if (!r)
		sf_eff(t, "v=%d", v);
	return r;
}

/* FIONBIO/FIOCLEX-like ioctls that take no argument or a flag. */
static long f_ioctl_flag(struct sf_t *t)
{
	int on = 1;
	long r = sf_ret(ioctl(t->fd, (unsigned long)t->arg, &on));

	sf_eff(t, "fl=%s", fcntl(t->fd, F_GETFL) & O_NONBLOCK ?
	       "nonblock" : "-");
	sf_eff(t, "fd=%s", fcntl(t->fd, F_GETFD) & FD_CLOEXEC ?
	       "cloexec" : "-");
	return r;
}

static long f_get_seals(struct sf_t *t)
{
	return sf_ret(fcntl(t->fd, F_GET_SEALS));
}

static long f_add_seals(struct sf_t *t)
{
	long r;

	prep(t);
	r = sf_ret(fcntl(t->fd, F_ADD_SEALS, F_SEAL_WRITE));
	sf_eff(t, "pwrite=%s", pwrite(t->fd, "x", 1, 0) < 0 ?
	       sf_errname(errno) : "1");
	return r;
}

static long f_setxattr(struct sf_t *t)
{
	long r = sf_ret(fsetxattr(t->fd, "user.lazymap", "1", 1, 0));
	char v[4];

	sf_eff(t, "get=%s", fgetxattr(t->fd, "user.lazymap", v,
				      sizeof(v)) < 0 ?
	       sf_errname(errno) : "1");
	return r;
}

static long f_fchmod(struct sf_t *t)
{
	struct stat st;
	long r;

	if (fstat(t->fd, &st))
		return -errno;
	r = sf_ret(fchmod(t->fd, st.st_mode & 07777));
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, lseek_set)
	SF_SAME("file", "lseek SEEK_SET", f_lseek, WH(SEEK_SET, 1));
FIXTURE_VARIANT_ADD(surface, lseek_set_end)
	SF_SAME("file", "lseek SEEK_SET at the end", f_lseek, WH(SEEK_SET, 3));
FIXTURE_VARIANT_ADD(surface, lseek_set_neg)
	SF_SAME("file", "lseek SEEK_SET negative", f_lseek, WH(SEEK_SET, 4));
FIXTURE_VARIANT_ADD(surface, lseek_cur)
	SF_SAME("file", "lseek SEEK_CUR", f_lseek, WH(SEEK_CUR, 1));
FIXTURE_VARIANT_ADD(surface, lseek_end)
	SF_SAME("file", "lseek SEEK_END 0", f_lseek, WH(SEEK_END, 0));
FIXTURE_VARIANT_ADD(surface, lseek_end_neg)
	SF_SAME("file", "lseek SEEK_END negative", f_lseek, WH(SEEK_END, 4));
FIXTURE_VARIANT_ADD(surface, lseek_data_hole)
	SF_SAME("file", "lseek SEEK_DATA from a hole", f_lseek,
		WH(SEEK_DATA, 0));
FIXTURE_VARIANT_ADD(surface, lseek_data_data)
	SF_SAME("file", "lseek SEEK_DATA in data", f_lseek, WH(SEEK_DATA, 1));
FIXTURE_VARIANT_ADD(surface, lseek_data_end)
	SF_SAME("file", "lseek SEEK_DATA at the end", f_lseek,
		WH(SEEK_DATA, 3));
FIXTURE_VARIANT_ADD(surface, lseek_hole_data)
	SF_SAME("file", "lseek SEEK_HOLE in data", f_lseek, WH(SEEK_HOLE, 1));
FIXTURE_VARIANT_ADD(surface, lseek_hole_hole)
	SF_SAME("file", "lseek SEEK_HOLE in a hole", f_lseek, WH(SEEK_HOLE, 2));
FIXTURE_VARIANT_ADD(surface, lseek_hole_end)
	SF_SAME("file", "lseek SEEK_HOLE at the end", f_lseek,
		WH(SEEK_HOLE, 3));
FIXTURE_VARIANT_ADD(surface, lseek_bad_whence)
	SF_SAME("file", "lseek whence 5", f_lseek, WH(5, 0));

FIXTURE_VARIANT_ADD(surface, fsync)
	SF_SAME("sync", "fsync", f_fsync, 0);
FIXTURE_VARIANT_ADD(surface, fdatasync)
	SF_SAME("sync", "fdatasync", f_fdatasync, 0);
FIXTURE_VARIANT_ADD(surface, sync_file_range)
	SF_INHERENT("sync", "sync_file_range WRITE", f_sync_file_range,
		    SYNC_FILE_RANGE_WRITE, "ESPIPE data=ZPPZZPZZ res=3",
		    "0 data=ZPPZZPZZ res=3",
		    "ksys_sync_file_range() takes regular files, block devices and directories only (and links before 7.x), before the driver is asked");
FIXTURE_VARIANT_ADD(surface, sync_file_range_all)
	SF_INHERENT("sync", "sync_file_range WAIT_BEFORE|WRITE|WAIT_AFTER",
		    f_sync_file_range,
		    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
		    SYNC_FILE_RANGE_WAIT_AFTER,
		    "ESPIPE data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
		    "ksys_sync_file_range() takes regular files, block devices and directories only (and links before 7.x), before the driver is asked");
FIXTURE_VARIANT_ADD(surface, sync_file_range_bad)
	SF_SAME("sync", "sync_file_range bad flags", f_sync_file_range, 0x80);
FIXTURE_VARIANT_ADD(surface, syncfs)
	SF_SAME("sync", "syncfs", f_syncfs, 0);

FIXTURE_VARIANT_ADD(surface, fadv_normal)
	SF_SAME("fadvise", "posix_fadvise NORMAL", f_fadvise,
		POSIX_FADV_NORMAL);
FIXTURE_VARIANT_ADD(surface, fadv_random)
	SF_SAME("fadvise", "posix_fadvise RANDOM", f_fadvise,
		POSIX_FADV_RANDOM);
FIXTURE_VARIANT_ADD(surface, fadv_sequential)
	SF_SAME("fadvise", "posix_fadvise SEQUENTIAL", f_fadvise,
		POSIX_FADV_SEQUENTIAL);
FIXTURE_VARIANT_ADD(surface, fadv_willneed)
	SF_SAME("fadvise", "posix_fadvise WILLNEED", f_fadvise,
		POSIX_FADV_WILLNEED);
FIXTURE_VARIANT_ADD(surface, fadv_dontneed)
	SF_SAME("fadvise", "posix_fadvise DONTNEED", f_fadvise,
		POSIX_FADV_DONTNEED);
FIXTURE_VARIANT_ADD(surface, fadv_noreuse)
	SF_SAME("fadvise", "posix_fadvise NOREUSE", f_fadvise,
		POSIX_FADV_NOREUSE);
FIXTURE_VARIANT_ADD(surface, fadv_bad)
	SF_SAME("fadvise", "posix_fadvise advice 42", f_fadvise, 42);

FIXTURE_VARIANT_ADD(surface, falloc_0)
	SF_INHERENT("fallocate", "fallocate mode 0", f_fallocate, 0,
		    "ENODEV data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
		    "vfs_fallocate() takes regular files and block devices only; the device is always fully allocatable, its pages exist once touched");
FIXTURE_VARIANT_ADD(surface, falloc_keep)
	SF_INHERENT("fallocate", "fallocate KEEP_SIZE", f_fallocate,
		    FALLOC_FL_KEEP_SIZE, "ENODEV data=ZPPZZPZZ res=3",
		    "0 data=ZPPZZPZZ res=3",
		    "vfs_fallocate() takes regular files and block devices only");
FIXTURE_VARIANT_ADD(surface, falloc_punch)
	SF_INHERENT("fallocate", "fallocate PUNCH_HOLE|KEEP_SIZE", f_fallocate,
		    FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		    "ENODEV data=ZPPZZPZZ res=3", "0 data=ZZZZZPZZ res=1",
		    "vfs_fallocate() takes regular files and block devices only: LAZYMAP_IOC_DISCARD is the device's hole punch");
FIXTURE_VARIANT_ADD(surface, falloc_punch_nokeep)
	SF_SAME("fallocate", "fallocate PUNCH_HOLE", f_fallocate,
		FL_PUNCH_HOLE);
FIXTURE_VARIANT_ADD(surface, falloc_punch_zero)
	SF_SAME("fallocate", "fallocate PUNCH_HOLE|ZERO_RANGE", f_fallocate,
		FL_PUNCH_HOLE | FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE);
FIXTURE_VARIANT_ADD(surface, falloc_collapse)
	SF_INHERENT("fallocate", "fallocate COLLAPSE_RANGE", f_fallocate,
		    FL_COLLAPSE_RANGE, "ENODEV data=ZPPZZPZZ res=3",
		    "EOPNOTSUPP data=ZPPZZPZZ res=3",
		    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
FIXTURE_VARIANT_ADD(surface, falloc_zero)
	SF_INHERENT("fallocate", "fallocate ZERO_RANGE", f_fallocate,
		    FL_ZERO_RANGE, "ENODEV data=ZPPZZPZZ res=3",
		    "EOPNOTSUPP data=ZPPZZPZZ res=3",
		    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
FIXTURE_VARIANT_ADD(surface, falloc_insert)
	SF_INHERENT("fallocate", "fallocate INSERT_RANGE", f_fallocate,
		    FL_INSERT_RANGE, "ENODEV data=ZPPZZPZZ res=3",
		    "EOPNOTSUPP data=ZPPZZPZZ res=3",
		    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
FIXTURE_VARIANT_ADD(surface, falloc_unshare)
	SF_INHERENT("fallocate", "fallocate UNSHARE_RANGE", f_fallocate,
		    FL_UNSHARE_RANGE, "ENODEV data=ZPPZZPZZ res=3",
		    "EOPNOTSUPP data=ZPPZZPZZ res=3",
		    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
FIXTURE_VARIANT_ADD(surface, falloc_nohide)
	SF_SAME("fallocate", "fallocate NO_HIDE_STALE", f_fallocate,
		FL_NO_HIDE_STALE);
FIXTURE_VARIANT_ADD(surface, falloc_write_zeroes)
	SF_INHERENT("fallocate", "fallocate WRITE_ZEROES", f_fallocate,
		    FL_WRITE_ZEROES, "ENODEV data=ZPPZZPZZ res=3",
		    "EOPNOTSUPP data=ZPPZZPZZ res=3",
		    "a mode since 6.17: there vfs_fallocate() checks the file type (ENODEV) before shmem the mode (EOPNOTSUPP); older kernels refuse the mode for both",
		    .or_same = true);
FIXTURE_VARIANT_ADD(surface, falloc_unknown)
	SF_SAME("fallocate", "fallocate unknown mode bit", f_fallocate,
		FL_UNKNOWN);

FIXTURE_VARIANT_ADD(surface, ftruncate_same)
	SF_INHERENT("size", "ftruncate to the size", f_ftruncate, 0,
		    "EINVAL st_size=0 data=ZPPZZPZZ res=3",
		    "0 st_size=size data=ZPPZZPZZ res=3",
		    "do_sys_ftruncate() takes regular files only: the device's size is fixed");
FIXTURE_VARIANT_ADD(surface, ftruncate_half)
	SF_INHERENT("size", "ftruncate to half", f_ftruncate, 1,
		    "EINVAL st_size=0 data=ZPPZZPZZ res=3",
		    "0 st_size=half data=ZPPZZPZZ res=3",
		    "do_sys_ftruncate() takes regular files only: the device's size is fixed");
FIXTURE_VARIANT_ADD(surface, fstat)
	SF_INHERENT("size", "fstat", f_fstat, 0,
		    "0 type=chr size=0 blocks=0 blksize=page rdev=dev",
		    "0 type=reg size=size blocks=res blksize=page rdev=0",
		    "a device node: st_size and st_blocks are the node's (0), the size is LAZYMAP_IOC_INFO.size and the pages resident_pages");
FIXTURE_VARIANT_ADD(surface, statx)
	SF_INHERENT("size", "statx", f_statx, 0,
		    "0 type=chr size=0 blocks=0 blksize=page rdev=dev",
		    "0 type=reg size=size blocks=res blksize=page rdev=0",
		    "a device node: stx_size and stx_blocks are the node's (0)");

FIXTURE_VARIANT_ADD(surface, flock_ex)
	SF_SAME("lock", "flock LOCK_EX vs LOCK_EX|LOCK_NB", f_flock,
		LOCK_EX | LOCK_NB);
FIXTURE_VARIANT_ADD(surface, flock_sh)
	SF_SAME("lock", "flock LOCK_EX vs LOCK_SH|LOCK_NB", f_flock,
		LOCK_SH | LOCK_NB);
FIXTURE_VARIANT_ADD(surface, posix_lock)
	SF_SAME("lock", "fcntl F_SETLK/F_GETLK", f_reclock, F_SETLK);
FIXTURE_VARIANT_ADD(surface, ofd_lock)
	SF_SAME("lock", "fcntl F_OFD_SETLK/F_OFD_GETLK", f_reclock,
		F_OFD_SETLK);
FIXTURE_VARIANT_ADD(surface, lease_wr)
	SF_INHERENT("lock", "fcntl F_SETLEASE F_WRLCK", f_setlease, F_WRLCK,
		    "EINVAL getlease=2", "EAGAIN getlease=2",
		    "generic_setlease() takes regular files only (and directories on 7.x)");
FIXTURE_VARIANT_ADD(surface, lease_rd)
	SF_INHERENT("lock", "fcntl F_SETLEASE F_RDLCK", f_setlease, F_RDLCK,
		    "EINVAL getlease=2", "0 getlease=0",
		    "generic_setlease() takes regular files only (and directories on 7.x)");
FIXTURE_VARIANT_ADD(surface, getlease)
	SF_SAME("lock", "fcntl F_GETLEASE", f_getlease, 0);

FIXTURE_VARIANT_ADD(surface, readahead)
	SF_INHERENT("readahead", "readahead", f_readahead, 0,
		    "EINVAL data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
		    "ksys_readahead() takes regular files and block devices only");

FIXTURE_VARIANT_ADD(surface, fionread)
	SF_SAME("ioctl", "ioctl FIONREAD", f_ioctl_int, FIONREAD);
FIXTURE_VARIANT_ADD(surface, figetbsz)
	SF_SAME("ioctl", "ioctl FIGETBSZ", f_ioctl_int, FIGETBSZ);
FIXTURE_VARIANT_ADD(surface, getflags)
	SF_INHERENT("ioctl", "ioctl FS_IOC_GETFLAGS", f_ioctl_int,
		    FS_IOC_GETFLAGS, "ENOTTY", "0 v=0",
		    "inode flags are the file system's: devtmpfs has no fileattr_get for device nodes, so the VFS passes the command on to the driver, which has no inode flags to report (a tmpfs without CONFIG_TMPFS_XATTR, as the debug kernel's, has none either)",
		    .or_same = true);
FIXTURE_VARIANT_ADD(surface, fionbio)
	SF_SAME("ioctl", "ioctl FIONBIO", f_ioctl_flag, FIONBIO);
FIXTURE_VARIANT_ADD(surface, fioclex)
	SF_SAME("ioctl", "ioctl FIOCLEX", f_ioctl_flag, FIOCLEX);

FIXTURE_VARIANT_ADD(surface, get_seals)
	SF_INHERENT("fcntl", "fcntl F_GET_SEALS", f_get_seals, 0, "EINVAL", "0",
		    "seals exist for shmem and hugetlbfs files only (memfd_fcntl)");
FIXTURE_VARIANT_ADD(surface, add_seals)
	SF_INHERENT("fcntl", "fcntl F_ADD_SEALS F_SEAL_WRITE", f_add_seals, 0,
		    "EINVAL pwrite=1", "0 pwrite=EPERM",
		    "seals exist for shmem and hugetlbfs files only (memfd_fcntl)");
FIXTURE_VARIANT_ADD(surface, setxattr)
	SF_INHERENT("xattr", "fsetxattr user.*", f_setxattr, 0,
		    "EPERM get=ENODATA", NULL,
		    "xattr_permission(): user.* attributes only on regular files and directories");
FIXTURE_VARIANT_ADD(surface, fchmod)
	SF_SAME("xattr", "fchmod (same mode)", f_fchmod, 0);

