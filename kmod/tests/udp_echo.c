// SPDX-License-Identifier: BSD-2-Clause
/*
 * udp_echo: two-way flows for the ring-group tests (IPv4, the test's own
 * veth pair).
 *
 *   udp_echo server IP PORT IDLE_S      echo every datagram to its sender
 *                                       until IDLE_S seconds pass idle
 *   udp_echo client IP PORT FLOWS N     FLOWS sockets (source ports of
 *                                       their own) send N datagrams each,
 *                                       in turn, each waiting for its echo
 *
 * The client prints "sent S echoed E" and exits 1 unless every datagram
 * came back.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int server(struct sockaddr_in *at, int idle_s)
{
	struct timeval tv = { .tv_sec = idle_s };
	struct sockaddr_in from;
	socklen_t len;
	char buf[2048];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	if (fd < 0 || bind(fd, (void *)at, sizeof(*at)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("udp_echo server");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (void *)&from, &len);
		if (n < 0)
			return 0;	/* idle long enough */
		sendto(fd, buf, n, 0, (void *)&from, len);
	}
}

static int client(struct sockaddr_in *to, int flows, int per_flow)
{
	struct timeval tv = { .tv_sec = 1 };
	int *fd = calloc(flows, sizeof(*fd)), f, i, sent = 0, echoed = 0;
	char buf[2048];

	if (!fd)
		return 1;
	for (f = 0; f < flows; f++) {
		fd[f] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[f] < 0 || connect(fd[f], (void *)to, sizeof(*to)) ||
		    setsockopt(fd[f], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
			perror("udp_echo client");
			return 1;
		}
	}
	for (i = 0; i < per_flow; i++) {
		for (f = 0; f < flows; f++) {
			int n = snprintf(buf, sizeof(buf), "flow %d datagram %d ", f, i);

			memset(buf + n, 'a' + f % 26, 20 + (f * 37 + i * 11) % 500);
			n += 20 + (f * 37 + i * 11) % 500;
			if (send(fd[f], buf, n, 0) == n)
				sent++;
			if (recv(fd[f], buf, sizeof(buf), 0) == n)
				echoed++;
		}
	}
	printf("sent %d echoed %d\n", sent, echoed);
	free(fd);
	return sent == flows * per_flow && echoed == sent ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };

	if (argc < 5 || inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: udp_echo server IP PORT IDLE_S | client IP PORT FLOWS N\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[3]));
	if (!strcmp(argv[1], "server"))
		return server(&a, atoi(argv[4]));
	if (!strcmp(argv[1], "client") && argc == 6)
		return client(&a, atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: udp_echo server IP PORT IDLE_S | client IP PORT FLOWS N\n");
	return 2;
}
