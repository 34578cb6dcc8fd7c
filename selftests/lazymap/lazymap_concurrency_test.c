// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent first touches (behaviour 5): several processes, each with its
 * own open and mapping, or several threads, with their own mappings or one
 * shared mapping, released together by a barrier, touch the same untouched
 * pages at once.  Every offset must end with exactly one page: the store
 * holds exactly one page per offset, every mapping maps that same frame,
 * and every writer's bytes are in it (a second page would lose some).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lazymap_util.h"

#define NWORKERS	4
#define NPAGES		256
#define ROUNDS		4

/* State shared by every worker, in MAP_SHARED anonymous memory. */
struct shared {
	pthread_barrier_t start;
	pthread_barrier_t done;
	uint64_t pfn[NWORKERS][NPAGES];
	int fails[NWORKERS];
};

struct worker {
	struct shared *sh;
	int id;
	int fd;			/* an fd to map, or -1 to open one */
	uint8_t *map;		/* a mapping to use, or NULL to map */
	bool read_only;		/* touch by reading, not writing */
};

FIXTURE(race) {
	int fd;
	struct shared *sh;
	bool have_pfn;
};

FIXTURE_SETUP(race)
{
	pthread_barrierattr_t attr;

	LM_OPEN_EMPTY(self->fd);
	/* Frames are compared only where pagemap shows them. */
	self->have_pfn = lm_pfn_visible() > 0;
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ASSERT_EQ(0, pthread_barrierattr_init(&attr));
	ASSERT_EQ(0, pthread_barrierattr_setpshared(&attr,
						    PTHREAD_PROCESS_SHARED));
	ASSERT_EQ(0, pthread_barrier_init(&self->sh->start, &attr, NWORKERS));
	ASSERT_EQ(0, pthread_barrier_init(&self->sh->done, &attr, NWORKERS));
	pthread_barrierattr_destroy(&attr);
}

FIXTURE_TEARDOWN(race)
{
	pthread_barrier_destroy(&self->sh->done);
	pthread_barrier_destroy(&self->sh->start);
	munmap(self->sh, sizeof(*self->sh));
	lm_close_empty(self->fd);
}

/*
 * One worker: wait for the others, touch every page (writers put their id
 * at byte id of the page), wait again, then record the frames and check
 * that every writer's byte is in every page.
 */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	int fd = w->fd, i, j, bad = 0;
	uint8_t *p = w->map;

	if (fd < 0)
		fd = lm_open(O_RDWR);
	if (!p)
		p = fd < 0 ? MAP_FAILED :
			mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			     MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		bad = 1;

	pthread_barrier_wait(&sh->start);
	for (i = 0; !bad && i < NPAGES; i++) {
		if (w->read_only)
			(void)lm_peek(p + i * lm_ps + w->id);
		else
			lm_poke(p + i * lm_ps + w->id, (uint8_t)(w->id + 1));
	}
	pthread_barrier_wait(&sh->done);

	for (i = 0; !bad && i < NPAGES; i++) {
		sh->pfn[w->id][i] = lm_pfn(p + i * lm_ps);
		for (j = 0; j < NWORKERS; j++) {
			uint8_t want = (uint8_t)(j + 1);

			/* Readers leave their byte zero. */
			if (p[i * lm_ps + j] != want && p[i * lm_ps + j] != 0)
				bad = 2;
		}
	}
	sh->fails[w->id] = bad;
	if (!w->map && p != MAP_FAILED)
		munmap(p, NPAGES * lm_ps);
	if (w->fd < 0 && fd >= 0)
		close(fd);
	return NULL;
}

/* After a round: one page per offset, one frame per offset everywhere. */
static void check_round(struct __test_metadata *_metadata, int fd,
			const struct shared *sh, bool have_pfn,
			const bool *writer)
{
	uint8_t page[64];
	int i, w;

	for (w = 0; w < NWORKERS; w++)
		EXPECT_EQ(0, sh->fails[w]) TH_LOG("worker %d", w);
	EXPECT_EQ((uint64_t)NPAGES, lm_resident(fd));
	for (i = 0; i < NPAGES; i++) {
		ASSERT_EQ(0, lm_pread_all(fd, page, sizeof(page),
					  (uint64_t)i * lm_ps));
		for (w = 0; w < NWORKERS; w++)
			ASSERT_EQ(writer[w] ? w + 1 : 0, page[w])
				TH_LOG("page %d lost worker %d's write", i, w);
		if (!have_pfn)
			continue;
		for (w = 1; w < NWORKERS; w++)
			ASSERT_EQ(sh->pfn[0][i], sh->pfn[w][i])
				TH_LOG("page %d: worker %d maps another frame",
				       i, w);
		ASSERT_NE(0ULL, sh->pfn[0][i]);
	}
}

/* Rounds 1 and 3: half the workers only read. */
static bool round_writer(int r, int w)
{
	return !(r % 2 && w % 2);
}

/* Run the workers as threads, released together, then check the round. */
static void thread_round(struct __test_metadata *_metadata, int fd,
			 const struct shared *sh, bool have_pfn,
			 struct worker *wk)
{
	bool writer[NWORKERS];
	pthread_t th[NWORKERS];
	int w;

	for (w = 0; w < NWORKERS; w++) {
		writer[w] = !wk[w].read_only;
		ASSERT_EQ(0, pthread_create(&th[w], NULL, work, &wk[w]));
	}
	for (w = 0; w < NWORKERS; w++)
		ASSERT_EQ(0, pthread_join(th[w], NULL));
	check_round(_metadata, fd, sh, have_pfn, writer);
}

/* Processes forked before opening: unrelated opens and mappings. */
TEST_F(race, processes_first_touch)
{
	bool writer[NWORKERS];
	pid_t pid[NWORKERS];
	int r, w;

	for (r = 0; r < ROUNDS; r++) {
		ASSERT_EQ(0, lm_reset(self->fd));
		for (w = 0; w < NWORKERS; w++) {
			writer[w] = round_writer(r, w);
			pid[w] = fork();
			ASSERT_LE(0, pid[w]);
			if (pid[w] == 0) {
				struct worker wk = {
					.sh = self->sh, .id = w, .fd = -1,
					.read_only = !writer[w],
				};

				work(&wk);
				_exit(0);
			}
		}
		for (w = 0; w < NWORKERS; w++)
			ASSERT_EQ(0, lm_wait(pid[w]));
		check_round(_metadata, self->fd, self->sh, self->have_pfn,
			    writer);
	}
}

/* Threads, each with its own mapping; half of them with their own open. */
TEST_F(race, threads_own_mappings)
{
	struct worker wk[NWORKERS];
	int r, w;

	for (r = 0; r < ROUNDS; r++) {
		ASSERT_EQ(0, lm_reset(self->fd));
		for (w = 0; w < NWORKERS; w++)
			wk[w] = (struct worker){
				.sh = self->sh, .id = w,
				.fd = w % 2 ? self->fd : -1,
				.read_only = !round_writer(r, w),
			};
		thread_round(_metadata, self->fd, self->sh, self->have_pfn, wk);
	}
}

/* Threads faulting one mapping together (one page table). */
TEST_F(race, threads_one_mapping)
{
	struct worker wk[NWORKERS];
	uint8_t *p;
	int r, w;

	for (r = 0; r < ROUNDS; r++) {
		ASSERT_EQ(0, lm_reset(self->fd));
		p = mmap(NULL, NPAGES * lm_ps, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		for (w = 0; w < NWORKERS; w++)
			wk[w] = (struct worker){
				.sh = self->sh, .id = w, .fd = self->fd,
				.map = p, .read_only = !round_writer(r, w),
			};
		thread_round(_metadata, self->fd, self->sh, self->have_pfn, wk);
		munmap(p, NPAGES * lm_ps);
	}
}

/*
 * Private readers racing shared writers: the readers map the store's page
 * (one per offset), never a page of their own.
 */
TEST_F(race, private_readers_share_store_page)
{
	bool writer[NWORKERS];
	pid_t pid[NWORKERS];
	int w;

	for (w = 0; w < NWORKERS; w++) {
		writer[w] = w % 2 == 0;
		pid[w] = fork();
		ASSERT_LE(0, pid[w]);
		if (pid[w] == 0) {
			struct worker wk = {
				.sh = self->sh, .id = w, .fd = -1,
				.read_only = !writer[w],
			};
			int fd = lm_open(O_RDONLY);

			/* Readers map privately from a read-only open. */
			if (!writer[w]) {
				wk.fd = fd;
				wk.map = fd < 0 ? MAP_FAILED :
					mmap(NULL, NPAGES * lm_ps, PROT_READ,
					     MAP_PRIVATE, fd, 0);
				if (wk.map == MAP_FAILED)
					_exit(1);
			}
			work(&wk);
			_exit(0);
		}
	}
	for (w = 0; w < NWORKERS; w++)
		ASSERT_EQ(0, lm_wait(pid[w]));
	check_round(_metadata, self->fd, self->sh, self->have_pfn, writer);
}

TEST_HARNESS_MAIN
