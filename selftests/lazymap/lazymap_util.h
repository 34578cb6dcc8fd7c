/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the lazymap selftests: opening and mapping the device,
 * its counters (ioctl and sysfs), /proc/self/pagemap, byte patterns, child
 * processes and module loading.
 *
 * The helpers never include kselftest_harness.h (it defines functions, so
 * only the test programs may include it); they report errors as -errno and
 * leave the verdict to the caller.  The macros at the end are the
 * exception: they expand inside a test or fixture and use the harness's
 * SKIP() and ASSERT_*().
 *
 * Environment:
 *   LAZYMAP_DEV  the device to test (default /dev/lazymap).  A regular file
 *                (e.g. a 64 MiB file on tmpfs) turns on emulation: the tests
 *                whose expectations a tmpfs file also meets run against it,
 *                the others skip.  Meant for checking the tests themselves
 *                on a machine without the module.
 *   LAZYMAP_KO   the module for the tests that reload it (default
 *                /lazymap/lazymap.ko, where the test VM puts it).
 *   LAZYMAP_PARAMS  parameters the suite runs the module with, e.g.
 *                "huge=always" (default none): every load by a test starts
 *                with them, and lm_module_restore() restores them.
 */
#ifndef LAZYMAP_UTIL_H
#define LAZYMAP_UTIL_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <linux/lazymap.h>

#define LM_DEV_PATH		"/dev/lazymap"
#define LM_KO_PATH		"/lazymap/lazymap.ko"
#define LM_MODULE_NAME		"lazymap"
#define LM_SYSFS_DIR		"/sys/class/misc/lazymap"
#define LM_PARAM_SIZE_MB	"/sys/module/lazymap/parameters/size_mb"
#define LM_PARAM_HUGE		"/sys/module/lazymap/parameters/huge"
#define LM_THP_DIR		"/sys/kernel/mm/transparent_hugepage"
#define LM_DEFAULT_SIZE_MB	64
#define LM_MIB			(1024ULL * 1024)

/* /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define LM_PM_PRESENT		0x8000000000000000ULL	/* bit 63 */
#define LM_PM_SWAP		0x4000000000000000ULL	/* bit 62 */
#define LM_PM_FILE		0x2000000000000000ULL	/* 61: file/shared */
#define LM_PM_EXCLUSIVE		0x0100000000000000ULL	/* 56: mapped once */
#define LM_PM_PFN_MASK		0x007fffffffffffffULL	/* bits 0-54 */

/* Page size of the machine, set before main() runs. */
extern size_t lm_ps;

/* The device under test and whether it is a regular file (emulation). */
const char *lm_dev_path(void);
bool lm_emulated(void);

/* open(2) of the device with O_CLOEXEC added: a descriptor or -errno. */
int lm_open(int flags);

/*
 * LAZYMAP_IOC_INFO, or its emulation (size, resident_pages and page_size
 * from fstat; the fault counters read zero).  0 or -errno.
 */
int lm_info(int fd, struct lazymap_info *info);

/* Device size and resident pages; 0 if they cannot be read. */
uint64_t lm_size(int fd);
uint64_t lm_resident(int fd);

/* Pages allocated to a tmpfs file such as a memfd (from st_blocks). */
uint64_t lm_file_resident(int fd);

/* LAZYMAP_IOC_DISCARD (emulation: punch a hole).  0 or -errno. */
int lm_discard(int fd, uint64_t offset, uint64_t length);

/* Discard the whole device so that a test starts from an empty store. */
int lm_reset(int fd);

/*
 * For a fixture teardown: empty the store, so that no test or program
 * after this one finds its pages, and close fd.  Nothing if fd < 0.
 */
void lm_close_empty(int fd);

/*
 * Read a file holding one decimal number and a newline, strictly: anything
 * else is -EINVAL.  0 or -errno.
 */
int lm_read_u64(const char *path, uint64_t *val);

/*
 * The value of @key in a flat-keyed file of "key value" lines (a cgroup's
 * memory.stat or memory.events).  0, -ENOENT without the key, or -errno.
 */
int lm_file_key(const char *path, const char *key, uint64_t *val);

/* Read /sys/class/misc/lazymap/<attr>.  0 or -errno. */
int lm_sysfs_u64(const char *attr, uint64_t *val);

/*
 * Write the string s to the file at path in one write(2), as sysfs,
 * debugfs and cgroup files want.  0, -errno, or -EIO for a short write.
 */
int lm_write_str(const char *path, const char *s);

/* The pagemap entry of the page holding addr in this process (0 on error). */
uint64_t lm_pagemap(const void *addr);

/* The frame number of addr, or 0 if the page is not present. */
uint64_t lm_pfn(const void *addr);

/*
 * Whether pagemap shows frame numbers here (without CAP_SYS_ADMIN they
 * read as zero): 1 or 0, or -errno if it cannot tell.
 */
int lm_pfn_visible(void);

/*
 * A load or a store that the compiler must emit as written, for touches
 * whose point is the fault they cause.
 */
static inline uint8_t lm_peek(const void *p)
{
	return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
}

static inline void lm_poke(void *p, uint8_t val)
{
	__atomic_store_n((uint8_t *)p, val, __ATOMIC_RELAXED);
}

/* Touch npages pages from p, one access per page. */
void lm_touch_read(const void *p, size_t npages);
void lm_touch_write(void *p, size_t npages, uint8_t val);

/*
 * Return p through a function the compiler cannot see into, so that it
 * neither warns about nor optimises around a deliberately bad pointer.
 */
void *lm_launder(void *p);

/*
 * Fill len bytes with a pattern derived from seed and the byte's offset
 * from base_off, so that any slice of the device can be checked on its own.
 * lm_check returns the index of the first wrong byte, or -1.
 */
void lm_fill(void *p, size_t len, uint64_t base_off, uint32_t seed);
ssize_t lm_check(const void *p, size_t len, uint64_t base_off,
		 uint32_t seed);

/* Index of the first non-zero byte, or -1. */
ssize_t lm_nonzero(const void *p, size_t len);

/* pread/pwrite all len bytes (retrying short transfers).  0 or -errno. */
int lm_pread_all(int fd, void *buf, size_t len, uint64_t off);
int lm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/*
 * Wait for a child: its exit status, 128 + signal if it was killed, or -1
 * if waitpid failed.
 */
int lm_wait(pid_t pid);

/*
 * A pipe pair for lock-step between a parent and a child: each side sends
 * one byte (or a small value) and waits for the other's.  0 or -errno; a
 * closed peer is -EPIPE.
 */
struct lm_chan {
	int to_child[2];
	int to_parent[2];
};

int lm_chan_open(struct lm_chan *ch);
void lm_chan_close(struct lm_chan *ch);
int lm_chan_send(struct lm_chan *ch, bool from_child, const void *buf,
		 size_t len);
int lm_chan_recv(struct lm_chan *ch, bool from_child, void *buf, size_t len);

/* Module loading through finit_module(2)/delete_module(2). */
const char *lm_ko_path(void);
bool lm_module_loaded(void);
/* LAZYMAP_PARAMS, or "". */
const char *lm_suite_params(void);
/*
 * 0 or -errno; params as for insmod, e.g. "size_mb=1" or "", after
 * LAZYMAP_PARAMS (the last value of a parameter wins, as for insmod).
 */
int lm_module_load(const char *params);
/* delete_module(O_NONBLOCK): 0 or -errno. */
int lm_module_unload(void);
/*
 * Leave the module loaded with default parameters plus LAZYMAP_PARAMS,
 * reloading it if it is absent or was loaded with others.  0 or -errno.
 */
int lm_module_restore(void);
/* The module may be reloaded here: in the test VM with the .ko at hand. */
bool lm_module_reloadable(void);

/*
 * Huge pages.  lm_pmd_size: the kernel's PMD page size from
 * LM_THP_DIR/hpage_pmd_size, or 0 if the kernel has no THP.
 * lm_huge_mode: the device's huge= mode in effect (LAZYMAP_HUGE_*; NEVER
 * for an emulation file).  lm_huge_block: the size in which the store
 * allocates on a first touch through a suitable mapping: the huge page
 * size when the mode is always or within_size, else the page size.
 */
uint64_t lm_pmd_size(void);
unsigned int lm_huge_mode(int fd);
size_t lm_huge_block(int fd);

/* Minor page faults of this process so far (getrusage). */
long lm_minflt(void);

/*
 * The kernel's fault-around window: how much a read fault asks ->map_pages
 * to map around it (debugfs LM_FAULT_AROUND).  65536 bytes by default, a
 * single page, and so no fault-around at all, with 64 KiB pages.
 * lm_fault_around_get: the window in bytes; 0 or -errno (no debugfs).
 * lm_fault_around_set: a power of two from one page to one page table's
 * worth; 0 or -errno.
 */
#define LM_FAULT_AROUND	"/sys/kernel/debug/fault_around_bytes"
#define LM_FAULT_AROUND_DEFAULT	65536	/* mm/memory.c, every kernel */
int lm_fault_around_get(uint64_t *bytes);
int lm_fault_around_set(uint64_t bytes);

/*
 * The value in kB of the smaps field key (e.g. "FilePmdMapped") of the
 * mapping of this process that holds addr.  0 or -errno.
 */
int lm_smaps_kb(const void *addr, const char *key, uint64_t *kb);

/* The /proc/kpageflags word of a frame (root only).  0 or -errno. */
int lm_kpageflags(uint64_t pfn, uint64_t *flags);

/*
 * LM_SKIP(fmt, ...): report a skip and leave the test at once, from the
 * test body, from a helper it calls, or from FIXTURE_SETUP (the body then
 * does not run; 6.1's harness would run it after a plain SKIP(return) in
 * the setup).  It leaves the way a failed ASSERT does, through the
 * harness's jump buffer, so the teardown runs if the setup had completed.
 */
#define LM_SKIP(fmt, ...)						\
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/*
 * Skip a test that needs the real device (counters, ioctls, device-only
 * errors) when running against an emulation file.
 */
#define LM_NEED_DEVICE() do {						\
	if (lm_emulated())						\
		LM_SKIP("needs %s, not an emulation file", LM_DEV_PATH); \
} while (0)

/* Skip a test that loads and unloads the module outside the test VM. */
#define LM_NEED_RELOAD() do {						\
	if (!lm_module_reloadable())					\
		LM_SKIP("the module is not loaded or %s is missing",	\
			lm_ko_path());					\
} while (0)

/*
 * For a fixture setup: open the device read-write into fd (an int lvalue)
 * and empty the store; either failing fails the setup.
 */
#define LM_OPEN_EMPTY(fd) do {						\
	int *lm_fdp = &(fd);						\
									\
	*lm_fdp = lm_open(O_RDWR);					\
	ASSERT_LE(0, *lm_fdp)						\
		TH_LOG("open %s: %s", lm_dev_path(), strerror(-*lm_fdp)); \
	ASSERT_EQ(0, lm_reset(*lm_fdp));				\
} while (0)

#endif /* LAZYMAP_UTIL_H */
