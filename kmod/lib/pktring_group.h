/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ring groups (include/uapi/pktring.h, "Ring groups"): one capture written
 * into several rings, one writer each, a directory of members named 0 ..
 * ring_count - 1: /dev/pktring/IFACE/N (kernel, per CPU) or
 * /dev/shm/pktring/NAME/N (pktring-capd --rings, by flow), named as a
 * ring is (libpktring.h: Ring names).
 *
 * The group reader opens every member of one group_epoch and returns the
 * packets of all of them merged by ts_ns (ties: lower member first), each
 * member's packets in their ring order. A packet is returned once every
 * other member has a later one waiting, has ended, or has shown nothing
 * new since PKTRING_MERGE_SLACK_NS past the packet's time; so the merge is
 * exact unless a writer publishes a packet more than that long after its
 * timestamp, and a packet waits at most PKTRING_MERGE_STUCK_NS (clocks
 * that disagree, e.g. hardware timestamps). A plain ring opens as a group
 * of one.
 */
#ifndef PKTRING_GROUP_H
#define PKTRING_GROUP_H

#include "libpktring.h"

#define PKTRING_GROUP_MAX	4096	/* members, as the module's minors */
#define PKTRING_MERGE_SLACK_NS	50000000ull	/* 50 ms */
#define PKTRING_MERGE_STUCK_NS	1000000000ull	/* 1 s */

/*
 * Writers: make the group's directory, where a ring named group would be
 * (libpktring.h: Ring names, Trust; mode 0750, perm's group), give its
 * path in dir (members are dir/0 .. dir/count-1) and remove members
 * numbered count or more that no writer holds (left by a larger group).
 * 0, or -1 with the reason in err.
 */
int pktring_group_prepare(const char *group, unsigned int count,
			  const struct pktring_perm *perm, char *dir,
			  size_t dirlen, char *err, size_t len);
/*
 * A symmetric hash of the flow of a packet (LINKTYPE_ETHERNET or _RAW):
 * IP addresses, protocol and ports (addresses only for a fragment), MAC
 * addresses for non-IP frames; both directions of a flow hash alike.
 */
uint32_t pktring_flow_hash(const uint8_t *p, uint32_t caplen, uint32_t linktype);

struct pktring_group_member;

struct pktring_group_reader {
	unsigned int count;
	int is_group;		/* a directory of members, not one ring */
	uint64_t group_epoch;	/* 0 for a plain ring */
	struct pktring_reader *m;	/* count members */
	struct pktring_group_member *st;
	int returned;		/* member of the last packet, or -1 */
	unsigned int gone;	/* after WRITER_GONE: the member */
	unsigned int wait_next;	/* member to wait on next (rotating) */
	char path[PATH_MAX];
	char err[PKTRING_ERR_LEN];
};

/* The group (or plain ring) at ring; every member's identity checked. */
int pktring_group_open(struct pktring_group_reader *g, const char *ring);
/* Only member index of it (a group of one). */
int pktring_group_keep_member(struct pktring_group_reader *g,
			      unsigned int index);
void pktring_group_seek_earliest(struct pktring_group_reader *g);
void pktring_group_seek_latest(struct pktring_group_reader *g);
/* Stop each member at its head as it is now (PKTRING_NEXT_ENDED then). */
void pktring_group_until_end(struct pktring_group_reader *g);
/*
 * The next packet of the group by time: g->m[*member].hdr and .buf, valid
 * until the next call; *lost = that member's packets lost just before it.
 * ENDED when every member has ended (or reached its until_end head);
 * NEW_EPOCH, WRITER_GONE (member g->gone; each member's writer_timeout_ms
 * applies) or ERROR from any member (g->err).
 */
enum pktring_next pktring_group_next(struct pktring_group_reader *g,
				     int timeout_ms, unsigned int *member,
				     uint64_t *lost);
/* Packets lost (lapped) over all members. */
uint64_t pktring_group_lost(const struct pktring_group_reader *g);
void pktring_group_close(struct pktring_group_reader *g);

#endif /* PKTRING_GROUP_H */
