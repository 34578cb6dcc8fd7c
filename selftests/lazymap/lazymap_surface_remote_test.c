// SPDX-License-Identifier: GPL-2.0
/*
 * Surface audit, access from elsewhere: process_vm_readv/writev,
 * /proc/PID/mem, ptrace PEEKDATA/POKEDATA, a process-shared futex and a
 * PTHREAD_PROCESS_SHARED mutex in a MAP_SHARED mapping, descriptor passing
 * (SCM_RIGHTS, pidfd_getfd), poll, select and epoll on the descriptor, on
 * /dev/lazymap, on a memfd of the same size and, where the call aims at
 * memory, on anonymous memory.  See lazymap_surface.h.
 *
 * The memory rows map NMAP pages at offset 0 (pattern in pages 0 and 1,
 * holes after) and fork a holder child that inherits the mapping and waits;
 * the parent then reaches into the child.  Effects: what was read (one
 * letter per page), the store's bytes afterwards (data), its resident
 * pages (res), and what the child's mapping holds (child, read back with
 * process_vm_readv).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>

#include "kselftest_harness.h"
#include "lazymap_surface.h"

#define SEED		0x72656d6f	/* "remo" */
#define SEED2		0x6f746872	/* "othr": what rows write */
#define NMAP		4

/* arg: the mapping type, and what the row writes into. */
#define PRIV		0x1	/* MAP_PRIVATE (else MAP_SHARED) */
#define RO		0x2	/* PROT_READ only: needs FOLL_FORCE to write */

struct holder {
	pid_t pid;
	int go[2];	/* the parent closes go[1]: the child exits */
};

static uint8_t *setup(struct sf_t *t, long arg)
{
	int flags = arg & PRIV ? MAP_PRIVATE : MAP_SHARED;
	uint8_t *p;

	if (t->kind != SF_ANON && sf_fill(t, 0, 2 * lm_ps, SEED))
		return MAP_FAILED;
	p = sf_map(t, NMAP * lm_ps, PROT_READ | PROT_WRITE, flags, 0);
	if (p == MAP_FAILED)
		return p;
	if (t->kind == SF_ANON)
		lm_fill(p, 2 * lm_ps, 0, SEED);
	if ((arg & RO) && mprotect(p, NMAP * lm_ps, PROT_READ))
		return MAP_FAILED;
	return p;
}

/* A child that keeps the mapping (inherited) until released. */
static int hold(struct holder *h)
{
	char c;

	if (pipe2(h->go, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (h->pid == 0) {
		close(h->go[1]);
		while (read(h->go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(h->go[0]);
	return 0;
}

/* What the child's mapping holds, then let it go. */
static void release(struct sf_t *t, struct holder *h, uint8_t *p)
{
	size_t len = NMAP * lm_ps;
	uint8_t *buf = calloc(1, len);
	struct iovec l = { buf, len }, r = { p, len };

	if (buf && process_vm_readv(h->pid, &l, 1, &r, 1, 0) ==
	    (ssize_t)len) {
		char s[16];

		sf_pages(s, sizeof(s), buf, len, 0, SEED);
		sf_eff(t, "child=%s", s);
	}
	free(buf);
	close(h->go[1]);
	lm_wait(h->pid);
}

static void after(struct sf_t *t)
{
	sf_eff_data(t, 0, NMAP * lm_ps, SEED);
	sf_eff_res(t);
}

/* process_vm_readv of the whole mapping (holes included) of the child. */
static long r_pvm_read(struct sf_t *t)
{
	size_t len = NMAP * lm_ps;
	uint8_t *p = setup(t, t->arg), *buf = calloc(1, len);
	struct iovec l = { buf, len }, r;
	struct holder h;
	long ret;

	if (p == MAP_FAILED || !buf || hold(&h))
		return -ENOMEM;
	r.iov_base = p;
	r.iov_len = len;
	ret = sf_ret(process_vm_readv(h.pid, &l, 1, &r, 1, 0));
	if (ret > 0)
		sf_eff_buf(t, "got", buf, (size_t)ret, 0, SEED);
	release(t, &h, p);
	after(t);
	free(buf);
	return ret;
}

/* process_vm_writev of SEED2's pattern into page 2 (a hole) of the child. */
static long r_pvm_write(struct sf_t *t)
{
	uint8_t *p = setup(t, t->arg), *buf = malloc(lm_ps);
	struct iovec l = { buf, lm_ps }, r;
	struct holder h;
	long ret;

	if (p == MAP_FAILED || !buf || hold(&h))
		return -ENOMEM;
	lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
	r.iov_base = p + 2 * lm_ps;
	r.iov_len = lm_ps;
	ret = sf_ret(process_vm_writev(h.pid, &l, 1, &r, 1, 0));
	release(t, &h, p);
	after(t);
	free(buf);
	return ret;
}

static int open_mem(pid_t pid, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	return open(path, flags | O_CLOEXEC);
}

/* pread of /proc/PID/mem over the whole mapping of the child. */
static long r_mem_read(struct sf_t *t)
{
	size_t len = NMAP * lm_ps;
	uint8_t *p = setup(t, t->arg), *buf = calloc(1, len);
	struct holder h;
	long ret;
	int fd;

	if (p == MAP_FAILED || !buf || hold(&h))
		return -ENOMEM;
	fd = open_mem(h.pid, O_RDONLY);
	ret = fd < 0 ? -errno : sf_ret(pread(fd, buf, len, (off_t)p));
	if (ret > 0)
		sf_eff_buf(t, "got", buf, (size_t)ret, 0, SEED);
	if (fd >= 0)
		close(fd);
	release(t, &h, p);
	after(t);
	free(buf);
	return ret;
}

/*
 * pwrite of /proc/PID/mem into page 2 of the child's mapping: with RO,
 * a read-only mapping (the kernel writes anyway, FOLL_FORCE, breaking
 * copy-on-write for a private one).
 */
static long r_mem_write(struct sf_t *t)
{
	uint8_t *p = setup(t, t->arg), *buf = malloc(lm_ps);
	struct holder h;
	long ret;
	int fd;

	if (p == MAP_FAILED || !buf || hold(&h))
		return -ENOMEM;
	lm_fill(buf, lm_ps, 2 * lm_ps, SEED);
	fd = open_mem(h.pid, O_RDWR);
	ret = fd < 0 ? -errno :
		sf_ret(pwrite(fd, buf, lm_ps, (off_t)(p + 2 * lm_ps)));
	if (fd >= 0)
		close(fd);
	release(t, &h, p);
	after(t);
	free(buf);
	return ret;
}

/*
 * ptrace: a traced child stops; PEEKDATA a word of page 0, POKEDATA the
 * pattern's word into page 2 (a hole), then what that did.
 */
static long r_ptrace(struct sf_t *t)
{
	uint8_t *p = setup(t, t->arg);
	long word, want = 0, ret;
	pid_t pid;
	int st;

	if (p == MAP_FAILED)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		return -ECHILD;
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, p, NULL);
	lm_fill(&want, sizeof(want), 0, SEED);
	sf_eff(t, "peek=%s", errno ? sf_errname(errno) :
	       word == want ? "pattern" : "other");
	lm_fill(&want, sizeof(want), 2 * lm_ps, SEED);
	ret = sf_ret(ptrace(PTRACE_POKEDATA, pid, p + 2 * lm_ps,
			    (void *)want));
	{
		struct iovec l = { &word, sizeof(word) };
		struct iovec r = { p + 2 * lm_ps, sizeof(word) };

		if (process_vm_readv(pid, &l, 1, &r, 1, 0) ==
		    (ssize_t)sizeof(word))
			sf_eff(t, "child_word=%s",
			       word == want ? "poked" : "other");
	}
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	lm_wait(pid);
	after(t);
	return ret;
}

static long futex(uint32_t *uaddr, int op, uint32_t val,
		  const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/*
 * A futex word in page 2 of a MAP_SHARED mapping: a child waits on it
 * (not FUTEX_PRIVATE_FLAG: the key is the page), the parent wakes it.
 */
static long r_futex(struct sf_t *t)
{
	uint8_t *p = setup(t, 0);
	uint32_t *word = (uint32_t *)(p + 2 * lm_ps);
	struct timespec ts = { .tv_sec = 10 };
	long woken = 0;
	pid_t pid;
	int i, st;

	if (p == MAP_FAILED)
		return -errno;
	*word = 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 0)
			if (futex(word, FUTEX_WAIT, 0, &ts) &&
			    errno == ETIMEDOUT)
				_exit(2);
		_exit(0);
	}
	/* Wake only once the child sleeps: FUTEX_WAKE says how many. */
	for (i = 0; i < 5000 && woken == 0; i++) {
		woken = futex(word, FUTEX_WAKE, 1, NULL);
		if (woken == 0)
			usleep(1000);
	}
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE, 1, NULL);
	st = lm_wait(pid);
	sf_eff(t, "woken=%ld child=%d", woken, st);
	after(t);
	return 0;
}

/*
 * A PTHREAD_PROCESS_SHARED mutex in page 2 of a MAP_SHARED mapping: the
 * child holds it, the parent's trylock fails, the child lets go, the
 * parent's lock succeeds.
 */
static long r_mutex(struct sf_t *t)
{
	uint8_t *p = setup(t, 0);
	pthread_mutex_t *m = (pthread_mutex_t *)(p + 2 * lm_ps);
	pthread_mutexattr_t a;
	struct lm_chan ch;
	pid_t pid;
	char c = 0;
	int busy, got;

	if (p == MAP_FAILED || lm_chan_open(&ch))
		return -ENOMEM;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &a);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		lm_chan_send(&ch, true, &c, 1);
		lm_chan_recv(&ch, true, &c, 1);
		pthread_mutex_unlock(m);
		_exit(0);
	}
	lm_chan_recv(&ch, false, &c, 1);
	busy = pthread_mutex_trylock(m);
	lm_chan_send(&ch, false, &c, 1);
	lm_wait(pid);
	got = pthread_mutex_lock(m);
	sf_eff(t, "trylock=%s lock=%s", busy ? sf_errname(busy) : "0",
	       got ? sf_errname(got) : "0");
	pthread_mutex_unlock(m);
	lm_chan_close(&ch);
	after(t);
	return 0;
}

/* What a second descriptor shares with t->fd: the file, the position. */
static void same_file(struct sf_t *t, int fd2)
{
	struct stat a, b;
	uint8_t buf[16];

	lseek(t->fd, 123, SEEK_SET);
	sf_eff(t, "shared_pos=%s", lseek(fd2, 0, SEEK_CUR) == 123 ?
	       "yes" : "no");
	sf_eff(t, "same_inode=%s", !fstat(t->fd, &a) && !fstat(fd2, &b) &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "yes" : "no");
	sf_eff(t, "read=%s", pread(fd2, buf, sizeof(buf), 0) ==
	       (ssize_t)sizeof(buf) ?
	       sf_what(buf, sizeof(buf), 0, SEED) : sf_errname(errno));
}

/* Pass the descriptor over a UNIX socket (SCM_RIGHTS). */
static long r_scm_rights(struct sf_t *t)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int s[2], fd2;
	long r;

	sf_fill(t, 0, 2 * lm_ps, SEED);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, s))
		return -errno;
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &t->fd, sizeof(int));
	r = sf_ret(sendmsg(s[0], &msg, 0));
	if (r < 0)
		return r;
	msg.msg_controllen = sizeof(cbuf);
	r = sf_ret(recvmsg(s[1], &msg, MSG_CMSG_CLOEXEC));
	cm = CMSG_FIRSTHDR(&msg);
	if (r < 0 || !cm || cm->cmsg_type != SCM_RIGHTS)
		return r < 0 ? r : -EBADMSG;
	memcpy(&fd2, CMSG_DATA(cm), sizeof(int));
	same_file(t, fd2);
	close(fd2);
	close(s[0]);
	close(s[1]);
	return 0;
}

/* Take the descriptor out of a process with pidfd_getfd. */
static long r_pidfd_getfd(struct sf_t *t)
{
	int pidfd, fd2;

	sf_fill(t, 0, 2 * lm_ps, SEED);
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	fd2 = (int)syscall(SYS_pidfd_getfd, pidfd, t->fd, 0);
	if (fd2 < 0) {
		int err = -errno;

		close(pidfd);
		return err;
	}
	same_file(t, fd2);
	close(fd2);
	close(pidfd);
	return 0;
}

static long r_poll(struct sf_t *t)
{
	struct pollfd pfd = {
		.fd = t->fd, .events = POLLIN | POLLOUT | POLLPRI,
	};
	long r = sf_ret(poll(&pfd, 1, 0));

	sf_eff(t, "revents=%#x", pfd.revents);
	return r;
}

static long r_select(struct sf_t *t)
{
	struct timeval tv = { 0, 0 };
	fd_set rd, wr, ex;
	long r;

	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(t->fd, &rd);
	FD_SET(t->fd, &wr);
	FD_SET(t->fd, &ex);
	r = sf_ret(select(t->fd + 1, &rd, &wr, &ex, &tv));
	sf_eff(t, "r=%d w=%d x=%d", FD_ISSET(t->fd, &rd),
	       FD_ISSET(t->fd, &wr), FD_ISSET(t->fd, &ex));
	return r;
}

static long r_epoll(struct sf_t *t)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long r;

	if (ep < 0)
		return -errno;
	r = sf_ret(epoll_ctl(ep, EPOLL_CTL_ADD, t->fd, &ev));
	if (!r) {
		struct epoll_event out;

		sf_eff(t, "ready=%d", epoll_wait(ep, &out, 1, 0));
	}
	close(ep);
	return r;
}

#include "lazymap_surface_fixture.h"

FIXTURE_VARIANT_ADD(surface, pvm_read_shared)
	SF_SAME("remote", "process_vm_readv MAP_SHARED", r_pvm_read, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, pvm_read_private)
	SF_SAME("remote", "process_vm_readv MAP_PRIVATE", r_pvm_read, PRIV,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, pvm_write_shared)
	SF_SAME("remote", "process_vm_writev MAP_SHARED", r_pvm_write, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, pvm_write_private)
	SF_SAME("remote", "process_vm_writev MAP_PRIVATE", r_pvm_write, PRIV,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mem_read)
	SF_SAME("remote", "/proc/PID/mem read", r_mem_read, 0, .anon = true);
FIXTURE_VARIANT_ADD(surface, mem_write_shared)
	SF_SAME("remote", "/proc/PID/mem write MAP_SHARED", r_mem_write, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mem_write_shared_ro)
	SF_SAME("remote", "/proc/PID/mem write MAP_SHARED PROT_READ",
		r_mem_write, RO, .anon = true);
FIXTURE_VARIANT_ADD(surface, mem_write_private_ro)
	SF_SAME("remote",
		"/proc/PID/mem write MAP_PRIVATE PROT_READ (FOLL_FORCE)",
		r_mem_write, PRIV | RO, .anon = true);
FIXTURE_VARIANT_ADD(surface, ptrace_shared)
	SF_SAME("remote", "ptrace PEEKDATA/POKEDATA MAP_SHARED", r_ptrace, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, ptrace_private_ro)
	SF_SAME("remote", "ptrace PEEKDATA/POKEDATA MAP_PRIVATE PROT_READ",
		r_ptrace, PRIV | RO, .anon = true);
FIXTURE_VARIANT_ADD(surface, futex)
	SF_SAME("remote", "process-shared futex wait/wake", r_futex, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, mutex)
	SF_SAME("remote", "PTHREAD_PROCESS_SHARED mutex", r_mutex, 0,
		.anon = true);
FIXTURE_VARIANT_ADD(surface, scm_rights)
	SF_SAME("remote", "SCM_RIGHTS passing", r_scm_rights, 0);
FIXTURE_VARIANT_ADD(surface, pidfd_getfd)
	SF_SAME("remote", "pidfd_getfd", r_pidfd_getfd, 0);
FIXTURE_VARIANT_ADD(surface, poll)
	SF_SAME("remote", "poll", r_poll, 0);
FIXTURE_VARIANT_ADD(surface, select)
	SF_SAME("remote", "select", r_select, 0);
FIXTURE_VARIANT_ADD(surface, epoll)
	SF_SAME("remote", "epoll_ctl ADD", r_epoll, 0);

