// SPDX-License-Identifier: BSD-2-Clause
/*
 * open_race: a writer flips a ring's data_size between its true value and
 * one the file is far too short for, as fast as it can, while the reader
 * opens the ring again and again and touches the last byte of the data
 * area it mapped. A reader that checks one copy of the control page and
 * maps by another gets a mapping past the end of the file: SIGBUS.
 *
 *   open_race RING OPENS     exits 0 when every open either succeeded
 *                            with the true size or was refused
 */
#include "libpktring.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile int stop;
static struct pktring_ctl *page;
static uint64_t true_size;

static void *flip(void *arg)
{
	(void)arg;
	while (!stop) {
		__atomic_store_n(&page->data_size, 1ull << 30, __ATOMIC_RELAXED);
		__atomic_store_n(&page->data_size, true_size, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct pktring_reader r;
	unsigned long opens, i, ok = 0, refused = 0, wrong = 0;
	volatile uint8_t sink = 0;
	pthread_t t;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: open_race RING OPENS\n");
		return 2;
	}
	opens = strtoul(argv[2], NULL, 10);
	fd = open(argv[1], O_RDWR);
	page = fd < 0 ? MAP_FAILED : mmap(NULL, PKTRING_CTL_SIZE, PROT_READ | PROT_WRITE,
					   MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		perror(argv[1]);
		return 2;
	}
	true_size = page->data_size;
	pthread_create(&t, NULL, flip, NULL);
	for (i = 0; i < opens; i++) {
		if (pktring_reader_open(&r, argv[1])) {
			refused++;
			continue;
		}
		if (r.cur.size != true_size)
			wrong++;
		sink += r.data[r.cur.size - 1];	/* SIGBUS if mapped past EOF */
		ok++;
		pktring_reader_close(&r);
	}
	stop = 1;
	pthread_join(t, NULL);
	page->data_size = true_size;
	printf("open_race: %lu opens under a writer flipping data_size: %lu opened with the true size, %lu refused, %lu with another size\n",
	       opens, ok - wrong, refused, wrong);
	(void)sink;
	return wrong || !ok ? 1 : 0;
}
