/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libpktring: user-space access to pktring rings.
 *
 * A writer creates (or appends to) a ring in a shared-memory file and
 * writes packets with the one protocol implementation in pktring_ring.h.
 * A reader maps any ring read-only -- a shared-memory file or a kernel
 * device /dev/pktring/<iface> -- checks its identity, and returns packets
 * one by one with the exact loss before each.
 *
 * Ring names: an argument containing '/' is a path; a bare NAME means
 * /dev/shm/pktring/NAME, or, for readers, /dev/pktring/NAME when only
 * that exists.
 *
 * Every function that can fail returns -1 (or PKTRING_NEXT_ERROR) and
 * leaves a message naming the ring in ->err.
 */
#ifndef PKTRING_LIB_H
#define PKTRING_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>

#define PKTRING_LOAD_ACQUIRE(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define PKTRING_STORE_RELEASE(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define PKTRING_READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PKTRING_WRITE_ONCE(x, v)	__atomic_store_n(&(x), v, __ATOMIC_RELAXED)
#define PKTRING_WMB()			__atomic_thread_fence(__ATOMIC_RELEASE)
#define PKTRING_RMB()			__atomic_thread_fence(__ATOMIC_ACQUIRE)
#include "../include/pktring_ring.h"

#define PKTRING_SHM_DIR		"/dev/shm/pktring"
#define PKTRING_DEV_DIR		"/dev/pktring"
#define PKTRING_ERR_LEN		512
#define PKTRING_WAKE_NS		1000000	/* W6: wake readers at least every 1 ms */

/* ---- writer ---- */

struct pktring_writer {
	struct pktring_ctl *ctl;
	uint8_t *data;
	size_t map_len;
	int fd;			/* holds the flock: one writer per ring */
	uint64_t last_wake_ns;
	unsigned int pending;	/* records published since the last wake */
	char path[4096];
	char err[PKTRING_ERR_LEN];
};

struct pktring_create_opts {
	uint64_t data_size;	/* power of two */
	uint32_t linktype;	/* LINKTYPE_* (pktring_linktype_of_dlt) */
	uint32_t snaplen;	/* max caplen; max_record follows from it */
	uint32_t ifindex;
	const char *ifname;	/* source name (interface, file) */
	/* a member of a ring group (pktring_group.h); all 0: no group */
	uint64_t group_epoch;
	uint32_t ring_index, ring_count;
	uint32_t flags;		/* PKTRING_F_BY_FLOW, ... */
};

/* New ring (new epoch) at NAME, replacing an unused one atomically. */
int pktring_writer_create(struct pktring_writer *w, const char *ring,
			  const struct pktring_create_opts *opts);
/* Continue writing an existing shared-memory ring (same epoch). */
int pktring_writer_append(struct pktring_writer *w, const char *ring);
/*
 * Write one packet. meta supplies ts_ns, caplen, origlen, ifindex,
 * direction, pkttype, protocol and flags. Returns 0, or -1 when the
 * packet does not fit max_record (counted as DROP_TOO_BIG).
 */
int pktring_writer_put(struct pktring_writer *w, const struct pktring_rec *meta,
		       const void *bytes);
void pktring_writer_count(struct pktring_writer *w, enum pktring_counter c,
			  uint64_t n);
/*
 * W6 now if anything is pending. Call it before sleeping or blocking:
 * put() wakes readers at most every millisecond while records keep coming.
 */
void pktring_writer_flush(struct pktring_writer *w);
/* state = ENDED, wake readers, unmap, release the lock. */
void pktring_writer_close(struct pktring_writer *w, int end);

/* ---- reader ---- */

struct pktring_reader {
	const struct pktring_ctl *ctl;
	const uint8_t *data;
	size_t map_len;
	int fd;
	int is_device;		/* kernel ring: wait with poll(2) */
	dev_t dev;
	ino_t ino;		/* a new file at path = a new epoch */
	uint64_t path_checked_ns;
	uint64_t epoch;
	struct pktring_cursor cur;
	struct pktring_rec hdr;	/* the packet returned by next() */
	uint8_t *buf;		/* its bytes */
	uint64_t lost;		/* total packets lost (lapped) */
	uint64_t laps;		/* deliveries that followed a loss */
	char path[4096];
	char err[PKTRING_ERR_LEN];
};

enum pktring_next {
	PKTRING_NEXT_PACKET,	/* r->hdr, r->buf; *lost before it */
	PKTRING_NEXT_TIMEOUT,	/* nothing new within the timeout */
	PKTRING_NEXT_ENDED,	/* writer ended the ring and all is read */
	PKTRING_NEXT_NEW_EPOCH,	/* the ring was re-created at the path */
	PKTRING_NEXT_ERROR,	/* the ring is corrupt; r->err */
};

int pktring_reader_open(struct pktring_reader *r, const char *ring);
void pktring_reader_seek_earliest(struct pktring_reader *r);
void pktring_reader_seek_latest(struct pktring_reader *r);
/* A position of this epoch; next_seq is the seq expected there, if known. */
int pktring_reader_seek(struct pktring_reader *r, uint64_t pos,
			const uint64_t *next_seq);
enum pktring_next pktring_reader_next(struct pktring_reader *r, int timeout_ms,
				      uint64_t *lost);
void pktring_reader_close(struct pktring_reader *r);

/* ---- shared helpers ---- */

/* Resolve a ring argument to a path (see above). */
void pktring_ring_path(const char *ring, int for_reader, char *path,
		       size_t len);
/*
 * Check a control page against the ABI; file_size is 0 for a device.
 * Returns NULL or the reason the ring cannot be used.
 */
const char *pktring_check_ctl(const struct pktring_ctl *ctl, uint64_t file_size,
			      char *buf, size_t len);
const char *pktring_counter_name(unsigned int idx);
const char *pktring_state_name(uint32_t state);
uint64_t pktring_now_ns(int clock);
/* "64M", "4k", "1G", "4096" -> bytes; -1 on error */
int pktring_parse_size(const char *s, uint64_t *out);
/*
 * Rings store LINKTYPE_* values, as pcap files do; libpcap's API speaks
 * DLT_*, which differ for some (DLT_RAW 12 is LINKTYPE_RAW 101). -1: libpcap
 * can write no pcap file of that DLT.
 */
int pktring_linktype_of_dlt(int dlt);
int pktring_dlt_of_linktype(uint32_t linktype);
/* The most bytes of one packet libpcap returns for link type DLT_* dlt:
 * the bound a ring needs per packet, whatever a file's header claims. */
uint32_t pktring_max_caplen(int dlt);
/* Set pktring_stop on SIGINT or SIGTERM: the tools' clean-shutdown flag. */
extern volatile sig_atomic_t pktring_stop;
void pktring_stop_on_signals(void);

#endif /* PKTRING_LIB_H */
