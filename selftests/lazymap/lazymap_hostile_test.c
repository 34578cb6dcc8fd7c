// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input: random ioctl commands and argument pointers, random mmap
 * offsets, lengths, flags and protections, random read/write offsets, sizes
 * and bad buffers, random lseek.  Each call's outcome is predicted from its
 * arguments: it must succeed exactly when nothing is wrong with them, and
 * fail only with an error that one of the things wrong with them explains
 * (ENOTTY, EFAULT, EINVAL, EBADF, ENOSPC, EACCES, ENOMEM, EOVERFLOW, ...).
 * A model of the whole device follows the calls that may change it (a
 * successful discard; writes only ever write the bytes already there), and
 * at the end the store must equal the model byte for byte, and the kernel
 * log must hold nothing at warning level or worse.
 *
 * Nothing here assumes one architecture's address space: where the kernel
 * refuses a pointer (access_ok), how high user space goes (TASK_SIZE) and
 * which addresses are free are asked of the running system (see
 * h_access_ok(), h_probe_user_end() and h_probe_gap()).  On s390 user and
 * kernel live in separate address spaces, so a "kernel-looking" pointer is
 * an ordinary unmapped user address there; a 32-bit program on a 64-bit
 * kernel can pass no pointer the kernel refuses.
 *
 * Seeded: the seed is printed; LAZYMAP_HOSTILE_SEED=<n> repeats a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define N_IOCTL		100000
#define N_MMAP		5000
#define N_RW		10000
#define N_SEEK		5000
#define PATTERN_PAGES	64	/* pages of the device that hold data */

/* MAP_32BIT exists on x86 only; elsewhere the flag is never drawn. */
#ifndef MAP_32BIT
#define MAP_32BIT	0
#endif

/* A pointer handed to the kernel, with what it may really access there. */
struct hptr {
	const char *name;
	char *p;
	size_t rcap;	/* bytes readable from p */
	size_t wcap;	/* bytes writable from p */
};

/* A region of test memory followed by an inaccessible guard page. */
struct region {
	const char *name;
	char *base;
	size_t len;
	bool readable, writable;
};

enum {
	RG_GOOD, RG_RO, RG_NONE, RG_STRADDLE, RG_LM_PRIV, RG_LM_SHRO, RG_NR
};

#define GOOD_LEN	(2 * LM_MIB)
#define LM_MAP_PAGES	16

struct hostile {
	uint64_t rng, seed;
	int fd[3];		/* O_RDWR, O_RDONLY, O_WRONLY */
	uint64_t size;
	unsigned char *model;	/* the device as it must be */
	struct region rg[RG_NR];
	char *unmapped;		/* an address with nothing mapped */
	uint64_t lm_priv_off;	/* device offset of RG_LM_PRIV */
	uint64_t lm_shro_off;	/* device offset of RG_LM_SHRO */
	int kmsg;
	unsigned long discards;
	unsigned char *resident;	/* per page, from mincore(), or NULL */
	int probe;		/* an empty memfd: see h_access_ok() */
	uintptr_t user_end;	/* no page can be mapped at or above it */
	uint64_t stack_lo, stack_hi;	/* the stack and where it may grow */
	uint64_t gap;		/* the largest free range of addresses */
	uint64_t commit;	/* a private mapping may be refused past it */
	unsigned long vm_refusals;	/* mmaps refused for want of memory */
};

static uint64_t h_next(struct hostile *h)
{
	uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * A random value below n.  The modulo's bias (below 2^-40 for the bounds
 * used here) does not matter to a test.
 */
static uint64_t h_rand(struct hostile *h, uint64_t n)
{
	return n ? h_next(h) % n : 0;
}

/*
 * A set of errno values, one bit per entry of h_errnos[]; an outcome check
 * accepts any errno in it.  Errno numbers are not bit numbers: they differ
 * between architectures and some exceed 64.  An errno the table does not
 * know is the empty set, so it is never accepted.
 */
typedef uint32_t eset_t;

static const struct {
	int err;
	const char *name;
} h_errnos[] = {
#define H_ERRNO(e)	{ e, #e }
	H_ERRNO(EPERM), H_ERRNO(ENXIO), H_ERRNO(EBADF), H_ERRNO(EAGAIN),
	H_ERRNO(ENOMEM), H_ERRNO(EACCES), H_ERRNO(EFAULT), H_ERRNO(EINVAL),
	H_ERRNO(ENOTTY), H_ERRNO(ENOSPC), H_ERRNO(EOVERFLOW),
	H_ERRNO(EOPNOTSUPP),
#undef H_ERRNO
};

static eset_t E(int err)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(h_errnos); i++)
		if (h_errnos[i].err == err)
			return (eset_t)1 << i;
	return 0;
}

/* The names in set, "EFAULT|EINVAL", or "none". */
static const char *h_esetstr(eset_t set)
{
	static char buf[160];
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(h_errnos); i++)
		if (set & ((eset_t)1 << i))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
				 "%s%s", buf[0] ? "|" : "", h_errnos[i].name);
	return buf[0] ? buf : "none";
}

static const char *h_fdname(int i)
{
	static const char * const names[] = { "O_RDWR", "O_RDONLY",
					      "O_WRONLY" };

	return names[i];
}

/* A random offset: inside, near and past the end, huge, negative. */
static int64_t h_offset(struct hostile *h, bool aligned)
{
	int64_t off;

	switch (h_rand(h, 8)) {
	case 0: case 1: case 2:
		off = (int64_t)h_rand(h, h->size);
		break;
	case 3:
		off = (int64_t)(h->size - 1 - h_rand(h, 3 * lm_ps));
		break;
	case 4:
		off = (int64_t)(h->size + h_rand(h, 3) * lm_ps);
		break;
	case 5:
		off = (int64_t)(h_next(h) >> 1);	/* huge */
		break;
	case 6:
		off = -(int64_t)h_rand(h, 1ULL << 40) - 1;
		break;
	default:
		off = (int64_t)(h_rand(h, PATTERN_PAGES * 4) * lm_ps);
		break;
	}
	if (aligned && h_rand(h, 4))
		off &= ~(int64_t)(lm_ps - 1);
	return off;
}

/* A random length: zero, small, large, huge (for a size_t). */
static uint64_t h_length(struct hostile *h)
{
	switch (h_rand(h, 20)) {
	case 0:
		return 0;
	case 1:
		return (size_t)h_next(h);		/* huge */
	case 2:
		return 1 + h_rand(h, LM_MIB);		/* up to 1 MiB */
	case 3: case 4: case 5: case 6:
		return 1 + h_rand(h, 64 * 1024);
	default:
		return 1 + h_rand(h, 8192);
	}
}

/*
 * Is anything mapped in the page holding p?  msync() fails with ENOMEM
 * exactly when nothing is, at any address, the kernel's included.
 */
static bool h_mapped(uintptr_t p)
{
	void *page = (void *)(p & ~(uintptr_t)(lm_ps - 1));

	return msync(page, lm_ps, MS_ASYNC) == 0 || errno != ENOMEM;
}

/*
 * A wild pointer: a random address from [lo, lo + span) with nothing mapped
 * in its page, so that the kernel's first access through it faults (it
 * goes no further) and no memory of this process is ever hit.  Nor may it
 * be where the stack grows down to on an access (in a 32-bit address
 * space, a random address may land there).
 */
static char *h_wild(struct hostile *h, uint64_t lo, uint64_t span)
{
	uintptr_t p;

	do
		p = (uintptr_t)(lo + h_rand(h, span));
	while (h_mapped(p) || (p >= h->stack_lo && p < h->stack_hi));
	return (char *)p;
}

/* A random pointer, and what may be done through it. */
static struct hptr h_ptr(struct hostile *h)
{
	struct hptr r = { 0 };
	struct region *g;
	size_t at;

	switch (h_rand(h, 14)) {
	case 0:
		r.name = "NULL";
		r.p = NULL;
		return r;
	case 1:
		r.name = "low";
		r.p = (char *)(uintptr_t)(1 + h_rand(h, 4095));
		return r;
	case 2:
		/*
		 * Where 64-bit kernels live on most architectures (on s390
		 * a user address like any other); a 32-bit program has no
		 * such address and gets one above its TASK_SIZE.
		 */
		r.name = "kernel";
		if (sizeof(void *) >= 8)
			r.p = h_wild(h, 0xffff800000000000ULL, 1ULL << 47);
		else
			r.p = h_wild(h, h->user_end,
				     (uint64_t)UINTPTR_MAX - h->user_end + 1);
		return r;
	case 3:
		/*
		 * Past 47 bits: non-canonical on x86-64 with 4-level page
		 * tables, user space on others; for a 32-bit program any
		 * free address.
		 */
		r.name = "high";
		if (sizeof(void *) >= 8)
			r.p = h_wild(h, 0x0000800000000000ULL, 1ULL << 46);
		else
			r.p = h_wild(h, lm_ps, (uint64_t)UINTPTR_MAX - lm_ps);
		return r;
	case 4:
		r.name = "unmapped";
		r.p = h->unmapped + h_rand(h, lm_ps);
		return r;
	default:
		break;
	}
	g = &h->rg[h_rand(h, RG_NR)];
	/* Anywhere in the region; in the straddle one, near its end. */
	if (g == &h->rg[RG_STRADDLE])
		at = g->len - 1 - h_rand(h, 256);
	else if (h_rand(h, 2))
		at = h_rand(h, g->len);
	else
		at = h_rand(h, g->len / lm_ps) * lm_ps;
	r.name = g->name;
	r.p = g->base + at;
	r.rcap = g->readable ? g->len - at : 0;
	r.wcap = g->writable ? g->len - at : 0;
	return r;
}

/*
 * Does the kernel's access_ok() pass for [p, p + len)?  1 or 0.  Which
 * addresses a process may hand the kernel is the architecture's choice
 * (x86-64, arm64 and ppc64 refuse their kernel half and more; s390, whose
 * kernel has an address space of its own, refuses nothing, nor does a
 * 64-bit kernel for a 32-bit program), so the kernel is asked: a read from
 * an empty file checks the buffer with access_ok() first, before it finds
 * nothing to read, and never touches it.  That is the generic VFS code,
 * not lazymap's.
 */
static int h_access_ok_raw(int probe, const void *p, uint64_t len)
{
	ssize_t r = pread(probe, (void *)p, (size_t)len, 0);

	return !(r < 0 && errno == EFAULT);
}

static int h_access_ok(struct hostile *h, const struct hptr *p, uint64_t len)
{
	return h_access_ok_raw(h->probe, p->p, len);
}

/*
 * The lowest page address at which no page can be mapped: TASK_SIZE, or
 * the end of a 32-bit address space.  A fixed mapping that must not
 * replace anything fails with EEXIST where something is mapped and with
 * ENOMEM past the end of user space, so a binary search between a mapped
 * address (the stack) and the last page finds the end.
 */
static uintptr_t h_probe_user_end(void)
{
	uintptr_t mask = ~(uintptr_t)(lm_ps - 1);
	uintptr_t lo = (uintptr_t)&mask, hi = UINTPTR_MAX & mask, mid;
	void *p;

	lo &= mask;
	while (hi - lo > lm_ps) {
		mid = lo + ((hi - lo) / 2 & mask);
		p = mmap((void *)mid, lm_ps, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (p == MAP_FAILED && errno == ENOMEM) {
			hi = mid;
			continue;
		}
		if (p != MAP_FAILED)
			munmap(p, lm_ps);
		lo = mid;
	}
	return hi;
}

/*
 * The main stack's mapping, from /proc/self/maps, and the free range below
 * it, into which it grows when touched there: [*lo, *hi).
 */
static void h_probe_stack(uint64_t *lo, uint64_t *hi)
{
	uintmax_t start, stop, prev = 0;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	*lo = *hi = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%jx-%jx", &start, &stop) != 2)
			continue;
		if (strstr(line, "[stack]")) {
			*lo = prev;
			*hi = stop;
			break;
		}
		prev = stop;
	}
	fclose(f);
}

/*
 * The longest mapping mmap() finds room for without an address hint: a
 * binary search with reservations that cost nothing (PROT_NONE, no
 * commit).  Not the free addresses below TASK_SIZE: x86-64 with 5-level
 * page tables, arm64 with 52-bit and ppc64 with 4 PiB address spaces map
 * above 47 bits only where a hint asks for it.
 */
static uint64_t h_probe_gap(uintptr_t end)
{
	uint64_t lo = 0, hi = end, mid;
	void *p;

	while (hi - lo > lm_ps) {
		mid = lo + ((hi - lo) / 2 & ~(uint64_t)(lm_ps - 1));
		p = mmap(NULL, (size_t)mid, PROT_NONE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			hi = mid;
			continue;
		}
		munmap(p, (size_t)mid);
		lo = mid;
	}
	return lo;
}

static void h_log_kmsg_start(struct hostile *h)
{
	h->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (h->kmsg >= 0)
		lseek(h->kmsg, 0, SEEK_END);
}

/* Kernel log records since the start at warning level or worse. */
static int h_kmsg_noise(struct hostile *h, struct __test_metadata *_metadata)
{
	char rec[2048];
	int bad = 0;
	ssize_t n;

	if (h->kmsg < 0)
		return 0;
	for (;;) {
		n = read(h->kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/*
		 * The generic mm code's warning for a private mapping
		 * refused for want of memory: expected once such a refusal
		 * was (see h_one_mmap()).
		 */
		if (h->vm_refusals && strchr(rec, ';') &&
		    !strncmp(strchr(rec, ';') + 1, "__vm_enough_memory: ",
			     strlen("__vm_enough_memory: ")))
			continue;
		/* "<prio>,<seq>,...;<text>": level is prio & 7. */
		if ((atoi(rec) & 7) <= 4) {
			if (bad++ < 20)
				TH_LOG("kernel log: %.200s", strchr(rec, ';') ?
				       strchr(rec, ';') + 1 : rec);
		}
	}
	close(h->kmsg);
	return bad;
}

/*
 * Report a call whose outcome was not among those allowed, fail the test
 * and return false (to stop the loop).
 */
static bool __attribute__((format(printf, 3, 4)))
h_bad(struct hostile *h, struct __test_metadata *md, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# %s: seed %llu: ", md->name,
		(unsigned long long)h->seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	md->passed = 0;
	return false;
}

#define H_BAD(...)	h_bad(h, _metadata, __VA_ARGS__)

/* ---- ioctl ---- */

/* Commands the VFS handles before the driver sees them: not ours. */
static bool h_vfs_cmd(uint32_t cmd)
{
	uint32_t type = _IOC_TYPE(cmd);

	return type == 'T' || type == 'X' || type == 'f' || type == 0 ||
	       type == 0x94 || type == 0x15;
}

static uint32_t h_cmd(struct hostile *h)
{
	static const uint32_t ours[] = { LAZYMAP_IOC_INFO,
					 LAZYMAP_IOC_DISCARD };
	uint32_t c;

	do {
		switch (h_rand(h, 10)) {
		case 0: case 1: case 2: case 3:
			c = (uint32_t)h_next(h);
			break;
		case 4: case 5: case 6:
			c = _IOC((uint32_t)h_rand(h, 4), LAZYMAP_IOC_MAGIC,
				 (uint32_t)h_rand(h, 256),
				 (uint32_t)h_rand(h, 1 << 14));
			break;
		case 7: case 8:
			c = ours[h_rand(h, 2)] ^ (1U << h_rand(h, 32));
			break;
		default:
			c = ours[h_rand(h, 2)];
			break;
		}
	} while (h_vfs_cmd(c) && c != LAZYMAP_IOC_INFO &&
		 c != LAZYMAP_IOC_DISCARD);
	return c;
}

/* Fill a range for DISCARD: mostly invalid in one way, sometimes valid. */
static void h_range(struct hostile *h, struct lazymap_range *r)
{
	uint64_t pages = h->size / lm_ps;

	r->offset = h_rand(h, pages) * lm_ps;
	r->length = (1 + h_rand(h, 4)) * lm_ps;
	if (r->length > h->size - r->offset)
		r->length = h->size - r->offset;
	switch (h_rand(h, 10)) {
	case 0:
		r->offset = h_next(h);
		r->length = h_next(h);
		break;
	case 1:
		r->length = 0;
		break;
	case 2:
		r->offset += 1 + h_rand(h, lm_ps - 1);
		break;
	case 3:
		r->length += 1 + h_rand(h, lm_ps - 1);
		break;
	case 4:
		r->offset = h->size + h_rand(h, 4) * lm_ps;
		break;
	case 5:
		r->length = h->size - r->offset + lm_ps * (1 + h_rand(h, 4));
		break;
	case 6:	/* offset + length wraps around */
		r->length = (uint64_t)0 - r->offset + lm_ps;
		break;
	case 7:
		r->offset = UINT64_MAX & ~(uint64_t)(lm_ps - 1);
		break;
	default:
		break;	/* valid */
	}
}

static bool h_range_valid(const struct hostile *h,
			  const struct lazymap_range *r)
{
	return r->length && !(r->offset % lm_ps) && !(r->length % lm_ps) &&
	       r->offset <= h->size && r->length <= h->size - r->offset;
}

static bool h_one_ioctl(struct hostile *h, struct __test_metadata *_metadata)
{
	int fdi = h_rand(h, 10) < 7 ? 0 : 1 + (int)h_rand(h, 2);
	uint32_t cmd = h_cmd(h);
	unsigned long req = cmd;
	struct lazymap_range range = { 0 };
	struct hptr arg = h_ptr(h);
	eset_t errs = 0;
	bool ok = false;
	int ret, ok_access;

	/* The kernel takes the command as 32 bits: upper ones are noise. */
	if (!h_rand(h, 8))
		req |= h_next(h) << 32;

	if (cmd == LAZYMAP_IOC_INFO) {
		ok_access = h_access_ok(h, &arg, sizeof(struct lazymap_info));
		if (ok_access && arg.wcap >= sizeof(struct lazymap_info))
			ok = true;
		else
			errs = E(EFAULT);
		if (fdi == 2)
			errs |= E(EBADF);	/* unspecified for O_WRONLY */
	} else if (cmd == LAZYMAP_IOC_DISCARD) {
		if (arg.wcap >= sizeof(range)) {
			h_range(h, &range);
			memcpy(arg.p, &range, sizeof(range));
		} else if (arg.rcap >= sizeof(range)) {
			memcpy(&range, arg.p, sizeof(range));
		}
		ok_access = h_access_ok(h, &arg, sizeof(range));
		if (fdi == 1)
			errs |= E(EBADF);
		if (!ok_access || arg.rcap < sizeof(range))
			errs |= E(EFAULT);
		else if (!h_range_valid(h, &range))
			errs |= E(EINVAL);
		ok = !errs;
	} else {
		errs = E(ENOTTY);
	}

	errno = 0;
	ret = ioctl(h->fd[fdi], req, arg.p);
	if (ret == 0 && !ok)
		return H_BAD("ioctl(%s, %#lx, %s %p) succeeded", h_fdname(fdi),
			     req, arg.name, arg.p);
	if (ret && (ret != -1 || !(errs & E(errno))))
		return H_BAD("ioctl(%s, %#lx, %s %p) = %d, %s (allowed %s)",
			     h_fdname(fdi), req, arg.name, arg.p, ret,
			     strerror(errno), h_esetstr(errs));
	if (ret == 0 && cmd == LAZYMAP_IOC_DISCARD) {
		memset(h->model + range.offset, 0, range.length);
		h->discards++;
	}
	if (ret == 0 && cmd == LAZYMAP_IOC_INFO) {
		struct lazymap_info info;

		memcpy(&info, arg.p, sizeof(info));
		if (info.size != h->size || info.page_size != lm_ps ||
		    info.huge_faults > info.faults ||
		    info.huge_mode > LAZYMAP_HUGE_ADVISE ||
		    !info.huge_page_size != !info.huge_mode)
			return H_BAD("LAZYMAP_IOC_INFO into %s returned garbage",
				     arg.name);
	}
	return true;
}

/* ---- mmap ---- */

static bool h_one_mmap(struct hostile *h, struct __test_metadata *_metadata)
{
	static const int types[] = { MAP_SHARED, MAP_PRIVATE,
				     MAP_SHARED_VALIDATE, 0 };
	static const int extras[] = { MAP_NORESERVE, MAP_POPULATE,
				      MAP_LOCKED, MAP_NONBLOCK, MAP_STACK,
				      MAP_32BIT, MAP_SYNC, MAP_HUGETLB };
	int fdi = (int)h_rand(h, 3);
	int64_t off = h_offset(h, true);
	uint64_t len, alen;
	eset_t errs = 0, maybe = 0;
	int type = types[h_rand(h, 4)], flags = type, prot = 0;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	unsigned int i;
	char *p;

	/* Lengths: small, to the end, past the end, zero, huge. */
	switch (h_rand(h, 8)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = (size_t)h_next(h);
		break;
	case 2:
		len = off >= 0 && (uint64_t)off < h->size ?
		      h->size - (uint64_t)off : lm_ps;
		break;
	case 3:
		len = h->size + h_rand(h, 4) * lm_ps;
		break;
	default:
		len = 1 + h_rand(h, 8 * lm_ps);
		break;
	}
	if (h_rand(h, 2))
		prot |= PROT_READ;
	if (h_rand(h, 2))
		prot |= PROT_WRITE;
	if (!h_rand(h, 8))
		prot |= PROT_EXEC;
	for (i = 0; i < ARRAY_SIZE(extras); i++)
		if (!h_rand(h, 12))
			flags |= extras[i];
	/* Populating or locking a huge range costs minutes under TCG. */
	if (len > 64 * lm_ps)
		flags &= ~(MAP_POPULATE | MAP_LOCKED);

	alen = (len + lm_ps - 1) & ~(uint64_t)(lm_ps - 1);
	if (type == 0)
		errs |= E(EINVAL);
	if (!len)
		errs |= E(EINVAL);
	if (off < 0 || off % (int64_t)lm_ps)
		errs |= E(EINVAL);
	/*
	 * No room: longer than any mapping mmap() found room for (with an
	 * eighth of slack for what the process maps meanwhile), which on
	 * x86-64 is every length past about 2^47, but on s390 only lengths
	 * close to 2^64.
	 */
	if (alen < len || alen > h->gap - h->gap / 8)
		errs |= E(ENOMEM);
	/*
	 * Not memory enough to commit to a private writable mapping: the
	 * kernel's limit is RAM + swap (heuristic overcommit) or less
	 * (strict), and the refusal logs a warning.
	 */
	if (!shared && (prot & PROT_WRITE) && alen > h->commit)
		maybe |= E(ENOMEM);
	if (off < 0 || (uint64_t)off / lm_ps + alen / lm_ps <
			(uint64_t)off / lm_ps)
		errs |= E(EOVERFLOW);
	/*
	 * The end of the mapping in the device past what a file offset of
	 * an unsigned long may be (file_mmap_ok()).  A 32-bit program may
	 * run on a 32-bit kernel, whose unsigned long ends at 4 GiB.
	 */
	if (off >= 0 && (uint64_t)off / lm_ps > (UINT64_MAX - alen) / lm_ps)
		errs |= E(EOVERFLOW);
	if (sizeof(long) < 8 && off >= 0 &&
	    (uint64_t)off + alen > UINT32_MAX)
		maybe |= E(EOVERFLOW);
	if (flags & MAP_HUGETLB)
		errs |= E(EINVAL);
	if ((flags & MAP_SYNC) && type == MAP_SHARED_VALIDATE)
		errs |= E(EOPNOTSUPP);
	/* Not a legacy flag: MAP_SHARED_VALIDATE may refuse it. */
	if ((flags & MAP_32BIT) && type == MAP_SHARED_VALIDATE)
		maybe |= E(EOPNOTSUPP);
	if (fdi == 2)
		errs |= E(EACCES);
	if (shared && (prot & PROT_WRITE) && fdi == 1)
		errs |= E(EACCES);
	if (off < 0 || (uint64_t)off >= h->size || alen > h->size - off)
		errs |= E(EINVAL);
	/* Allowed, not required: noexec /dev, memory limits, low 2 GiB. */
	if (prot & PROT_EXEC)
		maybe |= E(EPERM);
	if (flags & (MAP_LOCKED | MAP_32BIT | MAP_POPULATE))
		maybe |= E(EAGAIN) | E(ENOMEM);

	errno = 0;
	p = mmap(NULL, len, prot, flags, h->fd[fdi], (off_t)off);
	if (p == MAP_FAILED) {
		if (errno == ENOMEM && (maybe & E(ENOMEM)) &&
		    !(errs & E(ENOMEM)))
			h->vm_refusals++;
		if ((errs | maybe) & E(errno))
			return true;
		return H_BAD("mmap(len %#llx, prot %#x, flags %#x, %s, off %#llx): %s, expected %s",
			     (unsigned long long)len, prot, flags,
			     h_fdname(fdi), (unsigned long long)off,
			     strerror(errno),
			     errs ? h_esetstr(errs | maybe) : "success");
	}
	if (errs) {
		munmap(p, len);
		return H_BAD("mmap(len %#llx, prot %#x, flags %#x, %s, off %#llx) succeeded, expected %s",
			     (unsigned long long)len, prot, flags,
			     h_fdname(fdi), (unsigned long long)off,
			     h_esetstr(errs));
	}
	/* Mapped: a byte of it must be the model's; writes change nothing. */
	{
		uint64_t at = h_rand(h, len);
		unsigned char want = h->model[off + at];

		if ((prot & PROT_READ) && ((volatile unsigned char *)p)[at] !=
		    want) {
			munmap(p, len);
			return H_BAD("byte %#llx of a mapping at %#llx is not the model's",
				     (unsigned long long)at,
				     (unsigned long long)off);
		}
		if ((prot & PROT_WRITE) && (prot & PROT_READ))
			((volatile unsigned char *)p)[at] = shared ? want :
							    want ^ 0xff;
	}
	munmap(p, len);
	return true;
}

/* ---- read and write ---- */

/*
 * Make a write's source hold the bytes the device already has where they
 * go, so that a write changes nothing.  A source inside the shared
 * read-only mapping of the device is the device itself: the write is aimed
 * back where its bytes came from.  Returns the bytes the kernel can read.
 */
static size_t h_prepare_source(struct hostile *h, const struct hptr *src,
			       int64_t *off, uint64_t len)
{
	struct region *g = &h->rg[RG_LM_SHRO];
	uint64_t n;

	if (src->rcap && src->p >= g->base && src->p < g->base + g->len) {
		*off = (int64_t)(h->lm_shro_off + (src->p - g->base));
		return src->rcap;
	}
	if (*off >= 0 && (uint64_t)*off < h->size && src->wcap) {
		n = len < src->wcap ? len : src->wcap;
		if (n > h->size - *off)
			n = h->size - *off;
		memcpy(src->p, h->model + *off, n);
	}
	return src->wcap;
}

static bool h_one_rw(struct hostile *h, struct __test_metadata *_metadata)
{
	bool is_write = h_rand(h, 2), vec = !h_rand(h, 4);
	int fdi = h_rand(h, 10) < 7 ? 0 : 1 + (int)h_rand(h, 2);
	int64_t off = h_offset(h, false);
	uint64_t len = h_length(h), n, cap, lim, max_rw, vlen;
	eset_t errs = 0, maybe = 0;
	struct hptr buf = h_ptr(h);
	struct iovec iov[2];
	int ok_access;
	ssize_t ret;

	if (is_write) {
		/* Read-only memory we cannot fill: not a source. */
		while (buf.rcap && !buf.wcap &&
		       !(buf.p >= h->rg[RG_LM_SHRO].base &&
			 buf.p < h->rg[RG_LM_SHRO].base +
				 h->rg[RG_LM_SHRO].len))
			buf = h_ptr(h);
		cap = h_prepare_source(h, &buf, &off, len);
	} else {
		cap = buf.wcap;
	}

	/* What may happen. */
	ok_access = h_access_ok(h, &buf, len);
	if (fdi == (is_write ? 1 : 2))
		errs |= E(EBADF);
	/*
	 * The end of the transfer past the largest loff_t.  A vector's
	 * length is first cut to MAX_RW_COUNT (import_iovec()), a plain
	 * buffer's is checked whole (where access_ok() let it through:
	 * s390 lets every length through).
	 */
	max_rw = (uint64_t)INT_MAX & ~(uint64_t)(lm_ps - 1); /* MAX_RW_COUNT */
	vlen = vec && len > max_rw ? max_rw : len;
	if (off < 0 || (int64_t)((uint64_t)off + vlen) < 0)
		errs |= E(EINVAL);
	/*
	 * A length that is negative as the kernel's ssize_t: a vector's is
	 * refused first, a plain buffer's once access_ok() has passed it
	 * (where a kernel refuses nothing, such as s390's).  Only a 64-bit
	 * program can pass one to a 64-bit kernel; a 32-bit one may run on a
	 * 32-bit kernel, whose ssize_t ends at 2 GiB.
	 */
	if (len > (uint64_t)INT64_MAX && (vec || ok_access))
		errs |= E(EINVAL);
	else if (len > SSIZE_MAX)
		maybe |= E(EINVAL);
	if (!ok_access)
		errs |= E(EFAULT);
	if (off < 0 || (uint64_t)off >= h->size)
		n = 0;
	else
		n = len < h->size - off ? len : h->size - off;
	if (n > max_rw)
		n = max_rw;
	if (is_write && len && off >= 0 && (uint64_t)off >= h->size)
		errs |= E(ENOSPC);
	if (n > cap)
		errs |= E(EFAULT);	/* or a short transfer, see below */
	lim = n < cap ? n : cap;

	errno = 0;
	if (vec) {
		/* Two vectors: the buffer, then an empty one. */
		iov[0].iov_base = buf.p;
		iov[0].iov_len = len;
		iov[1].iov_base = NULL;
		iov[1].iov_len = 0;
		ret = is_write ? pwritev(h->fd[fdi], iov, 2, off) :
				 preadv(h->fd[fdi], iov, 2, off);
	} else {
		ret = is_write ? pwrite(h->fd[fdi], buf.p, len, off) :
				 pread(h->fd[fdi], buf.p, len, off);
	}

	if (ret < 0) {
		if ((errs | maybe) & E(errno))
			return true;
		return H_BAD("%s%s(%s, %s %p, len %#llx, off %lld): %s (allowed %s)",
			     is_write ? "pwrite" : "pread", vec ? "v" : "",
			     h_fdname(fdi), buf.name, buf.p,
			     (unsigned long long)len, (long long)off,
			     strerror(errno), h_esetstr(errs | maybe));
	}
	/*
	 * Success needs sane arguments and all n bytes, or, when the buffer
	 * faults first, a short count of what it holds (never zero).
	 */
	if ((errs & ~E(EFAULT)) || (!ok_access && len) ||
	    (uint64_t)ret > lim || ((uint64_t)ret < n && (cap >= n || !ret)))
		return H_BAD("%s%s(%s, %s %p, len %#llx, off %lld) = %zd, expected %llu (buffer holds %llu, errors %s)",
			     is_write ? "pwrite" : "pread", vec ? "v" : "",
			     h_fdname(fdi), buf.name, buf.p,
			     (unsigned long long)len, (long long)off, ret,
			     (unsigned long long)n, (unsigned long long)cap,
			     h_esetstr(errs));
	if (!is_write && ret > 0 && memcmp(buf.p, h->model + off, ret))
		return H_BAD("pread(len %#llx, off %lld) returned bytes that are not the model's",
			     (unsigned long long)len, (long long)off);
	return true;
}

/* ---- lseek ---- */

static bool h_seek(struct hostile *h, struct __test_metadata *_metadata,
		   int fdi, int64_t off, int whence)
{
	int64_t cur, want = -1, r;
	eset_t errs = 0;

	cur = lseek(h->fd[fdi], 0, SEEK_CUR);
	switch (whence) {
	case SEEK_SET:
		want = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow(cur, off, &want))
			want = -1;
		break;
	case SEEK_END:
		if (__builtin_add_overflow((int64_t)h->size, off, &want))
			want = -1;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= h->size)
			errs = E(ENXIO);
		break;
	default:
		errs = E(EINVAL);
		break;
	}
	if (whence <= SEEK_END && want < 0)
		errs = E(EINVAL);

	errno = 0;
	r = lseek(h->fd[fdi], off, whence);
	if (r < 0 && whence == SEEK_DATA && errno == ENXIO && !errs) {
		uint64_t pg;

		/* No data after off: no resident page may follow. */
		for (pg = (uint64_t)off / lm_ps; pg < h->size / lm_ps; pg++)
			if (h->resident[pg] & 1)
				return H_BAD("SEEK_DATA(%lld): ENXIO, but page %llu is resident",
					     (long long)off,
					     (unsigned long long)pg);
		return true;
	}
	if (r < 0) {
		if (errs & E(errno))
			return true;
		return H_BAD("lseek(%lld, %d) from %lld: %s", (long long)off,
			     whence, (long long)cur, strerror(errno));
	}
	if (errs)
		return H_BAD("lseek(%lld, %d) from %lld = %lld, expected an error",
			     (long long)off, whence, (long long)cur,
			     (long long)r);
	if (whence <= SEEK_END && r != want)
		return H_BAD("lseek(%lld, %d) from %lld = %lld, expected %lld",
			     (long long)off, whence, (long long)cur,
			     (long long)r, (long long)want);
	if (whence == SEEK_DATA || whence == SEEK_HOLE) {
		uint64_t pg = (uint64_t)off / lm_ps, pages = h->size / lm_ps;
		int64_t exp;

		/* The first page at or after off that is (not) resident. */
		while (pg < pages &&
		       !!(h->resident[pg] & 1) == (whence == SEEK_HOLE))
			pg++;
		exp = pg < pages ? (int64_t)(pg * lm_ps) : -1;
		if (whence == SEEK_HOLE && exp < 0)
			exp = (int64_t)h->size;
		if (exp >= 0 && exp < off)
			exp = off;
		if (r != exp)
			return H_BAD("lseek(%lld, %s) = %lld, but mincore() says %lld",
				     (long long)off,
				     whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
				     (long long)r, (long long)exp);
	}
	return true;
}

static bool h_one_seek(struct hostile *h, struct __test_metadata *_metadata)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END,
				       SEEK_DATA, SEEK_HOLE, 5, -1, 100 };
	int whence = whences[h_rand(h, 8)];
	int fdi = (int)h_rand(h, 3);
	int64_t off = h_offset(h, false);

	if (!h_rand(h, 4))
		off = -off;
	return h_seek(h, _metadata, fdi, off, whence);
}

/* ---- fixture ---- */

/* Map len bytes with one PROT_NONE guard page after them. */
static char *h_guarded(size_t len)
{
	char *p = mmap(NULL, len + lm_ps, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(hostile) {
	struct hostile h;
};

FIXTURE_SETUP(hostile)
{
	struct hostile *h = &self->h;
	const char *s = getenv("LAZYMAP_HOSTILE_SEED");
	struct sysinfo si;
	struct utsname uts;
	int kernel_half;
	uint64_t page;
	struct region *g;
	int i;

	memset(h, 0, sizeof(*h));
	h->kmsg = -1;
	h->probe = -1;
	for (i = 0; i < 3; i++)
		h->fd[i] = -1;
	/* A regular file would grow on writes past its end: device only. */
	LM_NEED_DEVICE();
	LM_OPEN_EMPTY(h->fd[0]);
	h->fd[1] = lm_open(O_RDONLY);
	ASSERT_LE(0, h->fd[1]);
	h->fd[2] = lm_open(O_WRONLY);
	ASSERT_LE(0, h->fd[2]);
	h->size = lm_size(h->fd[0]);
	ASSERT_LE(8 * PATTERN_PAGES * lm_ps, h->size);

	if (s && *s) {
		h->seed = strtoull(s, NULL, 0);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h->seed = (uint64_t)ts.tv_sec * 1000000007ULL ^
			  (uint64_t)ts.tv_nsec;
	}
	h->rng = h->seed;

	/* The model, and data in the store: PATTERN_PAGES random pages. */
	h->model = mmap(NULL, h->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, h->model);
	for (i = 0; i < PATTERN_PAGES; i++) {
		/*
		 * Half where the mappings point, half anywhere; always the
		 * first and the last page (edges of SEEK_DATA/SEEK_HOLE).
		 */
		page = i % 2 ? h_rand(h, h->size / lm_ps) :
		       h_rand(h, 4 * PATTERN_PAGES);
		if (i < 2)
			page = i ? h->size / lm_ps - 1 : 0;
		lm_fill(h->model + page * lm_ps, lm_ps, page * lm_ps,
			(uint32_t)h->seed);
	}
	/* Only those pages: the rest stay holes. */
	for (page = 0; page < h->size / lm_ps; page++)
		if (lm_nonzero(h->model + page * lm_ps, lm_ps) >= 0)
			ASSERT_EQ(0, lm_pwrite_all(h->fd[0],
						   h->model + page * lm_ps,
						   lm_ps, page * lm_ps));

	/* The regions pointers are drawn from, each with a guard after. */
	g = &h->rg[RG_GOOD];
	*g = (struct region){ "good", h_guarded(GOOD_LEN), GOOD_LEN, 1, 1 };
	ASSERT_NE(NULL, g->base);
	ASSERT_EQ(0, mprotect(g->base, g->len, PROT_READ | PROT_WRITE));

	g = &h->rg[RG_RO];
	*g = (struct region){ "read-only", h_guarded(lm_ps), lm_ps, 1, 0 };
	ASSERT_NE(NULL, g->base);
	ASSERT_EQ(0, mprotect(g->base, g->len, PROT_READ));

	g = &h->rg[RG_NONE];
	*g = (struct region){ "PROT_NONE", h_guarded(lm_ps), lm_ps, 0, 0 };
	ASSERT_NE(NULL, g->base);

	g = &h->rg[RG_STRADDLE];
	*g = (struct region){ "straddling", h_guarded(lm_ps), lm_ps, 1, 1 };
	ASSERT_NE(NULL, g->base);
	ASSERT_EQ(0, mprotect(g->base, g->len, PROT_READ | PROT_WRITE));

	/* A private mapping of the device: writes into it are copies. */
	g = &h->rg[RG_LM_PRIV];
	h->lm_priv_off = 0;
	*g = (struct region){ "device MAP_PRIVATE",
			      h_guarded(LM_MAP_PAGES * lm_ps),
			      LM_MAP_PAGES * lm_ps, 1, 1 };
	ASSERT_NE(NULL, g->base);
	ASSERT_EQ(g->base, mmap(g->base, g->len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_FIXED, h->fd[0],
				(off_t)h->lm_priv_off));

	/* A read-only shared mapping: the device's own bytes as a source. */
	g = &h->rg[RG_LM_SHRO];
	h->lm_shro_off = 2 * LM_MAP_PAGES * lm_ps;
	*g = (struct region){ "device MAP_SHARED read-only",
			      h_guarded(LM_MAP_PAGES * lm_ps),
			      LM_MAP_PAGES * lm_ps, 1, 0 };
	ASSERT_NE(NULL, g->base);
	ASSERT_EQ(g->base, mmap(g->base, g->len, PROT_READ,
				MAP_SHARED | MAP_FIXED, h->fd[0],
				(off_t)h->lm_shro_off));

	h->unmapped = h_guarded(lm_ps);
	ASSERT_NE(NULL, h->unmapped);
	ASSERT_EQ(0, munmap(h->unmapped, 2 * lm_ps));

	/* The address space, as this system has it. */
	h->probe = memfd_create("lazymap-hostile-probe", MFD_CLOEXEC);
	ASSERT_LE(0, h->probe);
	h->user_end = h_probe_user_end();
	h->gap = h_probe_gap(h->user_end);
	h_probe_stack(&h->stack_lo, &h->stack_hi);
	ASSERT_LT(h->stack_lo, h->stack_hi);
	ASSERT_LT(16 * LM_MIB, h->gap);
	ASSERT_EQ(0, sysinfo(&si));
	/* Strict overcommit's default limit: swap + half the RAM. */
	h->commit = ((uint64_t)si.totalram / 2 + si.totalswap) * si.mem_unit;
	kernel_half = sizeof(void *) >= 8 ?
		      h_access_ok_raw(h->probe, (void *)(uintptr_t)
				      0xffff800000000000ULL, 1) : -1;
	ASSERT_EQ(0, uname(&uts));
	TH_LOG("%s kernel, %zu-bit program: user space ends at %#jx, longest mapping %#llx, a kernel-half pointer is %s",
	       uts.machine, sizeof(void *) * 8, (uintmax_t)h->user_end,
	       (unsigned long long)h->gap, kernel_half < 0 ? "impossible" :
	       kernel_half ? "accepted" : "refused");
	/*
	 * What the probes must find where the answer is known, by the
	 * kernel's architecture (for a 64-bit program): kernels in the upper
	 * half of one address space refuse its pointers and everything past
	 * TASK_SIZE; s390's, in an address space of its own, refuses none;
	 * x86-64's TASK_SIZE is 47 bits, or 56 with 5-level page tables.
	 */
	if (kernel_half >= 0) {
		if (!strcmp(uts.machine, "x86_64") ||
		    !strcmp(uts.machine, "aarch64") ||
		    !strncmp(uts.machine, "ppc64", 5)) {
			ASSERT_EQ(0, kernel_half);
			ASSERT_EQ(0, h_access_ok_raw(h->probe,
						     (void *)h->user_end, 1));
		}
		if (!strcmp(uts.machine, "s390x"))
			ASSERT_EQ(1, kernel_half);
		if (!strcmp(uts.machine, "x86_64"))
			ASSERT_TRUE(h->user_end == 0x00007ffffffff000ULL ||
				    h->user_end == 0x00fffffffffff000ULL)
				TH_LOG("TASK_SIZE %#jx",
				       (uintmax_t)h->user_end);
	}
	ASSERT_EQ(1, h_access_ok_raw(h->probe, h->rg[RG_GOOD].base, lm_ps));

	TH_LOG("seed %llu (LAZYMAP_HOSTILE_SEED=%llu repeats it)",
	       (unsigned long long)h->seed, (unsigned long long)h->seed);
	h_log_kmsg_start(h);
}

FIXTURE_TEARDOWN(hostile)
{
	struct hostile *h = &self->h;
	int i;

	lm_close_empty(h->fd[0]);
	for (i = 1; i < 3; i++)
		if (h->fd[i] >= 0)
			close(h->fd[i]);
	if (h->probe >= 0)
		close(h->probe);
}

/* The store equals the model, byte for byte. */
static bool h_store_is_model(struct hostile *h,
			     struct __test_metadata *_metadata)
{
	size_t chunk = LM_MIB, at, i;
	char *buf = malloc(chunk);

	if (!buf)
		return false;
	for (at = 0; at < h->size; at += chunk) {
		if (lm_pread_all(h->fd[0], buf, chunk, at) ||
		    memcmp(buf, h->model + at, chunk)) {
			for (i = 0; i < chunk && buf[i] == h->model[at + i];
			     i++)
				;
			TH_LOG("store byte %zu is 0x%02x, model 0x%02x",
			       at + i, (unsigned char)buf[i],
			       h->model[at + i]);
			free(buf);
			return false;
		}
	}
	free(buf);
	return true;
}

TEST_F_TIMEOUT(hostile, random_ioctls, 300)
{
	struct hostile *h = &self->h;
	long i;

	for (i = 0; i < N_IOCTL; i++)
		if (!h_one_ioctl(h, _metadata))
			break;
	TH_LOG("%ld ioctl calls, %lu successful discards", i, h->discards);
	EXPECT_TRUE(h_store_is_model(h, _metadata));
	EXPECT_EQ(0, h_kmsg_noise(h, _metadata));
}

TEST_F_TIMEOUT(hostile, random_mmaps, 300)
{
	struct hostile *h = &self->h;
	long i;

	for (i = 0; i < N_MMAP; i++)
		if (!h_one_mmap(h, _metadata))
			break;
	TH_LOG("%ld mmap calls", i);
	EXPECT_TRUE(h_store_is_model(h, _metadata));
	EXPECT_EQ(0, h_kmsg_noise(h, _metadata));
}

TEST_F_TIMEOUT(hostile, random_reads_and_writes, 300)
{
	struct hostile *h = &self->h;
	long i;

	for (i = 0; i < N_RW; i++)
		if (!h_one_rw(h, _metadata))
			break;
	TH_LOG("%ld read/write calls", i);
	EXPECT_TRUE(h_store_is_model(h, _metadata));
	EXPECT_EQ(0, h_kmsg_noise(h, _metadata));
}

TEST_F_TIMEOUT(hostile, random_seeks, 300)
{
	struct hostile *h = &self->h;
	long i;

	/* lseek allocates nothing: residency is fixed for this test. */
	{
		void *all = mmap(NULL, h->size, PROT_READ, MAP_SHARED,
				 h->fd[0], 0);

		ASSERT_NE(MAP_FAILED, all);
		h->resident = malloc(h->size / lm_ps);
		ASSERT_NE(NULL, h->resident);
		ASSERT_EQ(0, mincore(all, h->size, h->resident));
		munmap(all, h->size);
	}
	/* Every page start and middle of the data-holding area first. */
	for (i = 0; i < 2 * 4 * PATTERN_PAGES + 8; i++) {
		int64_t off = (int64_t)(i / 2 * lm_ps + i % 2 * lm_ps / 2);

		if (!h_seek(h, _metadata, 0, off, SEEK_DATA) ||
		    !h_seek(h, _metadata, 0, off, SEEK_HOLE))
			break;
	}
	for (i = 0; i < N_SEEK && _metadata->passed; i++)
		if (!h_one_seek(h, _metadata))
			break;
	free(h->resident);
	TH_LOG("%ld lseek calls", i);
	EXPECT_TRUE(h_store_is_model(h, _metadata));
	EXPECT_EQ(0, h_kmsg_noise(h, _metadata));
}

TEST_HARNESS_MAIN
