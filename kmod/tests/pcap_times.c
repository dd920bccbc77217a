// SPDX-License-Identifier: BSD-2-Clause
/*
 * pcap_times: an oracle for timestamps that does not use libpcap. Reads a
 * classic pcap file's own bytes and prints, per record, the time it holds
 * in ns since 1970 (seconds and fraction are unsigned 32-bit fields; the
 * fraction counts microseconds or nanoseconds by the magic, and may be a
 * second or more), the captured and the original length:
 *
 *   pcap_times FILE      "NS CAPLEN LEN" lines; exit 0, or 3 when FILE is
 *                        not a classic pcap, 1 when it ends inside a record
 */
#include <byteswap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	uint32_t h[6], r[4], unit;
	int swap, i;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_times FILE\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f || fread(h, sizeof(h), 1, f) != 1)
		return 3;
	swap = h[0] == 0xd4c3b2a1 || h[0] == 0x4d3cb2a1;
	if (swap)
		h[0] = bswap_32(h[0]);
	if (h[0] == 0xa1b2c3d4)
		unit = 1000;
	else if (h[0] == 0xa1b23c4d)
		unit = 1;
	else
		return 3;
	for (;;) {
		size_t n = fread(r, 1, sizeof(r), f);

		if (n == 0)
			return 0;
		if (n != sizeof(r))
			return 1;
		for (i = 0; swap && i < 4; i++)
			r[i] = bswap_32(r[i]);
		printf("%llu %u %u\n",
		       (unsigned long long)r[0] * 1000000000ull +
		       (unsigned long long)r[1] * unit, r[2], r[3]);
		if (fseek(f, r[2], SEEK_CUR))
			return 1;
	}
}
