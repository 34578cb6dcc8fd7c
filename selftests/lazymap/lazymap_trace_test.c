// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints lazymap:lazymap_fault and lazymap:lazymap_discard: a known
 * access pattern, traced in a tracefs instance of its own, must produce
 * exactly the events it causes, with the right fields.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define TRACEFS_ROOTS	{ "/sys/kernel/tracing", "/sys/kernel/debug/tracing" }
#define INSTANCE	"lazymap_selftest"

FIXTURE(trace) {
	int fd;
	char dir[256];		/* the tracefs instance */
};

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* The instance's trace buffer, NUL-terminated, or NULL. */
static char *read_trace(const char *dir)
{
	size_t cap = 1 << 16, len = 0;
	char path[512], *buf = malloc(cap);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *more = realloc(buf, cap *= 2);

			if (!more)
				break;
			buf = more;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* How many lines of the buffer contain both needles. */
static int count_events(const char *buf, const char *event, const char *what)
{
	const char *line = buf;
	int count = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char copy[512];

		if (len >= sizeof(copy))
			len = sizeof(copy) - 1;
		memcpy(copy, line, len);
		copy[len] = '\0';
		if (copy[0] != '#' && strstr(copy, event) && strstr(copy, what))
			count++;
		line = end ? end + 1 : NULL;
	}
	return count;
}

FIXTURE_SETUP(trace)
{
	static const char *const roots[] = TRACEFS_ROOTS;
	char events[512];
	struct stat st;
	size_t i;

	LM_NEED_DEVICE();
	self->fd = lm_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, lm_reset(self->fd));

	self->dir[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(roots); i++) {
		snprintf(events, sizeof(events), "%s/events/lazymap", roots[i]);
		if (!stat(events, &st)) {
			snprintf(self->dir, sizeof(self->dir), "%s/instances/%s",
				 roots[i], INSTANCE);
			break;
		}
	}
	if (!self->dir[0])
		LM_SKIP("no events/lazymap in tracefs: kernel without tracing, or tracefs not mounted");
	rmdir(self->dir);	/* left over from an interrupted run */
	ASSERT_EQ(0, mkdir(self->dir, 0755))
		TH_LOG("mkdir %s: %s", self->dir, strerror(errno));
	ASSERT_EQ(0, write_file(self->dir, "events/lazymap/enable", "1"));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->dir[0]) {
		write_file(self->dir, "events/lazymap/enable", "0");
		rmdir(self->dir);
	}
	lm_reset(self->fd);
	close(self->fd);
}

/*
 * Shared write to page 0, shared read of page 1, private write to page 5,
 * a write() to page 7 (no fault: not traced as one), then a discard of
 * pages 0..7, which frees the four pages.
 */
TEST_F(trace, known_pattern)
{
	size_t ps = lm_ps, len = 8 * ps;
	char *shared, *priv, *buf, want[128];

	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      self->fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		    self->fd, 0);
	ASSERT_NE(MAP_FAILED, priv);

	lm_poke(shared, 1);
	(void)lm_peek(shared + ps);
	lm_poke(priv + 5 * ps, 1);
	ASSERT_EQ(0, lm_pwrite_all(self->fd, "x", 1, 7 * ps));
	ASSERT_EQ(0, lm_discard(self->fd, 0, len));
	ASSERT_EQ(0, write_file(self->dir, "events/lazymap/enable", "0"));

	buf = read_trace(self->dir);
	ASSERT_NE(NULL, buf);

	EXPECT_EQ(1, count_events(buf, "lazymap_fault:",
				  "offset=0x0 write shared allocated=1"));
	snprintf(want, sizeof(want), "offset=0x%zx read shared allocated=1",
		 ps);
	EXPECT_EQ(1, count_events(buf, "lazymap_fault:", want));
	snprintf(want, sizeof(want), "offset=0x%zx write private allocated=1",
		 5 * ps);
	EXPECT_EQ(1, count_events(buf, "lazymap_fault:", want));
	/* Nothing else faulted: in particular not write() of page 7. */
	EXPECT_EQ(3, count_events(buf, "lazymap_fault:", "offset="))
		TH_LOG("trace:\n%s", buf);
	snprintf(want, sizeof(want), "offset=0x0 length=0x%zx freed=4", len);
	EXPECT_EQ(1, count_events(buf, "lazymap_discard:", want));
	EXPECT_EQ(1, count_events(buf, "lazymap_discard:", "offset="));

	free(buf);
	munmap(priv, len);
	munmap(shared, len);
}

/* A second touch of a resident page through a new mapping allocates nothing. */
TEST_F(trace, refault_does_not_allocate)
{
	size_t ps = lm_ps;
	char *a, *b, *buf;

	a = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, a);
	lm_poke(a, 1);
	b = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, b);
	lm_poke(b, 2);
	ASSERT_EQ(0, write_file(self->dir, "events/lazymap/enable", "0"));

	buf = read_trace(self->dir);
	ASSERT_NE(NULL, buf);
	EXPECT_EQ(1, count_events(buf, "lazymap_fault:",
				  "offset=0x0 write shared allocated=1"));
	EXPECT_EQ(1, count_events(buf, "lazymap_fault:",
				  "offset=0x0 write shared allocated=0"))
		TH_LOG("trace:\n%s", buf);
	free(buf);
	munmap(b, ps);
	munmap(a, ps);
}

TEST_HARNESS_MAIN
