// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the lazymap selftests; see lazymap_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "counters.h"
#include "kpageflags.h"
#include "lazymap_util.h"
#include "pagemap.h"
#include "smaps.h"

size_t lm_ps;

static void __attribute__((constructor)) lm_init(void)
{
	lm_ps = (size_t)sysconf(_SC_PAGESIZE);
}

const char *lm_dev_path(void)
{
	const char *p = getenv("LAZYMAP_DEV");

	return p && *p ? p : LM_DEV_PATH;
}

bool lm_emulated(void)
{
	struct stat st;

	return stat(lm_dev_path(), &st) == 0 && S_ISREG(st.st_mode);
}

int lm_open(int flags)
{
	int fd = open(lm_dev_path(), flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int lm_info(int fd, struct lazymap_info *info)
{
	struct stat st;

	if (!lm_emulated())
		return ioctl(fd, LAZYMAP_IOC_INFO, info) ? -errno : 0;

	if (fstat(fd, &st))
		return -errno;
	memset(info, 0, sizeof(*info));
	info->size = (uint64_t)st.st_size;
	info->resident_pages = lm_file_resident(fd);
	info->page_size = lm_ps;
	return 0;
}

uint64_t lm_file_resident(int fd)
{
	struct stat st;

	/* tmpfs allocates whole pages, so st_blocks counts them exactly. */
	if (fstat(fd, &st))
		return 0;
	return (uint64_t)st.st_blocks * 512 / lm_ps;
}

uint64_t lm_size(int fd)
{
	struct lazymap_info info;

	return lm_info(fd, &info) ? 0 : info.size;
}

uint64_t lm_resident(int fd)
{
	struct lazymap_info info;

	return lm_info(fd, &info) ? 0 : info.resident_pages;
}

int lm_discard(int fd, uint64_t offset, uint64_t length)
{
	struct lazymap_range r = { .offset = offset, .length = length };

	if (!lm_emulated())
		return ioctl(fd, LAZYMAP_IOC_DISCARD, &r) ? -errno : 0;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)offset, (off_t)length))
		return -errno;
	return 0;
}

int lm_reset(int fd)
{
	uint64_t size = lm_size(fd);

	/* An emulation file grows where the device says ENOSPC: undo that. */
	if (lm_emulated()) {
		size = LM_DEFAULT_SIZE_MB * LM_MIB;
		if (ftruncate(fd, (off_t)size))
			return -errno;
	}
	return size ? lm_discard(fd, 0, size) : -ENODEV;
}

void lm_close_empty(int fd)
{
	if (fd < 0)
		return;
	lm_reset(fd);
	close(fd);
}

int lm_file_key(const char *path, const char *key, uint64_t *val)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen(path, "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			*val = strtoull(line + klen + 1, NULL, 10);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int lm_read_u64(const char *path, uint64_t *val)
{
	char buf[32], *end;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	err = -errno;
	close(fd);
	if (n < 0)
		return err;
	buf[n] = '\0';
	/* Exactly "<digits>\n", as sysfs and module parameters print. */
	if (n < 2 || buf[n - 1] != '\n' || buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end != buf + n - 1)
		return -EINVAL;
	return 0;
}

int lm_sysfs_u64(const char *attr, uint64_t *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", LM_SYSFS_DIR, attr);
	return lm_read_u64(path, val);
}

int lm_write_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int lm_fault_around_get(uint64_t *bytes)
{
	return lm_read_u64(LM_FAULT_AROUND, bytes);
}

int lm_fault_around_set(uint64_t bytes)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	return lm_write_str(LM_FAULT_AROUND, buf);
}

uint64_t lm_pagemap(const void *addr)
{
	uint64_t ent;

	return pm_read_raw(0, addr, 1, &ent) ? 0 : ent;
}

uint64_t lm_pfn(const void *addr)
{
	uint64_t ent = lm_pagemap(addr);

	return ent & LM_PM_PRESENT ? ent & LM_PM_PFN_MASK : 0;
}

int lm_pfn_visible(void)
{
	uint8_t *p = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	p[0] = 1;
	ret = lm_pfn(p) != 0;
	munmap(p, lm_ps);
	return ret;
}

void lm_touch_read(const void *p, size_t npages)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < npages; i++)
		(void)lm_peek(b + i * lm_ps);
}

void lm_touch_write(void *p, size_t npages, uint8_t val)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < npages; i++)
		lm_poke(b + i * lm_ps, val);
}

void *lm_launder(void *p)
{
	return p;
}

/* A cheap hash of (seed, position): shifted copies of data still differ. */
static inline uint8_t lm_pattern(uint64_t pos, uint32_t seed)
{
	uint64_t x = (pos + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 29;
	return (uint8_t)(x ^ (x >> 11) ^ (x >> 37));
}

void lm_fill(void *p, size_t len, uint64_t base_off, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = lm_pattern(base_off + i, seed);
}

ssize_t lm_check(const void *p, size_t len, uint64_t base_off, uint32_t seed)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != lm_pattern(base_off + i, seed))
			return (ssize_t)i;
	return -1;
}

ssize_t lm_nonzero(const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return (ssize_t)i;
	return -1;
}

int lm_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *b = buf;
	ssize_t n;

	while (len) {
		n = pread(fd, b, len, (off_t)off);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		b += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int lm_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *b = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, b, len, (off_t)off);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		b += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int lm_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

int lm_chan_open(struct lm_chan *ch)
{
	if (pipe2(ch->to_child, O_CLOEXEC))
		return -errno;
	if (pipe2(ch->to_parent, O_CLOEXEC)) {
		int err = -errno;

		close(ch->to_child[0]);
		close(ch->to_child[1]);
		return err;
	}
	return 0;
}

void lm_chan_close(struct lm_chan *ch)
{
	close(ch->to_child[0]);
	close(ch->to_child[1]);
	close(ch->to_parent[0]);
	close(ch->to_parent[1]);
}

int lm_chan_send(struct lm_chan *ch, bool from_child, const void *buf,
		 size_t len)
{
	int fd = from_child ? ch->to_parent[1] : ch->to_child[1];
	const char *b = buf;
	ssize_t n;

	while (len) {
		n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int lm_chan_recv(struct lm_chan *ch, bool from_child, void *buf, size_t len)
{
	int fd = from_child ? ch->to_child[0] : ch->to_parent[0];
	char *b = buf;
	ssize_t n;

	while (len) {
		n = read(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *lm_ko_path(void)
{
	const char *p = getenv("LAZYMAP_KO");

	return p && *p ? p : LM_KO_PATH;
}

bool lm_module_loaded(void)
{
	return access("/sys/module/" LM_MODULE_NAME, F_OK) == 0;
}

const char *lm_suite_params(void)
{
	const char *p = getenv("LAZYMAP_PARAMS");

	return p ? p : "";
}

int lm_module_load(const char *params)
{
	char all[512];
	int fd, ret, err = 0;

	if ((size_t)snprintf(all, sizeof(all), "%s %s", lm_suite_params(),
			     params) >= sizeof(all))
		return -E2BIG;
	fd = open(lm_ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = (int)syscall(SYS_finit_module, fd, all, 0);
	if (ret)
		err = -errno;
	close(fd);
	return err;
}

int lm_module_unload(void)
{
	return syscall(SYS_delete_module, LM_MODULE_NAME, O_NONBLOCK) ?
		-errno : 0;
}

/*
 * The huge= value LAZYMAP_PARAMS asks for ("never" if none): the last
 * "huge=" word, as the kernel's parser keeps the last.
 */
static void lm_suite_huge(char *buf, size_t len)
{
	char words[512], *w, *save = NULL;

	snprintf(buf, len, "never");
	snprintf(words, sizeof(words), "%s", lm_suite_params());
	for (w = strtok_r(words, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		if (!strncmp(w, "huge=", 5))
			snprintf(buf, len, "%s", w + 5);
}

/* Whether the loaded module's huge= parameter is the suite's. */
static bool lm_huge_param_is_suite(void)
{
	char want[32], have[32] = "";
	FILE *f = fopen(LM_PARAM_HUGE, "re");

	lm_suite_huge(want, sizeof(want));
	if (!f)	/* a module without huge pages: fine if none asked for */
		return !strcmp(want, "never");
	if (!fgets(have, sizeof(have), f))
		have[0] = '\0';
	fclose(f);
	have[strcspn(have, "\n")] = '\0';
	return !strcmp(want, have);
}

int lm_module_restore(void)
{
	uint64_t mb;
	int err;

	if (lm_module_loaded()) {
		if (!lm_read_u64(LM_PARAM_SIZE_MB, &mb) &&
		    mb == LM_DEFAULT_SIZE_MB && lm_huge_param_is_suite())
			return 0;
		err = lm_module_unload();
		if (err)
			return err;
	}
	return lm_module_load("");
}

bool lm_module_reloadable(void)
{
	/*
	 * Only where the module is already loaded (the test VM loads it
	 * before the suite): a machine without it, such as a developer's
	 * host, never gets a module loaded by these tests.
	 */
	return !lm_emulated() && lm_module_loaded() &&
		access(lm_ko_path(), R_OK) == 0;
}

uint64_t lm_pmd_size(void)
{
	uint64_t v;

	return lm_read_u64(LM_THP_DIR "/hpage_pmd_size", &v) ? 0 : v;
}

unsigned int lm_huge_mode(int fd)
{
	struct lazymap_info info;

	if (lm_emulated() || lm_info(fd, &info))
		return LAZYMAP_HUGE_NEVER;
	return (unsigned int)info.huge_mode;
}

size_t lm_huge_block(int fd)
{
	struct lazymap_info info;

	if (lm_emulated() || lm_info(fd, &info))
		return lm_ps;
	switch (info.huge_mode) {
	case LAZYMAP_HUGE_ALWAYS:
	case LAZYMAP_HUGE_WITHIN_SIZE:
		return (size_t)info.huge_page_size;
	default:
		return lm_ps;
	}
}

long lm_minflt(void)
{
	return minor_faults();
}

int lm_smaps_kb(const void *addr, const char *key, uint64_t *kb)
{
	return smaps_field_kb(0, addr, key, kb);
}

int lm_kpageflags(uint64_t pfn, uint64_t *flags)
{
	return kpageflags_read(pfn, flags);
}
