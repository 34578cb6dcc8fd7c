// SPDX-License-Identifier: GPL-2.0
/*
 * Tracing for lazymap-demo --trace.  The module's events live in tracefs
 * under events/lazymap/; enabling the group and reading trace_pipe without
 * blocking shows the events of each step right after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "demo_out.h"
#include "demo_trace.h"

/* More than this per step would bury the demo's own text. */
#define TRACE_MAX_LINES	6

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static char tracefs[64];
static int pipe_fd = -1;

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[192];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int trace_start(void)
{
	char path[192];
	size_t i;
	int err;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(*tracefs_dirs); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_dirs[i]);
		if (!access(path, F_OK)) {
			snprintf(tracefs, sizeof(tracefs), "%s",
				 tracefs_dirs[i]);
			break;
		}
	}
	if (!tracefs[0]) {
		out_note("--trace: tracefs is not mounted (mount -t tracefs\n"
			 "nodev /sys/kernel/tracing); going on without it.");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/events/lazymap", tracefs);
	if (access(path, F_OK)) {
		out_note("--trace: this lazymap module has no tracepoints\n"
			 "(no lazymap:lazymap_fault in %s/events); going on\n"
			 "without them.", tracefs);
		return -1;
	}
	/* Start from an empty buffer so that old events do not show up. */
	write_file(tracefs, "trace", "");
	err = write_file(path, "enable", "1");
	if (!err)
		err = write_file(tracefs, "tracing_on", "1");
	snprintf(path, sizeof(path), "%s/trace_pipe", tracefs);
	if (!err) {
		pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (pipe_fd < 0)
			err = -errno;
	}
	if (err) {
		out_note("--trace: cannot enable the lazymap events in\n"
			 "%s (%s); going on without them.", tracefs,
			 strerror(-err));
		trace_stop();
		return -1;
	}
	out_note("--trace: showing lazymap:* events from %s/trace_pipe.",
		 tracefs);
	return 0;
}

/*
 * "  demo-123  [001] .....  12.3456: lazymap_fault: offset=0x0 write"
 * becomes "pid 123 lazymap_fault: offset=0x0 write".  The task name is
 * dropped: tracefs often knows only the pid ("<...>-123").
 */
static void show_line(char *line)
{
	char out[256], *task, *event, *dash;

	task = line + strspn(line, " ");
	event = strstr(task, ": ");
	if (!event) {
		out_trace(task);
		return;
	}
	task[strcspn(task, " ")] = 0;
	dash = strrchr(task, '-');
	snprintf(out, sizeof(out), "pid %s %s", dash ? dash + 1 : task,
		 event + 2);
	out_trace(out);
}

static void drain(bool print)
{
	static char buf[65536];
	size_t have = 0;
	int shown = 0, more = 0;
	char *line, *nl;
	ssize_t n;

	if (pipe_fd < 0)
		return;
	for (;;) {
		n = read(pipe_fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += n;
		buf[have] = 0;
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			if (!print) {
				more = 0;
			} else if (shown < TRACE_MAX_LINES) {
				show_line(line);
				shown++;
			} else {
				more++;
			}
			line = nl + 1;
		}
		/* Keep a partial last line for the next read. */
		have = strlen(line);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	if (more) {
		char msg[64];

		snprintf(msg, sizeof(msg), "... and %d more events", more);
		out_trace(msg);
	}
}

void trace_show(void)
{
	drain(true);
}

void trace_flush(void)
{
	drain(false);
}

void trace_stop(void)
{
	char path[192];

	if (!tracefs[0])
		return;
	snprintf(path, sizeof(path), "%s/events/lazymap", tracefs);
	write_file(path, "enable", "0");
	if (pipe_fd >= 0)
		close(pipe_fd);
	pipe_fd = -1;
}
