// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: placement, W1-W6, heartbeat and end are one writer.
/* The user-space ring writer: a shared-memory file, one writer (flock). */
#include "libpktring.h"
#include "futex.h"
#include "heartbeat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(struct pktring_ctl) <= PKTRING_CTL_SIZE, "ctl page");
_Static_assert(offsetof(struct pktring_ctl, head) == PKTRING_OFF_HEAD, "head");
_Static_assert(offsetof(struct pktring_ctl, wake_seq) == PKTRING_OFF_WAKE_SEQ, "wake");
_Static_assert(offsetof(struct pktring_ctl, seq_next) == PKTRING_OFF_SEQ_NEXT, "seq");
_Static_assert(offsetof(struct pktring_ctl, heartbeat) == PKTRING_OFF_HEARTBEAT, "beat");
_Static_assert(offsetof(struct pktring_ctl, counters) == PKTRING_OFF_COUNTERS, "ctrs");
_Static_assert(sizeof(struct pktring_rec) == PKTRING_REC_HDR_SIZE, "rec");
_Static_assert(offsetof(struct pktring_rec, protocol) == PKTRING_ROFF_PROTOCOL, "proto");

static int fail(struct pktring_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(w->err, sizeof(w->err), "ring %s: ", w->pl.path);
	va_start(ap, fmt);
	vsnprintf(w->err + n, sizeof(w->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* A writer's start: its place (checked directory) or why not. */
static int place(struct pktring_writer *w, const char *ring,
		 const struct pktring_perm *perm)
{
	char why[PKTRING_ERR_LEN];

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	pktring_catch_sigbus();
	if (pktring_place_open(&w->pl, ring, PKTRING_FOR_WRITER, perm, why,
			       sizeof(why))) {
		if (!w->pl.path[0])
			snprintf(w->pl.path, sizeof(w->pl.path), "%.200s", ring);
		return fail(w, "%s", why);
	}
	return 0;
}

/*
 * What is at the ring's name now: nothing, or a ring nobody writes. Any
 * other file is not ours to replace (pktring-replay -r ./x.pcap). Returns
 * the open ring (its flock probed) or -1 for none, in *old_fd.
 */
static int check_old(struct pktring_writer *w, int *old_fd)
{
	char why[PKTRING_ERR_LEN];
	struct stat st;
	uint64_t magic = 0;

	*old_fd = pktring_place_open_ring(&w->pl, O_RDONLY, &st, why, sizeof(why));
	if (*old_fd < 0)
		return errno == ENOENT ? 0 : fail(w, "%s", why);
	if (pread(*old_fd, &magic, sizeof(magic), 0) != sizeof(magic) ||
	    magic != PKTRING_MAGIC)
		return fail(w, "exists and is not a pktring ring (%lld bytes): refusing to replace it",
			    (long long)st.st_size);
	if (flock(*old_fd, LOCK_EX | LOCK_NB) != 0)
		return fail(w, "is being written by another process");
	return 0;
}

/* A --group whose members cannot enter the directory: say so. */
static void group_reach(struct pktring_writer *w, const struct pktring_perm *perm)
{
	struct stat st;

	if (perm->set_gid && fstat(w->pl.dirfd, &st) == 0 &&
	    st.st_gid != perm->gid && !(st.st_mode & S_IXOTH))
		snprintf(w->warning, sizeof(w->warning),
			 "ring %s: members of group %u cannot enter its directory (group %u, mode %04o): chgrp %u or chmod o+x it",
			 w->pl.path, (unsigned int)perm->gid, (unsigned int)st.st_gid,
			 (unsigned int)(st.st_mode & 07777), (unsigned int)perm->gid);
}

static int start_beating(struct pktring_writer *w)
{
	w->beat = pktring_heartbeat_start(w->ctl);
	if (!w->beat)
		return fail(w, "heartbeat thread: %s", strerror(errno));
	return 0;
}

int pktring_writer_create(struct pktring_writer *w, const char *ring,
			  const struct pktring_create_opts *o)
{
	char tmp[NAME_MAX + 1];
	struct pktring_ctl *c;
	int old_fd = -1, tmp_made = 0;
	uint64_t max_record = pktring_rec_len(o->snaplen);
	unsigned int mode = o->perm.mode ? o->perm.mode : PKTRING_DEFAULT_RING_MODE;
	size_t len;

	if (place(w, ring, &o->perm))
		return -1;
	if (!o->data_size || (o->data_size & (o->data_size - 1)) ||
	    o->data_size < PKTRING_MIN_DATA_SIZE || o->data_size > PKTRING_MAX_DATA_SIZE) {
		fail(w, "size %llu is not a power of two between 4k and 1T",
		     (unsigned long long)o->data_size);
		goto err;
	}
	if (max_record > o->data_size / 2) {
		fail(w, "size %llu too small for snaplen %u (need %llu)",
		     (unsigned long long)o->data_size, o->snaplen,
		     (unsigned long long)max_record * 2);
		goto err;
	}
	if (mode & ~0666u) {
		fail(w, "mode %04o is not within 0666", mode);
		goto err;
	}
	if (check_old(w, &old_fd))
		goto err;
	group_reach(w, &o->perm);

	/* Build the new ring aside, then rename it over the name. */
	snprintf(tmp, sizeof(tmp), "%s.new.%d", w->pl.name, (int)getpid());
	w->fd = openat(w->pl.dirfd, tmp,
		       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		fail(w, "create %s: %s", tmp, strerror(errno));
		goto err;
	}
	tmp_made = 1;
	/* the mode asked for, whatever the umask; the group before the mode */
	if (o->perm.set_gid && fchown(w->fd, -1, o->perm.gid) != 0) {
		fail(w, "group %u: %s", (unsigned int)o->perm.gid, strerror(errno));
		goto err;
	}
	if (fchmod(w->fd, mode) != 0) {
		fail(w, "mode %04o: %s", mode, strerror(errno));
		goto err;
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
		goto err;
	}
	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, w->fd, 0);
	if (c == MAP_FAILED) {
		fail(w, "mmap: %s", strerror(errno));
		goto err;
	}
	c->magic = PKTRING_MAGIC;
	c->abi_version = PKTRING_ABI_VERSION;
	c->rec_hdr_size = PKTRING_REC_HDR_SIZE;
	c->data_offset = PKTRING_CTL_SIZE;
	c->data_size = o->data_size;
	c->epoch = pktring_new_epoch();
	c->created_ns = pktring_now_ns(CLOCK_REALTIME);
	c->linktype = o->linktype;
	c->snaplen = o->snaplen;
	c->ifindex = o->ifindex;
	c->flags = PKTRING_WAIT_FUTEX | PKTRING_F_HEARTBEAT | o->flags;
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
	w->pos.size = o->data_size;
	w->pos.max_record = max_record;
	if (start_beating(w))
		goto err_map;
	/* no file may appear at a free name meanwhile and be replaced */
	if (renameat2(w->pl.dirfd, tmp, w->pl.dirfd, w->pl.name,
		      old_fd < 0 ? RENAME_NOREPLACE : 0) != 0) {
		fail(w, "rename %s: %s", tmp, strerror(errno));
		goto err_map;
	}
	if (old_fd >= 0)
		close(old_fd);
	return 0;

err_map:
	pktring_heartbeat_stop(w->beat);
	w->beat = NULL;
	munmap(c, len);
	w->ctl = NULL;
err:
	if (tmp_made)
		unlinkat(w->pl.dirfd, tmp, 0);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (old_fd >= 0)
		close(old_fd);
	pktring_place_close(&w->pl);
	return -1;
}

int pktring_writer_append(struct pktring_writer *w, const char *ring)
{
	struct pktring_ctl c;
	struct stat st;
	char why[PKTRING_ERR_LEN];

	if (place(w, ring, NULL))
		return -1;
	w->fd = pktring_place_open_ring(&w->pl, O_RDWR, &st, why, sizeof(why));
	if (w->fd < 0) {
		fail(w, "%s", why);
		goto err;
	}
	if (flock(w->fd, LOCK_EX | LOCK_NB) != 0) {
		fail(w, "is being written by another process");
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(w, "is not a shared-memory ring file");
		goto err;
	}
	/* checked and used: one copy, taken under our lock */
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
	w->map_len = c.data_offset + c.data_size;
	w->ctl = mmap(NULL, w->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      w->fd, 0);
	if (w->ctl == MAP_FAILED) {
		w->ctl = NULL;
		fail(w, "mmap: %s", strerror(errno));
		goto err;
	}
	w->data = (uint8_t *)w->ctl + c.data_offset;
	w->pos.size = c.data_size;
	w->pos.max_record = c.max_record;
	w->pos.head = c.head;
	w->pos.reclaim = c.reclaim;
	w->pos.seq_next = c.seq_next;
	PKTRING_WRITE_ONCE(w->ctl->flags, c.flags | PKTRING_F_HEARTBEAT);
	if (start_beating(w)) {
		munmap(w->ctl, w->map_len);
		w->ctl = NULL;
		goto err;
	}
	PKTRING_STORE_RELEASE(&w->ctl->state, PKTRING_STATE_LIVE);
	return 0;
err:
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	pktring_place_close(&w->pl);
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
	rec = pktring_reserve(c, &w->pos, w->data, meta, &end);
	if (!rec) {
		c->counters[PKTRING_CTR_DROP_TOO_BIG]++;
		return -1;
	}
	memcpy(rec + 1, bytes, meta->caplen);
	pktring_publish(c, &w->pos, meta, end);

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
	pktring_heartbeat_stop(w->beat);
	w->beat = NULL;
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
	pktring_place_close(&w->pl);
}
