// SPDX-License-Identifier: BSD-2-Clause
/*
 * pcap_compare: the test oracle. Reads ORIG and COPY with libpcap (both at
 * nanosecond precision) and checks that COPY holds exactly the packets
 * libpcap delivers from ORIG: bytes, captured and original length,
 * timestamp. If libpcap stops ORIG with an error, COPY must hold the
 * packets before the error.
 *
 *   pcap_compare [--no-ts] [--unordered] ORIG COPY
 *
 * Prints "orig=ok|read-error|open-error packets=N" and exits 0 when COPY
 * matches, 1 when it differs, 3 when libpcap cannot open ORIG, 4 when it
 * cannot read COPY.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pkt {
	__int128 ts;	/* the instant, in ns since 1970 */
	unsigned int caplen, len;
	unsigned char *data;
};

struct capture {
	struct pkt *p;
	size_t n, cap;
	int linktype;
	int error;	/* libpcap stopped with an error */
	int pcapng;
	char msg[PCAP_ERRBUF_SIZE + 64];
};

/* ns per unit of a classic pcap's time fraction, by its magic */
static unsigned int frac_unit(const char *file)
{
	static const char *cached;
	static unsigned int unit;
	uint32_t m = 0;
	FILE *f;

	if (cached == file)
		return unit;
	f = fopen(file, "rb");
	if (!f || fread(&m, sizeof(m), 1, f) != 1)
		m = 0;
	if (f)
		fclose(f);
	cached = file;
	unit = m == 0xa1b23c4d || m == 0x4d3cb2a1 ? 1 : 1000;
	return unit;
}

static int load(const char *file, struct capture *c)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	__int128 frac;
	pcap_t *p;
	int rc;

	memset(c, 0, sizeof(*c));
	p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (!p) {
		snprintf(c->msg, sizeof(c->msg), "%s", errbuf);
		return -1;
	}
	c->linktype = pcap_datalink(p);
	c->pcapng = pcap_major_version(p) != 2;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		struct pkt *k;

		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->p = realloc(c->p, c->cap * sizeof(*c->p));
			if (!c->p)
				abort();
		}
		k = &c->p[c->n++];
		/*
		 * pcap's seconds and fraction are unsigned 32-bit; libpcap
		 * sign-extends them (and then scales a us fraction to ns)
		 */
		k->ts = h->ts.tv_sec;
		if (!c->pcapng && k->ts < 0)
			k->ts += (__int128)1 << 32;
		frac = h->ts.tv_usec;
		if (!c->pcapng && frac < 0)
			frac += (__int128)frac_unit(file) << 32;
		k->ts = k->ts * 1000000000 + frac;
		k->caplen = h->caplen;
		k->len = h->len;
		k->data = malloc(h->caplen + 1);
		if (!k->data)
			abort();
		memcpy(k->data, d, h->caplen);
	}
	if (rc == PCAP_ERROR) {
		c->error = 1;
		snprintf(c->msg, sizeof(c->msg), "%s", pcap_geterr(p));
	}
	pcap_close(p);
	return 0;
}

static int no_ts;

static int cmp_pkt(const struct pkt *a, const struct pkt *b)
{
	if (!no_ts && a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->caplen != b->caplen)
		return a->caplen < b->caplen ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return memcmp(a->data, b->data, a->caplen);
}

static int cmp_qsort(const void *a, const void *b)
{
	return cmp_pkt(a, b);
}

int main(int argc, char **argv)
{
	struct capture a, b;
	int unordered = 0, i = 1;
	size_t k, skipped, wrapped = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--no-ts"))
			no_ts = 1;
		else if (!strcmp(argv[i], "--unordered"))
			unordered = 1;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: pcap_compare [--no-ts] [--unordered] ORIG COPY\n");
		return 2;
	}
	if (load(argv[i], &a)) {
		printf("orig=open-error packets=0 (%s)\n", a.msg);
		return 3;
	}
	printf("orig=%s packets=%zu%s%s\n", a.error ? "read-error" : "ok", a.n,
	       a.error ? " error: " : "", a.error ? a.msg : "");
	if (load(argv[i + 1], &b) || b.error) {
		printf("copy %s unreadable: %s\n", argv[i + 1], b.msg);
		return 4;
	}
	/*
	 * The ring holds ns since 1970 in 64 bits: instants outside are
	 * skipped by the writer (and reported). A classic pcap copy holds
	 * 32-bit seconds: later instants come back modulo 2^32 s.
	 */
	for (k = 0, skipped = 0; k < a.n; k++) {
		if (a.p[k].ts < 0 || a.p[k].ts > (__int128)UINT64_MAX) {
			skipped++;
			continue;
		}
		if (!b.pcapng && a.p[k].ts >= ((__int128)1 << 32) * 1000000000) {
			a.p[k].ts %= ((__int128)1 << 32) * 1000000000;
			wrapped++;
		}
		a.p[k - skipped] = a.p[k];
	}
	a.n -= skipped;
	printf("unrepresentable=%zu beyond_pcap_2106=%zu\n", skipped, wrapped);
	if (a.linktype != b.linktype) {
		printf("DIFF: link type %d vs %d\n", a.linktype, b.linktype);
		return 1;
	}
	if (a.n != b.n) {
		printf("DIFF: %zu packets vs %zu\n", a.n, b.n);
		return 1;
	}
	if (unordered) {
		qsort(a.p, a.n, sizeof(*a.p), cmp_qsort);
		qsort(b.p, b.n, sizeof(*b.p), cmp_qsort);
	}
	for (k = 0; k < a.n; k++) {
		if (cmp_pkt(&a.p[k], &b.p[k])) {
			printf("DIFF: packet %zu: ts %.9Lf caplen %u len %u vs ts %.9Lf caplen %u len %u%s\n",
			       k + 1, (long double)a.p[k].ts / 1e9, a.p[k].caplen, a.p[k].len,
			       (long double)b.p[k].ts / 1e9, b.p[k].caplen, b.p[k].len,
			       a.p[k].caplen == b.p[k].caplen && a.p[k].len == b.p[k].len &&
			       (no_ts || a.p[k].ts == b.p[k].ts) ? " (bytes differ)" : "");
			return 1;
		}
	}
	return 0;
}
