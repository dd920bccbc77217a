// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: the C ring reader on arbitrary bytes. Each input is a
 * ring file (control page, then data); the reader opens it as any tool
 * does (directory check, O_NOFOLLOW, identity check, mapping) and reads
 * every record it can, from earliest and from latest, then looks at the
 * control page and the writer's liveness. Whatever the bytes, it must
 * neither crash, nor trip ASan/UBSan, nor loop (libFuzzer's -timeout).
 */
#include "libpktring.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_STEPS 100000	/* far more records than a fuzzed ring holds */

static char path[PATH_MAX];
static volatile uint8_t sink;

static void remove_dir(void)
{
	char dir[PATH_MAX];

	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/dev/shm/pktring-fuzz.XXXXXX";

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/ring", dir);
	atexit(remove_dir);
	return 0;
}

static void read_all(struct pktring_reader *r)
{
	uint64_t lost;
	int i;

	for (i = 0; i < MAX_STEPS; i++) {
		enum pktring_next n = pktring_reader_next(r, 0, &lost);

		if (n != PKTRING_NEXT_PACKET)
			break;
		/* what a tool does with a packet: its bytes are read */
		if (r->hdr.caplen)
			sink ^= r->buf[0] ^ r->buf[r->hdr.caplen - 1];
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pktring_reader r;
	struct pktring_ctl copy;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror(path);
		abort();
	}
	close(fd);
	if (pktring_reader_open(&r, path))
		return 0;
	read_all(&r);
	pktring_reader_seek_latest(&r);
	read_all(&r);
	if (size >= 8) {	/* a saved position, as a resume would bring */
		uint64_t pos, seq;

		memcpy(&pos, data + size - 8, 8);
		seq = pos >> 3;
		if (!pktring_reader_seek(&r, pos % (r.cur.size * 2), &seq))
			read_all(&r);
	}
	pktring_reader_ctl(&r, &copy);
	pktring_reader_liveness(&r);
	pktring_reader_close(&r);
	return 0;
}
