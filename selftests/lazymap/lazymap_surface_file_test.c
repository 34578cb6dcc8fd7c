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

static long f_syncfs(struct sf_t *t)
{
	long r;

	prep(t);
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

SF_FIXTURE;

SF_SAME(lseek_set, "file", "lseek SEEK_SET", f_lseek, WH(SEEK_SET, 1));
SF_SAME(lseek_set_end, "file", "lseek SEEK_SET at the end", f_lseek,
	WH(SEEK_SET, 3));
SF_SAME(lseek_set_neg, "file", "lseek SEEK_SET negative", f_lseek,
	WH(SEEK_SET, 4));
SF_SAME(lseek_cur, "file", "lseek SEEK_CUR", f_lseek, WH(SEEK_CUR, 1));
SF_SAME(lseek_end, "file", "lseek SEEK_END 0", f_lseek, WH(SEEK_END, 0));
SF_SAME(lseek_end_neg, "file", "lseek SEEK_END negative", f_lseek,
	WH(SEEK_END, 4));
SF_SAME(lseek_data_hole, "file", "lseek SEEK_DATA from a hole", f_lseek,
	WH(SEEK_DATA, 0));
SF_SAME(lseek_data_data, "file", "lseek SEEK_DATA in data", f_lseek,
	WH(SEEK_DATA, 1));
SF_SAME(lseek_data_end, "file", "lseek SEEK_DATA at the end", f_lseek,
	WH(SEEK_DATA, 3));
SF_SAME(lseek_hole_data, "file", "lseek SEEK_HOLE in data", f_lseek,
	WH(SEEK_HOLE, 1));
SF_SAME(lseek_hole_hole, "file", "lseek SEEK_HOLE in a hole", f_lseek,
	WH(SEEK_HOLE, 2));
SF_SAME(lseek_hole_end, "file", "lseek SEEK_HOLE at the end", f_lseek,
	WH(SEEK_HOLE, 3));
SF_SAME(lseek_bad_whence, "file", "lseek whence 5", f_lseek, WH(5, 0));

SF_SAME(fsync, "sync", "fsync", f_fsync, 0,
	.gap = "no .fsync in lazymap_fops: vfs_fsync_range() says EINVAL");
SF_SAME(fdatasync, "sync", "fdatasync", f_fdatasync, 0,
	.gap = "no .fsync in lazymap_fops: vfs_fsync_range() says EINVAL");
SF_INHERENT(sync_file_range, "sync", "sync_file_range WRITE", f_sync_file_range,
	    SYNC_FILE_RANGE_WRITE, "ESPIPE data=ZPPZZPZZ res=3",
	    "0 data=ZPPZZPZZ res=3",
	    "ksys_sync_file_range() takes regular files, block devices, directories and links only");
SF_INHERENT(sync_file_range_all, "sync",
	    "sync_file_range WAIT_BEFORE|WRITE|WAIT_AFTER", f_sync_file_range,
	    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	    SYNC_FILE_RANGE_WAIT_AFTER, "ESPIPE data=ZPPZZPZZ res=3",
	    "0 data=ZPPZZPZZ res=3",
	    "ksys_sync_file_range() takes regular files, block devices, directories and links only");
SF_SAME(sync_file_range_bad, "sync", "sync_file_range bad flags",
	f_sync_file_range, 0x80);
SF_SAME(syncfs, "sync", "syncfs", f_syncfs, 0);

SF_SAME(fadv_normal, "fadvise", "posix_fadvise NORMAL", f_fadvise,
	POSIX_FADV_NORMAL);
SF_SAME(fadv_random, "fadvise", "posix_fadvise RANDOM", f_fadvise,
	POSIX_FADV_RANDOM);
SF_SAME(fadv_sequential, "fadvise", "posix_fadvise SEQUENTIAL", f_fadvise,
	POSIX_FADV_SEQUENTIAL);
SF_SAME(fadv_willneed, "fadvise", "posix_fadvise WILLNEED", f_fadvise,
	POSIX_FADV_WILLNEED);
SF_SAME(fadv_dontneed, "fadvise", "posix_fadvise DONTNEED", f_fadvise,
	POSIX_FADV_DONTNEED);
SF_SAME(fadv_noreuse, "fadvise", "posix_fadvise NOREUSE", f_fadvise,
	POSIX_FADV_NOREUSE);
SF_SAME(fadv_bad, "fadvise", "posix_fadvise advice 42", f_fadvise, 42);

SF_INHERENT(falloc_0, "fallocate", "fallocate mode 0", f_fallocate, 0,
	    "ENODEV data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
	    "vfs_fallocate() takes regular files and block devices only; the device is always fully allocatable, its pages exist once touched");
SF_INHERENT(falloc_keep, "fallocate", "fallocate KEEP_SIZE", f_fallocate,
	    FALLOC_FL_KEEP_SIZE,
	    "ENODEV data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
	    "vfs_fallocate() takes regular files and block devices only");
SF_INHERENT(falloc_punch, "fallocate", "fallocate PUNCH_HOLE|KEEP_SIZE",
	    f_fallocate, FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    "ENODEV data=ZPPZZPZZ res=3", "0 data=ZZZZZPZZ res=1",
	    "vfs_fallocate() takes regular files and block devices only: LAZYMAP_IOC_DISCARD is the device's hole punch");
SF_SAME(falloc_punch_nokeep, "fallocate", "fallocate PUNCH_HOLE",
	f_fallocate, FL_PUNCH_HOLE);
SF_SAME(falloc_punch_zero, "fallocate", "fallocate PUNCH_HOLE|ZERO_RANGE",
	f_fallocate, FL_PUNCH_HOLE | FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE);
SF_INHERENT(falloc_collapse, "fallocate", "fallocate COLLAPSE_RANGE",
	    f_fallocate, FL_COLLAPSE_RANGE, "ENODEV data=ZPPZZPZZ res=3",
	    "EOPNOTSUPP data=ZPPZZPZZ res=3",
	    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
SF_INHERENT(falloc_zero, "fallocate", "fallocate ZERO_RANGE",
	    f_fallocate, FL_ZERO_RANGE, "ENODEV data=ZPPZZPZZ res=3",
	    "EOPNOTSUPP data=ZPPZZPZZ res=3",
	    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
SF_INHERENT(falloc_insert, "fallocate", "fallocate INSERT_RANGE",
	    f_fallocate, FL_INSERT_RANGE, "ENODEV data=ZPPZZPZZ res=3",
	    "EOPNOTSUPP data=ZPPZZPZZ res=3",
	    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
SF_INHERENT(falloc_unshare, "fallocate", "fallocate UNSHARE_RANGE",
	    f_fallocate, FL_UNSHARE_RANGE, "ENODEV data=ZPPZZPZZ res=3",
	    "EOPNOTSUPP data=ZPPZZPZZ res=3",
	    "vfs_fallocate() checks the file type (ENODEV) before the file system checks the mode (shmem: EOPNOTSUPP)");
SF_SAME(falloc_nohide, "fallocate", "fallocate NO_HIDE_STALE", f_fallocate,
	FL_NO_HIDE_STALE);
SF_INHERENT(falloc_write_zeroes, "fallocate", "fallocate WRITE_ZEROES",
	    f_fallocate, FL_WRITE_ZEROES, "ENODEV data=ZPPZZPZZ res=3",
	    "EOPNOTSUPP data=ZPPZZPZZ res=3",
	    "a mode since 6.17: there vfs_fallocate() checks the file type (ENODEV) before shmem the mode (EOPNOTSUPP); older kernels refuse the mode for both",
	    .or_same = true);
SF_SAME(falloc_unknown, "fallocate", "fallocate unknown mode bit",
	f_fallocate, FL_UNKNOWN);

SF_INHERENT(ftruncate_same, "size", "ftruncate to the size", f_ftruncate, 0,
	    "EINVAL st_size=0 data=ZPPZZPZZ res=3",
	    "0 st_size=size data=ZPPZZPZZ res=3",
	    "do_sys_ftruncate() takes regular files only: the device's size is fixed");
SF_INHERENT(ftruncate_half, "size", "ftruncate to half", f_ftruncate, 1,
	    "EINVAL st_size=0 data=ZPPZZPZZ res=3",
	    "0 st_size=half data=ZPPZZPZZ res=3",
	    "do_sys_ftruncate() takes regular files only: the device's size is fixed");
SF_INHERENT(fstat, "size", "fstat", f_fstat, 0,
	    "0 type=chr size=0 blocks=0 blksize=page rdev=dev",
	    "0 type=reg size=size blocks=res blksize=page rdev=0",
	    "a device node: st_size and st_blocks are the node's (0), the size is LAZYMAP_IOC_INFO.size and the pages resident_pages");
SF_INHERENT(statx, "size", "statx", f_statx, 0,
	    "0 type=chr size=0 blocks=0 blksize=page rdev=dev",
	    "0 type=reg size=size blocks=res blksize=page rdev=0",
	    "a device node: stx_size and stx_blocks are the node's (0)");

SF_SAME(flock_ex, "lock", "flock LOCK_EX vs LOCK_EX|LOCK_NB", f_flock,
	LOCK_EX | LOCK_NB);
SF_SAME(flock_sh, "lock", "flock LOCK_EX vs LOCK_SH|LOCK_NB", f_flock,
	LOCK_SH | LOCK_NB);
SF_SAME(posix_lock, "lock", "fcntl F_SETLK/F_GETLK", f_reclock, F_SETLK);
SF_SAME(ofd_lock, "lock", "fcntl F_OFD_SETLK/F_OFD_GETLK", f_reclock,
	F_OFD_SETLK);
SF_INHERENT(lease_wr, "lock", "fcntl F_SETLEASE F_WRLCK", f_setlease,
	    F_WRLCK, "EINVAL getlease=2", "EAGAIN getlease=2",
	    "generic_setlease() takes regular files only");
SF_INHERENT(lease_rd, "lock", "fcntl F_SETLEASE F_RDLCK", f_setlease,
	    F_RDLCK, "EINVAL getlease=2", "0 getlease=0",
	    "generic_setlease() takes regular files only");
SF_SAME(getlease, "lock", "fcntl F_GETLEASE", f_getlease, 0);

SF_INHERENT(readahead, "readahead", "readahead", f_readahead, 0,
	    "EINVAL data=ZPPZZPZZ res=3", "0 data=ZPPZZPZZ res=3",
	    "ksys_readahead() takes regular files (and block devices since 6.11) only");

SF_INHERENT(fionread, "ioctl", "ioctl FIONREAD", f_ioctl_int, FIONREAD,
	    "ENOTTY", "0 v=size-pos",
	    "do_vfs_ioctl() answers FIONREAD for regular files only, then asks the driver, which has no such command");
SF_SAME(figetbsz, "ioctl", "ioctl FIGETBSZ", f_ioctl_int, FIGETBSZ);
SF_INHERENT(getflags, "ioctl", "ioctl FS_IOC_GETFLAGS", f_ioctl_int,
	    FS_IOC_GETFLAGS, "ENOTTY", "0 v=0",
	    "inode flags belong to the file system of a file; for a device node the VFS passes the command to the driver");
SF_SAME(fionbio, "ioctl", "ioctl FIONBIO", f_ioctl_flag, FIONBIO);
SF_SAME(fioclex, "ioctl", "ioctl FIOCLEX", f_ioctl_flag, FIOCLEX);

SF_INHERENT(get_seals, "fcntl", "fcntl F_GET_SEALS", f_get_seals, 0,
	    "EINVAL", "0",
	    "seals exist for shmem and hugetlbfs files only (memfd_fcntl)");
SF_INHERENT(add_seals, "fcntl", "fcntl F_ADD_SEALS F_SEAL_WRITE",
	    f_add_seals, 0, "EINVAL pwrite=1", "0 pwrite=EPERM",
	    "seals exist for shmem and hugetlbfs files only (memfd_fcntl)");
SF_INHERENT(setxattr, "xattr", "fsetxattr user.*", f_setxattr, 0,
	    "EPERM get=ENODATA", NULL,
	    "xattr_permission(): user.* attributes only on regular files and directories");
SF_SAME(fchmod, "xattr", "fchmod (same mode)", f_fchmod, 0);

SF_MAIN
