// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: several processes x threads run random operations on shared and
 * private mappings of overlapping ranges of /dev/lazymap for a fixed time
 * (map, unmap, fault, write through a mapping, pwrite, pread, discard,
 * fork, MADV_DONTNEED, mprotect), and every operation is repeated on a
 * memfd of the same size, the reference the core issue names.  A single
 * lost or stray byte fails the test; when it ends, the page counters must
 * agree exactly with the pages the store holds.
 *
 * How the comparison stays exact while the workers race:
 *  - Operations that change or check content take a per-page lock (shared
 *    to read or to copy a page privately, exclusive to change the store) on
 *    the pages they touch, in ascending order, and apply themselves to the
 *    device and the memfd under it.  A check compares the two at once.
 *  - Operations that cannot change content run without locks, so they race
 *    with the locked writers and discards: read faults through any mapping,
 *    MADV_DONTNEED, mprotect, map/unmap, fork, SEEK_DATA/SEEK_HOLE and the
 *    info ioctl.  This is where a fault racing a discard could leave a
 *    mapping of a page that is no longer in the store: the next locked
 *    check of that page through the mapping then differs from the memfd.
 *  - Each thread owns its mappings; a private mapping of the device has a
 *    private mapping of the memfd as its model (same copy-on-write and
 *    hole-punch semantics, see the core issue).
 *
 * Seeded: the seed is printed and LAZYMAP_STRESS_SEED=<n> repeats the
 * operation sequences (the interleaving depends on the scheduler).
 * LAZYMAP_STRESS_SECONDS sets the run time (default 20).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define ST_PROCS	3	/* worker processes */
#define ST_THREADS	3	/* threads in each */
#define ST_WINDOW	256	/* pages every worker works in (overlap) */
#define ST_MAX_MAPS	6	/* mappings a thread holds at once */
#define ST_MAX_OP	32	/* pages one locked operation covers, at most */
#define ST_FORK_OPS	24	/* operations a forked child runs */
#define ST_SECONDS	20

enum st_op {
	OP_MAP, OP_UNMAP, OP_TOUCH, OP_MAPWRITE, OP_MAPCHECK, OP_PWRITE,
	OP_PREAD, OP_DISCARD, OP_DONTNEED, OP_MPROTECT, OP_FORK, OP_SEEK,
	OP_INFO, OP_NR
};

static const char * const st_op_name[OP_NR] = {
	"map", "unmap", "touch", "mapwrite", "mapcheck", "pwrite", "pread",
	"discard", "dontneed", "mprotect", "fork", "seek", "info",
};

/* Relative frequency of each operation. */
static const unsigned int st_op_weight[OP_NR] = {
	[OP_MAP] = 6, [OP_UNMAP] = 3, [OP_TOUCH] = 10, [OP_MAPWRITE] = 10,
	[OP_MAPCHECK] = 14, [OP_PWRITE] = 8, [OP_PREAD] = 12, [OP_DISCARD] = 5,
	[OP_DONTNEED] = 4, [OP_MPROTECT] = 3, [OP_FORK] = 1, [OP_SEEK] = 3,
	[OP_INFO] = 2,
};

/* Shared by every process (MAP_SHARED | MAP_ANONYMOUS). */
struct st_shared {
	atomic_int stop;
	atomic_int failed;
	atomic_ulong ops[OP_NR];
	/* One lock per window page: >0 readers, -1 a writer, 0 free. */
	atomic_int lock[ST_WINDOW];
	char msg[1024];
};

struct st_map {
	char *dev;		/* mapping of the device */
	char *ref;		/* the same kind of mapping of the memfd */
	size_t first;		/* first page, in the window */
	size_t pages;
	bool shared;
	int prot;
};

struct st_worker {
	struct st_shared *sh;
	int dev_fd, ref_fd;
	size_t window;		/* pages */
	uint64_t rng;
	int id;
	struct st_map maps[ST_MAX_MAPS];
	int nmaps;
	char *buf, *rbuf;	/* ST_MAX_OP pages each */
};

static uint64_t st_next(uint64_t *s)
{
	/* splitmix64: good enough and seedable from anything. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t st_rand(struct st_worker *w, uint64_t n)
{
	return n ? st_next(&w->rng) % n : 0;
}

static void st_fill_random(struct st_worker *w, char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = st_next(&w->rng);
		p[i] = (char)(v >> ((i & 7) * 8));
	}
}

static void st_fail(struct st_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void st_fail(struct st_worker *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (atomic_exchange(&w->sh->failed, 1) == 0) {
		n = snprintf(w->sh->msg, sizeof(w->sh->msg),
			     "worker %d (pid %d): ", w->id, getpid());
		va_start(ap, fmt);
		vsnprintf(w->sh->msg + n, sizeof(w->sh->msg) - n, fmt, ap);
		va_end(ap);
	}
	atomic_store(&w->sh->stop, 1);
}

static bool st_stopped(struct st_worker *w)
{
	return atomic_load_explicit(&w->sh->stop, memory_order_relaxed);
}

static void st_lock(struct st_worker *w, size_t first, size_t n, bool excl)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		atomic_int *l = &w->sh->lock[i];

		for (;;) {
			int v = atomic_load(l);

			if (excl ? v == 0 : v >= 0) {
				int nv = excl ? -1 : v + 1;

				if (atomic_compare_exchange_weak(l, &v, nv))
					break;
				continue;
			}
			sched_yield();
		}
	}
}

static void st_unlock(struct st_worker *w, size_t first, size_t n, bool excl)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (excl)
			atomic_store(&w->sh->lock[i], 0);
		else
			atomic_fetch_sub(&w->sh->lock[i], 1);
	}
}

/* Report where two buffers first differ. */
static bool st_same(struct st_worker *w, const char *what, const char *dev,
		    const char *ref, size_t len, uint64_t off)
{
	size_t i;

	if (!memcmp(dev, ref, len))
		return true;
	for (i = 0; i < len && dev[i] == ref[i]; i++)
		;
	st_fail(w, "%s: byte at device offset %llu is 0x%02x, memfd has 0x%02x (%zu bytes compared from offset %llu)",
		what, (unsigned long long)(off + i), (unsigned char)dev[i],
		(unsigned char)ref[i], len, (unsigned long long)off);
	return false;
}

/* A random byte range [*off, *off + *len) of at most ST_MAX_OP pages. */
static void st_pick_range(struct st_worker *w, size_t first, size_t pages,
			  size_t *off, size_t *len)
{
	size_t span = pages * lm_ps, max = ST_MAX_OP * lm_ps;

	*off = st_rand(w, span);
	*len = 1 + st_rand(w, span - *off < max ? span - *off : max);
	*off += first * lm_ps;
}

static struct st_map *st_pick_map(struct st_worker *w)
{
	return w->nmaps ? &w->maps[st_rand(w, w->nmaps)] : NULL;
}

static void st_unmap(struct st_worker *w, int i)
{
	struct st_map *m = &w->maps[i];

	munmap(m->dev, m->pages * lm_ps);
	munmap(m->ref, m->pages * lm_ps);
	w->maps[i] = w->maps[--w->nmaps];
}

static void op_map(struct st_worker *w)
{
	struct st_map m;
	int flags;

	if (w->nmaps == ST_MAX_MAPS)
		st_unmap(w, (int)st_rand(w, w->nmaps));
	m.first = st_rand(w, w->window);
	/* Mostly short mappings, sometimes up to the whole window. */
	if (st_rand(w, 4))
		m.pages = 1 + st_rand(w, ST_MAX_OP);
	else
		m.pages = 1 + st_rand(w, w->window);
	if (m.pages > w->window - m.first)
		m.pages = w->window - m.first;
	m.shared = st_rand(w, 2);
	m.prot = st_rand(w, 4) ? PROT_READ | PROT_WRITE : PROT_READ;
	flags = m.shared ? MAP_SHARED : MAP_PRIVATE;
	m.dev = mmap(NULL, m.pages * lm_ps, m.prot, flags, w->dev_fd,
		     (off_t)(m.first * lm_ps));
	if (m.dev == MAP_FAILED) {
		st_fail(w, "mmap(%zu pages at page %zu, %s): %s", m.pages,
			m.first, m.shared ? "shared" : "private",
			strerror(errno));
		return;
	}
	m.ref = mmap(NULL, m.pages * lm_ps, m.prot, flags, w->ref_fd,
		     (off_t)(m.first * lm_ps));
	if (m.ref == MAP_FAILED) {
		st_fail(w, "mmap of the memfd: %s", strerror(errno));
		munmap(m.dev, m.pages * lm_ps);
		return;
	}
	w->maps[w->nmaps++] = m;
}

static void op_unmap(struct st_worker *w)
{
	if (w->nmaps)
		st_unmap(w, (int)st_rand(w, w->nmaps));
}

/*
 * The pages to lock for bytes [off, off + len) of a range that starts at
 * window page first: np pages from window page lp.
 */
static void st_span(size_t first, size_t off, size_t len, size_t *lp,
		    size_t *np)
{
	*lp = first + off / lm_ps;
	*np = (off + len - 1) / lm_ps - off / lm_ps + 1;
}

/* Unlocked read faults: allocate pages, race discards. */
static void op_touch(struct st_worker *w)
{
	struct st_map *m = st_pick_map(w);
	size_t i, n, p;

	if (!m || !(m->prot & PROT_READ))
		return;
	n = 1 + st_rand(w, m->pages);
	p = st_rand(w, m->pages);
	for (i = 0; i < n; i++, p = (p + 1) % m->pages) {
		volatile char *c = m->dev + p * lm_ps + st_rand(w, lm_ps);

		(void)*c;
	}
}

static void op_mapwrite(struct st_worker *w)
{
	struct st_map *m = st_pick_map(w);
	size_t off, len, lp, np;

	if (!m || !(m->prot & PROT_WRITE))
		return;
	st_pick_range(w, 0, m->pages, &off, &len);
	st_span(m->first, off, len, &lp, &np);
	st_fill_random(w, w->buf, len);
	/* A private write reads the store page it copies: a shared lock. */
	st_lock(w, lp, np, m->shared);
	memcpy(m->dev + off, w->buf, len);
	memcpy(m->ref + off, w->buf, len);
	st_unlock(w, lp, np, m->shared);
}

static void op_mapcheck(struct st_worker *w)
{
	struct st_map *m = st_pick_map(w);
	size_t off, len, lp, np;

	if (!m || !(m->prot & PROT_READ))
		return;
	st_pick_range(w, 0, m->pages, &off, &len);
	st_span(m->first, off, len, &lp, &np);
	st_lock(w, lp, np, false);
	st_same(w, m->shared ? "read through a shared mapping" :
		"read through a private mapping", m->dev + off, m->ref + off,
		len, m->first * lm_ps + off);
	st_unlock(w, lp, np, false);
}

static void op_pwrite(struct st_worker *w)
{
	size_t off, len, lp, np;
	ssize_t a, b;

	st_pick_range(w, 0, w->window, &off, &len);
	st_span(0, off, len, &lp, &np);
	st_fill_random(w, w->buf, len);
	st_lock(w, lp, np, true);
	a = pwrite(w->dev_fd, w->buf, len, (off_t)off);
	b = pwrite(w->ref_fd, w->buf, len, (off_t)off);
	st_unlock(w, lp, np, true);
	if (a != (ssize_t)len || b != (ssize_t)len)
		st_fail(w, "pwrite(%zu bytes at %zu): device %zd, memfd %zd (%s)",
			len, off, a, b, strerror(errno));
}

static void op_pread(struct st_worker *w)
{
	size_t off, len, lp, np;
	ssize_t a, b;

	st_pick_range(w, 0, w->window, &off, &len);
	st_span(0, off, len, &lp, &np);
	st_lock(w, lp, np, false);
	a = pread(w->dev_fd, w->buf, len, (off_t)off);
	b = pread(w->ref_fd, w->rbuf, len, (off_t)off);
	st_unlock(w, lp, np, false);
	if (a != (ssize_t)len || b != (ssize_t)len)
		st_fail(w, "pread(%zu bytes at %zu): device %zd, memfd %zd (%s)",
			len, off, a, b, strerror(errno));
	else
		st_same(w, "pread", w->buf, w->rbuf, len, off);
}

static void op_discard(struct st_worker *w)
{
	size_t lp = st_rand(w, w->window);
	size_t np = 1 + st_rand(w, ST_MAX_OP);
	int a, b;

	if (np > w->window - lp)
		np = w->window - lp;
	st_lock(w, lp, np, true);
	a = lm_discard(w->dev_fd, lp * lm_ps, np * lm_ps);
	b = fallocate(w->ref_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)(lp * lm_ps), (off_t)(np * lm_ps)) ? -errno : 0;
	st_unlock(w, lp, np, true);
	if (a || b)
		st_fail(w, "discard(%zu pages at page %zu): device %s, memfd %s",
			np, lp, strerror(-a), strerror(-b));
}

/*
 * Shared mappings: only page tables go.  Private ones: private copies go in
 * both, and both read the store again; no lock needed, as the store is the
 * same on both sides whenever a locked check looks.
 */
static void op_dontneed(struct st_worker *w)
{
	struct st_map *m = st_pick_map(w);
	size_t p, n;

	if (!m)
		return;
	p = st_rand(w, m->pages);
	n = 1 + st_rand(w, m->pages - p);
	if (madvise(m->dev + p * lm_ps, n * lm_ps, MADV_DONTNEED) ||
	    madvise(m->ref + p * lm_ps, n * lm_ps, MADV_DONTNEED))
		st_fail(w, "madvise(MADV_DONTNEED): %s", strerror(errno));
}

static void op_mprotect(struct st_worker *w)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE,
	};
	struct st_map *m = st_pick_map(w);
	int prot = prots[st_rand(w, 3)];

	if (!m)
		return;
	if (mprotect(m->dev, m->pages * lm_ps, prot) ||
	    mprotect(m->ref, m->pages * lm_ps, prot)) {
		st_fail(w, "mprotect(%d): %s", prot, strerror(errno));
		return;
	}
	m->prot = prot;
}

/* SEEK_DATA/SEEK_HOLE race everything: only sanity can be asked. */
static void op_seek(struct st_worker *w)
{
	off_t off = (off_t)(st_rand(w, w->window) * lm_ps);
	int whence = st_rand(w, 2) ? SEEK_DATA : SEEK_HOLE;
	off_t r = lseek(w->dev_fd, off, whence);

	if (r < 0 && !(whence == SEEK_DATA && errno == ENXIO))
		st_fail(w, "lseek(%lld, %s): %s", (long long)off,
			whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
			strerror(errno));
	else if (r >= 0 && r < off)
		st_fail(w, "lseek(%lld, %s) went back to %lld", (long long)off,
			whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
			(long long)r);
}

static void op_info(struct st_worker *w)
{
	struct lazymap_info info;
	int err = lm_info(w->dev_fd, &info);

	if (err)
		st_fail(w, "LAZYMAP_IOC_INFO: %s", strerror(-err));
	else if (info.resident_pages * lm_ps > info.size)
		st_fail(w, "resident_pages %llu exceeds the device",
			(unsigned long long)info.resident_pages);
}

static void st_run_ops(struct st_worker *w, long count, bool may_fork);
static void st_check_maps(struct st_worker *w);

/*
 * The child gets copies of this thread's mappings: private pages it writes
 * stay its own (the parent checks its own later), shared writes reach all.
 */
static void op_fork(struct st_worker *w)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		st_fail(w, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		w->id += 1000;
		/* Not the parent's sequence again. */
		w->rng ^= 0x5bd1e995ULL << 17;
		st_run_ops(w, ST_FORK_OPS, false);
		st_check_maps(w);
		_exit(atomic_load(&w->sh->failed) ? 1 : 0);
	}
	status = lm_wait(pid);
	if (status)
		st_fail(w, "forked child ended with status %d", status);
}

static void st_run_ops(struct st_worker *w, long count, bool may_fork)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < OP_NR; i++)
		total += st_op_weight[i];
	while (count-- && !st_stopped(w)) {
		r = (unsigned int)st_rand(w, total);
		for (i = 0; r >= st_op_weight[i]; i++)
			r -= st_op_weight[i];
		if (i == OP_FORK && !may_fork)
			i = OP_MAPCHECK;
		switch (i) {
		case OP_MAP:
			op_map(w);
			break;
		case OP_UNMAP:
			op_unmap(w);
			break;
		case OP_TOUCH:
			op_touch(w);
			break;
		case OP_MAPWRITE:
			op_mapwrite(w);
			break;
		case OP_MAPCHECK:
			op_mapcheck(w);
			break;
		case OP_PWRITE:
			op_pwrite(w);
			break;
		case OP_PREAD:
			op_pread(w);
			break;
		case OP_DISCARD:
			op_discard(w);
			break;
		case OP_DONTNEED:
			op_dontneed(w);
			break;
		case OP_MPROTECT:
			op_mprotect(w);
			break;
		case OP_FORK:
			op_fork(w);
			break;
		case OP_SEEK:
			op_seek(w);
			break;
		case OP_INFO:
			op_info(w);
			break;
		}
		atomic_fetch_add_explicit(&w->sh->ops[i], 1,
					  memory_order_relaxed);
	}
}

/* At the end, each mapping must still match its model in full. */
static void st_check_maps(struct st_worker *w)
{
	int i;

	for (i = 0; i < w->nmaps; i++) {
		struct st_map *m = &w->maps[i];

		if (!(m->prot & PROT_READ) &&
		    mprotect(m->dev, m->pages * lm_ps, PROT_READ) == 0)
			mprotect(m->ref, m->pages * lm_ps, PROT_READ);
		st_lock(w, m->first, m->pages, false);
		st_same(w, m->shared ? "final check of a shared mapping" :
			"final check of a private mapping", m->dev, m->ref,
			m->pages * lm_ps, m->first * lm_ps);
		st_unlock(w, m->first, m->pages, false);
	}
	while (w->nmaps)
		st_unmap(w, 0);
}

static void *st_thread(void *arg)
{
	struct st_worker *w = arg;

	w->buf = malloc(ST_MAX_OP * lm_ps);
	w->rbuf = malloc(ST_MAX_OP * lm_ps);
	if (!w->buf || !w->rbuf) {
		st_fail(w, "out of memory for buffers");
		return NULL;
	}
	st_run_ops(w, -1, true);
	st_check_maps(w);
	free(w->buf);
	free(w->rbuf);
	return NULL;
}

static int st_process(struct st_shared *sh, int dev_fd, int ref_fd,
		      size_t window, uint64_t seed, int proc)
{
	struct st_worker w[ST_THREADS];
	pthread_t tid[ST_THREADS];
	int t;

	for (t = 0; t < ST_THREADS; t++) {
		memset(&w[t], 0, sizeof(w[t]));
		w[t].sh = sh;
		w[t].dev_fd = dev_fd;
		w[t].ref_fd = ref_fd;
		w[t].window = window;
		w[t].id = proc * ST_THREADS + t;
		w[t].rng = seed ^ (0x1000193ULL * (uint64_t)(w[t].id + 1));
		if (pthread_create(&tid[t], NULL, st_thread, &w[t])) {
			st_fail(&w[t], "pthread_create failed");
			break;
		}
	}
	while (t--)
		pthread_join(tid[t], NULL);
	return atomic_load(&sh->failed) ? 1 : 0;
}

static uint64_t st_env(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* Mark the pages the store holds, by walking SEEK_DATA/SEEK_HOLE. */
static uint64_t st_seek_map(int fd, uint64_t size, unsigned char *vec)
{
	uint64_t n = 0, pg;
	off_t data = 0, hole;

	memset(vec, 0, size / lm_ps);
	for (;;) {
		data = lseek(fd, data, SEEK_DATA);
		if (data < 0)
			break;
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > size)
			hole = (off_t)size;
		for (pg = (uint64_t)data / lm_ps; pg < (uint64_t)hole / lm_ps;
		     pg++, n++)
			vec[pg] = 1;
		if ((uint64_t)hole >= size)
			break;
		data = hole;
	}
	return n;
}

/* Mark the pages the store holds, by mincore() on a shared mapping. */
static int64_t st_mincore_map(int fd, uint64_t size, unsigned char *vec)
{
	size_t pages = size / lm_ps, i;
	int64_t n = 0;
	void *p;

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || mincore(p, size, vec)) {
		n = -1;
	} else {
		for (i = 0; i < pages; i++) {
			vec[i] &= 1;
			n += vec[i];
		}
	}
	if (p != MAP_FAILED)
		munmap(p, size);
	return n;
}

FIXTURE(stress) {
	int dev_fd, ref_fd;
	uint64_t size;
	size_t window;
	struct st_shared *sh;
};

FIXTURE_SETUP(stress)
{
	LM_OPEN_EMPTY(self->dev_fd);
	self->size = lm_size(self->dev_fd);
	self->window = ST_WINDOW;
	if (self->window > self->size / lm_ps)
		self->window = self->size / lm_ps;
	self->ref_fd = memfd_create("lazymap-model", MFD_CLOEXEC);
	ASSERT_LE(0, self->ref_fd);
	ASSERT_EQ(0, ftruncate(self->ref_fd, (off_t)self->size));
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
}

FIXTURE_TEARDOWN(stress)
{
	lm_close_empty(self->dev_fd);
	munmap(self->sh, sizeof(*self->sh));
	close(self->ref_fd);
}

TEST_F_TIMEOUT(stress, random_ops_match_memfd, 180)
{
	uint64_t seed = st_env("LAZYMAP_STRESS_SEED", 0);
	uint64_t secs = st_env("LAZYMAP_STRESS_SECONDS", ST_SECONDS);
	uint64_t resident, sysfs_resident, seek_pages, total = 0;
	size_t wbytes = self->window * lm_ps, off;
	pid_t pid[ST_PROCS];
	char *a, *b, line[512];
	unsigned char *seek_vec, *mc_vec;
	int64_t mc_pages;
	int p, status, n, i;
	bool ok = true;

	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^
		       (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	TH_LOG("seed %llu (LAZYMAP_STRESS_SEED=%llu repeats it): %d processes x %d threads, %llu s, window %zu pages",
	       (unsigned long long)seed, (unsigned long long)seed, ST_PROCS,
	       ST_THREADS, (unsigned long long)secs, self->window);

	for (p = 0; p < ST_PROCS; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (pid[p] == 0)
			_exit(st_process(self->sh, self->dev_fd, self->ref_fd,
					 self->window, seed, p));
	}
	for (i = 0; i < (int)secs * 10 && !atomic_load(&self->sh->stop); i++)
		usleep(100000);
	atomic_store(&self->sh->stop, 1);
	for (p = 0; p < ST_PROCS; p++) {
		status = lm_wait(pid[p]);
		if (status) {
			ok = false;
			TH_LOG("worker process %d ended with status %d%s", p,
			       status, status > 128 ? " (a signal)" : "");
		}
	}

	n = 0;
	for (i = 0; i < OP_NR; i++) {
		unsigned long c = atomic_load(&self->sh->ops[i]);

		total += c;
		n += snprintf(line + n, sizeof(line) - n, " %s=%lu",
			      st_op_name[i], c);
	}
	TH_LOG("%llu operations:%s", (unsigned long long)total, line);
	if (atomic_load(&self->sh->failed))
		TH_LOG("FIRST FAILURE: %s", self->sh->msg);
	ASSERT_EQ(0, atomic_load(&self->sh->failed));
	ASSERT_TRUE(ok);

	/* Quiescent now: the whole window and nothing beyond it. */
	a = malloc(wbytes);
	b = malloc(wbytes);
	ASSERT_TRUE(a && b);
	ASSERT_EQ(0, lm_pread_all(self->dev_fd, a, wbytes, 0));
	ASSERT_EQ(0, lm_pread_all(self->ref_fd, b, wbytes, 0));
	for (off = 0; off < wbytes && a[off] == b[off]; off++)
		;
	EXPECT_EQ(wbytes, off)
		TH_LOG("final: byte %zu is 0x%02x, memfd has 0x%02x", off,
		       (unsigned char)a[off], (unsigned char)b[off]);
	free(a);
	free(b);
	if (wbytes < self->size) {
		errno = 0;
		EXPECT_EQ(-1, lseek(self->dev_fd, (off_t)wbytes, SEEK_DATA));
		EXPECT_EQ(ENXIO, errno);
	}

	/* The counters, exactly, by four independent views. */
	seek_vec = malloc(self->size / lm_ps);
	mc_vec = malloc(self->size / lm_ps);
	ASSERT_TRUE(seek_vec && mc_vec);
	resident = lm_resident(self->dev_fd);
	seek_pages = st_seek_map(self->dev_fd, self->size, seek_vec);
	mc_pages = st_mincore_map(self->dev_fd, self->size, mc_vec);
	TH_LOG("final: %llu resident pages (SEEK_DATA %llu, mincore %lld)",
	       (unsigned long long)resident, (unsigned long long)seek_pages,
	       (long long)mc_pages);
	EXPECT_EQ(resident, seek_pages);
	EXPECT_EQ((int64_t)resident, mc_pages);
	for (off = 0; off < self->size / lm_ps; off++)
		if (seek_vec[off] != mc_vec[off])
			break;
	EXPECT_EQ(self->size / lm_ps, off)
		TH_LOG("page %zu: SEEK_DATA/SEEK_HOLE say %s, mincore %s",
		       off, seek_vec[off] ? "data" : "hole",
		       mc_vec[off] ? "resident" : "not resident");
	if (!lm_emulated()) {
		ASSERT_EQ(0, lm_sysfs_u64("resident_pages", &sysfs_resident));
		EXPECT_EQ(resident, sysfs_resident);
	}
	ASSERT_EQ(0, lm_reset(self->dev_fd));
	EXPECT_EQ(0ULL, lm_resident(self->dev_fd));
	EXPECT_EQ(0ULL, st_seek_map(self->dev_fd, self->size, seek_vec));
	free(seek_vec);
	free(mc_vec);
}

TEST_HARNESS_MAIN
