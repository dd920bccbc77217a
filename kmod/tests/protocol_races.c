// SPDX-License-Identifier: BSD-2-Clause
/*
 * protocol_races: the interleavings of a writer and a reader that a test
 * of two processes hits only by chance, played out exactly. The barrier
 * macros of pktring_ring.h run a hook before each load, and the hook lets
 * the writer publish packets at the chosen load.
 *
 *   protocol_races       prints one line per case, exits 1 on any failure
 *
 * Cases:
 *  - lapped twice: the writer passes the reader's head between R1 and R2,
 *    and again before head is loaded once more. The ring is consistent at
 *    every instant, so the reader must report a loss, never "corrupt".
 *  - the open check on the same interleaving (pktring_load_reclaim).
 *  - the writer keeps its own positions: a control page whose size, head,
 *    reclaim, max record and seq are changed under it does not move where
 *    it writes.
 */
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void before_load(const volatile void *p);

#define PKTRING_LOAD_ACQUIRE(p)		(before_load(p), __atomic_load_n(p, __ATOMIC_ACQUIRE))
#define PKTRING_STORE_RELEASE(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define PKTRING_READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define PKTRING_WRITE_ONCE(x, v)	__atomic_store_n(&(x), v, __ATOMIC_RELAXED)
#define PKTRING_WMB()			__atomic_thread_fence(__ATOMIC_RELEASE)
#define PKTRING_RMB()			__atomic_thread_fence(__ATOMIC_ACQUIRE)
#include "../include/pktring_ring.h"

#define SIZE		4096
#define CAPLEN		100	/* records of 144 bytes */

static struct pktring_ctl ctl;
static __u8 data[SIZE];
static struct pktring_wpos wp;
static int failures;

/* the writer's script: packets to publish before the n-th hooked load */
static struct {
	const void *field;	/* load of this field... */
	unsigned int packets;	/* ...first publishes this many */
} script[4];
static unsigned int steps;

static void put(unsigned int n)
{
	__u8 bytes[CAPLEN];
	struct pktring_rec meta = { .caplen = CAPLEN, .origlen = CAPLEN };
	struct pktring_rec *rec;
	__u64 end;

	while (n--) {
		meta.ts_ns = wp.seq_next;
		memset(bytes, (int)wp.seq_next, sizeof(bytes));
		rec = pktring_reserve(&ctl, &wp, data, &meta, &end);
		memcpy(rec + 1, bytes, CAPLEN);
		pktring_publish(&ctl, &wp, &meta, end);
	}
}

static void before_load(const volatile void *p)
{
	if (steps < 4 && script[steps].field == (const void *)p) {
		unsigned int n = script[steps].packets;

		steps++;
		put(n);
	}
}

static void fresh_ring(void)
{
	memset(&ctl, 0, sizeof(ctl));
	memset(data, 0, sizeof(data));
	memset(&wp, 0, sizeof(wp));
	memset(script, 0, sizeof(script));
	steps = 0;
	ctl.data_size = SIZE;
	ctl.max_record = SIZE / 2;
	wp.size = SIZE;
	wp.max_record = SIZE / 2;
}

static void result(int ok, const char *name, const char *detail)
{
	printf("%s %s: %s\n", ok ? "ok" : "FAIL", name, detail);
	failures += !ok;
}

static void lapped_twice(void)
{
	struct pktring_cursor c = { .size = SIZE, .max_record = SIZE / 2 };
	struct pktring_rec hdr;
	__u8 buf[SIZE / 2];
	__u64 lost, delivered = 0, total_lost = 0, last_seq = 0;
	const char *why = NULL;
	char detail[256];
	int r, corrupt = 0, bad_bytes = 0;

	fresh_ring();
	put(10);
	/* the reader reads packet 0 */
	r = pktring_read(&ctl, data, &c, &hdr, buf, &lost, &why);
	delivered += r == PKTRING_READ_PACKET;
	/*
	 * Then: R1 loads head; before R2 loads reclaim the writer laps the
	 * reader (40 records > 4096 bytes), and before head is loaded again
	 * it writes 40 more, so the new head is > size ahead of that reclaim.
	 */
	script[0].field = &ctl.head;		/* R1: as it is */
	script[1].field = &ctl.reclaim;		/* R2 */
	script[1].packets = 40;
	script[2].field = &ctl.head;		/* head again */
	script[2].packets = 40;
	for (;;) {
		r = pktring_read(&ctl, data, &c, &hdr, buf, &lost, &why);
		if (r == PKTRING_READ_EMPTY)
			break;
		if (r == PKTRING_READ_CORRUPT) {
			corrupt++;
			break;
		}
		if (r != PKTRING_READ_PACKET)
			continue;
		delivered++;
		total_lost += lost;
		last_seq = hdr.seq;
		if (buf[0] != (__u8)hdr.seq || hdr.ts_ns != hdr.seq)
			bad_bytes++;
	}
	snprintf(detail, sizeof(detail),
		 "writer laps between R1 and R2 and again before head is reloaded: %llu delivered, %llu lost, last seq %llu of %llu, %s",
		 (unsigned long long)delivered, (unsigned long long)total_lost,
		 (unsigned long long)last_seq, (unsigned long long)wp.seq_next - 1,
		 corrupt ? why : "never corrupt");
	result(!corrupt && !bad_bytes && steps == 3 && total_lost > 0 &&
	       delivered + total_lost == wp.seq_next &&
	       last_seq == wp.seq_next - 1, "lapped-twice", detail);
}

static void open_check(void)
{
	const char *why;
	__u64 h, r;
	char detail[256];

	fresh_ring();
	put(10);
	script[0].field = &ctl.reclaim;
	script[0].packets = 40;
	script[1].field = &ctl.head;
	script[1].packets = 40;
	h = __atomic_load_n(&ctl.head, __ATOMIC_ACQUIRE);
	why = pktring_load_reclaim(&ctl, SIZE, h, &r);
	snprintf(detail, sizeof(detail),
		 "head %llu, reclaim loaded after two laps %llu, head now %llu: %s",
		 (unsigned long long)h, (unsigned long long)r,
		 (unsigned long long)ctl.head, why ? why : "consistent");
	result(!why && steps == 2, "open-check-lapped", detail);
}

static void writer_own_positions(void)
{
	struct pktring_cursor c = { .size = SIZE, .max_record = SIZE / 2 };
	struct pktring_rec hdr;
	__u8 buf[SIZE / 2];
	__u64 lost, seq = 0, head;
	const char *why;
	char detail[256];
	int r, ok = 1, n = 0;

	fresh_ring();
	put(5);
	head = wp.head;
	/* another process with write access edits the page */
	ctl.data_size = 1ull << 30;
	ctl.max_record = 1u << 29;
	ctl.head = 1ull << 40;
	ctl.reclaim = (1ull << 40) - 8;
	ctl.seq_next = 1000;
	put(5);		/* before: writes at (2^40 & (2^30 - 1)), far outside */
	ok = ctl.head == head + 5 * pktring_rec_len(CAPLEN) &&
	     ctl.seq_next == 10;
	/* the ring reads back whole once the page's reclaim is a real one */
	ctl.reclaim = 0;
	ctl.data_size = SIZE;
	while ((r = pktring_read(&ctl, data, &c, &hdr, buf, &lost, &why)) !=
	       PKTRING_READ_EMPTY) {
		if (r == PKTRING_READ_CORRUPT) {
			ok = 0;
			break;
		}
		if (r == PKTRING_READ_PACKET) {
			ok &= hdr.seq == seq++ && !lost && buf[0] == (__u8)hdr.seq;
			n++;
		}
	}
	snprintf(detail, sizeof(detail),
		 "page edited (size 2^30, head 2^40, seq 1000) between puts: head %llu, seq_next %llu, %d packets read back in order",
		 (unsigned long long)ctl.head, (unsigned long long)ctl.seq_next, n);
	result(ok && n == 10, "writer-own-positions", detail);
}

int main(void)
{
	lapped_twice();
	open_check();
	writer_own_positions();
	return failures ? 1 : 0;
}
