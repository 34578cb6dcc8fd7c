// SPDX-License-Identifier: GPL-2.0
/*
 * Section 4, MAP_SHARED and the disk: write-back.  A file on a real disk
 * (--disk FILE; make demo gives the VM a virtio disk with ext4) mapped
 * MAP_SHARED: a write lands in the page cache page that read() reads too;
 * the page is dirty and the disk still holds the old bytes until msync()
 * or the kernel's own write-back after vm.dirty_expire_centisecs; a
 * MAP_PRIVATE write never reaches the disk.  Then the contrast: the
 * lazymap store has no medium, so msync() and fsync() have nothing to do
 * and its bytes end with the module (--ko PATH to reload it).
 *
 * What is measured where: the mapping's page in this guest's page cache
 * (pagemap, kpageflags, smaps, /proc/meminfo, /proc/vmstat), and the disk
 * as the guest's block device holds it (O_DIRECT reads of the file's
 * block, found with FIEMAP).  The host checks its image file after the VM
 * has powered off (scripts/demo.sh), which nothing here can see.
 *
 * Nothing must write the page back before the section says so: the
 * flusher's expiry (vm.dirty_expire_centisecs) is raised for the section
 * and restored at its end.  Its wake-up interval stays as it is: changing
 * vm.dirty_writeback_centisecs wakes the flusher to write back everything
 * dirty at once, whatever its age.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kernel-page-flags.h>

#include "demo_blk.h"
#include "demo_out.h"
#include "demo_sections.h"
#include "kpageflags.h"

/*
 * What the section writes at byte 0 of the file: one line each.  The host
 * looks for the last MAP_SHARED line, and for no MAP_PRIVATE line, in its
 * image (scripts/demo.sh): keep them in step.
 */
#define LINE_LEN	64
#define TEXT_MSYNC	"MAP_SHARED write 1, written back by msync()"
#define TEXT_FLUSHER	"MAP_SHARED write 2, written back by the kernel"
#define TEXT_PRIVATE	"MAP_PRIVATE write, never written back"

#define EXPIRE		"dirty_expire_centisecs"
#define INTERVAL	"dirty_writeback_centisecs"
/* Long enough for the section to finish first: an hour. */
#define HOLD_CS		360000
/* The expiry for the write-back without msync(): 1 s. */
#define SHORT_CS	100
/*
 * How long to watch for it: the flusher wakes every 5 s by default, but an
 * emulated machine under load can run it late; the wait ends as soon as the
 * disk has the bytes, so a generous bound costs nothing.
 */
#define WAIT_MS		60000
/* msync() and fsync() of the device, while counting what the system wrote. */
#define WRITTEN_TRIES	5

/* The disk part's verdicts, in order, as a skip names them too. */
static const char *const disk_claims[] = {
	"read() sees the write at once: there is one page cache page for\n"
	"the file's first page, which every mapping maps and read() copies\n"
	"from",
	"the write is only in the page cache: the page is dirty and the\n"
	"disk still holds the old bytes",
	"msync() wrote the page back: the disk has the new bytes, the page\n"
	"is clean",
	"the kernel wrote the page back by itself, once the expiry had\n"
	"passed",
	"a MAP_PRIVATE write stays in its private copy: msync(), fsync()\n"
	"and sync() never take it to the file or the disk",
};

/* One line of the file: @text padded with blanks to LINE_LEN - 1, '\n'. */
static void put_line(char *p, const char *text)
{
	char line[LINE_LEN + 1];

	snprintf(line, sizeof(line), "%-*s\n", LINE_LEN - 1, text);
	memcpy(p, line, LINE_LEN);
}

/* The first line at @p without its padding. */
static const char *get_line(const char *p, char *buf)
{
	size_t n;

	memcpy(buf, p, LINE_LEN);
	buf[LINE_LEN] = 0;
	buf[strcspn(buf, "\n")] = 0;
	for (n = strlen(buf); n && buf[n - 1] == ' '; n--)
		buf[n - 1] = 0;
	return buf;
}

/* What the disk holds at file byte 0, unpadded ("?" if unreadable). */
static const char *on_disk(struct disk_file *d, char *buf)
{
	char raw[LINE_LEN + 1];
	int err = disk_read_direct(d, raw, sizeof(raw));

	if (err) {
		out_note("O_DIRECT read of %s failed: %s", d->dev,
			 strerror(-err));
		return strcpy(buf, "?");
	}
	return get_line(raw, buf);
}

/* What read() of the file returns at byte 0, unpadded. */
static const char *by_read(struct disk_file *d, char *buf)
{
	char raw[LINE_LEN + 1];

	memset(raw, 0, sizeof(raw));
	if (pread(d->fd, raw, LINE_LEN, 0) < 0)
		out_note("read() failed: %s", strerror(errno));
	return get_line(raw, buf);
}

/* The page's PG_dirty from kpageflags: 1, 0, or -1 if unknown. */
static int page_dirty(const void *addr)
{
	struct pm_entry e;
	uint64_t flags;

	if (!frames || pm_read(0, addr, &e) || !e.present ||
	    kpageflags_read(e.pfn, &flags))
		return -1;
	return !!(flags & (1ULL << KPF_DIRTY));
}

static const char *yes_no(int v)
{
	return v < 0 ? "unknown (needs root)" : v ? "set" : "clear";
}

/*
 * Fold every CPU's pending counter deltas into /proc/meminfo and
 * /proc/vmstat, which otherwise lag by up to a second (root only).
 */
static void stat_refresh(void)
{
	vm_knob_set("stat_refresh", 1);
}

/* Dirty kB of the mapping at @p: smaps Shared_Dirty + Private_Dirty. */
static long map_dirty_kb(const void *p)
{
	return smaps_kb(0, p, "Shared_Dirty") + smaps_kb(0, p, "Private_Dirty");
}

/* Polls the disk until it holds @want: milliseconds taken, or -1. */
static long wait_disk(struct disk_file *d, const char *want)
{
	char got[LINE_LEN + 1];
	double t0 = now_ms(), t;

	do {
		if (!strcmp(on_disk(d, got), want))
			return (long)(now_ms() - t0);
		usleep(50000);
		t = now_ms();
	} while (t - t0 < WAIT_MS);
	return -1;
}

static void part_shared(struct disk_file *d, char *map)
{
	char old[LINE_LEN + 1], got[LINE_LEN + 1], disk[LINE_LEN + 1];
	long dirty0, dirty1, dirty2, mdirty, written0, written1, ms;
	struct pm_entry e, e2;
	int pg, rc;
	double t0;
	long interval = vm_knob(INTERVAL);
	char *again;

	on_disk(d, old);
	out_say("%s, on %s (ext4 in this VM; an image file on the host), is\n"
		"mapped MAP_SHARED. Below, \"read():\" and the mappings are this\n"
		"VM's page cache; \"disk:\" is what %s itself holds, read with\n"
		"O_DIRECT (no page cache) at byte %llu, where FIEMAP places the\n"
		"file's first block; the host checks its image file after the VM\n"
		"has powered off.", d->path, d->dev, d->dev,
		(unsigned long long)d->phys);
	out_fact("disk:      \"%s\"", old);

	out_say("Write \"%s\" through the mapping, then read() the file.",
		TEXT_MSYNC);
	stat_refresh();
	dirty0 = meminfo_kb("Dirty");
	put_line(map, TEXT_MSYNC);
	stat_refresh();
	dirty1 = meminfo_kb("Dirty");
	pm_read(0, map, &e);
	out_fact("read():    \"%s\"", by_read(d, got));
	/* The file's page 0 is one page of the page cache for everyone. */
	again = mmap(NULL, psz, PROT_READ, MAP_SHARED, d->fd, 0);
	memset(&e2, 0, sizeof(e2));
	if (again != MAP_FAILED) {
		/* Present once touched: a read fault maps the cached page. */
		*(volatile char *)again;
		pm_read(0, again, &e2);
		munmap(again, psz);
	}
	out_fact("mapping:   %s", frame(&e));
	out_fact("a second mapping of the file: %s", frame(&e2));
	out_check(!strcmp(got, TEXT_MSYNC) && e.present && e.file &&
		  e2.present && e2.pfn == e.pfn, "%s", disk_claims[0]);

	out_say("The page is dirty: changed in memory, not yet on the disk.");
	pg = page_dirty(map);
	mdirty = map_dirty_kb(map);
	on_disk(d, disk);
	out_fact("kpageflags of the frame: DIRTY %s", yes_no(pg));
	out_fact("smaps of the mapping: %ld kB dirty (Shared_Dirty +\n"
		 "Private_Dirty; a page mapped once counts as Private)",
		 mdirty);
	out_fact("/proc/meminfo Dirty (whole system): %ld kB before the\n"
		 "write, %ld kB after", dirty0, dirty1);
	out_fact("disk:      \"%s\"", disk);
	out_check(pg != 0 && mdirty == (long)(psz / KB) && !strcmp(disk, old),
		  "%s", disk_claims[1]);

	out_say("msync(MS_SYNC) writes the dirty pages of the range back and\n"
		"waits for the disk.");
	stat_refresh();
	written0 = vmstat_value("nr_written");
	t0 = now_ms();
	rc = msync(map, psz, MS_SYNC);
	ms = (long)(now_ms() - t0);
	stat_refresh();
	written1 = vmstat_value("nr_written");
	dirty2 = meminfo_kb("Dirty");
	pg = page_dirty(map);
	mdirty = map_dirty_kb(map);
	out_fact("msync() returned %d after %ld ms", rc, ms);
	out_fact("pages written back (/proc/vmstat nr_written): +%ld",
		 written1 - written0);
	out_fact("kpageflags DIRTY %s; smaps dirty %ld kB", yes_no(pg),
		 mdirty);
	out_fact("/proc/meminfo Dirty (whole system): %ld -> %ld kB", dirty1,
		 dirty2);
	out_fact("disk:      \"%s\"", on_disk(d, disk));
	out_check(!rc && !strcmp(disk, TEXT_MSYNC) && pg != 1 && !mdirty &&
		  written1 > written0, "%s", disk_claims[2]);

	out_say("Without msync() the kernel writes a dirty file back by itself\n"
		"once it has been dirty longer than vm.dirty_expire_centisecs\n"
		"(3000: 30 s by default), when its flusher thread wakes: every\n"
		"vm.dirty_writeback_centisecs, here %ld. sync() first, so that\n"
		"the file's clock starts with the next write; then write\n"
		"\"%s\", set the expiry to %d and watch the disk.", interval,
		TEXT_FLUSHER, SHORT_CS);
	sync();
	t0 = now_ms();
	put_line(map, TEXT_FLUSHER);
	on_disk(d, old);
	vm_knob_set(EXPIRE, SHORT_CS);
	ms = wait_disk(d, TEXT_FLUSHER);
	if (ms >= 0)
		ms = (long)(now_ms() - t0);
	vm_knob_set(EXPIRE, HOLD_CS);
	out_fact("disk right after the write: \"%s\"", old);
	if (ms >= 0)
		out_fact("disk %ld ms after the write: \"%s\"", ms,
			 TEXT_FLUSHER);
	else
		out_fact("disk %d s after the write: \"%s\"", WAIT_MS / 1000,
			 on_disk(d, disk));
	/* The kernel's clock ticks in jiffies: allow one tick at 100 Hz. */
	out_check(!strcmp(old, TEXT_MSYNC) && ms >= SHORT_CS * 10 - 10,
		  "%s", disk_claims[3]);
}

static void part_private(struct disk_file *d)
{
	char got[LINE_LEN + 1], disk[LINE_LEN + 1], mine[LINE_LEN + 1];
	int rm, rf;
	char *p;

	out_say("Map the same file MAP_PRIVATE, write \"%s\" there, then\n"
		"msync(), fsync() and sync().", TEXT_PRIVATE);
	p = mmap(NULL, psz, RW, MAP_PRIVATE, d->fd, 0);
	if (p == MAP_FAILED) {
		out_note("mmap(MAP_PRIVATE) failed: %s", strerror(errno));
		return;
	}
	put_line(p, TEXT_PRIVATE);
	rm = msync(p, psz, MS_SYNC);
	rf = fsync(d->fd);
	sync();
	out_fact("msync() %d, fsync() %d", rm, rf);
	out_fact("private mapping: \"%s\"", get_line(p, mine));
	out_fact("read():          \"%s\"", by_read(d, got));
	out_fact("disk:            \"%s\"", on_disk(d, disk));
	out_check(!rm && !rf && !strcmp(mine, TEXT_PRIVATE) &&
		  !strcmp(got, TEXT_FLUSHER) && !strcmp(disk, TEXT_FLUSHER),
		  "%s", disk_claims[4]);
	munmap(p, psz);
}

static void part_lazymap(void)
{
	const char *text = "only in memory";
	long written0, written1, written = 0, res0, res1;
	int pg, rm = 0, rf = 0, err, tries;
	char got[32], why[256];
	char *p;

	out_say("Now %s, which has no disk behind it. Write \"%s\" into\n"
		"its page 0 through MAP_SHARED, then msync(MS_SYNC) and fsync().",
		dev.path, text);
	p = map_dev(0, psz, RW, MAP_SHARED);
	if (!p)
		return;
	strcpy(p, text);
	/*
	 * nr_written counts the whole system's write-back, and the disk's
	 * journal may write at the same moment: the fewest pages written
	 * over a few tries is what msync() and fsync() themselves wrote
	 * (a store page stays dirty, so they would write it every time).
	 */
	for (tries = 0; tries < WRITTEN_TRIES; tries++) {
		written0 = vmstat_value("nr_written");
		rm |= msync(p, psz, MS_SYNC);
		rf |= fsync(dev.fd);
		written1 = vmstat_value("nr_written") - written0;
		if (!tries || written1 < written)
			written = written1;
		if (!written)
			break;
	}
	pg = page_dirty(p);
	out_fact("msync() %d, fsync() %d; pages written back: +%ld%s", rm, rf,
		 written, tries ? " (the fewest of a few tries: the counter\n"
		 "is the whole system's, and the disk's journal writes too)" : "");
	out_fact("kpageflags DIRTY %s (a store page is dirty from birth:\n"
		 "there is nothing to clean it against)", yes_no(pg));
	out_check(!rm && !rf && !written && pg != 0,
		  "msync() and fsync() succeed and write nothing: the page\n"
		  "has no medium to go to");
	munmap(p, psz);

	if (!ko_path) {
		out_skip("no --ko PATH to reload the module with",
			 "the store's bytes end with the module");
		return;
	}
	out_say("Unload the module and load it again (%s).", ko_path);
	res0 = dev_sysfs("resident_pages");
	err = dev_reload(&dev, ko_path, why, sizeof(why));
	if (err) {
		out_note("%s", why);
		return;
	}
	res1 = dev_sysfs("resident_pages");
	memset(got, 0, sizeof(got));
	if (pread(dev.fd, got, sizeof(got) - 1, 0) < 0)
		out_note("read() failed: %s", strerror(errno));
	out_fact("resident_pages: %ld before, %ld after", res0, res1);
	out_fact("page 0 reads \"%s\"%s", got, got[0] ? "" : " (zeros)");
	out_check(res0 >= 1 && !res1 && !got[0],
		  "its bytes ended with the module: nothing kept them");
}

void sec_disk(void)
{
	struct disk_file d;
	char why[256];
	long saved;
	char *map;
	int i;

	if (!disk_path) {
		for (i = 0; i < (int)(sizeof(disk_claims) /
				      sizeof(*disk_claims)); i++)
			out_skip("no --disk FILE", "%s", disk_claims[i]);
		part_lazymap();
		return;
	}
	if (disk_open(&d, disk_path, psz, why, sizeof(why))) {
		out_note("%s", why);
		return;
	}
	saved = vm_knob(EXPIRE);
	if (vm_knob_set(EXPIRE, HOLD_CS))
		out_note("cannot set vm.%s: write-back may come early", EXPIRE);
	map = mmap(NULL, psz, RW, MAP_SHARED, d.fd, 0);
	if (map == MAP_FAILED) {
		out_note("mmap() of %s failed: %s", d.path, strerror(errno));
		goto out;
	}
	part_shared(&d, map);
	munmap(map, psz);
	part_private(&d);
	part_lazymap();
out:
	if (saved >= 0)
		vm_knob_set(EXPIRE, saved);
	disk_close(&d);
}
