// SPDX-License-Identifier: BSD-2-Clause
/*
 * udp_sender: the UDP traffic of the live-capture tests, on the host and
 * in the VM guest. Sends COUNT datagrams to IP:PORT, payload sizes
 * stepping from MIN to MAX bytes, PPS a second (default 500: 2 ms apart;
 * 0: as fast as the socket takes them), from source port SRCPORT if given
 * (IPv4 only; the test's own interfaces).
 *
 *   udp_sender IP PORT COUNT MIN MAX [PPS [SRCPORT]]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static char buf[65536];
	int fd, i, count, min, max, pps;

	if (argc < 6 || argc > 8) {
		fprintf(stderr, "usage: udp_sender IP PORT COUNT MIN MAX [PPS [SRCPORT]]\n");
		return 2;
	}
	count = atoi(argv[3]);
	min = atoi(argv[4]);
	max = atoi(argv[5]);
	pps = argc > 6 ? atoi(argv[6]) : 500;
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 || count < 1 ||
	    min < 1 || max < min || max > (int)sizeof(buf) || pps < 0) {
		fprintf(stderr, "udp_sender: bad arguments\n");
		return 2;
	}
	to.sin_port = htons(atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_sender: socket");
		return 1;
	}
	if (argc > 7) {
		struct sockaddr_in from = { .sin_family = AF_INET };

		from.sin_port = htons(atoi(argv[7]));
		if (bind(fd, (struct sockaddr *)&from, sizeof(from))) {
			perror("udp_sender: bind");
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		int len = min + (count > 1 ? (long)(max - min) * i / (count - 1) : 0);

		memset(buf, 'a' + i % 26, len);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) != len) {
			perror("udp_sender: sendto");
			return 1;
		}
		if (pps)
			usleep(1000000 / pps);
	}
	close(fd);
	return 0;
}
