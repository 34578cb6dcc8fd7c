// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading the module (behaviours 2, 3 and 11), through
 * finit_module(2) and delete_module(2): size_mb out of range fails with
 * EINVAL and one error line saying what is allowed, 1, the maximum and the
 * default load; a new module starts with an empty, zeroed store; unloading
 * is refused while a descriptor is open, while only a mapping is left, or
 * while a forked child still holds a mapping, and allowed after; unloading
 * gives back the memory; pages spliced into a pipe stay valid after the
 * mapping, the file and the module are gone.
 *
 * Runs only where the module is already loaded and LAZYMAP_KO exists (the
 * test VM); every test leaves it loaded with default parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

FIXTURE(module) {
	bool armed;		/* the test may have changed the module */
	int fd;
	uint8_t *map;
	size_t map_len;
	pid_t child;
};

/* Skip unless the module may be reloaded here; else arm the teardown. */
#define NEED_RELOAD() do {						\
	LM_NEED_RELOAD();					\
	self->armed = true;						\
} while (0)

FIXTURE_SETUP(module)
{
	self->armed = false;
	self->fd = -1;
	self->map = MAP_FAILED;
	self->child = -1;
}

/* Drop what a failed test left behind, then restore the default module. */
FIXTURE_TEARDOWN(module)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		lm_wait(self->child);
	}
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
	if (self->fd >= 0)
		close(self->fd);
	if (self->armed) {
		int err = lm_module_restore();

		EXPECT_EQ(0, err) TH_LOG("cannot restore the module: %s",
					 strerror(-err));
	}
}

/* Open the device read-write into self->fd, map npages pages shared. */
#define MAP_DEVICE(npages) do {						\
	self->fd = lm_open(O_RDWR);					\
	ASSERT_LE(0, self->fd);						\
	self->map_len = (npages) * lm_ps;				\
	self->map = mmap(NULL, self->map_len, PROT_READ | PROT_WRITE,	\
			 MAP_SHARED, self->fd, 0);			\
	ASSERT_NE(MAP_FAILED, self->map);				\
} while (0)

/* Undo MAP_DEVICE(), leaving nothing for the teardown. */
#define UNMAP_DEVICE() do {						\
	munmap(self->map, self->map_len);				\
	self->map = MAP_FAILED;						\
	close(self->fd);						\
	self->fd = -1;							\
} while (0)

/* The refusal of delete_module for a module in use: EWOULDBLOCK. */
#define EXPECT_UNLOAD_REFUSED() do {					\
	int __err = lm_module_unload();					\
	EXPECT_EQ(-EWOULDBLOCK, __err)					\
		TH_LOG("delete_module: %s", strerror(-__err));		\
	EXPECT_TRUE(lm_module_loaded());				\
} while (0)

static uint64_t meminfo_kb(const char *key)
{
	char line[128];
	uint64_t kb = 0;
	size_t n = strlen(key);
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			kb = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * Kernel log records at error level or worse that mention size_mb, among
 * those logged since kmsg_fd was opened and moved to the end.
 */
static int kmsg_size_mb_errors(int kmsg_fd, char *last, size_t last_len)
{
	char rec[1024];
	int n = 0;
	ssize_t len;

	for (;;) {
		len = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (len <= 0)
			break;
		rec[len] = '\0';
		/* "<facility*8+level>,<seq>,<time>,<flags>;<text>" */
		if ((atoi(rec) & 7) > 3 || !strstr(rec, "size_mb"))
			continue;
		n++;
		snprintf(last, last_len, "%s", strchr(rec, ';') ?
			 strchr(rec, ';') + 1 : rec);
	}
	return n;
}

/* size_mb out of range: EINVAL, one error line naming the range. */
TEST_F(module, size_mb_out_of_range_einval)
{
	static const char *const bad[] = { "size_mb=0", "size_mb=1048577" };
	char msg[1024];
	int kmsg, i;

	NEED_RELOAD();

	ASSERT_EQ(0, lm_module_unload());
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, (int)lseek(kmsg, 0, SEEK_END));
		EXPECT_EQ(-EINVAL, lm_module_load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(lm_module_loaded());
		msg[0] = '\0';
		EXPECT_EQ(1, kmsg_size_mb_errors(kmsg, msg, sizeof(msg)))
			TH_LOG("error lines for %s (last: %s)", bad[i], msg);
		EXPECT_NE(NULL, strstr(msg, "1048576"))
			TH_LOG("the message does not say what is allowed: %s",
			       msg);
	}
	close(kmsg);
}

/* The smallest size, the largest and the default all load and work. */
TEST_F(module, size_mb_limits_load)
{
	static const struct { const char *arg; uint64_t mb; } good[] = {
		{ "size_mb=1", 1 },
		{ "size_mb=1048576", 1048576 },
		{ "", LM_DEFAULT_SIZE_MB },
	};
	uint64_t size, mb;
	uint8_t b;
	size_t i;
	void *p;

	NEED_RELOAD();

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ASSERT_EQ(0, lm_module_unload());
		ASSERT_EQ(0, lm_module_load(good[i].arg)) TH_LOG("%s",
								 good[i].arg);
		ASSERT_EQ(0, lm_read_u64(LM_PARAM_SIZE_MB, &mb));
		EXPECT_EQ(good[i].mb, mb);
		ASSERT_EQ(0, lm_sysfs_u64("size", &size));
		EXPECT_EQ(good[i].mb * LM_MIB, size);

		self->fd = lm_open(O_RDWR);
		ASSERT_LE(0, self->fd);
		EXPECT_EQ(size, lm_size(self->fd));
		/* The last byte is usable, the one after is not. */
		ASSERT_EQ(0, lm_pwrite_all(self->fd, "e", 1, size - 1));
		ASSERT_EQ(0, lm_pread_all(self->fd, &b, 1, size - 1));
		EXPECT_EQ('e', b);
		EXPECT_EQ(-1, pwrite(self->fd, "e", 1, (off_t)size));
		EXPECT_EQ(ENOSPC, errno);
		p = mmap(NULL, lm_ps, PROT_READ, MAP_SHARED, self->fd,
			 (off_t)size);
		EXPECT_EQ(MAP_FAILED, p);
		EXPECT_EQ(1ULL, lm_resident(self->fd));
		close(self->fd);
		self->fd = -1;
	}
}

/* A new module has an empty store that reads as zeros. */
TEST_F(module, new_module_starts_empty)
{
	uint8_t *buf;
	uint64_t v;

	NEED_RELOAD();
	buf = malloc(lm_ps);	/* one page */
	ASSERT_NE(NULL, buf);

	self->fd = lm_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	memset(buf, 0x6b, lm_ps);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, lm_ps, 0));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, lm_module_unload());
	ASSERT_EQ(0, lm_module_load(""));
	ASSERT_EQ(0, lm_sysfs_u64("resident_pages", &v));
	EXPECT_EQ(0ULL, v);
	ASSERT_EQ(0, lm_sysfs_u64("faults", &v));
	EXPECT_EQ(0ULL, v);
	self->fd = lm_open(O_RDONLY);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, lm_pread_all(self->fd, buf, lm_ps, 0));
	EXPECT_EQ(-1, lm_nonzero(buf, lm_ps));
	free(buf);
}

/* An open descriptor pins the module; closing it lets the module go. */
TEST_F(module, unload_refused_while_open)
{
	struct stat st;

	NEED_RELOAD();

	self->fd = lm_open(O_RDONLY);
	ASSERT_LE(0, self->fd);
	EXPECT_UNLOAD_REFUSED();
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, lm_module_unload());
	EXPECT_FALSE(lm_module_loaded());
	/* The node and the class directory went with it. */
	EXPECT_EQ(-1, stat(LM_DEV_PATH, &st));
	EXPECT_EQ(-1, stat(LM_SYSFS_DIR, &st));
}

/* A mapping alone, its descriptor closed, still pins the module. */
TEST_F(module, unload_refused_while_mapped)
{
	NEED_RELOAD();

	MAP_DEVICE(4);
	lm_touch_write(self->map, 4, 9);
	close(self->fd);
	self->fd = -1;

	EXPECT_UNLOAD_REFUSED();
	EXPECT_EQ(9, self->map[lm_ps]);		/* still working */
	munmap(self->map, self->map_len);
	self->map = MAP_FAILED;
	EXPECT_EQ(0, lm_module_unload());
}

/* A forked child's inherited mapping pins the module until it exits. */
TEST_F(module, unload_refused_while_child_maps)
{
	struct lm_chan ch;
	uint8_t go;

	NEED_RELOAD();

	MAP_DEVICE(2);
	ASSERT_EQ(0, lm_chan_open(&ch));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(self->fd);
		self->map[0] = 0x3c;
		if (lm_chan_send(&ch, true, "m", 1) ||
		    lm_chan_recv(&ch, true, &go, 1))
			_exit(1);
		_exit(self->map[0] == 0x3c ? 0 : 2);
	}
	ASSERT_EQ(0, lm_chan_recv(&ch, false, &go, 1));
	UNMAP_DEVICE();

	EXPECT_UNLOAD_REFUSED();
	ASSERT_EQ(0, lm_chan_send(&ch, false, "x", 1));
	EXPECT_EQ(0, lm_wait(self->child));
	self->child = -1;
	lm_chan_close(&ch);
	EXPECT_EQ(0, lm_module_unload());
}

/*
 * Unloading frees the store: 128 MiB of store pages leave the unevictable
 * LRU, all of them.  (MemFree is no measure: since 6.7 the per-CPU page
 * lists tune themselves and can keep tens of MiB of freed pages out of it.)
 */
TEST_F(module, unload_frees_pages)
{
	const size_t len = 128 * LM_MIB, chunk = LM_MIB;
	/*
	 * The store's pages are the unevictable LRU's (its mapping is
	 * unevictable); the counter reads back exact up to the per-CPU
	 * vmstat deltas not yet folded in, well under this slack.
	 */
	const uint64_t slack = 4 * 1024;	/* kB */
	uint64_t before, during, after;
	uint8_t *buf;
	size_t off;
	int i;

	NEED_RELOAD();
	if (meminfo_kb("MemFree") < 3 * len / 1024)
		SKIP(return, "not enough free memory for a 128 MiB store");

	ASSERT_EQ(0, lm_module_unload());
	ASSERT_EQ(0, lm_module_load("size_mb=160"));
	buf = malloc(chunk);
	ASSERT_NE(NULL, buf);
	memset(buf, 0x42, chunk);
	before = meminfo_kb("Unevictable");
	self->fd = lm_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	for (off = 0; off < len; off += chunk)
		ASSERT_EQ(0, lm_pwrite_all(self->fd, buf, chunk, off));
	EXPECT_EQ((uint64_t)(len / lm_ps), lm_resident(self->fd));
	close(self->fd);
	self->fd = -1;
	free(buf);
	during = meminfo_kb("Unevictable");
	ASSERT_EQ(0, lm_module_unload());
	/* vmstat folds per-CPU deltas about once a second: allow two. */
	for (i = 0; i < 20; i++) {
		after = meminfo_kb("Unevictable");
		if (after <= before + slack)
			break;
		usleep(100 * 1000);
	}
	TH_LOG("Unevictable: %llu kB before, %llu with 128 MiB stored, %llu after unload (%d ms later)",
	       (unsigned long long)before, (unsigned long long)during,
	       (unsigned long long)after, i * 100);
	EXPECT_LE(before + len / 1024 - slack, during);
	EXPECT_GE(before + slack, after);
}

/*
 * Pages spliced into a pipe outlive the mapping, the file and the module:
 * the pipe still reads their bytes after the module is gone.
 */
TEST_F(module, vmspliced_pages_survive_unload)
{
	uint8_t *buf;
	struct iovec iov;
	int pfd[2];

	NEED_RELOAD();
	buf = malloc(4 * lm_ps);
	ASSERT_NE(NULL, buf);

	MAP_DEVICE(4);
	lm_fill(self->map, self->map_len, 0, 41);

	ASSERT_EQ(0, pipe(pfd));
	iov.iov_base = self->map;
	iov.iov_len = self->map_len;
	ASSERT_EQ((ssize_t)self->map_len, vmsplice(pfd[1], &iov, 1, 0));
	UNMAP_DEVICE();
	ASSERT_EQ(0, lm_module_unload());

	ASSERT_EQ((ssize_t)(4 * lm_ps), read(pfd[0], buf, 4 * lm_ps));
	EXPECT_EQ(-1, lm_check(buf, 4 * lm_ps, 0, 41));
	close(pfd[0]);
	close(pfd[1]);
	free(buf);
}

TEST_HARNESS_MAIN
