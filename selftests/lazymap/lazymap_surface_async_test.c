// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, asynchronous interfaces: userfaultfd registration of a
 * mapping in each mode (missing, write-protect, minor), and io_uring
 * read, write and fsync through the raw io_uring_setup/io_uring_enter
 * system calls (no liburing), on /dev/lazymap, on a memfd of the same size
 * and, for userfaultfd, on anonymous memory.  See lazymap_surface.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

#ifndef UFFDIO_REGISTER_MODE_MINOR
#define UFFDIO_REGISTER_MODE_MINOR	((__u64)1 << 2)
#endif

#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC		(1 << 15)	/* 6.7 */
#endif

#define SEED		0x6173796e	/* "asyn" */
/* In a_uffd's arg, above the register mode: ask for this feature. */
#define WP_ASYNC	((int64_t)1 << 32)
#define NMAP		4

/*
 * UFFDIO_REGISTER of a MAP_SHARED mapping in the mode of arg (with
 * WP_ASYNC: after asking UFFDIO_API for UFFD_FEATURE_WP_ASYNC, which since
 * 6.7 lets write-protect work on any memory).
 */
static long a_uffd(struct sf_t *t)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = t->arg & WP_ASYNC ? UFFD_FEATURE_WP_ASYNC : 0,
	};
	struct uffdio_register reg = { .mode = (__u64)t->arg & 0xff };
	uint8_t *p;
	long r;
	int uffd;

	p = sf_map(t, NMAP * lm_ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (p == MAP_FAILED)
		return -errno;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -errno;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		r = -errno;
		sf_eff(t, "api=%s", sf_errname(errno));
		close(uffd);
		return r;
	}
	reg.range.start = (unsigned long)p;
	reg.range.len = NMAP * lm_ps;
	r = sf_ret(ioctl(uffd, UFFDIO_REGISTER, &reg));
	if (!r) {
		struct uffdio_range rg = {
			.start = (unsigned long)p, .len = NMAP * lm_ps,
		};

		sf_eff(t, "unregister=%s", ioctl(uffd, UFFDIO_UNREGISTER, &rg) ?
		       sf_errname(errno) : "0");
	}
	close(uffd);
	return r;
}

/*
 * Whether UFFDIO_API offers feature: the architecture decides whether
 * shmem can be write-protected (UFFD_FEATURE_WP_HUGETLBFS_SHMEM, PTE
 * markers) or take minor faults (UFFD_FEATURE_MINOR_SHMEM); s390 has
 * neither.
 */
static bool uffd_has(__u64 feature)
{
	struct uffdio_api api = { .api = UFFD_API };
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	bool has;

	if (uffd < 0)
		return false;
	has = !ioctl(uffd, UFFDIO_API, &api) && (api.features & feature);
	close(uffd);
	return has;
}

static bool uffd_wp_shmem(void)
{
	return uffd_has(UFFD_FEATURE_WP_HUGETLBFS_SHMEM);
}

static bool uffd_minor_shmem(void)
{
	return uffd_has(UFFD_FEATURE_MINOR_SHMEM);
}

/* A minimal io_uring: one submission, one completion. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail;
	unsigned int *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *rg)
{
	struct io_uring_params p;
	size_t sq_len, cq_len;
	uint8_t *sq, *cq;

	memset(&p, 0, sizeof(p));
	memset(rg, 0, sizeof(*rg));
	rg->fd = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (rg->fd < 0)
		return -errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, rg->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, rg->fd, IORING_OFF_CQ_RING);
	rg->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			rg->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || rg->sqes == MAP_FAILED)
		return -errno;
	rg->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	rg->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	rg->sq_array = (unsigned int *)(sq + p.sq_off.array);
	rg->cq_head = (unsigned int *)(cq + p.cq_off.head);
	rg->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	rg->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	rg->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Submit one prepared SQE (index 0), wait for its completion: cqe->res. */
static long ring_run(struct ring *rg)
{
	unsigned int tail = *rg->sq_tail, head;
	long r;

	rg->sq_array[tail & *rg->sq_mask] = 0;
	__atomic_store_n(rg->sq_tail, tail + 1, __ATOMIC_RELEASE);
	r = syscall(SYS_io_uring_enter, rg->fd, 1, 1,
		    IORING_ENTER_GETEVENTS, NULL, 0);
	if (r < 0)
		return -errno;
	head = __atomic_load_n(rg->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(rg->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	r = rg->cqes[head & *rg->cq_mask].res;
	__atomic_store_n(rg->cq_head, head + 1, __ATOMIC_RELEASE);
	return r;
}

/*
 * One io_uring operation (arg: the opcode) on the target: READ of two
 * pages from ps/2, WRITE of a page at page 2, FSYNC.
 */
static long a_uring(struct sf_t *t)
{
	size_t len = 2 * lm_ps;
	uint8_t *buf = calloc(1, len);
	struct io_uring_sqe *sqe;
	struct ring rg;
	long r;

	if (!buf)
		return -ENOMEM;
	sf_fill(t, 0, 2 * lm_ps, SEED);
	r = ring_setup(&rg);
	if (r)
		return r;
	sqe = &rg.sqes[0];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = (__u8)t->arg;
	sqe->fd = t->fd;
	if (t->arg == IORING_OP_READ) {
		sqe->addr = (unsigned long)buf;
		sqe->len = (__u32)len;
		sqe->off = lm_ps / 2;
	} else if (t->arg == IORING_OP_WRITE) {
		lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
		sqe->addr = (unsigned long)buf;
		sqe->len = (__u32)lm_ps;
		sqe->off = 2 * lm_ps;
	}
	r = ring_run(&rg);
	if (t->arg == IORING_OP_READ && r > 0)
		sf_eff_buf(t, "buf", buf, (size_t)r, lm_ps / 2, SEED);
	sf_eff_data(t, 0, 4 * lm_ps, SEED);
	sf_eff_res(t);
	close(rg.fd);
	free(buf);
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, uffd_missing)
	SF_INHERENT("userfaultfd", "UFFDIO_REGISTER MODE_MISSING", a_uffd,
		    UFFDIO_REGISTER_MODE_MISSING, "EINVAL", "0 unregister=0",
		    "vma_can_userfault(): missing faults for anonymous, shmem and hugetlb memory only (7.x: for VMAs whose vm_ops have uffd_ops, which lazymap could provide)",
		    .anon = true);
FIXTURE_VARIANT_ADD(surface, uffd_wp)
	SF_INHERENT("userfaultfd", "UFFDIO_REGISTER MODE_WP", a_uffd,
		    UFFDIO_REGISTER_MODE_WP, "EINVAL", "0 unregister=0",
		    "vma_can_userfault(): write-protect for anonymous memory, and shmem and hugetlb with PTE markers, only (7.x: also VMAs with uffd_ops)",
		    .anon = true, .memfd_if = uffd_wp_shmem);
FIXTURE_VARIANT_ADD(surface, uffd_minor)
	SF_INHERENT("userfaultfd", "UFFDIO_REGISTER MODE_MINOR", a_uffd,
		    UFFDIO_REGISTER_MODE_MINOR, "EINVAL", "0 unregister=0",
		    "vma_can_userfault(): minor faults for shmem and hugetlb only (7.x: also VMAs with uffd_ops)",
		    .anon = true, .memfd_if = uffd_minor_shmem);

FIXTURE_VARIANT_ADD(surface, uffd_wp_async)
	SF_SAME("userfaultfd",
		"UFFDIO_REGISTER MODE_WP with UFFD_FEATURE_WP_ASYNC", a_uffd,
		UFFDIO_REGISTER_MODE_WP | WP_ASYNC, .anon = true);

FIXTURE_VARIANT_ADD(surface, uring_read)
	SF_SAME("io_uring", "io_uring IORING_OP_READ", a_uring, IORING_OP_READ,
		.skip_on = "ENOSYS");
FIXTURE_VARIANT_ADD(surface, uring_write)
	SF_SAME("io_uring", "io_uring IORING_OP_WRITE", a_uring,
		IORING_OP_WRITE, .skip_on = "ENOSYS");
FIXTURE_VARIANT_ADD(surface, uring_fsync)
	SF_SAME("io_uring", "io_uring IORING_OP_FSYNC", a_uring,
		IORING_OP_FSYNC, .skip_on = "ENOSYS");

