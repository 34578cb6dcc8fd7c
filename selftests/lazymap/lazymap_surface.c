// SPDX-License-Identifier: GPL-2.0
/*
 * The runner and the measurements of the system-call surface audit; see
 * lazymap_surface.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lazymap_surface.h"

void sf_eff(struct sf_t *t, const char *fmt, ...)
{
	size_t used = strlen(t->eff);
	va_list ap;

	if (used + 2 >= sizeof(t->eff))
		return;
	t->eff[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(t->eff + used, sizeof(t->eff) - used, fmt, ap);
	va_end(ap);
}

const char *sf_errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

void *sf_map(struct sf_t *t, size_t len, int prot, int flags, off_t off)
{
	if (t->kind == SF_ANON)
		return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
	return mmap(NULL, len, prot, flags, t->fd, off);
}

int sf_reopen(struct sf_t *t, int flags)
{
	char path[64];
	int fd;

	if (t->kind == SF_LAZYMAP)
		return lm_open(flags);
	if (t->fd < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t->fd);
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

uint64_t sf_res(struct sf_t *t)
{
	if (t->kind == SF_LAZYMAP)
		return lm_resident(t->fd);
	return lm_file_resident(t->fd);
}

int sf_fill(struct sf_t *t, uint64_t off, size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len);
	int err;

	if (!buf)
		return -ENOMEM;
	lm_fill(buf, len, off, seed);
	err = lm_pwrite_all(t->fd, buf, len, off);
	free(buf);
	return err;
}

const char *sf_what(const void *p, size_t len, uint64_t base_off,
		    uint32_t seed)
{
	if (lm_check(p, len, base_off, seed) < 0)
		return "pattern";
	if (lm_nonzero(p, len) < 0)
		return "zero";
	return "other";
}

void sf_eff_res(struct sf_t *t)
{
	if (t->kind != SF_ANON)
		sf_eff(t, "res=%llu", (unsigned long long)sf_res(t));
}

void sf_pages(char *out, size_t outlen, const void *p, size_t len,
	      uint64_t base_off, uint32_t seed)
{
	const uint8_t *b = p;
	size_t i = 0, o = 0, chunk;

	/* One letter per page-sized piece: Pattern, Zero or X (other). */
	while (i < len && o + 1 < outlen) {
		const char *w;

		chunk = len - i < lm_ps ? len - i : lm_ps;
		w = sf_what(b + i, chunk, base_off + i, seed);
		out[o++] = w[0] == 'p' ? 'P' : w[0] == 'z' ? 'Z' : 'X';
		i += chunk;
	}
	out[o] = '\0';
}

void sf_eff_buf(struct sf_t *t, const char *key, const void *p, size_t len,
		uint64_t base_off, uint32_t seed)
{
	char s[80];

	sf_pages(s, sizeof(s), p, len, base_off, seed);
	sf_eff(t, "%s=%s", key, s);
}

void sf_eff_data(struct sf_t *t, uint64_t off, size_t len, uint32_t seed)
{
	uint8_t *buf;
	ssize_t n;

	if (t->kind == SF_ANON)
		return;
	buf = malloc(len);
	if (!buf)
		return;
	n = pread(t->fd, buf, len, (off_t)off);
	if (n < 0)
		sf_eff(t, "data=%s", sf_errname(errno));
	else if ((size_t)n < len)
		sf_eff(t, "data=short:%zd", n);
	else
		sf_eff_buf(t, "data", buf, len, off, seed);
	free(buf);
}

void sf_eff_map(struct sf_t *t, const char *key, const void *p, size_t len,
		uint64_t base_off, uint32_t seed)
{
	sf_eff(t, "%s=%s", key, sf_what(p, len, base_off, seed));
}

void sf_eff_present(struct sf_t *t, const void *p, size_t npages)
{
	size_t i, n = 0;

	for (i = 0; i < npages; i++)
		if (lm_pagemap((const uint8_t *)p + i * lm_ps) & LM_PM_PRESENT)
			n++;
	sf_eff(t, "present=%zu", n);
}

void sf_eff_mincore(struct sf_t *t, void *p, size_t npages)
{
	unsigned char vec[64];
	char s[65];
	size_t i;

	if (npages > sizeof(vec))
		npages = sizeof(vec);
	if (mincore(p, npages * lm_ps, vec)) {
		sf_eff(t, "mincore=%s", sf_errname(errno));
		return;
	}
	for (i = 0; i < npages; i++)
		s[i] = vec[i] & 1 ? '1' : '0';
	s[npages] = '\0';
	sf_eff(t, "mincore=%s", s);
}

/*
 * The VmFlags a call of this audit may change; the others (notably "de",
 * VM_DONTEXPAND, which is the difference being measured elsewhere) would
 * only repeat what the mapping is.
 */
static const char *const sf_flags[] = {
	"sr", "rr", "dc", "lo", "lf", "wf", "dd", "hg", "nh", "mg",
};

#define SF_NFLAGS	(sizeof(sf_flags) / sizeof(*sf_flags))

void sf_eff_vmflags(struct sf_t *t, const void *p)
{
	unsigned long start, end, addr = (unsigned long)p;
	char line[512], out[64] = "";
	bool in = false;
	size_t i;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f) {
		sf_eff(t, "vmflags=%s", sf_errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start <= addr && addr < end;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		for (i = 0; i < SF_NFLAGS; i++) {
			char tok[5];

			snprintf(tok, sizeof(tok), " %s", sf_flags[i]);
			if (strstr(line + 8, tok)) {
				strcat(out, out[0] ? "," : "");
				strcat(out, sf_flags[i]);
			}
		}
		break;
	}
	fclose(f);
	sf_eff(t, "vmflags=%s", out[0] ? out : "none");
}

void sf_eff_pos(struct sf_t *t, int fd)
{
	off_t pos = lseek(fd, 0, SEEK_CUR);

	if (pos < 0)
		sf_eff(t, "pos=%s", sf_errname(errno));
	else if ((uint64_t)pos == t->size)
		sf_eff(t, "pos=end");
	else if ((uint64_t)pos > t->size)
		sf_eff(t, "pos=end+%llu",
		       (unsigned long long)((uint64_t)pos - t->size));
	else
		sf_eff(t, "pos=%lld", (long long)pos);
}

const char *sf_probe(const void *p, size_t npages, uint64_t base_off,
		     uint32_t seed)
{
	const char *what = NULL, *w;
	int pfd[2];
	size_t i;

	if (pipe2(pfd, O_CLOEXEC))
		return "pipe-failed";
	for (i = 0; i < npages; i++) {
		uint8_t got, want;

		if (write(pfd[1], (const uint8_t *)p + i * lm_ps, 1) != 1) {
			w = "EFAULT";
		} else if (read(pfd[0], &got, 1) != 1) {
			w = "pipe-failed";
		} else {
			lm_fill(&want, 1, base_off + i * lm_ps, seed);
			w = got == want ? "pattern" : got ? "other" : "zero";
		}
		if (what && strcmp(what, w)) {
			what = "mixed";
			break;
		}
		what = w;
	}
	close(pfd[0]);
	close(pfd[1]);
	return what ? what : "none";
}

void sf_eff_child(struct sf_t *t, const void *p, size_t npages,
		  uint64_t base_off, uint32_t seed)
{
	char buf[32] = "";
	int pfd[2], st;
	pid_t pid;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC)) {
		sf_eff(t, "child=%s", sf_errname(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		const char *w = sf_probe(p, npages, base_off, seed);

		_exit(write(pfd[1], w, strlen(w)) < 0);
	}
	close(pfd[1]);
	n = pid < 0 ? -1 : read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	st = pid < 0 ? -1 : lm_wait(pid);
	if (n > 0 && st == 0)
		sf_eff(t, "child=%.*s", (int)n, buf);
	else if (st > 128)
		sf_eff(t, "child=%s", sigabbrev_np(st - 128));
	else
		sf_eff(t, "child=failed");
}

static const char *const sf_kind_name[] = { "lazymap", "memfd", "anon" };

/* Open the target of one kind: 0 or -errno. */
static int sf_open(struct sf_t *t, enum sf_kind kind, uint64_t size)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->size = size;
	t->fd = -1;
	switch (kind) {
	case SF_LAZYMAP:
		t->fd = lm_open(O_RDWR);
		if (t->fd < 0)
			return t->fd;
		return lm_reset(t->fd);
	case SF_MEMFD:
		t->fd = memfd_create("lazymap-surface",
				     MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (t->fd < 0)
			return -errno;
		return ftruncate(t->fd, (off_t)size) ? -errno : 0;
	default:
		return 0;
	}
}

/* In the child of one target: run the row and write its outcome. */
static void __attribute__((noreturn))
sf_child(const struct sf_row *row, enum sf_kind kind, uint64_t size,
	 char *out)
{
	struct sf_t t;
	long r;
	int err;

	err = sf_open(&t, kind, size);
	if (err) {
		snprintf(out, SF_OUT_LEN, "setup of %s failed: %s",
			 sf_kind_name[kind], sf_errname(-err));
		_exit(1);
	}
	t.arg = row->arg;
	r = row->run(&t);
	if (r < 0)
		snprintf(out, SF_OUT_LEN, "%s%s", sf_errname((int)-r), t.eff);
	else
		snprintf(out, SF_OUT_LEN, "%ld%s", r, t.eff);
	if (kind == SF_LAZYMAP)
		lm_reset(t.fd);
	_exit(0);
}

/* An expectation with "{PS}" and "{<n>PS}" replaced by byte counts. */
static void sf_expand(char *out, size_t len, const char *pat)
{
	size_t o = 0;

	while (pat && *pat && o + 1 < len) {
		unsigned long n = 1;
		char *end;

		if (*pat == '{') {
			if (pat[1] != 'P')
				n = strtoul(pat + 1, &end, 10);
			else
				end = (char *)pat + 1;
			if (!strncmp(end, "PS}", 3)) {
				o += (size_t)snprintf(out + o, len - o, "%zu",
						      (size_t)n * lm_ps);
				pat = end + 3;
				continue;
			}
		}
		out[o++] = *pat++;
	}
	out[o < len ? o : len - 1] = '\0';
}

int sf_run(const struct sf_row *row, struct sf_result *res)
{
	struct sf_result *shared;
	uint64_t size;
	int fd, k;

	fd = lm_open(O_RDONLY);
	if (fd < 0)
		return fd;
	size = lm_size(fd);
	close(fd);
	if (!size)
		return -ENODEV;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -errno;
	memset(shared, 0, sizeof(*shared));
	strcpy(shared->out[SF_ANON], "-");

	for (k = 0; k < SF_NKINDS; k++) {
		pid_t pid;
		int st;

		if (k == SF_ANON && !row->anon)
			continue;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0)
			sf_child(row, k, size, shared->out[k]);
		st = lm_wait(pid);
		if (st > 128)
			snprintf(shared->out[k], SF_OUT_LEN, "killed by %s",
				 sigabbrev_np(st - 128) ? : "?");
		else if (st != 0 && !shared->out[k][0])
			snprintf(shared->out[k], SF_OUT_LEN,
				 "child exit %d", st);
	}
	/* A signal in the lazymap child left its pages: empty the store. */
	sf_cleanup();

	*res = *shared;
	munmap(shared, sizeof(*shared));
	sf_expand(res->exp_lm, sizeof(res->exp_lm), row->lm);
	sf_expand(res->exp_memfd, sizeof(res->exp_memfd),
		  row->memfd && row->memfd_if && !row->memfd_if() ?
		  row->lm : row->memfd);
	if (row->lm && row->or_same &&
	    !strcmp(res->out[SF_LAZYMAP], res->out[SF_MEMFD]))
		res->verdict = "SAME";
	else if (row->lm)
		res->verdict = !strcmp(res->exp_lm, res->out[SF_LAZYMAP]) &&
			(!row->memfd ||
			 !strcmp(res->exp_memfd, res->out[SF_MEMFD])) ?
			"INHERENT" : "DIFF";
	else
		res->verdict = strcmp(res->out[SF_LAZYMAP],
				      res->out[SF_MEMFD]) ? "DIFF" : "SAME";
	if (row->skip_on && !strcmp(res->out[SF_MEMFD], row->skip_on))
		res->verdict = "SKIP";
	return 0;
}

/* A field of the line: its own '|' (a flag combination) become '+'. */
static void sf_field(const char *s)
{
	for (; *s; s++)
		putchar(*s == '|' ? '+' : *s);
	putchar('|');
}

void sf_print(const struct sf_row *row, const struct sf_result *res)
{
	fputs("# surface|", stdout);
	sf_field(row->family);
	sf_field(row->call);
	sf_field(res->out[SF_LAZYMAP]);
	sf_field(res->out[SF_MEMFD]);
	sf_field(res->out[SF_ANON]);
	sf_field(res->verdict);
	if (row->why)
		fputs(row->why, stdout);
	if (row->gap)
		printf("%sGAP: %s", row->why ? " " : "", row->gap);
	putchar('\n');
	fflush(stdout);
}

void sf_cleanup(void)
{
	int fd = lm_open(O_RDWR);

	if (fd >= 0) {
		lm_reset(fd);
		close(fd);
	}
}
