/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * pktring ring ABI, version 1. (Over 300 lines: the one contract, its
 * protocol and its rationale belong in one header.)
 *
 * This header is the single definition of the ring layout. The kernel
 * module, the user-space writers (capture daemon, replayer) and every
 * reader (C tools, the Java connector) follow it; a connector test parses
 * this file and checks that its constants match.
 *
 * Memory of one ring:
 *
 *	+-----------------------+ 0
 *	| struct pktring_ctl    |   control page: identity, head, reclaim,
 *	|                       |   wake word, counters
 *	+-----------------------+ ctl.data_offset (the page size)
 *	| data area             |   ctl.data_size bytes, a power of two;
 *	|   records, wrapping   |   records are contiguous and 8-byte aligned
 *	+-----------------------+ data_offset + data_size
 *
 * Positions (head, reclaim, a reader's position) are free-running 64-bit
 * byte counters that are never masked in the control page; the offset of
 * position p in the data area is (p & (data_size - 1)). They never wrap in
 * practice (2^64 bytes).
 *
 * Each shared field has exactly one writer: the ring's writer. Readers map
 * the ring read-only and never write to it; each keeps its own position.
 *
 * Invariants, after every publish:
 *	reclaim <= head, head - reclaim <= data_size,
 *	both are record boundaries, and every record in [reclaim, head) is
 *	complete. A record never crosses the end of the data area: one that
 *	would is preceded by a padding record up to the end and starts at
 *	offset 0.
 *
 * Writer, for each record of total length len (header + data, aligned):
 *  W1. pad = data_size - (head & mask) if the record does not fit before
 *      the end, else 0; end = head + pad + len.
 *  W2. While end - reclaim > data_size: reclaim += length of the record at
 *      reclaim (a header that is not a whole record ends the walk at head).
 *      head, reclaim, data_size, max_record and seq_next are the writer's
 *      own copies: it never reads them back from the control page, which
 *      another process with write access to a ring file could change.
 *  W3. If reclaim moved: smp_store_release(&reclaim, r), then smp_wmb(),
 *      BEFORE any byte below the new reclaim is overwritten.
 *      [the release pairs with R2: a reader that sees this reclaim sees a
 *      head at least as large; the fence pairs with R4]
 *  W4. Write the padding record (if any), the record header and data.
 *  W5. Store seq_next, then smp_store_release(&head, end).  [pairs with R1]
 *  W6. Wake readers: increment wake_seq and FUTEX_WAKE it (shared-memory
 *      rings), or wake the device's poll wait queue (kernel rings). A
 *      writer may batch W6 over several records; it must not delay it by
 *      more than PKTRING_WAKE_MAX_DELAY_NS (a millisecond) after a publish
 *      while records are pending. Readers therefore see a record at most
 *      that long after it was published, even when they sleep.
 *
 * Reader, at position pos (a record boundary it got from reclaim, head, a
 * previous record or a saved offset of the same epoch):
 *  R1. h = load_acquire(head). If pos == h: nothing new, wait (below).
 *  R2. r = load_acquire(reclaim). If r <= h, then h - r <= data_size must
 *      hold. If r > h the writer passed h between the two loads: r must be
 *      <= a head loaded now (else corrupt), and the distance is NOT checked
 *      against that later head, which may be laps ahead of r. If pos < r
 *      the reader was lapped: pos = r (the loss is counted in R5).
 *  R3. Copy the record header and data out of the ring. Validate the copy
 *      before using a length: len >= PKTRING_REC_MIN, len % 8 == 0, the
 *      record fits before the end of the data area and before h, caplen
 *      fits in len. A copy that fails these checks is torn if R4 says so,
 *      otherwise the ring is corrupt (a hard error, never a loop).
 *  R4. smp_rmb() (acquire fence), then r = load(reclaim). If pos < r the
 *      copy may be torn: drop it, pos = r, go to R1.        [pairs with W3]
 *  R5. Padding: pos += len, go to R1. Packet: deliver it; the packets lost
 *      just before it are rec.seq - expected_seq (0 when not lapped);
 *      expected_seq = rec.seq + 1; pos += len.
 *
 * A lapped reader is normal, not an error: the loss is exact (a gap in the
 * per-epoch packet sequence) and readers report it, never hide it.
 *
 * Epoch: a random non-zero value chosen each time a ring is created, below
 * 2^PKTRING_EPOCH_BITS (2^53) since 2026-12: exact in an IEEE double, so
 * JSON tools (jq 1.6, JavaScript) keep it. Readers accept any non-zero
 * 64-bit epoch (older rings). Positions and sequence numbers are
 * meaningful only within one epoch; a reader holding a saved position for
 * another epoch must start afresh (earliest or latest) and report the gap.
 *
 * Waiting: flags carry one PKTRING_WAIT_* method.
 *  - PKTRING_WAIT_POLL (kernel device): poll(2) on the device file reports
 *    POLLIN when head moved since the reader last looked, POLLHUP once the
 *    ring has ended.
 *  - PKTRING_WAIT_FUTEX (shared-memory file): read wake_seq, re-check
 *    head, then FUTEX_WAIT (shared, not private) on wake_seq with the value
 *    read, with a timeout. The writer increments wake_seq and wakes all
 *    waiters after publishing (W6).
 *
 * End of a ring: the writer stores state = PKTRING_STATE_ENDED (release)
 * after its last publish and wakes readers. Readers drain up to head, then
 * stop. The memory stays valid while mapped.
 *
 * Liveness: a writer that sets PKTRING_F_HEARTBEAT in flags increments
 * heartbeat (store release) at least every PKTRING_HEARTBEAT_MS while it
 * lives -- from a thread or timer of its own, whatever its packet loop is
 * blocked on. A writer killed (-9) cannot end its ring; it stops beating.
 * The kernel module beats too, and also ends its rings explicitly when
 * they are removed or the module unloads. Rings without the flag (older
 * writers) give no liveness; readers then wait as before.
 *
 * What a reader must check (the C reader, lib/ring_reader.c, and every
 * other reader, e.g. the connector's):
 *  - Open: copy the control page once (head before reclaim), check the
 *    copy, and use only the copy: magic, abi_version, rec_hdr_size,
 *    data_offset (page multiple, >= PKTRING_CTL_SIZE), data_size (power of
 *    two in [PKTRING_MIN_DATA_SIZE, PKTRING_MAX_DATA_SIZE]), for a file
 *    size >= data_offset + data_size, max_record in [PKTRING_REC_HDR_SIZE,
 *    data_size / 2] and a multiple of 8, one wait method, a known state,
 *    head and reclaim as in R2. Map data_offset + data_size of the copy.
 *  - Per record: R3 against the copied data_size and max_record (never
 *    the live page's): allocate max_record once, no length beyond it.
 *  - A file truncated under the mapping faults (SIGBUS): catch it, or
 *    check the size, and report the truncation as an error.
 *  - Liveness: while state is LIVE and F_HEARTBEAT is set, note heartbeat
 *    and head each time it is idle (pos == head). When neither has changed
 *    for the reader's writer timeout (the C tools: 5 s by default,
 *    --writer-timeout; never below 2 * PKTRING_HEARTBEAT_MS), the writer
 *    is gone: report it (having read everything up to head, so nothing
 *    read is lost) and stop, or fail, instead of waiting forever.
 *  - Names and files (shared memory): open relative to a directory owned
 *    by root or the reader's user and not writable by group or others
 *    (or sticky, and then the ring owned by root or that user), with
 *    O_NOFOLLOW | O_NONBLOCK; only a regular file or the module's
 *    character device is a ring. A bare name is /dev/pktring/NAME when
 *    that exists, else /dev/shm/pktring/NAME.
 *
 * Ring groups: one capture written into several rings at once, one
 * writer per ring and no lock between them (the kernel module's per-CPU
 * groups, the capture daemon's PACKET_FANOUT groups). Each member is a
 * complete ring of its own (own epoch, positions, sequence, counters,
 * wait); every member of a group carries the same non-zero group_epoch
 * (random, new per group creation) and ring_count, and its own
 * ring_index in [0, ring_count). A ring outside any group has
 * group_epoch 0, ring_index 0 and ring_count 1. A reader that wants the
 * whole group opens ring_count members with one group_epoch; a reader of
 * one member reads it like any ring. flags say how packets were split:
 *  - PKTRING_F_BY_CPU: member i holds the packets CPU i handled. A flow
 *    that moves between CPUs spreads over members: its order holds within
 *    each member, and across members only by ts_ns.
 *  - PKTRING_F_BY_FLOW: a symmetric hash of the flow picks the member, so
 *    both directions of a flow are in one member, in capture order.
 * The group's counters are the sums of its members'. group_epoch follows
 * the rule of epochs (below 2^PKTRING_EPOCH_BITS).
 *
 * Link type: a LINKTYPE_* value, the one a pcap file's header holds
 * (tcpdump.org/linktypes.html), never libpcap's DLT_*. On Linux they
 * differ for DLT_ATM_RFC1483 11 (LINKTYPE 100), DLT_RAW 12 (LINKTYPE_RAW
 * 101), DLT_SLIP_BSDOS 15 (102), DLT_PPP_BSDOS 16 (103) and DLT_ATM_CLIP 19
 * (106); other DLTs below 104 but 0-10, 50, 51 and 99 have no LINKTYPE.
 * Writers convert pcap_datalink() with libpcap's own mapping
 * (kmod/lib/linktype.c) and refuse a DLT without one; a kernel ring holds
 * LINKTYPE_ETHERNET 1 or LINKTYPE_RAW 101.
 */
#ifndef _UAPI_PKTRING_H
#define _UAPI_PKTRING_H

#include <linux/types.h>

#define PKTRING_MAGIC		0x31474e4952544b50ULL	/* "PKTRING1" LE */
#define PKTRING_ABI_VERSION	1
#define PKTRING_CTL_SIZE	4096	/* minimum data_offset */
#define PKTRING_ALIGN		8
#define PKTRING_IFNAMSIZ	16
#define PKTRING_MIN_DATA_SIZE	4096
#define PKTRING_MAX_DATA_SIZE	0x10000000000ULL	/* 1 TiB */

/* ctl.flags */
#define PKTRING_WAIT_MASK	0x3
#define PKTRING_WAIT_POLL	0x1	/* kernel device: poll(2) */
#define PKTRING_WAIT_FUTEX	0x2	/* shared memory: futex on wake_seq */
#define PKTRING_F_HW_TSTAMP	0x4	/* writer uses hardware timestamps */
#define PKTRING_F_HEARTBEAT	0x8	/* writer beats (see Liveness) */
#define PKTRING_F_BY_CPU	0x10	/* group member i: what CPU i handled */
#define PKTRING_F_BY_FLOW	0x20	/* group member: by symmetric flow hash */

/* W6: the longest a writer may leave a published record unannounced */
#define PKTRING_WAKE_MAX_DELAY_NS 1000000

/* Liveness: a beating writer increments heartbeat at least this often. */
#define PKTRING_HEARTBEAT_MS	100

/* Epochs are below 2^PKTRING_EPOCH_BITS (see Epoch). */
#define PKTRING_EPOCH_BITS	53

/* ctl.state */
#define PKTRING_STATE_INIT	0	/* being set up, not yet readable */
#define PKTRING_STATE_LIVE	1
#define PKTRING_STATE_ENDED	2	/* writer gone; drain and stop */

/*
 * Counters in ctl.counters[], by index. "Not loss" ones describe packets
 * the writer chose not to keep; the drop_* ones are loss. A reader's own
 * loss (lapped) is per reader and not in this page.
 */
#define PKTRING_COUNTERS(X)						\
	X(SEEN,		0, "seen")	/* packets offered to the ring */ \
	X(CAPTURED,	1, "captured")	/* packet records published */	\
	X(BYTES,	2, "bytes")	/* sum of captured lengths */	\
	X(WIRE_BYTES,	3, "wire_bytes") /* sum of original lengths */	\
	X(FILTERED,	4, "filtered")	/* rejected by the filter */	\
	X(TRUNCATED,	5, "truncated")	/* cut to the snap length */	\
	X(RECLAIMED,	6, "reclaimed") /* packet records overwritten */ \
	X(DROP_TOO_BIG,	7, "drop_too_big") /* record > max_record */	\
	X(DROP_NOMEM,	8, "drop_nomem") /* no memory to copy */	\
	X(DROP_SOURCE,	9, "drop_source") /* before the ring (tp_drops) */ \
	X(DROP_INVALID,	10, "drop_invalid") /* malformed input packet */

enum pktring_counter {
#define PKTRING_CTR_ENUM(name, idx, str) PKTRING_CTR_##name = idx,
	PKTRING_COUNTERS(PKTRING_CTR_ENUM)
#undef PKTRING_CTR_ENUM
	PKTRING_CTR_USED,
	PKTRING_CTR_MAX = 32
};

/*
 * The control page. Offsets are fixed (checked by static asserts in the
 * writers and by the Java constants test); reserved bytes are zero.
 */
struct pktring_ctl {
	/* 0: identity, written once before state becomes LIVE */
	__u64 magic;		/* PKTRING_MAGIC */
	__u32 abi_version;	/* PKTRING_ABI_VERSION */
	__u32 rec_hdr_size;	/* sizeof(struct pktring_rec) */
	__u64 data_offset;	/* start of the data area, page aligned */
	__u64 data_size;	/* power of two */
	__u64 epoch;		/* random, non-zero, new per ring creation */
	__u64 created_ns;	/* CLOCK_REALTIME at creation */
	__u32 linktype;		/* LINKTYPE_* (not DLT_*, see above) */
	__u32 snaplen;		/* max captured bytes per packet */
	__u32 ifindex;		/* 0 when not an interface (replay) */
	__u32 flags;		/* PKTRING_WAIT_*, PKTRING_F_* */
	char ifname[PKTRING_IFNAMSIZ]; /* NUL-terminated source name */
	__u32 ring_index;	/* index in the ring group, from 0 */
	__u32 ring_count;	/* rings in the group (1: no group) */
	__u32 max_record;	/* largest record the writer writes */
	__u32 ctr_count;	/* counters in use (PKTRING_CTR_USED) */
	__u64 group_epoch;	/* same in every member; 0: no group */
	__u8 reserved0[24];

	/* 128: writer state, one cache line */
	__u64 head;		/* end of newest complete record */
	__u64 reclaim;		/* oldest valid record; below may be reused */
	__u32 wake_seq;		/* futex word, incremented on wake */
	__u32 state;		/* PKTRING_STATE_* */
	__u64 seq_next;		/* seq of the next packet record */
	__u64 heartbeat;	/* +1 per beat (see Liveness) */
	__u8 reserved1[24];

	/* 192: counters, written by the writer only */
	__u64 counters[PKTRING_CTR_MAX];
};

/* Record types */
#define PKTRING_REC_PACKET	1
#define PKTRING_REC_PADDING	2

/* Record flags */
#define PKTRING_RF_TRUNCATED	0x1	/* caplen < origlen */
#define PKTRING_RF_HW_TSTAMP	0x2	/* ts_ns from the NIC */

/* Record direction */
#define PKTRING_DIR_UNKNOWN	0
#define PKTRING_DIR_IN		1
#define PKTRING_DIR_OUT		2

/*
 * One record. len covers the header, the data and the alignment padding,
 * so the next record starts at pos + len. A padding record uses only len
 * and type; its other fields are zero.
 */
struct pktring_rec {
	__u32 len;		/* total length, multiple of PKTRING_ALIGN */
	__u16 type;		/* PKTRING_REC_* */
	__u16 flags;		/* PKTRING_RF_* */
	__u64 seq;		/* packet number in this epoch, from 0 */
	__u64 ts_ns;		/* CLOCK_REALTIME nanoseconds */
	__u32 caplen;		/* bytes of data following the header */
	__u32 origlen;		/* length on the wire */
	__u32 ifindex;		/* interface the packet was seen on */
	__u8 direction;		/* PKTRING_DIR_* */
	__u8 pkttype;		/* Linux PACKET_* (PACKET_HOST, ...) */
	__u16 protocol;		/* ethertype, network byte order (as skb) */
	/* data[caplen] follows */
};

#define PKTRING_REC_HDR_SIZE	40
#define PKTRING_REC_MIN		8	/* a padding record */
#define PKTRING_REC_ALIGN(n)	(((n) + PKTRING_ALIGN - 1) & \
				 ~(__u64)(PKTRING_ALIGN - 1))

/* Byte offsets, for readers in other languages. */
#define PKTRING_OFF_MAGIC	0
#define PKTRING_OFF_ABI_VERSION	8
#define PKTRING_OFF_REC_HDR_SIZE 12
#define PKTRING_OFF_DATA_OFFSET	16
#define PKTRING_OFF_DATA_SIZE	24
#define PKTRING_OFF_EPOCH	32
#define PKTRING_OFF_CREATED_NS	40
#define PKTRING_OFF_LINKTYPE	48
#define PKTRING_OFF_SNAPLEN	52
#define PKTRING_OFF_IFINDEX	56
#define PKTRING_OFF_FLAGS	60
#define PKTRING_OFF_IFNAME	64
#define PKTRING_OFF_RING_INDEX	80
#define PKTRING_OFF_RING_COUNT	84
#define PKTRING_OFF_MAX_RECORD	88
#define PKTRING_OFF_CTR_COUNT	92
#define PKTRING_OFF_GROUP_EPOCH	96
#define PKTRING_OFF_HEAD	128
#define PKTRING_OFF_RECLAIM	136
#define PKTRING_OFF_WAKE_SEQ	144
#define PKTRING_OFF_STATE	148
#define PKTRING_OFF_SEQ_NEXT	152
#define PKTRING_OFF_HEARTBEAT	160
#define PKTRING_OFF_COUNTERS	192

#define PKTRING_ROFF_LEN	0
#define PKTRING_ROFF_TYPE	4
#define PKTRING_ROFF_FLAGS	6
#define PKTRING_ROFF_SEQ	8
#define PKTRING_ROFF_TS_NS	16
#define PKTRING_ROFF_CAPLEN	24
#define PKTRING_ROFF_ORIGLEN	28
#define PKTRING_ROFF_IFINDEX	32
#define PKTRING_ROFF_DIRECTION	36
#define PKTRING_ROFF_PKTTYPE	37
#define PKTRING_ROFF_PROTOCOL	38

#endif /* _UAPI_PKTRING_H */
