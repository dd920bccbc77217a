/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pcap or pcapng input read by libpcap at nanosecond precision: a file,
 * "-" (standard input) or a FIFO such as <(...), opened once.
 *
 * It also sees the file's first bytes (libpcap does not tell a classic
 * pcap's precision), so pktring_input_ts() can give each packet the time
 * the file holds: classic pcap's seconds and fraction are unsigned 32-bit
 * fields, which libpcap hands out sign-extended.
 */
#ifndef PKTRING_PCAP_INPUT_H
#define PKTRING_PCAP_INPUT_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct pktring_input {
	const char *name;	/* as given; "-" is standard input */
	int fd;			/* opened once */
	int seekable;		/* a regular file: can be read again */
	FILE *f;		/* what libpcap reads: fd, first bytes noted */
	pcap_t *p;
	uint8_t magic[4];
	size_t magic_len;
	uint32_t frac_ns;	/* ns per unit of a classic pcap's fraction;
				 * 0 for pcapng (libpcap's times are exact) */
	char err[PCAP_ERRBUF_SIZE + 256];
};

/* Open NAME and its pcap reader; -1 with in->err naming it. */
int pktring_input_open(struct pktring_input *in, const char *name);
/* Read a seekable input again from its start; -1 with in->err. */
int pktring_input_rewind(struct pktring_input *in);
/*
 * The time of a packet of this input in ns since 1970, as the file holds
 * it. -1 when it does not fit 64 bits (before 1970, after 2554).
 */
int pktring_input_ts(const struct pktring_input *in,
		     const struct pcap_pkthdr *h, uint64_t *ns);
/*
 * What a ring of this input's packets needs: its LINKTYPE, and the most
 * bytes libpcap returns per packet (the smaller of the header's snap
 * length and libpcap's bound for the link type). -1 with in->err when
 * libpcap cannot write a pcap file of this link type.
 */
int pktring_input_ring(struct pktring_input *in, int *linktype,
		       uint32_t *snaplen);
/*
 * A ring record's description (ts_ns, caplen, origlen) of packet h; -1
 * when its time cannot be held (the caller counts drop_invalid).
 */
struct pktring_rec;
int pktring_input_meta(const struct pktring_input *in,
		       const struct pcap_pkthdr *h, struct pktring_rec *meta);
void pktring_input_close(struct pktring_input *in);

#endif
