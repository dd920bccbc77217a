// SPDX-License-Identifier: BSD-2-Clause
/*
 * wake_latency: how soon an idle reader sees a packet. A writer publishes
 * one packet every 5 ms (each carrying its CLOCK_MONOTONIC send time); a
 * reader process blocked in pktring_reader_next() (futex wait) measures
 * the delay to delivery. Prints the median, 90th percentile and maximum;
 * exits non-zero unless the median is under 1 ms and the 90th percentile
 * under 2 ms (the design: readers wake within a millisecond).
 *
 *   wake_latency RING
 */
#include "libpktring.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PACKETS 200
#define GAP_US 5000

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int reader(const char *ring)
{
	static uint64_t lat[PACKETS];
	struct pktring_reader r;
	uint64_t lost, sent;
	int n = 0;
	enum pktring_next st;

	if (pktring_reader_open(&r, ring)) {
		fprintf(stderr, "%s\n", r.err);
		return 1;
	}
	while (n < PACKETS && (st = pktring_reader_next(&r, 1000, &lost)) != PKTRING_NEXT_ENDED) {
		if (st != PKTRING_NEXT_PACKET)
			continue;
		memcpy(&sent, r.buf, sizeof(sent));
		lat[n++] = pktring_now_ns(CLOCK_MONOTONIC) - sent;
	}
	pktring_reader_close(&r);
	if (n < PACKETS) {
		printf("wake latency: only %d of %d packets\n", n, PACKETS);
		return 1;
	}
	qsort(lat, n, sizeof(lat[0]), cmp_u64);
	printf("wake latency over %d packets: median %.3f ms, p90 %.3f ms, max %.3f ms\n",
	       n, lat[n / 2] / 1e6, lat[n * 9 / 10] / 1e6, lat[n - 1] / 1e6);
	fflush(stdout);
	return !(lat[n / 2] < 1000000 && lat[n * 9 / 10] < 2000000);
}

int main(int argc, char **argv)
{
	struct pktring_create_opts o = { .data_size = 1 << 20, .linktype = 147,
					 .snaplen = 64, .ifname = "latency" };
	struct pktring_writer w;
	uint8_t pkt[64] = { 0 };
	int i, status;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: wake_latency RING\n");
		return 2;
	}
	if (pktring_writer_create(&w, argv[1], &o)) {
		fprintf(stderr, "%s\n", w.err);
		return 1;
	}
	pid = fork();
	if (pid == 0)
		_exit(reader(argv[1]));
	usleep(200000);		/* the reader is idle in its wait */
	for (i = 0; i < PACKETS; i++) {
		struct pktring_rec meta = { .caplen = sizeof(pkt), .origlen = sizeof(pkt) };
		uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);

		memcpy(pkt, &now, sizeof(now));
		meta.ts_ns = pktring_now_ns(CLOCK_REALTIME);
		pktring_writer_put(&w, &meta, pkt);	/* wakes: >1 ms since the last */
		usleep(GAP_US);
	}
	pktring_writer_close(&w, 1);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}
