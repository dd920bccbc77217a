// SPDX-License-Identifier: BSD-2-Clause
/* The user-space ring reader: read-only mapping, identity check, waiting. */
#include "pktring.h"
#include "futex.h"

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

	n = snprintf(r->err, sizeof(r->err), "ring %s: ", r->path);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

int pktring_reader_open(struct pktring_reader *r, const char *ring)
{
	struct pktring_ctl c;
	struct stat st;
	const struct pktring_ctl *page;
	char why[256];
	void *p;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	pktring_ring_path(ring, 1, r->path, sizeof(r->path));
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return fail(r, "open: %s", strerror(errno));
	if (fstat(r->fd, &st) != 0) {
		fail(r, "fstat: %s", strerror(errno));
		goto err;
	}
	r->is_device = S_ISCHR(st.st_mode);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if (!r->is_device && !S_ISREG(st.st_mode)) {
		fail(r, "is neither a ring file nor a pktring device");
		goto err;
	}
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
	memcpy(&c, page, sizeof(c));
	if (pktring_check_ctl(page, r->is_device ? 0 : st.st_size, why, sizeof(why))) {
		munmap((void *)page, PKTRING_CTL_SIZE);
		fail(r, "%s", why);
		goto err;
	}
	munmap((void *)page, PKTRING_CTL_SIZE);

	r->map_len = c.data_offset + c.data_size;
	p = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, r->fd, 0);
	if (p == MAP_FAILED) {
		fail(r, "mmap %zu bytes: %s", r->map_len, strerror(errno));
		goto err;
	}
	r->ctl = p;
	r->data = (const uint8_t *)p + c.data_offset;
	r->epoch = c.epoch;
	r->cur.size = c.data_size;
	r->cur.max_record = c.max_record;
	r->buf = malloc(c.max_record);
	if (!r->buf) {
		fail(r, "out of memory");
		goto err_map;
	}
	pktring_reader_seek_earliest(r);
	return 0;
err_map:
	munmap(p, r->map_len);
	r->ctl = NULL;
err:
	close(r->fd);
	r->fd = -1;
	return -1;
}

void pktring_reader_seek_earliest(struct pktring_reader *r)
{
	r->cur.pos = PKTRING_LOAD_ACQUIRE(&r->ctl->reclaim);
	r->cur.seq_known = 0;
}

void pktring_reader_seek_latest(struct pktring_reader *r)
{
	r->cur.pos = PKTRING_LOAD_ACQUIRE(&r->ctl->head);
	r->cur.seq_known = 0;
}

int pktring_reader_seek(struct pktring_reader *r, uint64_t pos,
			const uint64_t *next_seq)
{
	uint64_t h = PKTRING_LOAD_ACQUIRE(&r->ctl->head);

	if (pos % PKTRING_ALIGN || pos > h)
		return fail(r, "position %llu is not a record boundary at or before head %llu",
			    (unsigned long long)pos, (unsigned long long)h);
	r->cur.pos = pos;
	r->cur.seq_known = next_seq != NULL;
	if (next_seq)
		r->cur.next_seq = *next_seq;
	return 0;
}

/*
 * Idle: has the ring ended, or been replaced by a new one? A path that
 * no longer exists is not a new ring: its writer may still write the
 * unlinked file.
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
	if (r->is_device || now - r->path_checked_ns < WAIT_SLICE_MS * 1000000ull)
		return PKTRING_NEXT_TIMEOUT;
	r->path_checked_ns = now;
	if (stat(r->path, &st) == 0 && (st.st_ino != r->ino || st.st_dev != r->dev))
		return PKTRING_NEXT_NEW_EPOCH;
	return PKTRING_NEXT_TIMEOUT;
}

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

enum pktring_next pktring_reader_next(struct pktring_reader *r, int timeout_ms,
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
}
