// SPDX-License-Identifier: BSD-2-Clause
/*
 * ring_bench: the benchmark's two helpers.
 *
 *   ring_bench gen FILE SIZE COUNT   write a pcap of COUNT SIZE-byte packets
 *   ring_bench memcpy SIZE COUNT RING_BYTES
 *                                    the baseline: copy the same bytes, packet
 *                                    by packet, into a RING_BYTES buffer
 *                                    (wrapping) and print pkts/s and bytes/s
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int gen(const char *file, unsigned int size, unsigned long count)
{
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
							     PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(dead, file);
	struct pcap_pkthdr h = { .caplen = size, .len = size };
	unsigned char *pkt = calloc(1, size);
	unsigned long i;

	if (!d || !pkt) {
		fprintf(stderr, "ring_bench: %s: %s\n", file, pcap_geterr(dead));
		return 1;
	}
	memset(pkt, 0xff, 6);			/* broadcast, IPv4 ethertype */
	pkt[12] = 0x08;
	for (i = 0; i < count; i++) {
		h.ts.tv_sec = 1700000000 + i / 1000000;
		h.ts.tv_usec = i % 1000000 * 1000;
		memcpy(pkt + 14 < pkt + size - 8 ? pkt + 14 : pkt, &i, size >= 22 ? 8 : 0);
		pcap_dump((u_char *)d, &h, pkt);
	}
	pcap_dump_close(d);
	pcap_close(dead);
	free(pkt);
	return 0;
}

static int copy(unsigned int size, unsigned long count, unsigned long ring_bytes)
{
	/* the source: packets laid out as a pcap reader would hand them over */
	unsigned long src_bytes = 64ul << 20, off = 0, soff = 0, i;
	uint8_t *src = malloc(src_bytes), *ring = malloc(ring_bytes);
	unsigned int step = (size + 16 + 7) & ~7u;
	double t0, dt;

	if (!src || !ring)
		return 1;
	memset(src, 0x5a, src_bytes);
	memset(ring, 0, ring_bytes);	/* fault the pages in, as the ring is */
	t0 = now();
	for (i = 0; i < count; i++) {
		if (off + step > ring_bytes)
			off = 0;
		if (soff + size > src_bytes)
			soff = 0;
		memcpy(ring + off, src + soff, size);
		off += step;
		soff += size + 16;
	}
	dt = now() - t0;
	__asm__ volatile("" : : "r"(ring) : "memory");	/* keep the copies */
	printf("memcpy %u-byte packets: %lu in %.3f s: %.0f pkts/s, %.0f bytes/s\n",
	       size, count, dt, count / dt, count * (double)size / dt);
	free(src);
	free(ring);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "memcpy"))
		return copy(atoi(argv[2]), strtoul(argv[3], NULL, 10),
			    strtoul(argv[4], NULL, 10));
	fprintf(stderr, "usage: ring_bench gen FILE SIZE COUNT | memcpy SIZE COUNT RING_BYTES\n");
	return 2;
}
