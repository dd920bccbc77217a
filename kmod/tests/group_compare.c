// SPDX-License-Identifier: BSD-2-Clause
/*
 * group_compare: the oracle of the ring-group tests. Reads REF (e.g.
 * tcpdump's capture of the traffic) and each MEMBER file of a group with
 * libpcap, at nanosecond precision, and checks that the members, merged
 * by time (ties: the lower member first), are REF's packets (count, bytes,
 * contents: each member packet matched to a REF packet of its own) and
 * that each member's packets appear in REF in the member's own order.
 * -w writes the merge as a nanosecond pcap.
 *
 *   group_compare REF [-w MERGED] MEMBER...
 *
 * Prints what it read and the mismatches; exits 0 when all holds, 1 when
 * not, 2 on bad arguments.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pkt {
	uint32_t caplen, len;
	uint64_t ts_ns;
	uint8_t *bytes;
	int member;	/* which member file it came from */
	size_t at;	/* its index in its file */
};

static int pkt_cmp(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	if (x->caplen != y->caplen)
		return x->caplen < y->caplen ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, x->caplen);
}

static struct pkt *load(const char *file, size_t *n, uint64_t *bytes,
			uint32_t *maxcap)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(file,
					PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *b;
	struct pkt *v = NULL;
	size_t cap = 0;

	if (!p) {
		fprintf(stderr, "group_compare: %s\n", err);
		exit(1);
	}
	*n = 0;
	*bytes = 0;
	*maxcap = 0;
	while (pcap_next_ex(p, &h, &b) == 1) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		memset(&v[*n], 0, sizeof(v[*n]));
		v[*n].caplen = h->caplen;
		v[*n].len = h->len;
		v[*n].ts_ns = h->ts.tv_sec * 1000000000ULL + h->ts.tv_usec;
		v[*n].bytes = malloc(h->caplen);
		memcpy(v[*n].bytes, b, h->caplen);
		*bytes += h->caplen;
		if (h->caplen > *maxcap)
			*maxcap = h->caplen;
		(*n)++;
	}
	pcap_close(p);
	return v;
}

static int by_time(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	if (x->member != y->member)
		return x->member < y->member ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;	/* stable: file order */
}

static int by_content_then_at(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;
	int c = pkt_cmp(x, y);

	return c ? c : (x->at < y->at ? -1 : x->at > y->at);
}

static int compare(int argc, char **argv)
{
	const char *ref_file = argv[0], *out = NULL;
	size_t nref, nall = 0, i, k, lo, hi, mid;
	uint64_t bref, ball = 0;
	uint32_t mref;
	struct pkt *ref = load(ref_file, &nref, &bref, &mref), *all = NULL;
	struct pkt *sorted;
	char *used;
	int m, nmembers = 0, bad = 0;

	if (argc > 2 && !strcmp(argv[1], "-w")) {
		out = argv[2];
		argc -= 2;
		argv += 2;
	}
	for (i = 0; i < nref; i++)
		ref[i].at = i;
	sorted = malloc((nref + 1) * sizeof(*sorted));
	memcpy(sorted, ref, nref * sizeof(*sorted));
	qsort(sorted, nref, sizeof(*sorted), by_content_then_at);
	used = calloc(nref + 1, 1);
	for (m = 1; m < argc; m++, nmembers++) {
		size_t n, last = 0;
		uint64_t b;
		uint32_t mc;
		struct pkt *v = load(argv[m], &n, &b, &mc);
		int first = 1;

		printf("member %d (%s): %zu packets %llu bytes\n", m - 1,
		       argv[m], n, (unsigned long long)b);
		all = realloc(all, (nall + n + 1) * sizeof(*all));
		for (i = 0; i < n; i++) {
			v[i].member = m - 1;
			v[i].at = i;
			all[nall + i] = v[i];
			/* the first unused equal packet of REF after the last */
			lo = 0;
			hi = nref;
			while (lo < hi) {
				mid = (lo + hi) / 2;
				if (pkt_cmp(&sorted[mid], &v[i]) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (k = lo; k < nref && !pkt_cmp(&sorted[k], &v[i]); k++)
				if (!used[k] && (first || sorted[k].at > last))
					break;
			if (k == nref || pkt_cmp(&sorted[k], &v[i])) {
				printf("member %d packet %zu: not in %s%s\n",
				       m - 1, i, ref_file,
				       lo < nref && !pkt_cmp(&sorted[lo], &v[i]) ?
				       " in this member's order" : "");
				bad++;
				continue;
			}
			used[k] = 1;
			last = sorted[k].at;
			first = 0;
		}
		nall += n;
		ball += b;
	}
	qsort(all, nall, sizeof(*all), by_time);
	printf("%s: %zu packets %llu bytes; %d members merged: %zu packets %llu bytes; %d mismatches\n",
	       ref_file, nref, (unsigned long long)bref, nmembers, nall,
	       (unsigned long long)ball, bad);
	if (out) {
		pcap_t *dead = pcap_open_dead_with_tstamp_precision(1, 262144,
					PCAP_TSTAMP_PRECISION_NANO);
		pcap_dumper_t *d = pcap_dump_open(dead, out);

		if (!d) {
			fprintf(stderr, "%s: %s\n", out, pcap_geterr(dead));
			return 1;
		}
		for (i = 0; i < nall; i++) {
			struct pcap_pkthdr ph = {
				.ts.tv_sec = all[i].ts_ns / 1000000000,
				.ts.tv_usec = all[i].ts_ns % 1000000000,
				.caplen = all[i].caplen,
				.len = all[i].len,
			};
			pcap_dump((u_char *)d, &ph, all[i].bytes);
		}
		pcap_dump_close(d);
	}
	return bad || nall != nref || ball != bref;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: group_compare REF [-w MERGED] MEMBER...\n");
		return 2;
	}
	return compare(argc - 1, argv + 1);
}
