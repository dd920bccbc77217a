// SPDX-License-Identifier: BSD-2-Clause
/* The user-space ring writer: a shared-memory file, one writer (flock). */
#include "pktring.h"
#include "futex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct pktring_ctl) <= PKTRING_CTL_SIZE, "ctl page");
_Static_assert(offsetof(struct pktring_ctl, head) == PKTRING_OFF_HEAD, "head");
_Static_assert(offsetof(struct pktring_ctl, wake_seq) == PKTRING_OFF_WAKE_SEQ, "wake");
_Static_assert(offsetof(struct pktring_ctl, seq_next) == PKTRING_OFF_SEQ_NEXT, "seq");
_Static_assert(offsetof(struct pktring_ctl, counters) == PKTRING_OFF_COUNTERS, "ctrs");
_Static_assert(sizeof(struct pktring_rec) == PKTRING_REC_HDR_SIZE, "rec");
_Static_assert(offsetof(struct pktring_rec, protocol) == PKTRING_ROFF_PROTOCOL, "proto");

static int fail(struct pktring_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, sizeof(w->err), "ring %s: ", w->path);
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t new_epoch(void)
{
	uint64_t e = 0;

	while (!e)
		if (getrandom(&e, sizeof(e), 0) != sizeof(e))
			e = pktring_now_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);
	return e;
}

static int map_rw(struct pktring_writer *w, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);

	if (p == MAP_FAILED)
		return fail(w, "mmap: %s", strerror(errno));
	w->ctl = p;
	w->map_len = len;
	w->data = (uint8_t *)p + w->ctl->data_offset;
	return 0;
}

int pktring_writer_create(struct pktring_writer *w, const char *ring,
			  const struct pktring_create_opts *o)
{
	char tmp[4200];
	struct pktring_ctl *c;
	int old_fd;
	uint64_t max_record = pktring_rec_len(o->snaplen);
	size_t len;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	pktring_ring_path(ring, 0, w->path, sizeof(w->path));
	if (!o->data_size || (o->data_size & (o->data_size - 1)) ||
	    o->data_size < PKTRING_MIN_DATA_SIZE || o->data_size > PKTRING_MAX_DATA_SIZE)
		return fail(w, "size %llu is not a power of two between 4k and 1T",
			    (unsigned long long)o->data_size);
	if (max_record > o->data_size / 2)
		return fail(w, "size %llu too small for snaplen %u (need %llu)",
			    (unsigned long long)o->data_size, o->snaplen,
			    (unsigned long long)max_record * 2);
	if (!strchr(ring, '/'))
		mkdir(PKTRING_SHM_DIR, 0755);

	/* A ring someone still writes is not replaced. */
	old_fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (old_fd >= 0 && flock(old_fd, LOCK_EX | LOCK_NB) != 0) {
		close(old_fd);
		return fail(w, "is being written by another process");
	}

	/* Build the new ring aside, then rename it over the path. */
	snprintf(tmp, sizeof(tmp), "%s.new.%d", w->path, (int)getpid());
	w->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		fail(w, "create %s: %s", tmp, strerror(errno));
		goto err_old;
	}
	flock(w->fd, LOCK_EX);
	len = PKTRING_CTL_SIZE + o->data_size;
	/*
	 * Allocate every page now: a full /dev/shm fails here with a clear
	 * error instead of a SIGBUS on some later write, and the hot path
	 * takes no page faults.
	 */
	errno = posix_fallocate(w->fd, 0, len);
	if (errno) {
		fail(w, "allocate %zu bytes: %s", len, strerror(errno));
		goto err_tmp;
	}
	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, w->fd, 0);
	if (c == MAP_FAILED) {
		fail(w, "mmap: %s", strerror(errno));
		goto err_tmp;
	}
	c->magic = PKTRING_MAGIC;
	c->abi_version = PKTRING_ABI_VERSION;
	c->rec_hdr_size = PKTRING_REC_HDR_SIZE;
	c->data_offset = PKTRING_CTL_SIZE;
	c->data_size = o->data_size;
	c->epoch = new_epoch();
	c->created_ns = pktring_now_ns(CLOCK_REALTIME);
	c->linktype = o->linktype;
	c->snaplen = o->snaplen;
	c->ifindex = o->ifindex;
	c->flags = PKTRING_WAIT_FUTEX | o->flags;
	snprintf(c->ifname, sizeof(c->ifname), "%s", o->ifname ? o->ifname : "");
	c->group_epoch = o->group_epoch;
	c->ring_index = o->ring_index;
	c->ring_count = o->group_epoch ? o->ring_count : 1;
	c->max_record = max_record;
	c->ctr_count = PKTRING_CTR_USED;
	PKTRING_STORE_RELEASE(&c->state, PKTRING_STATE_LIVE);
	w->ctl = c;
	w->map_len = len;
	w->data = (uint8_t *)c + PKTRING_CTL_SIZE;
	if (rename(tmp, w->path) != 0) {
		fail(w, "rename %s: %s", tmp, strerror(errno));
		munmap(c, len);
		w->ctl = NULL;
		goto err_tmp;
	}
	if (old_fd >= 0)
		close(old_fd);
	return 0;

err_tmp:
	unlink(tmp);
	close(w->fd);
	w->fd = -1;
err_old:
	if (old_fd >= 0)
		close(old_fd);
	return -1;
}

int pktring_writer_append(struct pktring_writer *w, const char *ring)
{
	struct pktring_ctl c;
	struct stat st;
	char why[256];

	memset(w, 0, sizeof(*w));
	pktring_ring_path(ring, 0, w->path, sizeof(w->path));
	w->fd = open(w->path, O_RDWR | O_CLOEXEC);
	if (w->fd < 0)
		return fail(w, "open: %s", strerror(errno));
	if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
		fail(w, "is being written by another process");
		goto err;
	}
	if (fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fail(w, "is not a shared-memory ring file");
		goto err;
	}
	if (pread(w->fd, &c, sizeof(c), 0) != sizeof(c)) {
		fail(w, "too short: %lld bytes, a ring needs at least %u",
		     (long long)st.st_size, PKTRING_CTL_SIZE);
		goto err;
	}
	if (pktring_check_ctl(&c, st.st_size, why, sizeof(why))) {
		fail(w, "%s", why);
		goto err;
	}
	if ((c.flags & PKTRING_WAIT_MASK) != PKTRING_WAIT_FUTEX) {
		fail(w, "is not a shared-memory ring");
		goto err;
	}
	if (map_rw(w, c.data_offset + c.data_size) != 0)
		goto err;
	PKTRING_STORE_RELEASE(&w->ctl->state, PKTRING_STATE_LIVE);
	return 0;
err:
	close(w->fd);
	w->fd = -1;
	return -1;
}

static void wake(struct pktring_writer *w, uint64_t now)
{
	pktring_futex_wake(&w->ctl->wake_seq);		/* W6 */
	w->last_wake_ns = now;
	w->pending = 0;
}

int pktring_writer_put(struct pktring_writer *w, const struct pktring_rec *meta,
		       const void *bytes)
{
	struct pktring_ctl *c = w->ctl;
	struct pktring_rec *rec;
	__u64 end;
	uint64_t now;

	c->counters[PKTRING_CTR_SEEN]++;
	rec = pktring_reserve(c, w->data, meta, &end);
	if (!rec) {
		c->counters[PKTRING_CTR_DROP_TOO_BIG]++;
		return -1;
	}
	memcpy(rec + 1, bytes, meta->caplen);
	pktring_publish(c, rec, end);

	/*
	 * W6 at most every PKTRING_WAKE_NS. The clock is read for each of the
	 * first 16 records after a wake, then for every 16th, so a busy
	 * writer does not pay for it per packet; a writer going idle calls
	 * flush.
	 */
	if (++w->pending <= 16 || w->pending % 16 == 0) {
		now = pktring_now_ns(CLOCK_MONOTONIC);
		if (now - w->last_wake_ns >= PKTRING_WAKE_NS)
			wake(w, now);
	}
	return 0;
}

void pktring_writer_count(struct pktring_writer *w, enum pktring_counter c,
			  uint64_t n)
{
	w->ctl->counters[c] += n;
}

void pktring_writer_flush(struct pktring_writer *w)
{
	if (w->pending)
		wake(w, pktring_now_ns(CLOCK_MONOTONIC));
}

void pktring_writer_close(struct pktring_writer *w, int end)
{
	if (w->ctl) {
		if (end)
			PKTRING_STORE_RELEASE(&w->ctl->state, PKTRING_STATE_ENDED);
		wake(w, 0);
		munmap(w->ctl, w->map_len);
		w->ctl = NULL;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
