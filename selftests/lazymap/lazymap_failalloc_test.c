// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure, with the kernel's fail_page_alloc fault injection:
 * every page allocation of one task fails (task-filter + make-it-fail,
 * probability 100, any order and gfp), nobody else is touched.
 *
 * What the core issue asks, and what the kernel then really does (6.1 and
 * later): write() returns ENOMEM (or a short count if it got somewhere), and
 * a fault returns VM_FAULT_OOM.  A VM_FAULT_OOM from a user fault goes to
 * pagefault_out_of_memory(), which no longer calls the OOM killer (5.16+):
 * outside a memory cgroup OOM it logs "Huh VM_FAULT_OOM leaked out to the
 * #PF handler. Retrying PF" (rate-limited) and returns, so the task re-runs
 * the access and faults again.  So the faulting task neither dies nor sees
 * SIGBUS: it spins until an allocation succeeds, or until it gets a fatal
 * signal.  The tests check exactly that, and that nothing leaks: the store
 * gains no page and no counter moves while allocations fail, and everything
 * works once injection stops.
 *
 * Needs CONFIG_FAULT_INJECTION, CONFIG_FAIL_PAGE_ALLOC and
 * CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel has them; Debian's
 * kernels do not, so there the tests skip) and debugfs on /sys/kernel/debug.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define FPA_DIR		"/sys/kernel/debug/fail_page_alloc"
#define SPIN_MS		1000	/* how long a faulting task is left spinning */
#define FA_FIRST	8	/* first device page the tests use */

/* The knobs the tests set, and what they set them to. */
static const struct {
	const char *name;
	const char *value;
} fpa_knobs[] = {
	{ "probability", "0" },		/* armed last, see fa_arm() */
	{ "interval", "1" },
	{ "times", "-1" },		/* no limit */
	{ "space", "0" },
	{ "verbose", "0" },		/* no stack dump per failure */
	{ "task-filter", "Y" },		/* only tasks with make-it-fail */
	{ "ignore-gfp-wait", "N" },	/* GFP_HIGHUSER may sleep: fail it */
	{ "ignore-gfp-highmem", "N" },	/* it has __GFP_HIGHMEM too */
	{ "min-order", "0" },		/* single pages */
};

#define NKNOBS	ARRAY_SIZE(fpa_knobs)

static int fa_knob(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FPA_DIR "/%s", name);
	return lm_write_str(path, val);
}

static int fa_read_knob(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), FPA_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* This task's make-it-fail, through an fd opened before injection. */
static int fa_self_fail(int fd, bool on)
{
	return pwrite(fd, on ? "1" : "0", 1, 0) == 1 ? 0 : -errno;
}

static uint64_t fa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Result block shared with the child that runs under injection. */
struct fa_shared {
	atomic_int state;	/* 0 start, 1 injection on, 2 access done */
	int res[4];
	int err[4];
	unsigned char val;
};

/*
 * Once its allocations fail, a forked child must not need a new page for
 * anything but the access under test, or it spins in a fault of its own:
 * after fork() its stack and data are copy-on-write, and a shared mapping
 * inherited from the parent has no page tables yet.  So before arming, it
 * writes to the stack it will use, to errno (TLS) and to the result block.
 */
static void __attribute__((noinline))
fa_child_prefault(struct fa_shared *sh)
{
	volatile char stack[64 * 1024];
	size_t i;

	for (i = 0; i < sizeof(stack); i += 256)
		stack[i] = 0;
	errno = 0;
	memset(sh->res, 0, sizeof(sh->res));
	memset(sh->err, 0, sizeof(sh->err));
	sh->val = 0;
}

/* What both fixtures set up: the knobs, the device, the shared block. */
struct fa_env {
	int fd;
	struct fa_shared *sh;
	char saved[NKNOBS][32];
	bool have_saved;
};

static void fa_env_setup(struct __test_metadata *_metadata,
			 struct fa_env *env)
{
	unsigned int i;

	env->have_saved = false;
	env->sh = MAP_FAILED;
	env->fd = -1;
	LM_NEED_DEVICE();
	if (access(FPA_DIR "/probability", W_OK))
		LM_SKIP("no %s: kernel without CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS, or debugfs not mounted",
			FPA_DIR);
	if (access("/proc/self/make-it-fail", W_OK))
		LM_SKIP("no /proc/self/make-it-fail");

	for (i = 0; i < NKNOBS; i++) {
		if (fa_read_knob(fpa_knobs[i].name, env->saved[i],
				 sizeof(env->saved[i])))
			break;
	}
	ASSERT_EQ(NKNOBS, i) TH_LOG("cannot read knob %u", i);
	env->have_saved = true;
	for (i = 0; i < NKNOBS; i++) {
		if (fa_knob(fpa_knobs[i].name, fpa_knobs[i].value))
			break;
	}
	ASSERT_EQ(NKNOBS, i) TH_LOG("cannot set knob %u", i);

	LM_OPEN_EMPTY(env->fd);
	env->sh = mmap(NULL, lm_ps, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, env->sh);
	memset(env->sh, 0, lm_ps);
}

static void fa_env_teardown(struct fa_env *env)
{
	unsigned int i;

	/* Disarm first, then put every knob back as it was. */
	if (env->have_saved) {
		fa_knob("probability", "0");
		for (i = 0; i < NKNOBS; i++)
			fa_knob(fpa_knobs[i].name, env->saved[i]);
	}
	if (env->sh != MAP_FAILED)
		munmap(env->sh, lm_ps);
	lm_close_empty(env->fd);
}

FIXTURE(fa) {
	struct fa_env env;
};

FIXTURE_SETUP(fa)
{
	fa_env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(fa)
{
	fa_env_teardown(&self->env);
}

static int fa_arm(bool on)
{
	return fa_knob("probability", on ? "100" : "0");
}

/*
 * write() of a hole fails with ENOMEM; a write that starts on a resident
 * page stops short at the hole; one that needs no new page succeeds.
 * Afterwards the store holds exactly what the successful parts wrote.
 */
TEST_F(fa, write_fails_with_enomem)
{
	uint64_t first = FA_FIRST * lm_ps;
	struct lazymap_info before, after;
	char *buf, *got;
	pid_t pid;

	buf = malloc(2 * lm_ps);
	got = malloc(2 * lm_ps);
	ASSERT_TRUE(buf && got);
	/* Page FA_FIRST resident with a pattern; FA_FIRST + 1.. holes. */
	lm_fill(buf, 2 * lm_ps, first, 1);
	ASSERT_EQ(0, lm_pwrite_all(self->env.fd, buf, lm_ps, first));
	lm_fill(buf, 2 * lm_ps, first, 2);
	ASSERT_EQ(0, lm_info(self->env.fd, &before));
	ASSERT_EQ(1ULL, before.resident_pages);
	ASSERT_EQ(0, fa_arm(true));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
		ssize_t r;

		fa_child_prefault(self->env.sh);
		if (mif < 0 || fa_self_fail(mif, true))
			_exit(10);
		/* A hole: nothing written, ENOMEM. */
		r = pwrite(self->env.fd, buf + lm_ps, lm_ps, first + lm_ps);
		self->env.sh->res[0] = (int)r;
		self->env.sh->err[0] = r < 0 ? errno : 0;
		/* Resident page, then a hole: short write. */
		r = pwrite(self->env.fd, buf, 2 * lm_ps, first);
		self->env.sh->res[1] = (int)r;
		self->env.sh->err[1] = r < 0 ? errno : 0;
		/* Inside the resident page: no allocation, success. */
		r = pwrite(self->env.fd, buf + 100, 100, first + 100);
		self->env.sh->res[2] = (int)r;
		self->env.sh->err[2] = r < 0 ? errno : 0;
		fa_self_fail(mif, false);
		_exit(0);
	}
	ASSERT_EQ(0, lm_wait(pid));
	ASSERT_EQ(0, fa_arm(false));

	EXPECT_EQ(-1, self->env.sh->res[0]);
	EXPECT_EQ(ENOMEM, self->env.sh->err[0])
		TH_LOG("write of a hole under injection: %s",
		       strerror(self->env.sh->err[0]));
	EXPECT_EQ((int)lm_ps, self->env.sh->res[1])
		TH_LOG("write across resident page and hole: %d (%s)",
		       self->env.sh->res[1], strerror(self->env.sh->err[1]));
	EXPECT_EQ(100, self->env.sh->res[2]);

	/* No page was added, no counter moved, content as written. */
	ASSERT_EQ(0, lm_info(self->env.fd, &after));
	EXPECT_EQ(before.resident_pages, after.resident_pages);
	EXPECT_EQ(before.faults, after.faults);
	errno = 0;
	EXPECT_EQ(-1, lseek(self->env.fd, (off_t)(first + lm_ps), SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, lm_pread_all(self->env.fd, got, 2 * lm_ps, first));
	EXPECT_EQ(-1, lm_check(got, lm_ps, first, 2));
	EXPECT_EQ(-1, lm_nonzero(got + lm_ps, lm_ps));

	/* Injection off: the same write works. */
	ASSERT_EQ(0, lm_pwrite_all(self->env.fd, buf + lm_ps, lm_ps,
				   first + lm_ps));
	EXPECT_EQ(2ULL, lm_resident(self->env.fd));
	free(buf);
	free(got);
}

FIXTURE(fault) {
	struct fa_env env;
};

FIXTURE_VARIANT(fault) {
	bool shared;
	bool write;
	bool resident;		/* the page is in the store before the access */
	bool calls_fault;	/* the driver's .fault runs (and fails) */
	int new_pages;		/* store pages the access adds in the end */
};

/* A hole read through a shared mapping: .fault cannot allocate. */
FIXTURE_VARIANT_ADD(fault, shared_read) {
	.shared = true, .write = false, .resident = false,
	.calls_fault = true, .new_pages = 1,
};

FIXTURE_VARIANT_ADD(fault, shared_write) {
	.shared = true, .write = true, .resident = false,
	.calls_fault = true, .new_pages = 1,
};

FIXTURE_VARIANT_ADD(fault, private_read) {
	.shared = false, .write = false, .resident = false,
	.calls_fault = true, .new_pages = 1,
};

/*
 * A private write to a hole: the kernel allocates the private copy before
 * it asks the driver for the page, so .fault is never reached.
 */
FIXTURE_VARIANT_ADD(fault, private_write_hole) {
	.shared = false, .write = true, .resident = false,
	.calls_fault = false, .new_pages = 1,
};

/* Copy-on-write of a resident page mapped read-only: only the copy fails. */
FIXTURE_VARIANT_ADD(fault, private_cow) {
	.shared = false, .write = true, .resident = true,
	.calls_fault = false, .new_pages = 0,
};

FIXTURE_SETUP(fault)
{
	fa_env_setup(_metadata, &self->env);
}

FIXTURE_TEARDOWN(fault)
{
	fa_env_teardown(&self->env);
}

/*
 * The child maps 4 pages and reads the first (so the page table exists and
 * the test measures the page itself), arms its make-it-fail and accesses
 * the third page.  It reports through shared memory, which needs no
 * allocation: a pipe write would allocate a pipe buffer page and fail.
 */
static void fa_fault_child(int fd, struct fa_shared *sh, bool shared,
			   bool write, bool resident)
{
	int mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	volatile unsigned char *p;

	p = mmap(NULL, 4 * lm_ps, PROT_READ | PROT_WRITE,
		 shared ? MAP_SHARED : MAP_PRIVATE, fd,
		 (off_t)(FA_FIRST * lm_ps));
	if (mif < 0 || p == MAP_FAILED)
		_exit(10);
	(void)p[0];
	if (resident)
		(void)p[2 * lm_ps];	/* mapped read-only from the store */
	fa_child_prefault(sh);
	if (fa_self_fail(mif, true))
		_exit(11);
	atomic_store(&sh->state, 1);
	if (write)
		p[2 * lm_ps + 1] = 0x5a;
	else
		sh->val = p[2 * lm_ps + 1];
	fa_self_fail(mif, false);
	sh->val = p[2 * lm_ps + 1];
	atomic_store(&sh->state, 2);
	_exit(0);
}

/* Wait for the child to report state, up to ms; true if it did. */
static bool fa_wait_state(struct fa_shared *sh, int state, unsigned int ms)
{
	uint64_t end = fa_now_ms() + ms;

	while (atomic_load(&sh->state) < state) {
		if (fa_now_ms() > end)
			return false;
		usleep(10000);
	}
	return true;
}

/*
 * Arm injection and start fa_fault_child() on the access; return once the
 * child is in it.
 */
static pid_t fa_start_access(struct __test_metadata *_metadata,
			     struct fa_env *env, bool shared, bool write,
			     bool resident)
{
	pid_t pid;

	ASSERT_EQ(0, fa_arm(true));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		fa_fault_child(env->fd, env->sh, shared, write, resident);
	ASSERT_TRUE(fa_wait_state(env->sh, 1, 20000));
	return pid;
}

/* The access spins (no SIGBUS, no kill) and completes once injection stops. */
TEST_F_TIMEOUT(fault, retried_until_allocation_succeeds, 60)
{
	struct lazymap_info before, during, after;
	int status;
	pid_t pid;

	pid = fa_start_access(_metadata, &self->env, variant->shared,
			      variant->write, variant->resident);
	/* Counters from here on: the child's setup faults are done. */
	ASSERT_EQ(0, lm_info(self->env.fd, &before));
	usleep(SPIN_MS * 1000);

	/* Still in the access, alive, and the store has not grown. */
	ASSERT_EQ(0, lm_info(self->env.fd, &during));
	EXPECT_EQ(1, atomic_load(&self->env.sh->state));
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
	EXPECT_EQ(before.resident_pages, during.resident_pages);
	if (variant->calls_fault) {
		/* The access was retried, each time through .fault. */
		EXPECT_LE(before.faults + 2, during.faults);
	} else {
		EXPECT_EQ(before.faults, during.faults);
	}
	TH_LOG("%llu fault handler calls while allocations failed for %d ms",
	       (unsigned long long)(during.faults - before.faults), SPIN_MS);

	ASSERT_EQ(0, fa_arm(false));
	EXPECT_TRUE(fa_wait_state(self->env.sh, 2, 20000));
	ASSERT_EQ(0, lm_wait(pid));
	EXPECT_EQ(variant->write ? 0x5a : 0, self->env.sh->val);

	ASSERT_EQ(0, lm_info(self->env.fd, &after));
	EXPECT_EQ(during.resident_pages + variant->new_pages,
		  after.resident_pages);
}

/* A fatal signal ends the spinning access; nothing is left behind. */
TEST_F_TIMEOUT(fault, fatal_signal_ends_the_retries, 60)
{
	struct lazymap_info before, after;
	uint64_t t0;
	pid_t pid;

	pid = fa_start_access(_metadata, &self->env, variant->shared,
			      variant->write, variant->resident);
	ASSERT_EQ(0, lm_info(self->env.fd, &before));
	usleep(SPIN_MS * 1000 / 4);
	t0 = fa_now_ms();
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(128 + SIGKILL, lm_wait(pid));
	TH_LOG("SIGKILL took %llu ms to end the access",
	       (unsigned long long)(fa_now_ms() - t0));
	ASSERT_EQ(0, fa_arm(false));
	EXPECT_EQ(1, atomic_load(&self->env.sh->state));
	ASSERT_EQ(0, lm_info(self->env.fd, &after));
	EXPECT_EQ(before.resident_pages, after.resident_pages);

	/* And the store works as ever. */
	ASSERT_EQ(0, lm_pwrite_all(self->env.fd, "x", 1, 3 * lm_ps));
	EXPECT_EQ(after.resident_pages + 1, lm_resident(self->env.fd));
}

TEST_HARNESS_MAIN
