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
 * Ring names: an argument containing '/' is a path; a bare NAME means the
 * kernel device /dev/pktring/NAME when it exists (readers), else
 * /dev/shm/pktring/NAME. Writers write only shared-memory rings; they
 * refuse a bare NAME the kernel already has a ring of.
 *
 * Trust: a ring's directory must be owned by root or by the user running
 * the tool, and not writable by group or others -- unless it is sticky
 * (like /tmp), and then the ring file itself must be owned by root or that
 * user. The ring is opened relative to the checked directory, never
 * through a symbolic link (O_NOFOLLOW), without blocking (O_NONBLOCK: a
 * FIFO cannot hang a tool), and must be a regular file or the module's
 * character device. Writers create /dev/shm/pktring mode 0750 and rings
 * mode 0640 unless told otherwise, and replace only a file that is a ring.
 *
 * Every function that can fail returns -1 (or PKTRING_NEXT_ERROR) and
 * leaves a message naming the ring in ->err.
 */
#ifndef PKTRING_LIB_H
#define PKTRING_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
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
#define PKTRING_ERR_LEN		(PATH_MAX + 512)
#define PKTRING_WAKE_NS		1000000	/* W6: wake readers at least every 1 ms */
#define PKTRING_DEFAULT_RING_MODE 0640	/* a new shared-memory ring */
#define PKTRING_SHM_DIR_MODE	0750	/* /dev/shm/pktring, when a writer makes it */
#define PKTRING_WRITER_TIMEOUT_MS 5000	/* readers: no heartbeat this long = gone */

/*
 * Where a ring lives: its directory, opened and checked (see Trust above),
 * and the ring's name in it. Readers and writers open the ring relative to
 * dirfd, so a directory renamed or replaced later does not redirect them.
 */
struct pktring_place {
	char path[PATH_MAX];	/* the ring as resolved, for messages */
	const char *name;	/* its last component, in path */
	int dirfd;		/* O_PATH of the checked directory, or -1 */
	int shared_dir;		/* sticky and writable by others */
};

struct pktring_heartbeat;

/* ---- writer ---- */

/* Ownership of a new ring file (and of /dev/shm/pktring, if made). */
struct pktring_perm {
	unsigned int mode;	/* file mode bits within 0666; 0: 0640 */
	int set_gid;		/* 0: the creator's group */
	gid_t gid;
};

struct pktring_writer {
	struct pktring_ctl *ctl;
	uint8_t *data;
	size_t map_len;
	struct pktring_wpos pos;	/* what the writer trusts: its own copy */
	int fd;			/* holds the flock: one writer per ring */
	uint64_t last_wake_ns;
	unsigned int pending;	/* records published since the last wake */
	struct pktring_heartbeat *beat;	/* the thread that beats for us */
	struct pktring_place pl;
	char warning[PKTRING_ERR_LEN];	/* non-fatal, for the tool to print */
	char err[PKTRING_ERR_LEN];
};

struct pktring_create_opts {
	uint64_t data_size;	/* power of two */
	uint32_t linktype;	/* LINKTYPE_* (pktring_linktype_of_dlt) */
	uint32_t snaplen;	/* max caplen; max_record follows from it */
	uint32_t ifindex;
	const char *ifname;	/* source name (interface, file) */
	struct pktring_perm perm;
	/* a member of a ring group (pktring_group.h); all 0: no group */
	uint64_t group_epoch;
	uint32_t ring_index, ring_count;
	uint32_t flags;		/* PKTRING_F_BY_FLOW, ... */
};

/*
 * New ring (new epoch) at NAME, replacing an unused ring atomically; a
 * file at NAME that is not a ring is never replaced. The writer beats
 * (ctl.heartbeat) from a thread of its own until closed.
 */
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
/* state = ENDED (end) or left LIVE, stop beating, wake readers, unmap,
 * release the lock. */
void pktring_writer_close(struct pktring_writer *w, int end);

/* ---- reader ---- */

struct pktring_reader {
	const struct pktring_ctl *ctl;	/* the live page: the writer's */
	struct pktring_ctl id;	/* the page as checked at open: identity
				 * (positions and counters in it are stale) */
	const uint8_t *data;
	size_t map_len;
	int fd;
	int is_device;		/* kernel ring: wait with poll(2) */
	int broken;		/* the mapping failed under us (SIGBUS) */
	dev_t dev;
	ino_t ino;		/* a new file at path = a new epoch */
	uint64_t path_checked_ns;
	uint64_t epoch;
	struct pktring_cursor cur;
	struct pktring_rec hdr;	/* the packet returned by next() */
	uint8_t *buf;		/* its bytes */
	uint64_t lost;		/* total packets lost (lapped) */
	uint64_t laps;		/* deliveries that followed a loss */
	/* liveness: writer gone after this long without a beat or publish */
	unsigned int writer_timeout_ms;	/* 0: never judge */
	uint64_t beat, beat_head;	/* last heartbeat and head seen */
	uint64_t beat_ns;		/* when they last changed (monotonic) */
	int beat_moved;			/* seen changing since open */
	struct pktring_place pl;
	char err[PKTRING_ERR_LEN];
};

enum pktring_next {
	PKTRING_NEXT_PACKET,	/* r->hdr, r->buf; *lost before it */
	PKTRING_NEXT_TIMEOUT,	/* nothing new within the timeout */
	PKTRING_NEXT_ENDED,	/* writer ended the ring and all is read */
	PKTRING_NEXT_NEW_EPOCH,	/* the ring was re-created at the path */
	PKTRING_NEXT_WRITER_GONE, /* all is read, the ring is LIVE, but its
				   * writer has not beaten for the timeout */
	PKTRING_NEXT_ERROR,	/* the ring is corrupt or was truncated; r->err */
};

/* What a reader knows of its writer (pktring_reader_liveness). */
enum pktring_liveness {
	PKTRING_WRITER_UNKNOWN,	/* not seen beating yet, not timed out */
	PKTRING_WRITER_ALIVE,	/* beat or published within the timeout */
	PKTRING_WRITER_GONE,	/* LIVE, no beat or publish for the timeout */
	PKTRING_WRITER_ENDED,	/* the writer ended the ring */
	PKTRING_WRITER_SILENT,	/* the writer does not beat (no F_HEARTBEAT) */
};

int pktring_reader_open(struct pktring_reader *r, const char *ring);
void pktring_reader_seek_earliest(struct pktring_reader *r);
void pktring_reader_seek_latest(struct pktring_reader *r);
/* A position of this epoch; next_seq is the seq expected there, if known. */
int pktring_reader_seek(struct pktring_reader *r, uint64_t pos,
			const uint64_t *next_seq);
enum pktring_next pktring_reader_next(struct pktring_reader *r, int timeout_ms,
				      uint64_t *lost);
/* Look at the writer's heartbeat once; call it repeatedly to judge. */
enum pktring_liveness pktring_reader_liveness(struct pktring_reader *r);
const char *pktring_liveness_name(enum pktring_liveness l);
/*
 * A copy of the live control page: head before reclaim (the order in which
 * their distance is bounded), state, seq_next, heartbeat, counters. -1
 * with r->err when the mapping is gone (the file was truncated).
 */
int pktring_reader_ctl(struct pktring_reader *r, struct pktring_ctl *copy);
void pktring_reader_close(struct pktring_reader *r);

/* ---- places (ring_place.c) ---- */

enum pktring_role { PKTRING_FOR_READER, PKTRING_FOR_WRITER };

/*
 * Resolve a ring argument (see Ring names) and open its directory, checked
 * (see Trust). A writer given a bare name makes /dev/shm/pktring when it
 * does not exist, with perm's group. -1 with a reason in err.
 */
int pktring_place_open(struct pktring_place *pl, const char *ring,
		       enum pktring_role role, const struct pktring_perm *perm,
		       char *err, size_t len);
/*
 * Open the ring in its place with O_NOFOLLOW | O_NONBLOCK and oflags: a
 * regular file, or (readers) the pktring module's character device; *st
 * is what was opened. -1 with a reason in err (errno kept for ENOENT).
 */
int pktring_place_open_ring(const struct pktring_place *pl, int oflags,
			    struct stat *st, char *err, size_t len);
void pktring_place_close(struct pktring_place *pl);
/* The pktring module's character device major, or -1 (not loaded). */
int pktring_device_major(void);
/*
 * Check a control page against the ABI; file_size is 0 for a device.
 * Returns NULL or the reason the ring cannot be used.
 */
const char *pktring_check_ctl(const struct pktring_ctl *ctl, uint64_t file_size,
			      char *buf, size_t len);
const char *pktring_counter_name(unsigned int idx);
const char *pktring_state_name(uint32_t state);
uint64_t pktring_now_ns(int clock);
/* "64M", "4k", "1G", "4096" -> bytes; -1 on error or overflow */
int pktring_parse_size(const char *s, uint64_t *out);
/* A writer timeout: 0 (never), or 0.2 to 86400 seconds; -1 otherwise */
int pktring_parse_seconds(const char *s, double *out);
/* "0640" -> mode bits within 0666; -1 otherwise */
int pktring_parse_mode(const char *s, unsigned int *mode);
/* a group name or number -> gid; -1 when there is none */
int pktring_parse_group(const char *s, gid_t *gid);
/*
 * The epoch of a new ring: random, non-zero, below 2^PKTRING_EPOCH_BITS
 * (exact in a double: JSON tools keep it).
 */
uint64_t pktring_new_epoch(void);
/*
 * SIGBUS (a ring file truncated under its mapping): readers recover inside
 * pktring_reader_next()/_ctl(); anywhere else the process says so and
 * exits 1 instead of dying without a word. Installed by opens and creates.
 */
void pktring_catch_sigbus(void);
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
