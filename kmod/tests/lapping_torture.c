// SPDX-License-Identifier: BSD-2-Clause
/*
 * lapping_torture: a writer runs flat out on a small ring so that it laps
 * its readers many times; three reader processes (one deliberately slow)
 * check every packet they are given.
 *
 *   lapping_torture [--skip-r4] RING SECONDS [DATA_SIZE]
 *
 * Each packet carries its own sequence number and a checksum over the
 * rest of its bytes. A reader passes when every delivered packet verifies
 * (zero torn), the loss the library reports before each packet equals the
 * gap in the packets' own sequence numbers, and delivered + lost accounts
 * for every packet between its first and last. Prints one line per reader
 * and exits non-zero on any failure.
 *
 * --skip-r4 is the control experiment: the readers copy records without
 * the R4 re-check of reclaim. They must then see torn packets, which shows
 * that the checksums catch what R4 prevents.
 */
#include "libpktring.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NREADERS 3
#define MIN_LEN 16
#define MAX_LEN 1500

static uint64_t mix(uint64_t x)	/* splitmix64: bytes from a seq */
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* [seq u64][pseudo-random bytes][fnv1a of everything before, u32] */
static uint32_t make_packet(uint64_t seq, uint8_t *buf)
{
	uint32_t len = MIN_LEN + mix(seq) % (MAX_LEN - MIN_LEN + 1), i, sum;
	uint64_t x = mix(seq ^ 0xabcdef);

	memcpy(buf, &seq, 8);
	for (i = 8; i < len - 4; i++) {
		buf[i] = x;
		x = x >> 8 ? x >> 8 : mix(x + i);
	}
	sum = fnv1a(buf, len - 4);
	memcpy(buf + len - 4, &sum, 4);
	return len;
}

/*
 * R1-R3 and R5 without R4: what a reader that trusts its copy would do.
 * Returns 1 with a packet in r->hdr/r->buf, 0 when there is none yet.
 */
static int read_skipping_r4(struct pktring_reader *r)
{
	const struct pktring_ctl *c = r->ctl;
	uint64_t size = r->cur.size, h, rc, off, len;

	h = PKTRING_LOAD_ACQUIRE(&c->head);
	rc = PKTRING_LOAD_ACQUIRE(&c->reclaim);
	if (r->cur.pos < rc)
		r->cur.pos = rc;
	if (r->cur.pos >= h)
		return 0;
	off = r->cur.pos & (size - 1);
	memcpy(&r->hdr, r->data + off, size - off < PKTRING_REC_HDR_SIZE ?
					size - off : PKTRING_REC_HDR_SIZE);
	len = r->hdr.len;
	if (pktring_check_rec(&r->hdr, size - off, h - r->cur.pos, r->cur.max_record)) {
		r->cur.pos = PKTRING_LOAD_ACQUIRE(&c->reclaim);	/* garbage: resync */
		return 0;
	}
	r->cur.pos += len;
	if (r->hdr.type != PKTRING_REC_PACKET)
		return 0;
	memcpy(r->buf, r->data + off + PKTRING_REC_HDR_SIZE, r->hdr.caplen);
	return 1;
}

static int reader_skipping_r4(const char *ring, int id)
{
	struct pktring_reader r;
	uint64_t delivered = 0, torn = 0, seq;
	uint32_t sum;

	if (pktring_reader_open(&r, ring)) {
		fprintf(stderr, "reader %d: %s\n", id, r.err);
		return 1;
	}
	while (PKTRING_LOAD_ACQUIRE(&r.ctl->state) != PKTRING_STATE_ENDED) {
		if (!read_skipping_r4(&r))
			continue;
		delivered++;
		/* a torn header can carry any length: check it before using it */
		if (r.hdr.caplen < MIN_LEN || r.hdr.caplen != r.hdr.origlen) {
			torn++;
			continue;
		}
		memcpy(&seq, r.buf, 8);
		memcpy(&sum, r.buf + r.hdr.caplen - 4, 4);
		if (sum != fnv1a(r.buf, r.hdr.caplen - 4) || seq != r.hdr.seq)
			torn++;
	}
	printf("reader %d without R4: delivered %llu, torn %llu: %s\n", id,
	       (unsigned long long)delivered, (unsigned long long)torn,
	       torn ? "torn copies seen, as expected" : "FAILED to see any torn copy");
	fflush(stdout);
	pktring_reader_close(&r);
	return !torn;
}

static int reader(const char *ring, int id, int slow)
{
	struct pktring_reader r;
	uint64_t delivered = 0, lost, reported = 0, gap = 0, torn = 0, mismatch = 0;
	uint64_t first = 0, prev = 0, seq;
	uint32_t sum;
	enum pktring_next n;
	int ok;

	if (pktring_reader_open(&r, ring)) {
		fprintf(stderr, "reader %d: %s\n", id, r.err);
		return 1;
	}
	while ((n = pktring_reader_next(&r, 1000, &lost)) != PKTRING_NEXT_ENDED) {
		if (n == PKTRING_NEXT_TIMEOUT)
			continue;
		if (n != PKTRING_NEXT_PACKET) {
			fprintf(stderr, "reader %d: %s\n", id, n == PKTRING_NEXT_ERROR ?
				r.err : "unexpected new epoch");
			return 1;
		}
		if (r.hdr.caplen < MIN_LEN || r.hdr.caplen != r.hdr.origlen) {
			torn++;
			continue;
		}
		memcpy(&seq, r.buf, 8);
		memcpy(&sum, r.buf + r.hdr.caplen - 4, 4);
		if (sum != fnv1a(r.buf, r.hdr.caplen - 4) || seq != r.hdr.seq) {
			torn++;
			continue;
		}
		if (delivered) {
			gap += seq - prev - 1;
			mismatch += lost != seq - prev - 1;
		} else {
			first = seq;
		}
		reported += lost;
		prev = seq;
		delivered++;
		if (slow && delivered % 64 == 0)
			usleep(1000);
	}
	ok = delivered > 1000 && !torn && !mismatch && reported == gap &&
	     delivered + reported == prev - first + 1 && (!slow || reported > 0);
	printf("reader %d%s: delivered %llu, reported lost %llu in %llu laps, sequence gap %llu, torn %llu, loss mismatches %llu, seq %llu..%llu: %s\n",
	       id, slow ? " (slow)" : "", (unsigned long long)delivered,
	       (unsigned long long)reported, (unsigned long long)r.laps,
	       (unsigned long long)gap, (unsigned long long)torn,
	       (unsigned long long)mismatch, (unsigned long long)first,
	       (unsigned long long)prev, ok ? "ok" : "FAILED");
	fflush(stdout);
	pktring_reader_close(&r);
	return !ok;
}

int main(int argc, char **argv)
{
	struct pktring_create_opts o = { .data_size = 64 << 10, .linktype = 147,
					 .snaplen = MAX_LEN, .ifname = "torture" };
	struct pktring_writer w;
	uint8_t buf[MAX_LEN];
	uint64_t seq = 0, end_ns, written = 0;
	pid_t pids[NREADERS];
	int i, status, failed = 0, skip_r4 = 0;

	if (argc > 1 && !strcmp(argv[1], "--skip-r4")) {
		skip_r4 = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: lapping_torture [--skip-r4] RING SECONDS [DATA_SIZE]\n");
		return 2;
	}
	if (argc > 3 && pktring_parse_size(argv[3], &o.data_size)) {
		fprintf(stderr, "bad size %s\n", argv[3]);
		return 2;
	}
	if (pktring_writer_create(&w, argv[1], &o)) {
		fprintf(stderr, "%s\n", w.err);
		return 1;
	}
	fflush(stdout);
	for (i = 0; i < NREADERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(skip_r4 ? reader_skipping_r4(argv[1], i) :
					reader(argv[1], i, i == NREADERS - 1));
	}
	usleep(100000);	/* let the readers open the ring */
	end_ns = pktring_now_ns(CLOCK_MONOTONIC) + atof(argv[2]) * 1e9;
	while (pktring_now_ns(CLOCK_MONOTONIC) < end_ns) {
		for (i = 0; i < 256; i++) {
			struct pktring_rec meta = { 0 };

			meta.caplen = meta.origlen = make_packet(seq, buf);
			meta.ts_ns = pktring_now_ns(CLOCK_REALTIME);
			if (pktring_writer_put(&w, &meta, buf)) {
				fprintf(stderr, "writer: put failed\n");
				return 1;
			}
			seq++;
			written++;
		}
	}
	printf("writer: %llu packets, %llu bytes through a %llu-byte ring (%.0f laps)\n",
	       (unsigned long long)written, (unsigned long long)w.ctl->counters[PKTRING_CTR_BYTES],
	       (unsigned long long)o.data_size, (double)w.ctl->head / o.data_size);
	fflush(stdout);
	pktring_writer_close(&w, 1);
	for (i = 0; i < NREADERS; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	}
	return failed ? 1 : 0;
}
