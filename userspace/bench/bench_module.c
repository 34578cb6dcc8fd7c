// SPDX-License-Identifier: GPL-2.0
/*
 * Module control of lazymap-bench (only with --ko): scenarios 7 and 10
 * need the device at sizes of their own, 11-14 with huge=always, set by
 * reloading the module.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench_core.h"
#include "bench_module.h"
#include "bench_util.h"
#include "sysfile.h"

#define MODULE_NAME	"lazymap"
#define PARAM_SIZE_MB	"/sys/module/lazymap/parameters/size_mb"
#define PARAM_HUGE	"/sys/module/lazymap/parameters/huge"

static bool module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

static uint64_t module_size_mb(void)
{
	long mb = sysfile_long(PARAM_SIZE_MB);

	return mb > 0 ? (uint64_t)mb : 0;
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

/* The module's huge= parameter ("never" for a module without it). */
static bool module_huge_is(const char *mode)
{
	char buf[32] = "never\n";
	FILE *f = fopen(PARAM_HUGE, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, mode);
}

/* Make the module loaded with size_mb=@mb (reloading if it differs). */
void module_ensure(struct bench *b, uint64_t mb)
{
	module_ensure_huge(b, mb, "never");
}

/* The same, and huge=@mode. */
void module_ensure_huge(struct bench *b, uint64_t mb, const char *mode)
{
	char params[64];
	int fd;

	if (module_loaded() && module_size_mb() == mb && module_huge_is(mode))
		return;
	module_unload();
	/* huge= only when asked for: an older module does not know it. */
	snprintf(params, sizeof(params), "size_mb=%" PRIu64 "%s%s", mb,
		 strcmp(mode, "never") ? " huge=" : "",
		 strcmp(mode, "never") ? mode : "");
	fd = open(b->ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s:", b->ko);
	if (syscall(SYS_finit_module, fd, params, 0))
		die("finit_module(%s, %s):", b->ko, params);
	close(fd);
}
