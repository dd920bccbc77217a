// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: a group's directory and its reader, which merges the members by time, are one concept.
/* Ring groups: the writers' directory, the reader that merges the members. */
#include "pktring_group.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SLICE_MS	5	/* wait on one empty member at a time */

struct pktring_group_member {
	int pending;		/* m[i].hdr/buf hold a packet not returned */
	int done;		/* ended, or at its until_end head */
	uint64_t lost;		/* lost just before the pending packet */
	uint64_t pending_ns;	/* CLOCK_MONOTONIC when it was read */
	uint64_t empty_rt;	/* CLOCK_REALTIME it was last seen empty */
	uint64_t target;	/* until_end: its head then */
	int has_target;
};

/* A member file name: the decimal index and nothing else. */
static int member_index(const char *name, unsigned long *index)
{
	char *end;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	*index = strtoul(name, &end, 10);
	return !*end;
}

int pktring_group_prepare(const char *group, unsigned int count,
			  const struct pktring_perm *perm, char *dir,
			  size_t dirlen, char *err, size_t len)
{
	struct pktring_place pl;
	struct dirent *e;
	struct stat st;
	int fd, rc = 0;
	DIR *d;

	/* the group's directory is where a ring of that name would be */
	if (pktring_place_open(&pl, group, PKTRING_FOR_WRITER, perm, err, len))
		return -1;
	snprintf(dir, dirlen, "%s", pl.path);
	if (mkdirat(pl.dirfd, pl.name, 0750) != 0 && errno != EEXIST) {
		snprintf(err, len, "group %s: mkdir: %s", pl.path, strerror(errno));
		pktring_place_close(&pl);
		return -1;
	}
	if (fstatat(pl.dirfd, pl.name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		snprintf(err, len, "group %s: is a single ring, not a group directory: remove it or choose another name",
			 pl.path);
		pktring_place_close(&pl);
		return -1;
	}
	if (perm && perm->set_gid)
		fchownat(pl.dirfd, pl.name, -1, perm->gid, AT_SYMLINK_NOFOLLOW);
	fd = openat(pl.dirfd, pl.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	pktring_place_close(&pl);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		snprintf(err, len, "group %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		unsigned long index;
		int m;

		if (!member_index(e->d_name, &index) || index < count)
			continue;
		/* a member of a larger group that ran here before */
		m = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (m >= 0 && flock(m, LOCK_EX | LOCK_NB) != 0) {
			snprintf(err, len, "group %s: member %lu is being written by another process",
				 dir, index);
			rc = -1;
		} else {
			unlinkat(dirfd(d), e->d_name, 0);
		}
		if (m >= 0)
			close(m);
	}
	closedir(d);
	return rc;
}

static int fail(struct pktring_group_reader *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(g->err, sizeof(g->err), "group %s: ", g->path);
	va_start(ap, fmt);
	vsnprintf(g->err + n, sizeof(g->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int alloc_members(struct pktring_group_reader *g, unsigned int count)
{
	unsigned int i;

	g->m = calloc(count, sizeof(*g->m));
	g->st = calloc(count, sizeof(*g->st));
	if (!g->m || !g->st)
		return fail(g, "out of memory");
	for (i = 0; i < count; i++)
		g->m[i].fd = -1;
	return 0;
}

/* Member index has the identity member 0 gave the group. */
static int check_member(struct pktring_group_reader *g, unsigned int index)
{
	const struct pktring_ctl *c = &g->m[index].id;

	if (c->group_epoch != g->group_epoch || c->ring_count != g->count ||
	    c->ring_index != index)
		return fail(g, "member %u is not of this group (group epoch 0x%016llx, member %u of %u; member 0: group epoch 0x%016llx, %u members): the group is being re-created, try again",
			    index, (unsigned long long)c->group_epoch,
			    c->ring_index, c->ring_count,
			    (unsigned long long)g->group_epoch, g->count);
	return 0;
}

int pktring_group_open(struct pktring_group_reader *g, const char *ring)
{
	char path[PATH_MAX + 16], why[PKTRING_ERR_LEN];
	struct pktring_place pl;
	struct stat st;
	unsigned int i;
	int is_dir;

	memset(g, 0, sizeof(*g));
	g->returned = -1;
	snprintf(g->path, sizeof(g->path), "%.*s", (int)sizeof(g->path) - 1, ring);
	/* resolve the name as for a ring; the directory there is a group */
	if (pktring_place_open(&pl, ring, PKTRING_FOR_READER, NULL, why,
			       sizeof(why)) == 0) {
		snprintf(g->path, sizeof(g->path), "%s", pl.path);
		is_dir = fstatat(pl.dirfd, pl.name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			 S_ISDIR(st.st_mode);
		pktring_place_close(&pl);
	} else {
		is_dir = 0;	/* the ring reader says why */
	}
	if (!is_dir) {
		/* one ring: what the plain reader says about it */
		g->count = 1;
		if (alloc_members(g, 1))
			goto err;
		if (pktring_reader_open(&g->m[0], ring)) {
			snprintf(g->err, sizeof(g->err), "%s", g->m[0].err);
			goto err;
		}
		return 0;
	}
	g->is_group = 1;
	g->count = 1;
	if (alloc_members(g, 1))
		goto err;
	snprintf(path, sizeof(path), "%s/0", g->path);
	if (access(path, F_OK) != 0) {
		fail(g, "is neither a ring file, a pktring device nor a ring group (it has no member 0)");
		goto err;
	}
	if (pktring_reader_open(&g->m[0], path)) {
		fail(g, "member 0: %s", g->m[0].err);
		goto err;
	}
	g->group_epoch = g->m[0].id.group_epoch;
	if (!g->group_epoch || g->m[0].id.ring_index != 0 ||
	    g->m[0].id.ring_count < 1 ||
	    g->m[0].id.ring_count > PKTRING_GROUP_MAX) {
		fail(g, "member 0 is not a group member (group epoch 0x%016llx, member %u of %u)",
		     (unsigned long long)g->group_epoch,
		     g->m[0].id.ring_index, g->m[0].id.ring_count);
		goto err;
	}
	{
		struct pktring_reader first = g->m[0];
		unsigned int count = g->m[0].id.ring_count;

		free(g->m);
		free(g->st);
		g->count = 0;
		if (alloc_members(g, count)) {
			pktring_reader_close(&first);
			goto err;
		}
		g->m[0] = first;
		g->count = count;
	}
	for (i = 1; i < g->count; i++) {
		snprintf(path, sizeof(path), "%s/%u", g->path, i);
		if (pktring_reader_open(&g->m[i], path)) {
			fail(g, "member %u of %u: %s", i, g->count, g->m[i].err);
			goto err;
		}
		if (check_member(g, i))
			goto err;
	}
	return 0;
err:
	pktring_group_close(g);
	return -1;
}

int pktring_group_keep_member(struct pktring_group_reader *g,
			      unsigned int index)
{
	unsigned int i;

	if (index >= g->count)
		return fail(g, "no member %u: the group has %u", index,
			    g->count);
	for (i = 0; i < g->count; i++)
		if (i != index)
			pktring_reader_close(&g->m[i]);
	g->m[0] = g->m[index];
	g->count = 1;
	snprintf(g->path, sizeof(g->path), "%s", g->m[0].pl.path);
	return 0;
}

void pktring_group_seek_earliest(struct pktring_group_reader *g)
{
	unsigned int i;

	for (i = 0; i < g->count; i++) {
		pktring_reader_seek_earliest(&g->m[i]);
		g->st[i].pending = 0;
	}
}

void pktring_group_seek_latest(struct pktring_group_reader *g)
{
	unsigned int i;

	for (i = 0; i < g->count; i++) {
		pktring_reader_seek_latest(&g->m[i]);
		g->st[i].pending = 0;
	}
}

void pktring_group_until_end(struct pktring_group_reader *g)
{
	unsigned int i;

	for (i = 0; i < g->count; i++) {
		g->st[i].target = g->m[i].id.head;	/* as checked at open */
		g->st[i].has_target = 1;
	}
}

/*
 * Read member i once, waiting up to ms: a packet becomes pending, an end
 * marks it done. Returns PKTRING_NEXT_PACKET to go on, or what the caller
 * must return (NEW_EPOCH, ERROR).
 */
static enum pktring_next pull(struct pktring_group_reader *g, unsigned int i,
			      int ms)
{
	struct pktring_group_member *s = &g->st[i];
	struct pktring_reader *r = &g->m[i];
	uint64_t t = pktring_now_ns(CLOCK_REALTIME), lost;
	struct pktring_ctl live;
	enum pktring_next n;

	if (s->has_target && r->cur.pos >= s->target) {
		s->done = 1;
		return PKTRING_NEXT_PACKET;
	}
	n = pktring_reader_next(r, ms, &lost);
	switch (n) {
	case PKTRING_NEXT_PACKET:
		s->pending = 1;
		s->lost = lost;
		s->pending_ns = pktring_now_ns(CLOCK_MONOTONIC);
		break;
	case PKTRING_NEXT_ENDED:
		s->done = 1;
		break;
	case PKTRING_NEXT_TIMEOUT:
		/* seen empty at t: a later record has ts_ns >= t - slack */
		if (pktring_reader_ctl(r, &live) == 0 && live.head == r->cur.pos)
			s->empty_rt = t + (uint64_t)ms * 1000000;
		break;
	case PKTRING_NEXT_NEW_EPOCH:
		fail(g, "member %u was re-created (new epoch)", i);
		return n;
	case PKTRING_NEXT_WRITER_GONE:
		fail(g, "member %u: writer gone", i);
		g->gone = i;
		return n;
	case PKTRING_NEXT_ERROR:
		snprintf(g->err, sizeof(g->err), "%s", r->err);
		return n;
	}
	return PKTRING_NEXT_PACKET;
}

/* The pending packet to return now, or -1: see pktring_group.h. */
static int choose(struct pktring_group_reader *g)
{
	uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);
	unsigned int i;
	int c = -1;

	for (i = 0; i < g->count; i++)
		if (g->st[i].pending &&
		    (c < 0 || g->m[i].hdr.ts_ns < g->m[c].hdr.ts_ns))
			c = i;
	if (c < 0)
		return -1;
	if (now - g->st[c].pending_ns >= PKTRING_MERGE_STUCK_NS)
		return c;
	for (i = 0; i < g->count; i++) {
		const struct pktring_group_member *s = &g->st[i];

		if (s->pending || s->done)
			continue;
		if (g->m[c].hdr.ts_ns + PKTRING_MERGE_SLACK_NS > s->empty_rt)
			return -1;	/* i may still publish an earlier one */
	}
	return c;
}

enum pktring_next pktring_group_next(struct pktring_group_reader *g,
				     int timeout_ms, unsigned int *member,
				     uint64_t *lost)
{
	uint64_t deadline = pktring_now_ns(CLOCK_MONOTONIC) +
			    (uint64_t)timeout_ms * 1000000;
	enum pktring_next n;
	unsigned int i, k;
	int c;

	if (g->returned >= 0)
		g->st[g->returned].pending = 0;
	g->returned = -1;
	for (;;) {
		uint64_t now;
		int all_done = 1, ms;

		for (i = 0; i < g->count; i++) {
			if (g->st[i].pending || g->st[i].done)
				continue;
			n = pull(g, i, 0);
			if (n != PKTRING_NEXT_PACKET)
				return n;
		}
		c = choose(g);
		if (c >= 0) {
			g->returned = c;
			*member = c;
			*lost = g->st[c].lost;
			return PKTRING_NEXT_PACKET;
		}
		for (i = 0; i < g->count; i++)
			all_done &= g->st[i].done && !g->st[i].pending;
		if (all_done)
			return PKTRING_NEXT_ENDED;
		now = pktring_now_ns(CLOCK_MONOTONIC);
		if (now >= deadline)
			return PKTRING_NEXT_TIMEOUT;
		/* wait on the next empty member, a slice at a time */
		ms = (deadline - now + 999999) / 1000000;
		if (ms > WAIT_SLICE_MS)
			ms = WAIT_SLICE_MS;
		for (k = 0; k < g->count; k++) {
			i = (g->wait_next + k) % g->count;
			if (!g->st[i].pending && !g->st[i].done)
				break;
		}
		if (k == g->count)	/* cannot be: choose() had no blocker */
			return PKTRING_NEXT_TIMEOUT;
		g->wait_next = (i + 1) % g->count;
		n = pull(g, i, ms);
		if (n != PKTRING_NEXT_PACKET)
			return n;
	}
}

uint64_t pktring_group_lost(const struct pktring_group_reader *g)
{
	uint64_t lost = 0;
	unsigned int i;

	for (i = 0; i < g->count; i++)
		lost += g->m[i].lost;
	return lost;
}

void pktring_group_close(struct pktring_group_reader *g)
{
	unsigned int i;

	if (g->m)
		for (i = 0; i < g->count; i++)
			pktring_reader_close(&g->m[i]);
	free(g->m);
	free(g->st);
	g->m = NULL;
	g->st = NULL;
	g->count = 0;
}
