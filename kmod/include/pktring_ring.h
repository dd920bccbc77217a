/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * pktring ring protocol: the one implementation of the writer steps W1-W5
 * and the reader steps R1-R5 of include/uapi/pktring.h, shared by the
 * kernel module and the user-space tools so that both lay out records
 * byte for byte the same way.
 *
 * No libc: the includer provides memcpy() and memset() and defines the
 * barriers before including this file:
 *
 *			kernel			user space
 *  PKTRING_LOAD_ACQUIRE(p)	smp_load_acquire(p)	__atomic_load_n(p, ACQUIRE)
 *  PKTRING_STORE_RELEASE(p, v)	smp_store_release(p, v)	__atomic_store_n(p, v, RELEASE)
 *  PKTRING_READ_ONCE(x)	READ_ONCE(x)		__atomic_load_n(&x, RELAXED)
 *  PKTRING_WRITE_ONCE(x, v)	WRITE_ONCE(x, v)	__atomic_store_n(&x, v, RELAXED)
 *  PKTRING_WMB()		smp_wmb()		__atomic_thread_fence(RELEASE)
 *  PKTRING_RMB()		smp_rmb()		__atomic_thread_fence(ACQUIRE)
 *
 * The writer must be single: callers serialise pktring_reserve() ...
 * pktring_publish() (a lock in the kernel, flock per ring in user space).
 */
#ifndef _PKTRING_RING_H
#define _PKTRING_RING_H

#include "uapi/pktring.h"

#if !defined(PKTRING_LOAD_ACQUIRE) || !defined(PKTRING_STORE_RELEASE) || \
	!defined(PKTRING_READ_ONCE) || !defined(PKTRING_WRITE_ONCE) || \
	!defined(PKTRING_WMB) || !defined(PKTRING_RMB)
#error "define the PKTRING_* barrier macros before including pktring_ring.h"
#endif

/* Total length of a packet record carrying caplen bytes. */
static inline __u64 pktring_rec_len(__u32 caplen)
{
	return PKTRING_REC_ALIGN((__u64)PKTRING_REC_HDR_SIZE + caplen);
}

/*
 * The writer's own copy of the ring's geometry and positions. The writer
 * reads these, never the control page: a process with write access to a
 * shared-memory ring could change the page under it, and what it reads
 * back would decide where it writes. The page only receives.
 */
struct pktring_wpos {
	__u64 size;		/* data_size, a power of two */
	__u64 max_record;	/* <= size / 2 */
	__u64 head;		/* as published */
	__u64 reclaim;		/* as published */
	__u64 seq_next;		/* seq of the next packet record */
};

/*
 * W1-W4 (all but the packet bytes): make room for a packet record described
 * by meta (caplen, origlen, ts_ns, ifindex, direction, pkttype, protocol,
 * flags; len, type and seq are the ring's). Returns the record with its
 * header written (PKTRING_RF_TRUNCATED added when caplen < origlen) and
 * the alignment tail zeroed; the caller copies the caplen data bytes right
 * after the header, then calls pktring_publish() with meta and *endp.
 * Returns NULL when the record would exceed max_record (the caller counts
 * PKTRING_CTR_DROP_TOO_BIG). max_record <= size / 2 guarantees the
 * padding and the record fit together.
 */
static inline struct pktring_rec *
pktring_reserve(struct pktring_ctl *ctl, struct pktring_wpos *w, __u8 *data,
		const struct pktring_rec *meta, __u64 *endp)
{
	__u64 size = w->size, mask = size - 1;
	__u64 head = w->head, reclaim = w->reclaim;
	__u64 len = pktring_rec_len(meta->caplen);
	__u64 off = head & mask, pad = 0, end, freed = 0;
	struct pktring_rec hdr, *rec;

	if (len > w->max_record)
		return NULL;
	/* W1: a record never crosses the end of the data area */
	if (len > size - off)
		pad = size - off;
	end = head + pad + len;

	/* W2: reclaim whole records until the new one fits */
	if (end - reclaim > size) {
		while (end - reclaim > size && reclaim != head) {
			struct pktring_rec *old = (void *)(data + (reclaim & mask));
			__u32 old_len = PKTRING_READ_ONCE(old->len);

			/* bytes in the ring: never loop on a broken header */
			if (old_len < PKTRING_REC_MIN || old_len % PKTRING_ALIGN ||
			    old_len > head - reclaim) {
				reclaim = head;
				break;
			}
			if (PKTRING_READ_ONCE(old->type) == PKTRING_REC_PACKET)
				freed++;
			reclaim += old_len;
		}
		/*
		 * W3: readers see the new reclaim before any overwrite (the
		 * fence), and see the head it is below once they see it (the
		 * release: reclaim <= head at every instant).
		 */
		PKTRING_STORE_RELEASE(&ctl->reclaim, reclaim);	/* pairs with R2 */
		PKTRING_WMB();					/* pairs with R4 */
		w->reclaim = reclaim;
		ctl->counters[PKTRING_CTR_RECLAIMED] += freed;
	}

	/* W4: padding record up to the end of the data area */
	if (pad) {
		rec = (void *)(data + off);
		memset(rec, 0, pad < PKTRING_REC_HDR_SIZE ?
			       pad : PKTRING_REC_HDR_SIZE);
		rec->len = pad;
		rec->type = PKTRING_REC_PADDING;
	}
	rec = (void *)(data + ((head + pad) & mask));
	memset((__u8 *)rec + len - PKTRING_ALIGN, 0, PKTRING_ALIGN);
	hdr = *meta;
	hdr.len = len;
	hdr.type = PKTRING_REC_PACKET;
	hdr.seq = w->seq_next;
	if (hdr.caplen < hdr.origlen)
		hdr.flags |= PKTRING_RF_TRUNCATED;
	*rec = hdr;
	*endp = end;
	return rec;
}

/*
 * W5: make the record reserved at end visible to readers. meta is the
 * writer's own description of it (caplen as copied), not the ring's bytes.
 */
static inline void pktring_publish(struct pktring_ctl *ctl,
				   struct pktring_wpos *w,
				   const struct pktring_rec *meta, __u64 end)
{
	ctl->counters[PKTRING_CTR_CAPTURED]++;
	ctl->counters[PKTRING_CTR_BYTES] += meta->caplen;
	ctl->counters[PKTRING_CTR_WIRE_BYTES] += meta->origlen;
	w->seq_next++;
	w->head = end;
	PKTRING_WRITE_ONCE(ctl->seq_next, w->seq_next);
	PKTRING_STORE_RELEASE(&ctl->head, end);		/* pairs with R1 */
}

/*
 * R2 for a head h loaded (acquire) just before: load reclaim into *r and
 * check the pair. NULL, or why the ring breaks the ABI. When the writer
 * passed h between the loads (*r > h), the distance head - reclaim is not
 * checked: it is bounded only for loads in the order head, reclaim, and a
 * head loaded again may be laps ahead of this reclaim.
 */
static inline const char *pktring_load_reclaim(const struct pktring_ctl *ctl,
					       __u64 size, __u64 h, __u64 *r)
{
	*r = PKTRING_LOAD_ACQUIRE(&ctl->reclaim);	/* pairs with W3 */
	if (*r > h) {
		/* reclaim <= head at every instant: a later head is >= r */
		if (*r > PKTRING_LOAD_ACQUIRE(&ctl->head))
			return "reclaim is beyond head";
	} else if (h - *r > size) {
		return "head and reclaim are inconsistent";
	}
	if ((h | *r) % PKTRING_ALIGN)
		return "head and reclaim are inconsistent";
	return NULL;
}

/*
 * A reader's position. size and max_record are copied from the control
 * page once, when the ring was opened and checked, so a writer changing
 * them later cannot make the reader step outside its mapping.
 */
struct pktring_cursor {
	__u64 size;		/* data_size, a checked power of two */
	__u64 max_record;	/* checked: <= size / 2 */
	__u64 pos;		/* record boundary to read next */
	__u64 next_seq;		/* seq expected next, if seq_known */
	int seq_known;		/* 0 until the first packet is delivered */
};

enum pktring_read_result {
	PKTRING_READ_PACKET,	/* *hdr and buf hold a packet */
	PKTRING_READ_EMPTY,	/* caught up with head: wait */
	PKTRING_READ_AGAIN,	/* skipped padding or a torn copy: call again */
	PKTRING_READ_CORRUPT,	/* the ring breaks the ABI; *why says how */
};

/*
 * R3: is the copied header a record that fits where it was found: room
 * bytes to the end of the data area, avail bytes to head? NULL or why not.
 */
static inline const char *pktring_check_rec(const struct pktring_rec *hdr,
					    __u64 room, __u64 avail,
					    __u64 max_record)
{
	__u64 len = hdr->len;

	if (len < PKTRING_REC_MIN || len % PKTRING_ALIGN)
		return "record length is not a valid size";
	if (len > room)
		return "record crosses the end of the data area";
	if (len > avail)
		return "record extends beyond head";
	if (hdr->type == PKTRING_REC_PADDING)
		return NULL;
	if (hdr->type != PKTRING_REC_PACKET)
		return "unknown record type";
	if (len > max_record || len < PKTRING_REC_HDR_SIZE)
		return "packet record length is out of range";
	if (hdr->caplen > len - PKTRING_REC_HDR_SIZE)
		return "captured length exceeds the record";
	return NULL;
}

/*
 * R1-R5: read the record at c->pos into *hdr and buf (buf holds at least
 * c->max_record - PKTRING_REC_HDR_SIZE bytes). On PKTRING_READ_PACKET
 * *lost is the number of packets lost (lapped) just before this one.
 * Never loops; a caller loops on AGAIN.
 */
static inline enum pktring_read_result
pktring_read(const struct pktring_ctl *ctl, const __u8 *data,
	     struct pktring_cursor *c, struct pktring_rec *hdr, void *buf,
	     __u64 *lost, const char **why)
{
	__u64 size = c->size, mask = size - 1;
	__u64 h, r, off, room, avail, n, len;

	*why = NULL;
	h = PKTRING_LOAD_ACQUIRE(&ctl->head);			/* R1 */
	if (c->pos == h)
		return PKTRING_READ_EMPTY;
	*why = pktring_load_reclaim(ctl, size, h, &r);		/* R2 */
	if (*why)
		return PKTRING_READ_CORRUPT;
	if (c->pos < r) {
		c->pos = r;	/* lapped; R5 counts the loss */
		return PKTRING_READ_AGAIN;
	}
	if (c->pos > h) {
		*why = "read position is beyond head";
		return PKTRING_READ_CORRUPT;
	}

	/* R3: copy, then validate the copy */
	off = c->pos & mask;
	room = size - off;
	avail = h - c->pos;
	n = PKTRING_REC_HDR_SIZE;
	if (n > room)
		n = room;
	if (n > avail)
		n = avail;
	memset(hdr, 0, PKTRING_REC_HDR_SIZE);
	memcpy(hdr, data + off, n);
	len = hdr->len;
	*why = pktring_check_rec(hdr, room, avail, c->max_record);
	if (!*why && hdr->type == PKTRING_REC_PACKET)
		memcpy(buf, data + off + PKTRING_REC_HDR_SIZE, hdr->caplen);

	/* R4: was the copy overwritten while we made it? */
	PKTRING_RMB();					/* pairs with W3 */
	r = PKTRING_READ_ONCE(ctl->reclaim);
	if (c->pos < r) {
		*why = NULL;
		c->pos = r;
		return PKTRING_READ_AGAIN;
	}
	if (*why)
		return PKTRING_READ_CORRUPT;

	/* R5 */
	c->pos += len;
	if (hdr->type == PKTRING_REC_PADDING)
		return PKTRING_READ_AGAIN;
	*lost = 0;
	if (c->seq_known) {
		if (hdr->seq < c->next_seq) {
			c->pos -= len;
			*why = "packet sequence went backwards";
			return PKTRING_READ_CORRUPT;
		}
		*lost = hdr->seq - c->next_seq;
	}
	c->next_seq = hdr->seq + 1;
	c->seq_known = 1;
	return PKTRING_READ_PACKET;
}

#endif /* _PKTRING_RING_H */
