// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target: pktring-replay's input path on arbitrary bytes. Each
 * input is a pcap or pcapng file, read from memory (a memfd) by libpcap
 * through the replay's own input layer (pcap_input.c): ring parameters
 * for its link type, every packet described and written into a ring, and
 * read back at once by a reader of that ring, which must return the very
 * packet (lengths, time, bytes). No crash, no sanitizer report, no loop.
 */
#include "libpktring.h"
#include "pcap_input.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_PACKETS 100000

static struct pktring_writer w;
static struct pktring_reader r;
static char dir[] = "/dev/shm/pktring-fuzz.XXXXXX";
static char ring[sizeof(dir) + 8];

static void cleanup(void)
{
	pktring_reader_close(&r);
	pktring_writer_close(&w, 1);
	unlink(ring);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* one ring for every input: room for libpcap's largest packet */
	struct pktring_create_opts o = {
		.data_size = 1 << 20, .linktype = 1, .snaplen = 262144,
		.ifname = "fuzz",
	};

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(ring, sizeof(ring), "%s/ring", dir);
	if (pktring_writer_create(&w, ring, &o) || pktring_reader_open(&r, ring)) {
		fprintf(stderr, "%s%s\n", w.err, r.err);
		exit(1);
	}
	atexit(cleanup);
	return 0;
}

/* The packet just written, read back: the ring must return it unchanged. */
static void read_back(const struct pktring_rec *meta, const u_char *bytes)
{
	uint64_t lost;

	if (pktring_reader_next(&r, 0, &lost) != PKTRING_NEXT_PACKET || lost ||
	    r.hdr.caplen != meta->caplen || r.hdr.origlen != meta->origlen ||
	    r.hdr.ts_ns != meta->ts_ns || memcmp(r.buf, bytes, meta->caplen)) {
		fprintf(stderr, "replay_fuzz: packet seq %llu did not read back: %s\n",
			(unsigned long long)r.hdr.seq, r.err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pktring_input in;
	struct pcap_pkthdr *ph;
	struct pktring_rec meta;
	const u_char *bytes;
	char name[64];
	uint32_t snaplen;
	int fd, linktype, n = 0;

	fd = memfd_create("fuzz.pcap", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("memfd");
		abort();
	}
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	if (pktring_input_open(&in, name)) {
		close(fd);
		return 0;
	}
	close(fd);	/* the input holds its own */
	if (pktring_input_ring(&in, &linktype, &snaplen) == 0) {
		while (n++ < MAX_PACKETS && pcap_next_ex(in.p, &ph, &bytes) == 1) {
			if (pktring_input_meta(&in, ph, &meta))
				continue;	/* drop_invalid in replay */
			if (meta.caplen > snaplen) {
				fprintf(stderr, "replay_fuzz: libpcap returned %u bytes, the ring was sized for %u\n",
					meta.caplen, snaplen);
				abort();
			}
			if (pktring_writer_put(&w, &meta, bytes) == 0)
				read_back(&meta, bytes);
		}
	}
	pktring_input_close(&in);
	return 0;
}
