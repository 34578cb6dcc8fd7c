// SPDX-License-Identifier: GPL-2.0
/*
 * lazymap-demo as a selftest: run `lazymap-demo --tap` and require every
 * check it makes to pass.  The demo's claims are the project's promise to
 * a reader; if one of them stops being true, the README is wrong.
 *
 * Each check of the demo becomes one result of this test, so the runner's
 * totals count them and a failure is named; the demo's comments pass
 * through.  A check the demo skips stays a skip, with the demo's reason:
 * that happens only when the kernel lacks something the demo shows (a
 * debug kernel built without networking has no sockets to try mmap() on),
 * never for a fault of the module.  One last result requires the demo to
 * have given all the checks it planned and exited with status 0.
 *
 * The demo is looked for in $LAZYMAP_DEMO, then ../bin/lazymap-demo next
 * to this program (the VM's /lazymap/bin), then in $PATH.  It is built
 * dynamically (it shows how processes share libc), unlike this test.
 *
 * Its disk section gets --disk $LAZYMAP_DEMO_DISK, a file on a disk file
 * system that the demo may overwrite (scripts/check.sh mounts one in the
 * test VM), and --ko with the module the suite reloads (LAZYMAP_KO) where
 * the module may be reloaded; without them those checks skip.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest.h"
#include "lazymap_util.h"

/* Generous: the demo takes a few seconds under TCG, more on a debug kernel. */
#define DEMO_TIMEOUT	600

static pid_t demo_pid;

static void on_alarm(int sig)
{
	(void)sig;
	if (demo_pid > 0)
		kill(demo_pid, SIGKILL);
}

/* The demo's path, or NULL to look it up in $PATH. */
static const char *find_demo(char *buf, size_t len)
{
	const char *env = getenv("LAZYMAP_DEMO");
	char self[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/../bin/lazymap-demo", self);
			if (!access(buf, X_OK))
				return buf;
		}
	}
	return NULL;
}

/* Starts the demo with its stdout on a pipe; returns the read end. */
static FILE *start_demo(const char *path)
{
	const char *disk = getenv("LAZYMAP_DEMO_DISK");
	char *argv[8];
	int fds[2], n = 0;

	argv[n++] = "lazymap-demo";
	argv[n++] = "--tap";
	if (disk && *disk) {
		argv[n++] = "--disk";
		argv[n++] = (char *)disk;
	}
	if (lm_module_reloadable()) {
		argv[n++] = "--ko";
		argv[n++] = (char *)lm_ko_path();
	}
	argv[n] = NULL;

	if (pipe(fds))
		return NULL;
	fflush(stdout);
	demo_pid = fork();
	if (demo_pid < 0)
		return NULL;
	if (!demo_pid) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (path)
			execv(path, argv);
		else
			execvp("lazymap-demo", argv);
		/* 127, as a shell says for a command it cannot find. */
		fprintf(stderr, "cannot run lazymap-demo: %s\n",
			strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	return fdopen(fds[0], "r");
}

int main(void)
{
	int planned = -1, given = 0, reached, status, skips = 0;
	char buf[PATH_MAX], line[1024], how[64];
	bool bailed = false;
	const char *path;
	FILE *f;

	ksft_print_header();
	path = find_demo(buf, sizeof(buf));
	if (!path && system("command -v lazymap-demo >/dev/null 2>&1"))
		ksft_exit_skip("no lazymap-demo: make userspace, or set %s\n",
			       "LAZYMAP_DEMO");

	signal(SIGALRM, on_alarm);
	alarm(DEMO_TIMEOUT);
	f = start_demo(path);
	if (!f)
		ksft_exit_fail_msg("cannot start lazymap-demo: %s\n",
				   strerror(errno));

	while (fgets(line, sizeof(line), f)) {
		char *desc, *skip;
		int num, pos = 0;

		line[strcspn(line, "\n")] = 0;
		if (planned < 0 && sscanf(line, "1..%d", &planned) == 1) {
			/* Its checks, and one for how it ended. */
			ksft_set_plan(planned + 1);
			continue;
		}
		if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
			bool ok = line[0] == 'o';

			if (sscanf(line + (ok ? 3 : 7), "%d %n", &num,
				   &pos) < 1)
				pos = 0;
			desc = line + (ok ? 3 : 7) + pos;
			given++;
			skip = strstr(desc, "# SKIP");
			if (ok && skip) {
				/* The demo's reason, as our own directive. */
				skips++;
				*skip = 0;
				ksft_test_result_skip("%s(%s)\n", desc,
						      skip + 7);
			} else if (ok) {
				ksft_test_result_pass("%s\n", desc);
			} else {
				ksft_test_result_fail("%s\n", desc);
			}
			continue;
		}
		if (!strncmp(line, "Bail out!", 9))
			bailed = true;
		if (!strncmp(line, "KTAP version", 12))
			continue;
		/* The runner takes the last totals line: ours, not these. */
		if (!strncmp(line, "# Totals:", 9)) {
			printf("# lazymap-demo's totals:%s\n", line + 9);
			continue;
		}
		/* Comments and anything else: the demo's story, kept. */
		printf("%s%s\n", line[0] == '#' ? "" : "# ", line);
	}
	fclose(f);
	if (waitpid(demo_pid, &status, 0) != demo_pid)
		status = -1;
	alarm(0);
	reached = given;

	if (planned < 0)
		ksft_set_plan(1);
	/* Keep the plan: what the demo never reached counts as failed. */
	while (given < planned)
		ksft_test_result_fail("check %d of lazymap-demo not reached\n",
				      ++given);
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %d%s",
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGKILL ? " (timeout?)" : "");
	else
		snprintf(how, sizeof(how), "exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (planned < 0)
		snprintf(line, sizeof(line), "lazymap-demo --tap: %s, no plan",
			 how);
	else
		snprintf(line, sizeof(line),
			 "lazymap-demo --tap: %s, %d of %d checks", how,
			 reached, planned);
	if (skips || bailed)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 ", %d skipped%s", skips, bailed ? ", bailed out" : "");
	ksft_test_result(WIFEXITED(status) && !WEXITSTATUS(status) &&
			 !bailed && reached == planned, "%s\n", line);
	ksft_finished();
}
