// SPDX-License-Identifier: BSD-2-Clause
/*
 * udp_sender: the traffic for the live-capture tests (IPv4 only; the tests'
 * own veth pairs).
 *
 *   udp_sender IP PORT COUNT MIN MAX
 *	COUNT datagrams, payload sizes stepping from MIN to MAX bytes, 2 ms apart.
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

static int flood(int fd, double seconds, int size, long maxcount)
{
	static struct mmsghdr msgs[FLOOD_BATCH];
	static struct iovec iov;
	static char buf[65536];
	double t0 = now_s(), t = t0;
	long sent = 0;
	int i, n, want;

	memset(buf, 'f', size);
	iov.iov_base = buf;
	iov.iov_len = size;
	for (i = 0; i < FLOOD_BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
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
	printf("sent %ld datagrams in %.3f s\n", sent, t - t0);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	static char buf[65536];
	int fd, i, count, min, max;
	double seconds = 0;

	if (argc >= 2 && !strcmp(argv[1], "--flood")) {
		if (argc != 6 && argc != 7) {
			fprintf(stderr,
				"usage: udp_sender --flood SECONDS IP PORT SIZE [MAXCOUNT]\n");
			return 2;
		}
		seconds = atof(argv[2]);
		argv += 2;	/* IP PORT SIZE [MAXCOUNT] now at argv[1..] */
		count = argc == 7 ? atoi(argv[4]) : 0;
		min = atoi(argv[3]);
		max = min;
		if (seconds <= 0 || count < 0) {
			fprintf(stderr, "udp_sender: bad arguments\n");
			return 2;
		}
	} else if (argc == 6) {
		count = atoi(argv[3]);
		min = atoi(argv[4]);
		max = atoi(argv[5]);
		if (count < 1) {
			fprintf(stderr, "udp_sender: bad arguments\n");
			return 2;
		}
	} else {
		fprintf(stderr, "usage: udp_sender IP PORT COUNT MIN MAX\n"
			"       udp_sender --flood SECONDS IP PORT SIZE [MAXCOUNT]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    min < 1 || max < min || max > (int)sizeof(buf)) {
		fprintf(stderr, "udp_sender: bad arguments\n");
		return 2;
	}
	to.sin_port = htons(atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp_sender: socket");
		return 1;
	}
	if (seconds > 0) {
		if (connect(fd, (struct sockaddr *)&to, sizeof(to))) {
			perror("udp_sender: connect");
			return 1;
		}
		i = flood(fd, seconds, min, count);
		close(fd);
		return i;
	}
	for (i = 0; i < count; i++) {
		int len = min + (count > 1 ? (long)(max - min) * i / (count - 1) : 0);

		memset(buf, 'a' + i % 26, len);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) != len) {
			perror("udp_sender: sendto");
			return 1;
		}
		usleep(2000);
	}
	close(fd);
	return 0;
}
