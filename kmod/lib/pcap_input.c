// SPDX-License-Identifier: BSD-2-Clause
/* A pcap/pcapng input opened once; see pcap_input.h. */
#include "pcap_input.h"
#include "libpktring.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libpcap reads through this: the fd, with the first 4 bytes noted */
static ssize_t input_read(void *cookie, char *buf, size_t size)
{
	struct pktring_input *in = cookie;
	ssize_t n;

	do
		n = read(in->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n > 0 && in->magic_len < sizeof(in->magic)) {
		size_t k = sizeof(in->magic) - in->magic_len;

		if (k > (size_t)n)
			k = n;
		memcpy(in->magic + in->magic_len, buf, k);
		in->magic_len += k;
	}
	return n;
}

static int input_close(void *cookie)
{
	(void)cookie;	/* the fd stays open for pktring_input_rewind */
	return 0;
}

/* ns per unit of the fraction, by the classic pcap magic; 0 otherwise */
static uint32_t frac_ns_of(const uint8_t *magic)
{
	uint32_t m;

	memcpy(&m, magic, sizeof(m));
	switch (m) {
	case 0xa1b2c3d4: case 0xd4c3b2a1:	/* microseconds */
	case 0xa1b2cd34: case 0x34cdb2a1:	/* Kuznetzov's patched libpcap */
	case 0xa12b3c4d: case 0x4d3c2ba1:	/* Navtel */
		return 1000;
	case 0xa1b23c4d: case 0x4d3cb2a1:	/* nanoseconds */
		return 1;
	}
	return 0;
}

static int open_pcap(struct pktring_input *in)
{
	static const cookie_io_functions_t io = {
		.read = input_read, .close = input_close,
	};
	char errbuf[PCAP_ERRBUF_SIZE];

	in->magic_len = 0;
	in->f = fopencookie(in, "r", io);
	if (!in->f) {
		snprintf(in->err, sizeof(in->err), "%s: %s", in->name,
			 strerror(errno));
		return -1;
	}
	in->p = pcap_fopen_offline_with_tstamp_precision(in->f,
			PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in->p) {
		snprintf(in->err, sizeof(in->err), "%s: %s", in->name, errbuf);
		fclose(in->f);
		in->f = NULL;
		return -1;
	}
	in->frac_ns = pcap_major_version(in->p) == 2 && in->magic_len == 4 ?
		      frac_ns_of(in->magic) : 0;
	return 0;
}

int pktring_input_open(struct pktring_input *in, const char *name)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->name = name;
	in->fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
	if (in->fd < 0) {
		snprintf(in->err, sizeof(in->err), "%s: %s", name, strerror(errno));
		return -1;
	}
	in->seekable = !fstat(in->fd, &st) && S_ISREG(st.st_mode);
	if (open_pcap(in)) {
		if (in->fd > 0)
			close(in->fd);
		in->fd = -1;
		return -1;
	}
	return 0;
}

int pktring_input_rewind(struct pktring_input *in)
{
	pcap_close(in->p);	/* closes in->f, not the fd */
	in->p = NULL;
	in->f = NULL;
	if (!in->seekable || lseek(in->fd, 0, SEEK_SET) != 0) {
		snprintf(in->err, sizeof(in->err), "%s: cannot be read again: %s",
			 in->name, in->seekable ? strerror(errno) : "not a regular file");
		return -1;
	}
	return open_pcap(in);
}

int pktring_input_ts(const struct pktring_input *in,
		     const struct pcap_pkthdr *h, uint64_t *ns)
{
	__int128 sec = h->ts.tv_sec, frac = h->ts.tv_usec;

	if (in->frac_ns) {
		/*
		 * Classic pcap: both fields are unsigned 32-bit in the file;
		 * libpcap sign-extends them (and scales a microsecond fraction
		 * after that), so add back what the sign took.
		 */
		if (sec < 0)
			sec += (__int128)1 << 32;
		if (frac < 0)
			frac += (__int128)in->frac_ns << 32;
	}
	sec = sec * 1000000000 + frac;
	if (sec < 0 || sec > (__int128)UINT64_MAX)
		return -1;
	*ns = sec;
	return 0;
}

int pktring_input_ring(struct pktring_input *in, int *linktype,
		       uint32_t *snaplen)
{
	int dlt = pcap_datalink(in->p);
	uint32_t bound = pktring_max_caplen(dlt);

	*linktype = pktring_linktype_of_dlt(dlt);
	if (*linktype < 0) {
		snprintf(in->err, sizeof(in->err),
			 "%s: link type %d (%s) cannot be written to a pcap file by libpcap, so a ring of it could not be dumped; refused",
			 in->name, dlt, pcap_datalink_val_to_name(dlt) ?: "unknown");
		return -1;
	}
	/* libpcap returns at most bound bytes a packet, whatever the header
	 * claims (some files say 1.7 GB); 0 means no limit */
	if (pcap_snapshot(in->p) > 0 && (uint32_t)pcap_snapshot(in->p) < bound)
		bound = pcap_snapshot(in->p);
	*snaplen = bound;
	return 0;
}

int pktring_input_meta(const struct pktring_input *in,
		       const struct pcap_pkthdr *h, struct pktring_rec *meta)
{
	uint64_t ns = 0;
	int rc = pktring_input_ts(in, h, &ns);

	memset(meta, 0, sizeof(*meta));
	meta->caplen = h->caplen;
	meta->origlen = h->len;
	meta->ts_ns = ns;
	return rc;
}

void pktring_input_close(struct pktring_input *in)
{
	if (in->p)
		pcap_close(in->p);
	if (in->fd > 0)
		close(in->fd);
	in->p = NULL;
	in->f = NULL;
	in->fd = -1;
}
