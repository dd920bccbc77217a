// SPDX-License-Identifier: BSD-2-Clause
/*
 * group_writers: the ring-group benchmark's writer. N threads, thread i
 * pinned to CPU i, each the only writer of member i of a ring group of N
 * shared-memory rings, as pktring-capd --rings N writes them (no lock,
 * nothing shared between the threads).
 *
 *   group_writers rate GROUP N SIZE SECONDS
 *       write SIZE-byte packets flat out for SECONDS; print each thread's
 *       and the total packets/s
 *   group_writers fill GROUP N SIZE COUNT
 *       write COUNT packets into each member (UDP frames of 64 flows per
 *       member), end the rings and exit: a fixed load for readers
 *
 * Each member's data area is RING_SIZE bytes (environment; default 128M).
 */
#include "libpktring.h"
#include "pktring_group.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct writer {
	struct pktring_writer w;
	unsigned int index;
	unsigned int size;
	double seconds;		/* rate: how long */
	uint64_t count;		/* fill: how many */
	uint64_t packets;
	double elapsed;
	double cpu;		/* CPU seconds the thread used */
	pthread_t thread;
};

static double now(void)
{
	return pktring_now_ns(CLOCK_MONOTONIC) / 1e9;
}

/* Ethernet, IPv4, UDP from 10.1.<member>.1:<flow> to 10.2.0.1:9 */
static void frame(uint8_t *f, unsigned int size, unsigned int member,
		  unsigned int flow)
{
	memset(f, 0, size);
	memset(f, 0x02, 6);
	memset(f + 6, 0x04, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (size - 14) >> 8;
	f[17] = (size - 14) & 0xff;
	f[22] = 64;
	f[23] = 17;
	f[26] = 10;
	f[27] = 1;
	f[28] = member;
	f[29] = 1;
	f[30] = 10;
	f[31] = 2;
	f[33] = 1;
	f[34] = (40000 + flow) >> 8;
	f[35] = (40000 + flow) & 0xff;
	f[37] = 9;
	f[38] = (size - 34) >> 8;
	f[39] = (size - 34) & 0xff;
}

static void *run(void *arg)
{
	struct writer *wr = arg;
	struct pktring_rec meta = { 0 };
	uint8_t *f = malloc(wr->size);
	cpu_set_t cpus;
	double t0, end, cpu0;
	uint64_t n = 0;

	CPU_ZERO(&cpus);
	CPU_SET(wr->index, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	meta.caplen = meta.origlen = wr->size;
	meta.direction = PKTRING_DIR_IN;
	meta.protocol = htobe16(0x0800);
	t0 = now();
	cpu0 = pktring_now_ns(CLOCK_THREAD_CPUTIME_ID) / 1e9;
	end = t0 + wr->seconds;
	for (;;) {
		if (wr->count) {
			if (n == wr->count)
				break;
		} else if (!(n & 1023) && now() >= end) {
			break;
		}
		if (!(n & 63) || wr->count)
			frame(f, wr->size, wr->index, n % 64);
		meta.ts_ns = pktring_now_ns(CLOCK_REALTIME);
		pktring_writer_put(&wr->w, &meta, f);
		n++;
	}
	pktring_writer_flush(&wr->w);
	wr->elapsed = now() - t0;
	wr->cpu = pktring_now_ns(CLOCK_THREAD_CPUTIME_ID) / 1e9 - cpu0;
	wr->packets = n;
	free(f);
	return NULL;
}

int main(int argc, char **argv)
{
	struct writer *ws;
	unsigned int n, size, i;
	uint64_t group_epoch = pktring_new_epoch(), total = 0;
	uint64_t ring_size = 128 << 20;	/* per member; RING_SIZE= */
	double elapsed = 0, cpu = 0;
	char err[PKTRING_ERR_LEN], dir[PATH_MAX];
	int fill;

	if (argc != 6 || (strcmp(argv[1], "rate") && strcmp(argv[1], "fill"))) {
		fprintf(stderr, "usage: group_writers rate|fill GROUP N SIZE SECONDS|COUNT\n");
		return 2;
	}
	fill = !strcmp(argv[1], "fill");
	if (getenv("RING_SIZE") && pktring_parse_size(getenv("RING_SIZE"), &ring_size))
		return 2;
	n = atoi(argv[3]);
	size = atoi(argv[4]);
	if (n < 1 || n > 64 || size < 60 || size > 9000)
		return 2;
	if (pktring_group_prepare(argv[2], n, NULL, dir, sizeof(dir), err, sizeof(err))) {
		fprintf(stderr, "group_writers: %s\n", err);
		return 1;
	}
	ws = calloc(n, sizeof(*ws));
	for (i = 0; i < n; i++) {
		struct pktring_create_opts o = {
			.data_size = ring_size,
			.linktype = 1, .snaplen = 9000, .ifname = "bench",
			.group_epoch = group_epoch, .ring_index = i, .ring_count = n,
			.flags = PKTRING_F_BY_FLOW,
		};
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/%u", dir, i);
		if (pktring_writer_create(&ws[i].w, path, &o)) {
			fprintf(stderr, "group_writers: %s\n", ws[i].w.err);
			return 1;
		}
		ws[i].index = i;
		ws[i].size = size;
		if (fill)
			ws[i].count = strtoull(argv[5], NULL, 10);
		else
			ws[i].seconds = atof(argv[5]);
	}
	for (i = 0; i < n; i++)
		pthread_create(&ws[i].thread, NULL, run, &ws[i]);
	for (i = 0; i < n; i++) {
		pthread_join(ws[i].thread, NULL);
		total += ws[i].packets;
		if (ws[i].elapsed > elapsed)
			elapsed = ws[i].elapsed;
		pktring_writer_close(&ws[i].w, 1);
	}
	for (i = 0; i < n; i++) {
		printf("writer %u (cpu %u): %llu packets, %.0f pkts/s, %.0f pkts per CPU-second (%.0f%% of a CPU)\n",
		       i, i, (unsigned long long)ws[i].packets,
		       ws[i].packets / ws[i].elapsed, ws[i].packets / ws[i].cpu,
		       100 * ws[i].cpu / ws[i].elapsed);
		cpu += ws[i].cpu;
	}
	printf("total: %u writers, %llu packets in %.3f s: %.0f pkts/s; %.0f pkts per CPU-second each\n",
	       n, (unsigned long long)total, elapsed, total / elapsed, total / cpu);
	printf("summary pkts_per_s=%.0f per_cpu_s=%.0f cpu_share=%.0f\n",
	       total / elapsed, total / cpu, 100 * cpu / n / elapsed);
	free(ws);
	return 0;
}
