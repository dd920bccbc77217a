// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: open checks, R1-R5 and waiting are one reader.
/* The user-space ring reader: read-only mapping, identity check, waiting. */
#include "libpktring.h"
#include "futex.h"
#include "sigbus.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AGAIN_LIMIT	4096	/* steps before next() gives the caller a turn */
#define WAIT_SLICE_MS	100	/* re-check end and epoch this often */

static int fail(struct pktring_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, sizeof(r->err), "ring %s: ", r->pl.path);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

int pktring_reader_open(struct pktring_reader *r, const char *ring)
{
	struct pktring_ctl *c = &r->id;
	struct stat st;
	const struct pktring_ctl *page;
	char why[PKTRING_ERR_LEN];
	sigjmp_buf jb;
	void *p;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->writer_timeout_ms = PKTRING_WRITER_TIMEOUT_MS;
	pktring_catch_sigbus();
	if (pktring_place_open(&r->pl, ring, PKTRING_FOR_READER, NULL, why,
			       sizeof(why))) {
		if (!r->pl.path[0])
			snprintf(r->pl.path, sizeof(r->pl.path), "%.200s", ring);
		return fail(r, "%s", why);
	}
	r->fd = pktring_place_open_ring(&r->pl, O_RDONLY, &st, why, sizeof(why));
	if (r->fd < 0) {
		fail(r, "%s", why);
		goto err;
	}
	r->is_device = S_ISCHR(st.st_mode);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if (!r->is_device && st.st_size < PKTRING_CTL_SIZE) {
		fail(r, "too short: %lld bytes, a ring needs at least %u",
		     (long long)st.st_size, PKTRING_CTL_SIZE);
		goto err;
	}
	/* The control page first: a device's size may read as 0. */
	page = mmap(NULL, PKTRING_CTL_SIZE, PROT_READ, MAP_SHARED, r->fd, 0);
	if (page == MAP_FAILED) {
		fail(r, "mmap control page: %s", strerror(errno));
		goto err;
	}
	/*
	 * One copy, checked and then used: the live page may change between
	 * a check and a use. Head before reclaim, as R1-R2 load them.
	 */
	if (sigsetjmp(jb, 1)) {
		PKTRING_SIGBUS_DISARM();
		munmap((void *)page, PKTRING_CTL_SIZE);
		fail(r, "truncated while being opened (SIGBUS)");
		goto err;
	}
	PKTRING_SIGBUS_ARM(&jb);
	memcpy(c, page, sizeof(*c));
	c->head = PKTRING_LOAD_ACQUIRE(&page->head);
	c->reclaim = PKTRING_LOAD_ACQUIRE(&page->reclaim);
	PKTRING_SIGBUS_DISARM();
	munmap((void *)page, PKTRING_CTL_SIZE);
	if (pktring_check_ctl(c, r->is_device ? 0 : st.st_size, why, sizeof(why))) {
		fail(r, "%s", why);
		goto err;
	}

	r->map_len = c->data_offset + c->data_size;
	p = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED) {
		fail(r, "mmap %zu bytes: %s", r->map_len, strerror(errno));
		goto err;
	}
	r->ctl = p;
	r->data = (const uint8_t *)p + c->data_offset;
	r->epoch = c->epoch;
	r->cur.size = c->data_size;
	r->cur.max_record = c->max_record;
	r->buf = malloc(c->max_record);
	if (!r->buf) {
		fail(r, "out of memory");
		goto err_map;
	}
	r->cur.pos = c->reclaim;	/* earliest, as checked */
	r->beat = c->heartbeat;
	r->beat_head = c->head;
	r->beat_ns = pktring_now_ns(CLOCK_MONOTONIC);
	return 0;
err_map:
	munmap(p, r->map_len);
	r->ctl = NULL;
err:
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	pktring_place_close(&r->pl);
	return -1;
}

/* The guard every access to the mapping runs under (sigbus.h). */
#define GUARDED(r, jb, on_bus)						\
	do {								\
		if (sigsetjmp(jb, 1)) {					\
			PKTRING_SIGBUS_DISARM();			\
			truncated(r);					\
			on_bus;						\
		}							\
		PKTRING_SIGBUS_ARM(&(jb));				\
	} while (0)

static void truncated(struct pktring_reader *r)
{
	struct stat st;

	r->broken = 1;
	if (fstat(r->fd, &st) == 0 && !r->is_device)
		fail(r, "the file was truncated to %lld bytes under the reader, which maps %zu (SIGBUS): stopped",
		     (long long)st.st_size, r->map_len);
	else
		fail(r, "the mapping failed under the reader (SIGBUS): stopped");
}

void pktring_reader_seek_earliest(struct pktring_reader *r)
{
	sigjmp_buf jb;

	GUARDED(r, jb, return);
	r->cur.pos = PKTRING_LOAD_ACQUIRE(&r->ctl->reclaim);
	PKTRING_SIGBUS_DISARM();
	r->cur.seq_known = 0;
}

void pktring_reader_seek_latest(struct pktring_reader *r)
{
	sigjmp_buf jb;

	GUARDED(r, jb, return);
	r->cur.pos = PKTRING_LOAD_ACQUIRE(&r->ctl->head);
	PKTRING_SIGBUS_DISARM();
	r->cur.seq_known = 0;
}

int pktring_reader_seek(struct pktring_reader *r, uint64_t pos,
			const uint64_t *next_seq)
{
	sigjmp_buf jb;
	uint64_t h;

	GUARDED(r, jb, return -1);
	h = PKTRING_LOAD_ACQUIRE(&r->ctl->head);
	PKTRING_SIGBUS_DISARM();
	if (pos % PKTRING_ALIGN || pos > h)
		return fail(r, "position %llu is not a record boundary at or before head %llu",
			    (unsigned long long)pos, (unsigned long long)h);
	r->cur.pos = pos;
	r->cur.seq_known = next_seq != NULL;
	if (next_seq)
		r->cur.next_seq = *next_seq;
	return 0;
}

/* Called with the guard armed. */
static enum pktring_liveness liveness(struct pktring_reader *r)
{
	uint64_t now, beat, head;

	if (PKTRING_LOAD_ACQUIRE(&r->ctl->state) == PKTRING_STATE_ENDED)
		return PKTRING_WRITER_ENDED;
	if (!(r->id.flags & PKTRING_F_HEARTBEAT))
		return PKTRING_WRITER_SILENT;
	now = pktring_now_ns(CLOCK_MONOTONIC);
	beat = PKTRING_LOAD_ACQUIRE(&r->ctl->heartbeat);
	head = PKTRING_LOAD_ACQUIRE(&r->ctl->head);
	if (beat != r->beat || head != r->beat_head) {
		r->beat = beat;
		r->beat_head = head;
		r->beat_ns = now;
		r->beat_moved = 1;
		return PKTRING_WRITER_ALIVE;
	}
	if (r->writer_timeout_ms &&
	    now - r->beat_ns >= (uint64_t)r->writer_timeout_ms * 1000000)
		return PKTRING_WRITER_GONE;
	return r->beat_moved ? PKTRING_WRITER_ALIVE : PKTRING_WRITER_UNKNOWN;
}

enum pktring_liveness pktring_reader_liveness(struct pktring_reader *r)
{
	enum pktring_liveness l;
	sigjmp_buf jb;

	if (r->broken)
		return PKTRING_WRITER_UNKNOWN;
	GUARDED(r, jb, return PKTRING_WRITER_UNKNOWN);
	l = liveness(r);
	PKTRING_SIGBUS_DISARM();
	return l;
}

/*
 * Idle (caught up with head): has the ring ended, been replaced by a new
 * one, or lost its writer? A name that no longer exists is not a new ring:
 * its writer may still write the unlinked file. Called with the guard armed.
 */
static enum pktring_next idle_state(struct pktring_reader *r)
{
	struct stat st;
	uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);

	if (PKTRING_LOAD_ACQUIRE(&r->ctl->state) == PKTRING_STATE_ENDED &&
	    PKTRING_LOAD_ACQUIRE(&r->ctl->head) == r->cur.pos)
		return PKTRING_NEXT_ENDED;
	if (PKTRING_READ_ONCE(r->ctl->epoch) != r->epoch)
		return PKTRING_NEXT_NEW_EPOCH;
	if (liveness(r) == PKTRING_WRITER_GONE &&
	    PKTRING_LOAD_ACQUIRE(&r->ctl->head) == r->cur.pos)
		return PKTRING_NEXT_WRITER_GONE;
	if (r->is_device || now - r->path_checked_ns < WAIT_SLICE_MS * 1000000ull)
		return PKTRING_NEXT_TIMEOUT;
	r->path_checked_ns = now;
	if (fstatat(r->pl.dirfd, r->pl.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (st.st_ino != r->ino || st.st_dev != r->dev))
		return PKTRING_NEXT_NEW_EPOCH;
	return PKTRING_NEXT_TIMEOUT;
}

/* Called with the guard armed. */
static void wait_for_head(struct pktring_reader *r, int ms)
{
	uint32_t seen = PKTRING_LOAD_ACQUIRE(&r->ctl->wake_seq);

	if (PKTRING_LOAD_ACQUIRE(&r->ctl->head) != r->cur.pos ||
	    PKTRING_LOAD_ACQUIRE(&r->ctl->state) == PKTRING_STATE_ENDED)
		return;
	if (r->is_device) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };

		poll(&pfd, 1, ms);
	} else {
		pktring_futex_wait(&r->ctl->wake_seq, seen, ms);
	}
}

static enum pktring_next next(struct pktring_reader *r, int timeout_ms,
			      uint64_t *lost)
{
	uint64_t deadline = pktring_now_ns(CLOCK_MONOTONIC) +
			    (uint64_t)timeout_ms * 1000000;
	const char *why;
	int steps = 0;
	__u64 gap;

	for (;;) {
		switch (pktring_read(r->ctl, r->data, &r->cur, &r->hdr, r->buf,
				     &gap, &why)) {
		case PKTRING_READ_PACKET:
			*lost = gap;
			r->lost += *lost;
			r->laps += *lost != 0;
			return PKTRING_NEXT_PACKET;
		case PKTRING_READ_CORRUPT:
			fail(r, "corrupt at position %llu: %s",
			     (unsigned long long)r->cur.pos, why);
			return PKTRING_NEXT_ERROR;
		case PKTRING_READ_AGAIN:
			if (++steps < AGAIN_LIMIT)
				continue;
			return PKTRING_NEXT_TIMEOUT;
		case PKTRING_READ_EMPTY: {
			enum pktring_next s = idle_state(r);
			uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);
			int ms;

			if (s != PKTRING_NEXT_TIMEOUT)
				return s;
			if (now >= deadline)
				return PKTRING_NEXT_TIMEOUT;
			ms = (deadline - now + 999999) / 1000000;
			wait_for_head(r, ms < WAIT_SLICE_MS ? ms : WAIT_SLICE_MS);
			break;
		}
		}
	}
}

enum pktring_next pktring_reader_next(struct pktring_reader *r, int timeout_ms,
				      uint64_t *lost)
{
	enum pktring_next n;
	sigjmp_buf jb;

	if (r->broken)
		return PKTRING_NEXT_ERROR;
	GUARDED(r, jb, return PKTRING_NEXT_ERROR);
	n = next(r, timeout_ms, lost);
	PKTRING_SIGBUS_DISARM();
	return n;
}

int pktring_reader_ctl(struct pktring_reader *r, struct pktring_ctl *copy)
{
	const struct pktring_ctl *c = r->ctl;
	sigjmp_buf jb;
	unsigned int i;

	if (r->broken)
		return -1;
	GUARDED(r, jb, return -1);
	*copy = r->id;
	copy->head = PKTRING_LOAD_ACQUIRE(&c->head);
	copy->reclaim = PKTRING_LOAD_ACQUIRE(&c->reclaim);
	copy->state = PKTRING_LOAD_ACQUIRE(&c->state);
	copy->seq_next = PKTRING_READ_ONCE(c->seq_next);
	copy->heartbeat = PKTRING_READ_ONCE(c->heartbeat);
	copy->epoch = PKTRING_READ_ONCE(c->epoch);
	for (i = 0; i < PKTRING_CTR_MAX; i++)
		copy->counters[i] = PKTRING_READ_ONCE(c->counters[i]);
	PKTRING_SIGBUS_DISARM();
	return 0;
}

void pktring_reader_close(struct pktring_reader *r)
{
	if (r->ctl)
		munmap((void *)r->ctl, r->map_len);
	r->ctl = NULL;
	free(r->buf);
	r->buf = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	pktring_place_close(&r->pl);
}
