// SPDX-License-Identifier: BSD-2-Clause
/*
 * udp_sender: the UDP traffic of the live-capture tests, on the host and
 * in the VM guest (IPv4 only; the tests' own interfaces).
 *
 *   udp_sender IP PORT COUNT MIN MAX [PPS [SRCPORT]]
 *	COUNT datagrams, payload sizes stepping from MIN to MAX bytes, PPS a
 *	second (default 500: 2 ms apart; 0: as fast as the socket takes
 *	them), from source port SRCPORT if given.
 *   udp_sender --flood SECONDS IP PORT SIZE [MAXCOUNT]
 *	SIZE-byte datagrams as fast as sendmmsg(2) takes them, for SECONDS or
 *	until MAXCOUNT are sent; prints "sent N datagrams in S s" on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_BATCH 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --flood: batches of FLOOD_BATCH datagrams on a connected socket */
static int send_flood(int argc, char **argv)
{
	static struct mmsghdr msgs[FLOOD_BATCH];
	static char buf[65536];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iovec iov;
	double seconds, t0, t;
	long sent = 0, maxcount;
	int fd, i, n, want, size;

	if (argc != 6 && argc != 7) {
		fprintf(stderr,
			"usage: udp_sender --flood SECONDS IP PORT SIZE [MAXCOUNT]\n");
		return 2;
	}
	seconds = atof(argv[2]);
	size = atoi(argv[5]);
	maxcount = argc == 7 ? atol(argv[6]) : 0;
	if (seconds <= 0 || size < 1 || size > (int)sizeof(buf) || maxcount < 0 ||
	    inet_pton(AF_INET, argv[3], &to.sin_addr) != 1) {
		fprintf(stderr, "udp_sender: bad arguments\n");
		return 2;
	}
	to.sin_port = htons(atoi(argv[4]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to))) {
		perror("udp_sender: socket");
		return 1;
	}
	memset(buf, 'f', size);
	iov.iov_base = buf;
	iov.iov_len = size;
	for (i = 0; i < FLOOD_BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	t = t0;
	while (t - t0 < seconds && (!maxcount || sent < maxcount)) {
		want = FLOOD_BATCH;
		if (maxcount && maxcount - sent < want)
			want = maxcount - sent;
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("udp_sender: sendmmsg");
			return 1;
		}
		if (n > 0)
			sent += n;
		t = now_s();
	}
	close(fd);
	printf("sent %ld datagrams in %.3f s\n", sent, t - t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static char buf[65536];
	int fd, i, count, min, max, pps;

	if (argc > 1 && !strcmp(argv[1], "--flood"))
		return send_flood(argc, argv);
	if (argc < 6 || argc > 8) {
		fprintf(stderr, "usage: udp_sender IP PORT COUNT MIN MAX [PPS [SRCPORT]]\n"
			"       udp_sender --flood SECONDS IP PORT SIZE [MAXCOUNT]\n");
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
