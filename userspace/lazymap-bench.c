// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap-bench: /dev/lazymap side by side with shmem and anonymous memory.
 *
 *   lazymap-bench [--ko FILE] [--dev PATH] [--reps N] [--work-mib N]
 *                 [--mem-mib N] [--scenarios LIST] [--out DIR]
 *
 * --ko FILE        lazymap.ko: the program (re)loads the module with the
 *                  sizes the scenarios need (1 MiB and 1 TiB for scenario 7,
 *                  1 TiB for scenario 10).  Without it, the loaded device is
 *                  used and scenario 7 is skipped.
 * --dev PATH       the device node (default /dev/lazymap)
 * --reps N         repetitions of every measurement (default 7)
 * --work-mib N     region of scenarios 1-6 in MiB (default 32)
 * --mem-mib N      resident size of scenario 9 in MiB (default 128)
 * --scenarios LIST comma-separated scenario numbers (default: all ten)
 * --out DIR        write results.csv, summary.csv, table.txt and table.md
 *
 * Each scenario is measured for lazymap, a memfd of the device's size
 * (shmem, the reference) and, where it applies, private anonymous memory.
 * The repetitions are interleaved (lazymap, memfd, anon, then anon, memfd,
 * lazymap, ...) so that drift of the machine hits every backend alike, and
 * every first-touch repetition starts from an empty store: the store is
 * discarded (LAZYMAP_IOC_DISCARD, fallocate(PUNCH_HOLE) for the memfd, a
 * fresh mapping for anonymous memory) before it, outside the timed part.
 * Anonymous regions get MADV_NOHUGEPAGE so that all three backends fault
 * in 4 KiB pages.
 *
 * Times come from CLOCK_MONOTONIC around the measured loop only.  Per
 * scenario the program reports min/median/max over the repetitions and,
 * for ratios, min/median/max of the ratio within each repetition (the
 * backends of one repetition ran back to back).  Under emulation (QEMU TCG)
 * absolute times are meaningless; the ratios are the result.
 *
 * Output: progress on stderr, the table on stdout; with --out, the CSV
 * files.  results.csv has one line per backend and metric:
 *   scenario,title,backend,metric,unit,reps,min,median,max
 * (backend "lazymap/memfd" for the paired ratio), summary.csv one line per
 * scenario:
 *   scenario,title,unit,lazymap,memfd,anon,checked,min,median,max,target,result
 * where checked names the value the target applies to.  Exit status 0 when
 * every scenario ran (a missed target is a result, not an error), 1 on an
 * error.
 */
#define _GNU_SOURCE	/* memfd_create, fallocate, MADV_NOHUGEPAGE */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/lazymap.h>

#define MIB		(1024ULL * 1024)
#define TIB		(1024ULL * 1024 * MIB)
#define SIZE_MB_1TIB	1048576ULL
#define MODULE_NAME	"lazymap"
#define PARAM_SIZE_MB	"/sys/module/lazymap/parameters/size_mb"
#define MAX_REPS	99
#define NSCEN		10
#define NMET		5	/* measured metrics per scenario */
#define NDER		3	/* derived (ratio) metrics per scenario */
#define CLEAN_LIMIT	1.5	/* see clean_mean() */
#define BLOCK_PAGES	64	/* unit of interleaving of scenarios 1-5 */
#define S6_PAIRS	16	/* chunk pairs: one thread, then two */
#define S6_SPIN		2048	/* control loop iterations per page */
#define S7_BLOCKS	100	/* timed batches per measurement */
#define S7_ITERS	2	/* mmap+munmap pairs per timed batch */
#define S8_MIB		64
#define S8_CHUNK	(1024 * 1024)	/* read() buffer */
#define S8_SLICES	16		/* units of interleaving */
#define S8_SLICE	(S8_MIB * MIB / S8_SLICES)
#define S10_ITERS	16	/* discards per repetition, each timed */
#define S10_PAGES	10

enum backend { BK_LAZYMAP, BK_MEMFD, BK_ANON, BK_NR };

static const char *const bk_name[BK_NR] = { "lazymap", "memfd", "anon" };

#define BK_ALL	 ((1u << BK_LAZYMAP) | (1u << BK_MEMFD) | (1u << BK_ANON))
#define BK_FILES ((1u << BK_LAZYMAP) | (1u << BK_MEMFD))

/* What a scenario's target applies to. */
enum target_kind {
	T_NONE,		/* information only */
	T_CROSS_LE,	/* lazymap/memfd ratio of the key metric <= limit */
	T_LAZY_LE,	/* lazymap's key metric <= limit */
	T_LAZY_LT,	/* lazymap's key metric < limit */
	T_LAZY_GE,	/* lazymap's key metric >= limit */
};

/* A ratio computed within each repetition: metric num / metric den. */
struct derived {
	int num, den;
	const char *name;
};

struct stat3 {
	int n;
	double min, med, max;
};

struct bench;

/* What one repetition measured for one backend. */
struct metrics {
	double v[NMET];
};

struct scenario {
	int id;
	const char *title;
	unsigned int backends;
	int nmet;
	const char *metric[NMET];
	const char *unit[NMET];
	int nder;
	struct derived der[NDER];
	/* Index of the key metric: < NMET measured, NMET + i derived i. */
	int key;
	enum target_kind target;
	double limit;
	const char *target_text;
	/* Optional preparation and cleanup around the repetitions. */
	void (*setup)(struct bench *b);
	/* One repetition of every backend: out[backend][metric]. */
	void (*measure)(struct bench *b, const struct scenario *sc,
			struct metrics *out);
	void (*teardown)(struct bench *b);
	/* Samples: [backend][metric][repetition]. */
	double v[BK_NR][NMET + NDER][MAX_REPS];
	bool ran;
};

/* One stored backend: the lazymap device or a memfd of the same size. */
struct store {
	int fd;
	uint64_t size;
};

struct bench {
	const char *dev;
	const char *ko;
	int reps;
	uint64_t work;		/* bytes, scenarios 1-6 */
	uint64_t mem;		/* bytes, scenario 9 */
	unsigned int want;	/* bit per scenario id */
	const char *out;
	size_t ps;
	struct store st[2];	/* BK_LAZYMAP, BK_MEMFD */
	struct store big[2];	/* the same at 1 TiB, scenario 10 */
	uint32_t *perm;		/* scenario 5: page order */
	uint64_t clock_cost;	/* ns one clock read adds to an interval */
	int rep;		/* the repetition being measured */
	double ctl[MAX_REPS];	/* scenario 6: speed-up of a CPU-only loop */
	char *buf;		/* S8_CHUNK bytes for read() and populate */
};

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fprintf(stderr, "lazymap-bench: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lazymap-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The compiler must not drop or merge the accesses: each one is a fault.
 * The stores write a non-zero byte so that a page is really dirtied.
 */
static void touch_write(char *p, size_t npages, size_t ps)
{
	volatile char *q = p;
	size_t i;

	for (i = 0; i < npages; i++)
		q[i * ps] = 1;
}

static unsigned long touch_read(const char *p, size_t npages, size_t ps)
{
	const volatile char *q = p;
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < npages; i++)
		sum += q[i * ps];
	return sum;
}

/* Keep a computed value alive without a side effect the timing sees. */
static void consume(unsigned long v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

/* ---- Statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stat3 stats_of(const double *v, int n)
{
	double s[MAX_REPS];
	struct stat3 r = { .n = n };

	if (!n)
		return r;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/*
 * The mean of the "clean" values of v[0..n) (sorted in place): those at
 * most CLEAN_LIMIT times the median.  On a busy host the VM's virtual CPUs
 * do not run for milliseconds at a time, and a block of work that such a
 * stall hits takes 10 to 50 times longer; a third of the blocks can be hit.
 * The plain mean would measure the host, an interquartile mean still keeps
 * stalls, and the median alone would drop the blocks that rightly cost a
 * little more (a new page table every 512 pages).
 */
static double clean_mean(double *v, int n)
{
	double sum = 0, lim;
	int i, m = 0;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	lim = CLEAN_LIMIT * (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
	for (i = 0; i < n && v[i] <= lim; i++, m++)
		sum += v[i];
	return sum / m;
}

static double *alloc_times(size_t n)
{
	double *v = calloc(n, sizeof(*v));

	if (!v)
		die("calloc:");
	return v;
}

/* ---- Module control (only with --ko) ---- */

static bool module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

static uint64_t module_size_mb(void)
{
	unsigned long long mb = 0;
	FILE *f = fopen(PARAM_SIZE_MB, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &mb) != 1)
		mb = 0;
	fclose(f);
	return mb;
}

static void module_unload(void)
{
	int tries;

	if (!module_loaded())
		return;
	/* A just-closed file may still hold the module for a moment. */
	for (tries = 0; tries < 100; tries++) {
		if (!syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK))
			return;
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			break;
		usleep(10000);
	}
	die("delete_module(%s):", MODULE_NAME);
}

/* Make the module loaded with size_mb=@mb (reloading if it differs). */
static void module_ensure(struct bench *b, uint64_t mb)
{
	char params[64];
	int fd;

	if (module_loaded() && module_size_mb() == mb)
		return;
	module_unload();
	snprintf(params, sizeof(params), "size_mb=%" PRIu64, mb);
	fd = open(b->ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s:", b->ko);
	if (syscall(SYS_finit_module, fd, params, 0))
		die("finit_module(%s, %s):", b->ko, params);
	close(fd);
}

/* ---- Backends ---- */

static uint64_t lazymap_dev_size(int fd)
{
	struct lazymap_info info;

	if (ioctl(fd, LAZYMAP_IOC_INFO, &info))
		die("LAZYMAP_IOC_INFO:");
	return info.size;
}

static void store_open_lazymap(struct bench *b, struct store *s)
{
	s->fd = open(b->dev, O_RDWR | O_CLOEXEC);
	if (s->fd < 0)
		die("open %s:", b->dev);
	s->size = lazymap_dev_size(s->fd);
}

static void store_open_memfd(struct store *s, uint64_t size)
{
	s->fd = memfd_create("lazymap-bench", MFD_CLOEXEC);
	if (s->fd < 0)
		die("memfd_create:");
	if (ftruncate(s->fd, size))
		die("ftruncate(memfd, %" PRIu64 "):", size);
	s->size = size;
}

static void store_close(struct store *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Free the pages of [off, off + len): both backends' PUNCH_HOLE. */
static void store_discard(struct store *s, enum backend bk, uint64_t off,
			  uint64_t len)
{
	struct lazymap_range r = { .offset = off, .length = len };

	if (bk == BK_LAZYMAP) {
		if (ioctl(s->fd, LAZYMAP_IOC_DISCARD, &r))
			die("LAZYMAP_IOC_DISCARD:");
	} else if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     off, len)) {
		die("fallocate(PUNCH_HOLE):");
	}
}

/* Make [0, len) resident through write(), which maps nothing. */
static void store_populate(struct bench *b, struct store *s, uint64_t len)
{
	uint64_t off;
	ssize_t n;

	memset(b->buf, 0x5a, S8_CHUNK);
	for (off = 0; off < len; off += n) {
		n = pwrite(s->fd, b->buf, len - off < S8_CHUNK ?
			   len - off : S8_CHUNK, off);
		if (n <= 0)
			die("pwrite:");
	}
}

/*
 * A fresh mapping of @len bytes for @bk: the store's bytes from @off, or
 * anonymous memory in 4 KiB pages.
 */
static char *map(struct bench *b, enum backend bk, uint64_t off, uint64_t len,
		 int flags)
{
	void *p;

	if (bk == BK_ANON) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p != MAP_FAILED && madvise(p, len, MADV_NOHUGEPAGE))
			die("madvise(MADV_NOHUGEPAGE):");
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags,
			 b->st[bk].fd, off);
	}
	if (p == MAP_FAILED)
		die("mmap(%s, %" PRIu64 " bytes):", bk_name[bk], len);
	return p;
}

static void unmap(void *p, uint64_t len)
{
	if (munmap(p, len))
		die("munmap:");
}

/* Empty the region of scenarios 1-6 before a first-touch repetition. */
static void empty_work(struct bench *b, enum backend bk)
{
	if (bk != BK_ANON)
		store_discard(&b->st[bk], bk, 0, b->work);
}

static double per_page(struct bench *b, double ns, uint64_t bytes)
{
	return ns / (double)(bytes / b->ps);
}

static bool has_backend(const struct scenario *sc, enum backend bk)
{
	return sc->backends & (1u << bk);
}

/*
 * Iterate over the backends of @sc in the order of step @step: forward in
 * even steps, backward in odd ones, so that neither backend always follows
 * the other.  *@k starts at 0; BK_NR after the last.
 */
static enum backend next_backend(const struct scenario *sc,
				 unsigned long step, int *k)
{
	enum backend bk;

	while (*k < BK_NR) {
		bk = step % 2 ? BK_NR - 1 - *k : *k;
		++*k;
		if (has_backend(sc, bk))
			return bk;
	}
	return BK_NR;
}

/* ---- Scenarios 1, 2, 4, 5: touching every page of a region ---- */

enum touch { TOUCH_WRITE, TOUCH_READ, TOUCH_RANDOM };

/*
 * Touch pages [first, first + n) of @p (in the order of b->perm for
 * TOUCH_RANDOM) and return the time it took.
 */
static uint64_t touch_block(struct bench *b, char *p, size_t first, size_t n,
			    enum touch how)
{
	volatile char *q = p;
	unsigned long sum = 0;
	uint64_t t0, t1;
	size_t i;

	t0 = now_ns();
	switch (how) {
	case TOUCH_WRITE:
		touch_write(p + first * b->ps, n, b->ps);
		break;
	case TOUCH_READ:
		sum = touch_read(p + first * b->ps, n, b->ps);
		break;
	case TOUCH_RANDOM:
		for (i = first; i < first + n; i++)
			q[(size_t)b->perm[i] * b->ps] = 1;
		break;
	}
	t1 = now_ns();
	consume(sum);
	return t1 - t0;
}

/*
 * One pass over the region for every backend of @sc, interleaved block by
 * block (BLOCK_PAGES pages of one backend, then of the next), so that a
 * change in the machine's speed during the pass hits all backends alike.
 * @p holds the mapping of each backend; out[bk].v[0] gets ns per page, from
 * the clean mean of the block times.
 */
static void touch_interleaved(struct bench *b, const struct scenario *sc,
			      char *const *p, enum touch how,
			      struct metrics *out)
{
	size_t nblocks = b->work / b->ps / BLOCK_PAGES, j;
	double *ns[BK_NR];
	enum backend bk;
	int k;

	for (bk = 0; bk < BK_NR; bk++)
		ns[bk] = alloc_times(nblocks);
	for (j = 0; j < nblocks; j++)
		for (k = 0; (bk = next_backend(sc, j, &k)) < BK_NR;)
			ns[bk][j] = touch_block(b, p[bk], j * BLOCK_PAGES,
						BLOCK_PAGES, how);
	for (bk = 0; bk < BK_NR; bk++) {
		if (has_backend(sc, bk))
			out[bk].v[0] = clean_mean(ns[bk], nblocks) /
				       BLOCK_PAGES;
		free(ns[bk]);
	}
}

/* First touch: every backend's region is emptied and mapped afresh. */
static void first_touch(struct bench *b, const struct scenario *sc,
			enum touch how, struct metrics *out)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	/* Mapped in turn first, in case the address or layout matters. */
	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;) {
		empty_work(b, bk);
		p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
	}
	touch_interleaved(b, sc, p, how, out);
	for (bk = 0; bk < BK_NR; bk++)
		if (p[bk])
			unmap(p[bk], b->work);
}

static void s1_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	first_touch(b, sc, TOUCH_WRITE, out);
}

static void s2_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	first_touch(b, sc, TOUCH_READ, out);
}

static void s5_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	first_touch(b, sc, TOUCH_RANDOM, out);
}

/* A fixed pseudo-random permutation of the region's pages (xorshift64). */
static void s5_setup(struct bench *b)
{
	size_t n = b->work / b->ps, i, j;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t t;

	b->perm = malloc(n * sizeof(*b->perm));
	if (!b->perm)
		die("malloc:");
	for (i = 0; i < n; i++)
		b->perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = b->perm[i];
		b->perm[i] = b->perm[j];
		b->perm[j] = t;
	}
}

static void s5_teardown(struct bench *b)
{
	free(b->perm);
	b->perm = NULL;
}

/* ---- Scenarios 3 and 4: a populated store ---- */

static void populate_work(struct bench *b)
{
	store_populate(b, &b->st[BK_LAZYMAP], b->work);
	store_populate(b, &b->st[BK_MEMFD], b->work);
}

static void empty_stores(struct bench *b)
{
	store_discard(&b->st[BK_LAZYMAP], BK_LAZYMAP, 0,
		      b->st[BK_LAZYMAP].size);
	store_discard(&b->st[BK_MEMFD], BK_MEMFD, 0, b->st[BK_MEMFD].size);
}

/*
 * A new process maps the populated stores and reads every page: read
 * faults on resident pages, where fault-around maps the neighbours too.
 * The times travel back through a pipe.
 */
static void s3_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	struct metrics res[BK_NR];
	int fds[2];
	pid_t pid;

	if (pipe(fds))
		die("pipe:");
	pid = fork();
	if (pid < 0)
		die("fork:");
	if (!pid) {
		char *p[BK_NR] = { NULL };
		enum backend bk;
		int k;

		for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
			p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
		touch_interleaved(b, sc, p, TOUCH_READ, res);
		_exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], res, sizeof(res)) != sizeof(res))
		die("the scenario 3 child sent no times");
	close(fds[0]);
	if (waitpid(pid, NULL, 0) != pid)
		die("waitpid:");
	memcpy(out, res, sizeof(res));
}

/* Copy-on-write: the first write to each page of a private mapping. */
static void s4_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	char *p[BK_NR] = { NULL };
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		p[bk] = map(b, bk, 0, b->work, MAP_PRIVATE);
	touch_interleaved(b, sc, p, TOUCH_WRITE, out);
	unmap(p[BK_LAZYMAP], b->work);
	unmap(p[BK_MEMFD], b->work);
}

/* ---- Scenario 6: two threads ---- */

/*
 * Two worker threads wait at a barrier for a job: first-touch writes to
 * pages [0, npages) of p, split between the first nthreads of them.
 */
struct pool {
	pthread_barrier_t start, done;
	pthread_t tid[2];
	char *p;		/* NULL: spin instead, the CPU-only control */
	size_t npages, ps;
	int nthreads;
	bool quit;
	uint64_t t0[2], t1[2];
};

/* About as long per unit as a first touch under emulation. */
static void spin(size_t units)
{
	volatile unsigned long x = 0;
	unsigned long i;

	for (i = 0; i < units * S6_SPIN; i++)
		x += i;
}

struct pool_arg {
	struct pool *pool;
	int idx;
};

static void *pool_worker(void *arg)
{
	struct pool_arg *a = arg;
	struct pool *pl = a->pool;
	size_t half;

	for (;;) {
		pthread_barrier_wait(&pl->start);
		if (pl->quit)
			return NULL;
		if (a->idx < pl->nthreads) {
			half = pl->npages / pl->nthreads;
			pl->t0[a->idx] = now_ns();
			if (pl->p)
				touch_write(pl->p + a->idx * half * pl->ps,
					    half, pl->ps);
			else
				spin(half);
			pl->t1[a->idx] = now_ns();
		}
		pthread_barrier_wait(&pl->done);
	}
}

/* Run one job; its wall time from the first start to the last end. */
static uint64_t pool_run(struct pool *pl, char *p, size_t npages,
			 int nthreads)
{
	uint64_t t0 = UINT64_MAX, t1 = 0;
	int i;

	pl->p = p;
	pl->npages = npages;
	pl->nthreads = nthreads;
	pthread_barrier_wait(&pl->start);
	pthread_barrier_wait(&pl->done);
	for (i = 0; i < nthreads; i++) {
		t0 = pl->t0[i] < t0 ? pl->t0[i] : t0;
		t1 = pl->t1[i] > t1 ? pl->t1[i] : t1;
	}
	return t1 - t0;
}

/* Two runs: one thread on @one, two threads on @two, in either order. */
static void s6_pair(struct pool *pl, char *one, char *two, size_t chunk,
		    bool swap, double *t1, double *t2)
{
	if (swap) {
		*t2 = pool_run(pl, two, chunk, 2);
		*t1 = pool_run(pl, one, chunk, 1);
	} else {
		*t1 = pool_run(pl, one, chunk, 1);
		*t2 = pool_run(pl, two, chunk, 2);
	}
}

/*
 * The region is cut into chunks; in each pair of chunks one is touched by
 * one thread and the other by two (each its half), which one first
 * alternating, for every backend in turn.  out[bk].v[0] and [1]: ns per page
 * with one and with two threads.  b->ctl gets the speed-up of a loop that
 * only computes: what two threads can gain in this VM at all.
 */
static void s6_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	size_t n = b->work / b->ps, chunk = n / (2 * S6_PAIRS), c;
	double t[BK_NR][2][S6_PAIRS], ctl[2][S6_PAIRS];
	struct pool_arg args[2];
	char *p[BK_NR] = { NULL };
	struct pool pl = { .ps = b->ps };
	enum backend bk;
	int i, k;

	if (chunk < 2)
		die("scenario 6 needs a bigger --work-mib");
	for (bk = 0; bk < BK_NR; bk++) {
		empty_work(b, bk);
		p[bk] = map(b, bk, 0, b->work, MAP_SHARED);
	}
	pthread_barrier_init(&pl.start, NULL, 3);
	pthread_barrier_init(&pl.done, NULL, 3);
	for (i = 0; i < 2; i++) {
		args[i] = (struct pool_arg){ .pool = &pl, .idx = i };
		errno = pthread_create(&pl.tid[i], NULL, pool_worker, &args[i]);
		if (errno)
			die("pthread_create:");
	}
	for (c = 0; c < S6_PAIRS; c++) {
		bool swap = (c + b->rep) % 2;

		for (k = 0; (bk = next_backend(sc, c, &k)) < BK_NR;) {
			char *a = p[bk] + 2 * c * chunk * b->ps;

			s6_pair(&pl, a, a + chunk * b->ps, chunk, swap,
				&t[bk][0][c], &t[bk][1][c]);
		}
		s6_pair(&pl, NULL, NULL, chunk, swap, &ctl[0][c], &ctl[1][c]);
	}
	pl.quit = true;
	pthread_barrier_wait(&pl.start);
	for (i = 0; i < 2; i++)
		pthread_join(pl.tid[i], NULL);
	pthread_barrier_destroy(&pl.start);
	pthread_barrier_destroy(&pl.done);
	for (bk = 0; bk < BK_NR; bk++) {
		unmap(p[bk], b->work);
		out[bk].v[0] = clean_mean(t[bk][0], S6_PAIRS) / chunk;
		out[bk].v[1] = clean_mean(t[bk][1], S6_PAIRS) / chunk;
	}
	b->ctl[b->rep] = clean_mean(ctl[0], S6_PAIRS) /
			 clean_mean(ctl[1], S6_PAIRS);
}

/* ---- Scenario 7: mmap + munmap, 1 MiB versus 1 TiB ---- */

/* One mapping to time: @len bytes of @fd (-1: anonymous memory). */
struct s7_map {
	int fd;
	uint64_t len;
	double *out;
};

/*
 * ns per mmap+munmap pair of each of @n mappings, timed in S7_BLOCKS
 * batches of S7_ITERS pairs, one mapping after the other.  Not interleaved
 * batch by batch: the munmap() of a 1 TiB mapping makes the next mapping
 * of 1 MiB slower, which would blur the comparison of the two sizes.
 */
static void s7_time(struct bench *b, struct s7_map *m, int n)
{
	double t[3][S7_BLOCKS];
	uint64_t t0;
	void *p;
	int i, j, k;

	for (k = 0; k < n; k++) {
		for (j = 0; j < S7_BLOCKS; j++) {
			t0 = now_ns();
			for (i = 0; i < S7_ITERS; i++) {
				p = m[k].fd < 0 ?
				    mmap(NULL, m[k].len, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
					 MAP_NORESERVE, -1, 0) :
				    mmap(NULL, m[k].len, PROT_READ | PROT_WRITE,
					 MAP_SHARED, m[k].fd, 0);
				if (p == MAP_FAILED)
					die("mmap(%" PRIu64 " bytes):",
					    m[k].len);
				if (munmap(p, m[k].len))
					die("munmap:");
			}
			t[k][j] = (double)(now_ns() - t0 - b->clock_cost) /
				  S7_ITERS;
		}
	}
	for (k = 0; k < n; k++)
		*m[k].out = clean_mean(t[k], S7_BLOCKS);
}

/*
 * lazymap: the module holds one size at a time, so the 1 MiB device and
 * the 1 TiB device are measured after a reload each, in alternating order.
 * On the 1 TiB device, mapping only 1 MiB of it tells the device size
 * (which lazymap's mmap() must not depend on) from the mapping size (the
 * kernel's munmap() walks the page table levels the mapping spans, about
 * one entry per GiB).
 */
static void s7_lazymap(struct bench *b, double *out)
{
	struct store s = { .fd = -1 };
	int j;

	for (j = 0; j < 2; j++) {
		if ((j + b->rep) % 2) {
			module_ensure(b, SIZE_MB_1TIB);
			store_open_lazymap(b, &s);
			s7_time(b, (struct s7_map[]){
				{ s.fd, MIB, &out[2] },
				{ s.fd, TIB, &out[1] } }, 2);
		} else {
			module_ensure(b, 1);
			store_open_lazymap(b, &s);
			s7_time(b, &(struct s7_map){ s.fd, MIB, &out[0] }, 1);
		}
		store_close(&s);
	}
}

static void s7_memfd(struct bench *b, double *out)
{
	struct store small, big;

	store_open_memfd(&small, MIB);
	store_open_memfd(&big, TIB);
	s7_time(b, (struct s7_map[]){
		{ small.fd, MIB, &out[0] },
		{ big.fd, MIB, &out[2] },
		{ big.fd, TIB, &out[1] } }, 3);
	store_close(&small);
	store_close(&big);
}

/* Anonymous memory has no device: only the mapping size varies. */
static void s7_anon(struct bench *b, double *out)
{
	s7_time(b, (struct s7_map[]){
		{ -1, MIB, &out[0] },
		{ -1, TIB, &out[1] } }, 2);
	out[2] = NAN;
}

static void s7_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;) {
		if (bk == BK_LAZYMAP)
			s7_lazymap(b, out[bk].v);
		else if (bk == BK_MEMFD)
			s7_memfd(b, out[bk].v);
		else
			s7_anon(b, out[bk].v);
	}
}

/* ---- Scenario 8: read() versus a mapping ---- */

static void s8_setup(struct bench *b)
{
	store_populate(b, &b->st[BK_LAZYMAP], S8_MIB * MIB);
	store_populate(b, &b->st[BK_MEMFD], S8_MIB * MIB);
}

static unsigned long sum_words(const uint64_t *p, size_t n)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/* read(): copy [off, off + len) into the reused 1 MiB buffer. */
static uint64_t s8_read(struct bench *b, enum backend bk, uint64_t off,
			uint64_t len)
{
	uint64_t end = off + len, t0 = now_ns();
	ssize_t n;

	for (; off < end; off += n) {
		n = pread(b->st[bk].fd, b->buf, S8_CHUNK, off);
		if (n <= 0)
			die("pread:");
	}
	return now_ns() - t0;
}

/* Mapping: map [off, off + len), read every 64-bit word, unmap. */
static uint64_t s8_map(struct bench *b, enum backend bk, uint64_t off,
		       uint64_t len)
{
	uint64_t t0 = now_ns();
	unsigned long sum;
	char *p;

	p = map(b, bk, off, len, MAP_SHARED);
	sum = sum_words((const uint64_t *)p, len / sizeof(uint64_t));
	unmap(p, len);
	consume(sum);
	return now_ns() - t0;
}

/*
 * Both ways read every byte of the 64 MiB once; read() also writes it into
 * the buffer.  The mapping's time includes mmap(), the faults (fault-around
 * maps 16 pages a fault) and munmap().  The region goes in S8_SLICE pieces,
 * backends and the two ways interleaved.
 */
static void s8_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	double t[BK_NR][2][S8_SLICES];
	enum backend bk;
	uint64_t off;
	int c, k;

	for (c = 0; c < S8_SLICES; c++) {
		off = c * S8_SLICE;
		for (k = 0; (bk = next_backend(sc, c + b->rep, &k)) < BK_NR;) {
			if ((c + b->rep) % 2) {
				t[bk][1][c] = s8_map(b, bk, off, S8_SLICE);
				t[bk][0][c] = s8_read(b, bk, off, S8_SLICE);
			} else {
				t[bk][0][c] = s8_read(b, bk, off, S8_SLICE);
				t[bk][1][c] = s8_map(b, bk, off, S8_SLICE);
			}
		}
	}
	for (k = 0; (bk = next_backend(sc, 0, &k)) < BK_NR;) {
		out[bk].v[0] = per_page(b, clean_mean(t[bk][0], S8_SLICES),
					S8_SLICE);
		out[bk].v[1] = per_page(b, clean_mean(t[bk][1], S8_SLICES),
					S8_SLICE);
	}
}

/* ---- Scenario 9: memory overhead ---- */

struct meminfo {
	long long free, slab, pagetables, kstack, percpu, vmalloc;
};

/* Write @val to the file @path if it exists; errors do not matter. */
static void poke(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		note("%s: %s", path, strerror(errno));
	close(fd);
}

/*
 * Free pages on the per-CPU lists: the page allocator keeps up to a few
 * hundred pages per CPU there, outside MemFree.  Sum of the "count:" lines
 * of /proc/zoneinfo, in bytes.
 */
static long long pcp_free(size_t ps)
{
	char line[256];
	long long sum = 0, v;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		die("open /proc/zoneinfo:");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &v) == 1)
			sum += v;
	fclose(f);
	return sum * (long long)ps;
}

static void meminfo_once(struct meminfo *m, size_t ps)
{
	char line[256], key[64];
	long long v;
	FILE *f;

	/* Fold the per-CPU counter deltas into the global counters. */
	poke("/proc/sys/vm/stat_refresh", "1");
	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("open /proc/meminfo:");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^:]: %lld", key, &v) != 2)
			continue;
		v *= 1024;
		if (!strcmp(key, "MemFree"))
			m->free = v;
		else if (!strcmp(key, "Slab"))
			m->slab = v;
		else if (!strcmp(key, "PageTables"))
			m->pagetables = v;
		else if (!strcmp(key, "KernelStack"))
			m->kstack = v;
		else if (!strcmp(key, "Percpu"))
			m->percpu = v;
		else if (!strcmp(key, "VmallocUsed"))
			m->vmalloc = v;
	}
	fclose(f);
	m->free += pcp_free(ps);
}

/*
 * A snapshot once the machine has settled: work freed just before (RCU,
 * per-CPU batches) trickles back for a moment.  Empty slabs of the page
 * cache's tree nodes are given back first, so that the nodes a populate
 * needs show as new slab pages, not as reuse of free ones.
 */
static void meminfo_read(struct meminfo *m, size_t ps)
{
	struct meminfo prev;
	int i;

	poke("/sys/kernel/slab/radix_tree_node/shrink", "1");
	meminfo_once(m, ps);
	for (i = 0; i < 20; i++) {
		usleep(20000);
		prev = *m;
		meminfo_once(m, ps);
		if (llabs(m->free - prev.free) <= 16 * (long long)ps)
			break;
	}
}

/*
 * Make b->mem bytes resident and compare snapshots before and after.  For
 * lazymap and the memfd the pages are written through a mapping that is
 * gone again at the second snapshot: what remains is the store.  Anonymous
 * memory cannot exist without its mapping, so its page tables count.
 */
static void s9_one(struct bench *b, enum backend bk, double *out)
{
	struct meminfo m0, m1;
	double data = (double)b->mem;
	long long counted;
	char *p;

	if (bk != BK_ANON)
		store_discard(&b->st[bk], bk, 0, b->mem);
	meminfo_read(&m0, b->ps);
	p = map(b, bk, 0, b->mem, MAP_SHARED);
	touch_write(p, b->mem / b->ps, b->ps);
	if (bk != BK_ANON)
		unmap(p, b->mem);
	meminfo_read(&m1, b->ps);
	if (bk == BK_ANON)
		unmap(p, b->mem);
	else
		store_discard(&b->st[bk], bk, 0, b->mem);

	counted = (m1.slab - m0.slab) + (m1.pagetables - m0.pagetables) +
		  (m1.kstack - m0.kstack) + (m1.percpu - m0.percpu) +
		  (m1.vmalloc - m0.vmalloc);
	out[0] = ((double)(m0.free - m1.free) - data) / data * 100;
	out[1] = (double)counted / data * 100;
}

/*
 * out[bk].v[0]: memory gone from the free lists beyond the data; out[bk].v[1]:
 * growth of the kernel's own counters (slab, page tables, stacks, per-CPU,
 * vmalloc); both in percent of the data.
 */
static void s9_measure(struct bench *b, const struct scenario *sc,
		       struct metrics *out)
{
	enum backend bk;
	int k;

	for (k = 0; (bk = next_backend(sc, b->rep, &k)) < BK_NR;)
		s9_one(b, bk, out[bk].v);
}

/* ---- Scenario 10: discard of a huge, mostly empty range ---- */

/*
 * The time of one discard of [off, off + len), less the cost of reading
 * the clock, which a single short call cannot amortise.
 */
static double timed_discard(struct bench *b, struct store *s, enum backend bk,
			    uint64_t off, uint64_t len)
{
	uint64_t t0, t1, ns;

	t0 = now_ns();
	store_discard(s, bk, off, len);
	t1 = now_ns();
	ns = t1 - t0;
	return ns > b->clock_cost ? (double)(ns - b->clock_cost) : 0;
}

/* Make the page at @off resident: through @mapped if given, else write(). */
static void s10_fill(struct bench *b, struct store *s, char *mapped,
		     uint64_t off)
{
	if (mapped) {
		mapped[off] = 1;
		return;
	}
	if (pwrite(s->fd, b->buf, b->ps, off) != (ssize_t)b->ps)
		die("pwrite:");
}

static void s10_setup(struct bench *b)
{
	if (b->ko)
		module_ensure(b, SIZE_MB_1TIB);
	store_open_lazymap(b, &b->big[BK_LAZYMAP]);
	if (b->big[BK_LAZYMAP].size != TIB)
		note("scenario 10: the device has %" PRIu64
		     " MiB, not 1 TiB (no --ko)",
		     b->big[BK_LAZYMAP].size / MIB);
	store_open_memfd(&b->big[BK_MEMFD], b->big[BK_LAZYMAP].size);
}

static void s10_teardown(struct bench *b)
{
	store_close(&b->big[BK_LAZYMAP]);
	store_close(&b->big[BK_MEMFD]);
}

/*
 * Discard one resident page, then the whole store holding S10_PAGES pages
 * spread over it; S10_ITERS times, backends interleaved.  @mapped: the
 * whole store of each backend mapped, the pages touched through it, so the
 * discard also zaps page tables.  Else the pages come from write(), and a
 * third discard takes one page alone at 9/10 of the store: the page cache
 * tree then needs its full height for the one page (at offset 0 it needs
 * none), the same per page cost as each of the ten.
 */
static void s10_pass(struct bench *b, const struct scenario *sc,
		     char *const *mapped, struct metrics *out, int m)
{
	double one[BK_NR][S10_ITERS], range[BK_NR][S10_ITERS];
	double far[BK_NR][S10_ITERS];
	enum backend bk;
	uint64_t step;
	int i, k, j;

	for (i = 0; i < S10_ITERS; i++) {
		for (k = 0; (bk = next_backend(sc, i + b->rep, &k)) < BK_NR;) {
			struct store *s = &b->big[bk];

			step = s->size / S10_PAGES / b->ps * b->ps;
			s10_fill(b, s, mapped[bk], 0);
			one[bk][i] = timed_discard(b, s, bk, 0, b->ps);
			for (j = 0; j < S10_PAGES; j++)
				s10_fill(b, s, mapped[bk], j * step);
			range[bk][i] = timed_discard(b, s, bk, 0, s->size);
			if (mapped[bk])
				continue;
			s10_fill(b, s, NULL, (S10_PAGES - 1) * step);
			far[bk][i] = timed_discard(b, s, bk,
						   (S10_PAGES - 1) * step,
						   b->ps);
		}
	}
	for (k = 0; (bk = next_backend(sc, 0, &k)) < BK_NR;) {
		out[bk].v[m] = clean_mean(one[bk], S10_ITERS);
		out[bk].v[m + 1] = clean_mean(range[bk], S10_ITERS);
		if (!mapped[bk])
			out[bk].v[4] = clean_mean(far[bk], S10_ITERS);
	}
}

static void s10_measure(struct bench *b, const struct scenario *sc,
			struct metrics *out)
{
	char *none[BK_NR] = { NULL }, *p[BK_NR] = { NULL };
	enum backend bk;

	s10_pass(b, sc, none, out, 0);
	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		p[bk] = mmap(NULL, b->big[bk].size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, b->big[bk].fd, 0);
		if (p[bk] == MAP_FAILED)
			die("mmap(%s, whole store):", bk_name[bk]);
	}
	s10_pass(b, sc, p, out, 2);
	for (bk = 0; bk < BK_NR; bk++)
		if (p[bk])
			unmap(p[bk], b->big[bk].size);
}

/* ---- The scenarios ---- */

static struct scenario scenarios[NSCEN] = {
	{
		.id = 1, .title = "first touch: write sequential (MAP_SHARED)",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.measure = s1_measure,
	}, {
		.id = 2, .title = "first touch: read sequential (MAP_SHARED)",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.measure = s2_measure,
	}, {
		.id = 3, .title = "re-map populated store in new process: read",
		.backends = BK_FILES, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = populate_work, .measure = s3_measure,
		.teardown = empty_stores,
	}, {
		.id = 4, .title = "first write to MAP_PRIVATE of populated (CoW)",
		.backends = BK_FILES, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = populate_work, .measure = s4_measure,
		.teardown = empty_stores,
	}, {
		.id = 5, .title = "first touch: write random page order",
		.backends = BK_ALL, .nmet = 1,
		.metric = { "time" }, .unit = { "ns/page" },
		.key = 0, .target = T_CROSS_LE, .limit = 1.00,
		.target_text = "lazymap/memfd <= 1.00",
		.setup = s5_setup, .measure = s5_measure,
		.teardown = s5_teardown,
	}, {
		.id = 6, .title = "2 threads on disjoint halves: speed-up",
		.backends = BK_ALL, .nmet = 2,
		.metric = { "time-1thread", "time-2threads" },
		.unit = { "ns/page", "ns/page" },
		.nder = 1, .der = { { 0, 1, "speedup" } },
		.key = NMET, .target = T_LAZY_GE, .limit = 1.6,
		.target_text = "lazymap >= 1.6",
		.measure = s6_measure,
	}, {
		.id = 7, .title = "mmap+munmap whole device: 1 TiB / 1 MiB",
		.backends = BK_ALL, .nmet = 3,
		.metric = { "time-1MiB", "time-1TiB", "time-1MiB-of-1TiB" },
		.unit = { "ns/op", "ns/op", "ns/op" },
		.nder = 2, .der = { { 1, 0, "size-ratio" },
				    { 2, 0, "device-size-only" } },
		.key = NMET, .target = T_LAZY_LE, .limit = 1.5,
		.target_text = "lazymap <= 1.5",
		.measure = s7_measure,
	}, {
		.id = 8, .title = "copy out 64 MiB: read() / via mapping",
		.backends = BK_FILES, .nmet = 2,
		.metric = { "time-read", "time-mmap" },
		.unit = { "ns/page", "ns/page" },
		.nder = 1, .der = { { 0, 1, "read/mmap" } },
		.key = NMET, .target = T_NONE,
		.target_text = "-",
		.setup = s8_setup, .measure = s8_measure,
		.teardown = empty_stores,
	}, {
		.id = 9, .title = "kernel memory beyond the data pages",
		.backends = BK_ALL, .nmet = 2,
		.metric = { "overhead-memfree", "overhead-counted" },
		.unit = { "%", "%" },
		.key = 0, .target = T_LAZY_LE, .limit = 1.0,
		.target_text = "lazymap <= 1 %",
		.measure = s9_measure,
	}, {
		.id = 10, .title = "discard: 1 TiB holding 10 pages / 1 page",
		.backends = BK_FILES, .nmet = 5,
		.metric = { "time-1page", "time-range",
			    "time-1page-mapped", "time-range-mapped",
			    "time-1page-far" },
		.unit = { "ns/op", "ns/op", "ns/op", "ns/op", "ns/op" },
		.nder = 3, .der = { { 1, 0, "range/1page" },
				    { 3, 2, "range/1page-mapped" },
				    { 1, 4, "range/1page-far" } },
		.key = NMET, .target = T_LAZY_LT, .limit = 10,
		.target_text = "lazymap < 10",
		.setup = s10_setup, .measure = s10_measure,
		.teardown = s10_teardown,
	},
};

static const char *metric_name(const struct scenario *sc, int m)
{
	return m < NMET ? sc->metric[m] : sc->der[m - NMET].name;
}

static const char *metric_unit(const struct scenario *sc, int m)
{
	return m < NMET ? sc->unit[m] : "x";
}

static struct stat3 metric_stats(const struct scenario *sc, enum backend bk,
				 int m, int reps)
{
	return stats_of(sc->v[bk][m], reps);
}

/* Per repetition lazymap / memfd of metric @m. */
static struct stat3 cross_stats(const struct scenario *sc, int m, int reps)
{
	double r[MAX_REPS];
	int i;

	for (i = 0; i < reps; i++)
		r[i] = sc->v[BK_MEMFD][m][i] > 0 ?
		       sc->v[BK_LAZYMAP][m][i] / sc->v[BK_MEMFD][m][i] : NAN;
	return stats_of(r, reps);
}

/* The value the target is checked on. */
static struct stat3 checked_stats(const struct scenario *sc, int reps)
{
	if (sc->target == T_CROSS_LE)
		return cross_stats(sc, sc->key, reps);
	return metric_stats(sc, BK_LAZYMAP, sc->key, reps);
}

static const char *checked_name(const struct scenario *sc)
{
	return sc->target == T_CROSS_LE ? "lazymap/memfd" : "lazymap";
}

/*
 * The verdict on the median: "met"; for the not-slower-than-shmem targets
 * "noise" when the ratio is over 1.00 but within 1.05; else "missed".
 */
static const char *verdict(const struct scenario *sc, double med)
{
	switch (sc->target) {
	case T_CROSS_LE:
		if (med <= sc->limit)
			return "met";
		return med <= 1.05 ? "noise" : "missed";
	case T_LAZY_LE:
		return med <= sc->limit ? "met" : "missed";
	case T_LAZY_LT:
		return med < sc->limit ? "met" : "missed";
	case T_LAZY_GE:
		return med >= sc->limit ? "met" : "missed";
	default:
		return "info";
	}
}

/* Compute the derived metrics of every repetition. */
static void derive(struct scenario *sc, int reps)
{
	int bk, d, i;

	for (bk = 0; bk < BK_NR; bk++) {
		if (!has_backend(sc, bk))
			continue;
		for (d = 0; d < sc->nder; d++) {
			double *v = sc->v[bk][NMET + d];
			const double *num = sc->v[bk][sc->der[d].num];
			const double *den = sc->v[bk][sc->der[d].den];

			for (i = 0; i < reps; i++)
				v[i] = den[i] > 0 ? num[i] / den[i] : NAN;
		}
	}
}

/* All repetitions of a scenario; each measures every backend. */
static void run_scenario(struct bench *b, struct scenario *sc)
{
	uint64_t t0 = now_ns();
	int rep, bk, m;

	note("scenario %d: %s", sc->id, sc->title);
	if (sc->setup)
		sc->setup(b);
	for (rep = 0; rep < b->reps; rep++) {
		struct metrics out[BK_NR] = { { { 0 } } };

		b->rep = rep;
		sc->measure(b, sc, out);
		for (bk = 0; bk < BK_NR; bk++)
			for (m = 0; m < sc->nmet; m++)
				sc->v[bk][m][rep] = out[bk].v[m];
	}
	if (sc->teardown)
		sc->teardown(b);
	derive(sc, b->reps);
	sc->ran = true;
	note("scenario %d: %.1f s", sc->id, (now_ns() - t0) / 1e9);
}

/* ---- Output ---- */

/* A number in a table cell: enough digits to compare, no more. */
static void fmt_num(char *s, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(s, len, "-");
	else if (a >= 1000)
		snprintf(s, len, "%.0f", v);
	else if (a >= 100)
		snprintf(s, len, "%.1f", v);
	else
		snprintf(s, len, "%.2f", v);
}

static void write_results_csv(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct stat3 s;
	int bk, m;

	fprintf(f, "scenario,title,backend,metric,unit,reps,min,median,max\n");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		for (m = 0; m < NMET + sc->nder; m++) {
			if (m >= sc->nmet && m < NMET)
				continue;
			for (bk = 0; bk < BK_NR; bk++) {
				if (!has_backend(sc, bk))
					continue;
				s = metric_stats(sc, bk, m, b->reps);
				fprintf(f, "%d,%s,%s,%s,%s,%d,%.6g,%.6g,%.6g\n",
					sc->id, sc->title, bk_name[bk],
					metric_name(sc, m), metric_unit(sc, m),
					s.n, s.min, s.med, s.max);
			}
			if (!has_backend(sc, BK_MEMFD))
				continue;
			s = cross_stats(sc, m, b->reps);
			fprintf(f, "%d,%s,lazymap/memfd,%s,x,%d,%.6g,%.6g,%.6g\n",
				sc->id, sc->title, metric_name(sc, m), s.n,
				s.min, s.med, s.max);
		}
		if (sc->id != 6)
			continue;
		s = stats_of(b->ctl, b->reps);
		fprintf(f, "6,%s,vm-cpu,speedup,x,%d,%.6g,%.6g,%.6g\n",
			sc->title, s.n, s.min, s.med, s.max);
	}
}

/* What the table cannot say in its columns. */
static void write_notes(struct bench *b, FILE *f, const char *bullet)
{
	struct stat3 s;

	if (scenarios[5].ran) {
		s = stats_of(b->ctl, b->reps);
		fprintf(f, "%sscenario 6 control: a loop that only computes gets a speed-up of %.2f [%.2f..%.2f] from two threads in this VM\n",
			bullet, s.med, s.min, s.max);
	}
	fprintf(f, "%s%d repetitions; ns/page and ns/op: per repetition the mean of the interleaved blocks within %.1fx the median block (stalls of the host dropped), then the median over repetitions\n",
		bullet, b->reps, CLEAN_LIMIT);
}

static double key_median(const struct scenario *sc, enum backend bk,
			 int reps)
{
	if (!has_backend(sc, bk))
		return NAN;
	return metric_stats(sc, bk, sc->key, reps).med;
}

static void write_summary_csv(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct stat3 s;

	fprintf(f, "scenario,title,unit,lazymap,memfd,anon,checked,min,median,max,target,result\n");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		s = checked_stats(sc, b->reps);
		fprintf(f, "%d,%s,%s,%.6g,%.6g,%.6g,%s,%.6g,%.6g,%.6g,%s,%s\n",
			sc->id, sc->title, metric_unit(sc, sc->key),
			key_median(sc, BK_LAZYMAP, b->reps),
			key_median(sc, BK_MEMFD, b->reps),
			key_median(sc, BK_ANON, b->reps),
			checked_name(sc), s.min, s.med, s.max,
			sc->target_text, verdict(sc, s.med));
	}
}

/* Cells of one table line, shared by the text and Markdown tables. */
struct cells {
	char id[8], unit[16], bk[BK_NR][24], checked[96];
};

static void table_cells(const struct scenario *sc, int reps, struct cells *c)
{
	char lo[24], med[24], hi[24];
	struct stat3 s = checked_stats(sc, reps);
	int bk;

	snprintf(c->id, sizeof(c->id), "%d", sc->id);
	snprintf(c->unit, sizeof(c->unit), "%s", metric_unit(sc, sc->key));
	for (bk = 0; bk < BK_NR; bk++)
		fmt_num(c->bk[bk], sizeof(c->bk[bk]),
			key_median(sc, bk, reps));
	fmt_num(lo, sizeof(lo), s.min);
	fmt_num(med, sizeof(med), s.med);
	fmt_num(hi, sizeof(hi), s.max);
	snprintf(c->checked, sizeof(c->checked), "%s %s [%s..%s]",
		 checked_name(sc), med, lo, hi);
}

static void write_table_txt(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct cells c;

	fprintf(f, "%-2s %-46s %-7s %9s %9s %9s  %-32s %-22s %s\n",
		"#", "scenario (median of the key metric)", "unit",
		"lazymap", "memfd", "anon", "checked: median [min..max]",
		"target", "result");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		table_cells(sc, b->reps, &c);
		fprintf(f, "%-2s %-46s %-7s %9s %9s %9s  %-32s %-22s %s\n",
			c.id, sc->title, c.unit, c.bk[BK_LAZYMAP],
			c.bk[BK_MEMFD], c.bk[BK_ANON], c.checked,
			sc->target_text,
			verdict(sc, checked_stats(sc, b->reps).med));
	}
	write_notes(b, f, "");
}

static void write_table_md(struct bench *b, FILE *f)
{
	const struct scenario *sc;
	struct cells c;

	fprintf(f, "| # | scenario | unit | lazymap | memfd | anon | checked: median [min..max] | target | result |\n");
	fprintf(f, "|---|---|---|--:|--:|--:|---|---|---|\n");
	for (sc = scenarios; sc < scenarios + NSCEN; sc++) {
		if (!sc->ran)
			continue;
		table_cells(sc, b->reps, &c);
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			c.id, sc->title, c.unit, c.bk[BK_LAZYMAP],
			c.bk[BK_MEMFD], c.bk[BK_ANON], c.checked,
			sc->target_text,
			verdict(sc, checked_stats(sc, b->reps).med));
	}
	fprintf(f, "\n");
	write_notes(b, f, "- ");
}

static void write_file(struct bench *b, const char *name,
		       void (*fn)(struct bench *b, FILE *f))
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", b->out, name);
	f = fopen(path, "w");
	if (!f)
		die("open %s:", path);
	fn(b, f);
	if (fclose(f))
		die("write %s:", path);
}

/* ---- Main ---- */

/* The cost one clock read adds to a measured interval (median of MAX_REPS). */
static uint64_t clock_cost(void)
{
	double d[MAX_REPS];
	uint64_t t0;
	int i;

	for (i = 0; i < MAX_REPS; i++) {
		t0 = now_ns();
		d[i] = (double)(now_ns() - t0);
	}
	return (uint64_t)stats_of(d, MAX_REPS).med;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: lazymap-bench [--ko FILE] [--dev PATH] [--reps N] [--work-mib N]\n"
		"                     [--mem-mib N] [--scenarios LIST] [--out DIR]\n");
}

static unsigned long parse_num(const char *s, unsigned long lo,
			       unsigned long hi, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("%s wants a number in %lu..%lu, not '%s'", what, lo, hi, s);
	return v;
}

static unsigned int parse_list(const char *s)
{
	unsigned int mask = 0;
	char *copy = strdup(s), *tok, *save = NULL;

	if (!copy)
		die("strdup:");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		mask |= 1u << parse_num(tok, 1, NSCEN, "--scenarios");
	free(copy);
	return mask;
}

static void parse_args(struct bench *b, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ko", required_argument, NULL, 'k' },
		{ "dev", required_argument, NULL, 'd' },
		{ "reps", required_argument, NULL, 'r' },
		{ "work-mib", required_argument, NULL, 'w' },
		{ "mem-mib", required_argument, NULL, 'm' },
		{ "scenarios", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:d:r:w:m:s:o:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			b->ko = optarg;
			break;
		case 'd':
			b->dev = optarg;
			break;
		case 'r':
			b->reps = parse_num(optarg, 1, MAX_REPS, "--reps");
			break;
		case 'w':
			b->work = parse_num(optarg, 1, 4096, "--work-mib") *
				  MIB;
			break;
		case 'm':
			b->mem = parse_num(optarg, 1, 4096, "--mem-mib") * MIB;
			break;
		case 's':
			b->want = parse_list(optarg);
			break;
		case 'o':
			b->out = optarg;
			break;
		case 'h':
			print_usage(stdout);
			exit(0);
		default:
			print_usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		print_usage(stderr);
		exit(2);
	}
}

static bool wanted(struct bench *b, int id)
{
	return b->want & (1u << id);
}

/* Scenarios 1-6, 8, 9 on a device big enough for all of them. */
static void open_main_stores(struct bench *b)
{
	uint64_t need = b->work, mb;

	if (wanted(b, 8) && need < S8_MIB * MIB)
		need = S8_MIB * MIB;
	if (wanted(b, 9) && need < b->mem)
		need = b->mem;
	mb = need / MIB;
	if (b->ko)
		module_ensure(b, mb);
	store_open_lazymap(b, &b->st[BK_LAZYMAP]);
	if (b->st[BK_LAZYMAP].size < need)
		die("%s has %" PRIu64 " MiB; the scenarios need %" PRIu64
		    " MiB (load it with size_mb=%" PRIu64 ", or use --ko)",
		    b->dev, b->st[BK_LAZYMAP].size / MIB, mb, mb);
	store_open_memfd(&b->st[BK_MEMFD], b->st[BK_LAZYMAP].size);
	empty_stores(b);
}

int main(int argc, char **argv)
{
	struct bench b = {
		.dev = "/dev/lazymap", .reps = 7,
		.work = 32 * MIB, .mem = 128 * MIB,
		.want = ((1u << (NSCEN + 1)) - 1) & ~1u,
		.st = { { .fd = -1 }, { .fd = -1 } },
		.big = { { .fd = -1 }, { .fd = -1 } },
	};
	struct scenario *sc;

	parse_args(&b, argc, argv);
	b.ps = sysconf(_SC_PAGESIZE);
	b.buf = malloc(S8_CHUNK);
	if (!b.buf)
		die("malloc:");
	memset(b.buf, 0x5a, S8_CHUNK);
	b.clock_cost = clock_cost();
	if (!b.ko && wanted(&b, 7)) {
		note("scenario 7 needs --ko (it reloads the module): skipped");
		b.want &= ~(1u << 7);
	}
	note("%d repetitions, region %" PRIu64 " MiB, scenario 9 %" PRIu64
	     " MiB, page %zu bytes, clock read %" PRIu64 " ns",
	     b.reps, b.work / MIB, b.mem / MIB, b.ps, b.clock_cost);

	/* Scenarios on the main device first, then those that reload it. */
	if (b.want & ~((1u << 7) | (1u << 10))) {
		open_main_stores(&b);
		for (sc = scenarios; sc < scenarios + NSCEN; sc++)
			if (sc->id != 7 && sc->id != 10 && wanted(&b, sc->id))
				run_scenario(&b, sc);
		store_close(&b.st[BK_LAZYMAP]);
		store_close(&b.st[BK_MEMFD]);
	}
	if (wanted(&b, 7))
		run_scenario(&b, &scenarios[6]);
	if (wanted(&b, 10))
		run_scenario(&b, &scenarios[9]);

	write_table_txt(&b, stdout);
	if (b.out) {
		write_file(&b, "results.csv", write_results_csv);
		write_file(&b, "summary.csv", write_summary_csv);
		write_file(&b, "table.txt", write_table_txt);
		write_file(&b, "table.md", write_table_md);
	}
	free(b.buf);
	return 0;
}
