// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: options, a ring or a group merged by time, and the summary of one tool.
/*
 * pktring-dump: read a ring, or a ring group merged by capture time, and
 * write its packets as pcap (nanosecond timestamps), reporting every lost
 * (lapped) packet.
 */
#include "libpktring.h"
#include "pktring_group.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pktring-dump -r RING [options]\n"
		"Read packets from a ring and write them as pcap (nanosecond precision).\n\n"
		"  -r, --ring RING     ring name, path, or kernel device /dev/pktring/IFACE;\n"
		"                      a ring group (a directory of members) is read\n"
		"                      whole, its members merged by capture time\n"
		"  -m, --member N      only member N of the group\n"
		"  -f, --from WHERE    earliest (default), latest, or a byte position\n"
		"                      (of one ring)\n"
		"  -c, --count N       stop after N packets\n"
		"  -e, --until-end     stop on catching up with the head seen at start\n"
		"  -w, --write FILE    pcap output file, '-' for stdout (default '-')\n"
		"  -Q, --direction D   only packets received (in) or sent (out), as\n"
		"                      tcpdump -Q; others are skipped, not lost\n"
		"  -W, --writer-timeout SECS\n"
		"                      stop with an error when the ring is still live but\n"
		"                      its writer has not beaten for SECS (default %.0f,\n"
		"                      0: wait forever); everything up to head is read first\n"
		"  -v, --verbose       report each loss as it happens (always on stderr)\n"
		"  -q, --quiet         no summary line\n"
		"  -h, --help          this text\n\n"
		"Stops after N packets, when the ring has ended and is drained, with\n"
		"--until-end, or on SIGINT/SIGTERM. Loss (packets overwritten before\n"
		"they were read) is exact: the gap in the ring's packet sequence.\n"
		"A group's members are merged by time: a packet is written once every\n"
		"other member has a later one, has ended, or has had nothing new for\n"
		"50 ms past its time (so a live group's output lags by ~50 ms).\n"
		"Exit status: 0 done, 1 error (bad ring, writer gone, output), 2 usage.\n",
		PKTRING_WRITER_TIMEOUT_MS / 1000.0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "member", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "until-end", no_argument, NULL, 'e' },
		{ "write", required_argument, NULL, 'w' },
		{ "direction", required_argument, NULL, 'Q' },
		{ "writer-timeout", required_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktring_group_reader g;
	struct pktring_reader *r;
	const char *ring = NULL, *from = "earliest", *out = "-", *why = "";
	uint64_t count = 0, packets = 0, bytes = 0, lost, t0, dt, start;
	uint64_t wrapped = 0, other_dir = 0, laps = 0, *per_member;
	long member = -1;
	int direction = 0;
	double writer_timeout = PKTRING_WRITER_TIMEOUT_MS / 1000.0;
	uint32_t snaplen;
	unsigned int m, i;
	int until_end = 0, verbose = 0, quiet = 0, c, rc = 0;
	pcap_t *dead;
	pcap_dumper_t *d;
	char *end;

	while ((c = getopt_long(argc, argv, "r:m:f:c:ew:Q:W:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ring = optarg; break;
		case 'm':
			member = strtol(optarg, &end, 10);
			if (*end || !*optarg || member < 0) {
				fprintf(stderr, "pktring-dump: bad --member '%s'\n", optarg);
				return 2;
			}
			break;
		case 'f': from = optarg; break;
		case 'c':
			count = strtoull(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-') {
				fprintf(stderr, "pktring-dump: bad --count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'e': until_end = 1; break;
		case 'w': out = optarg; break;
		case 'Q':
			if (!strcmp(optarg, "in"))
				direction = PKTRING_DIR_IN;
			else if (!strcmp(optarg, "out"))
				direction = PKTRING_DIR_OUT;
			else if (strcmp(optarg, "inout")) {
				fprintf(stderr, "pktring-dump: bad --direction '%s' (in, out, inout)\n", optarg);
				return 2;
			}
			break;
		case 'W':
			if (pktring_parse_seconds(optarg, &writer_timeout)) {
				fprintf(stderr, "pktring-dump: bad --writer-timeout '%s' (0, or 0.2 to 86400 seconds)\n", optarg);
				return 2;
			}
			break;
		case 'v': verbose = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ring || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pktring_group_open(&g, ring)) {
		fprintf(stderr, "pktring-dump: %s\n", g.err);
		return 1;
	}
	if (member >= 0 && (!g.is_group || pktring_group_keep_member(&g, member))) {
		fprintf(stderr, "pktring-dump: %s\n", g.is_group ? g.err :
			"--member: the ring is not a group");
		pktring_group_close(&g);
		return 2;
	}
	r = &g.m[0];
	for (i = 0; i < g.count; i++)
		g.m[i].writer_timeout_ms = writer_timeout * 1000;
	if (!strcmp(from, "earliest")) {
		pktring_group_seek_earliest(&g);
	} else if (!strcmp(from, "latest")) {
		pktring_group_seek_latest(&g);
	} else {
		uint64_t pos = strtoull(from, &end, 0);

		if (*end || !*from || *from == '-') {
			fprintf(stderr, "pktring-dump: bad --from '%s'\n", from);
			pktring_group_close(&g);
			return 2;
		}
		if (g.count > 1) {
			fprintf(stderr, "pktring-dump: --from %s: a position is in one ring; %s is a group of %u (add --member N)\n",
				from, g.path, g.count);
			pktring_group_close(&g);
			return 2;
		}
		if (pktring_reader_seek(r, pos, NULL)) {
			fprintf(stderr, "pktring-dump: %s\n", r->err);
			pktring_group_close(&g);
			return 1;
		}
	}
	if (until_end)
		pktring_group_until_end(&g);
	start = r->cur.pos;
	per_member = calloc(g.count, sizeof(*per_member));
	if (!per_member) {
		fprintf(stderr, "pktring-dump: out of memory\n");
		return 1;
	}

	/*
	 * The ring holds a LINKTYPE; libpcap takes the DLT it writes as that.
	 * The snap length written must bound every record, or readers of the
	 * file cut packets: the reader enforces max_record, the snaplen field
	 * is only what the writer meant.
	 */
	snaplen = r->id.max_record - PKTRING_REC_HDR_SIZE;
	if (r->id.snaplen > snaplen)
		snaplen = r->id.snaplen;
	for (i = 1; i < g.count; i++) {
		/* one capture: one link type; the largest record of any member */
		if (g.m[i].id.linktype != r->id.linktype) {
			fprintf(stderr, "pktring-dump: %s: member %u has link type %u, member 0 %u\n",
				g.path, i, g.m[i].id.linktype, r->id.linktype);
			pktring_group_close(&g);
			return 1;
		}
		if (g.m[i].id.max_record - PKTRING_REC_HDR_SIZE > snaplen)
			snaplen = g.m[i].id.max_record - PKTRING_REC_HDR_SIZE;
	}
	dead = pcap_open_dead_with_tstamp_precision(
			pktring_dlt_of_linktype(r->id.linktype), snaplen,
			PCAP_TSTAMP_PRECISION_NANO);
	d = dead ? pcap_dump_open(dead, out) : NULL;
	if (!d) {
		fprintf(stderr, "pktring-dump: %s: link type %u of %s: %s\n", out,
			r->id.linktype, r->pl.path, dead ? pcap_geterr(dead) : "unknown");
		pktring_group_close(&g);
		return 1;
	}
	pktring_stop_on_signals();
	signal(SIGPIPE, SIG_IGN);

	t0 = pktring_now_ns(CLOCK_MONOTONIC);
	while (!pktring_stop && (!count || packets < count)) {
		enum pktring_next n;
		struct pcap_pkthdr ph;
		const struct pktring_rec *h;

		n = pktring_group_next(&g, 100, &m, &lost);
		if (n == PKTRING_NEXT_TIMEOUT) {
			pcap_dump_flush(d);	/* a reader of a pipe sees packets */
			if (ferror(pcap_dump_file(d)))
				break;
			continue;
		}
		if (n == PKTRING_NEXT_ENDED) {
			why = until_end ? "caught up with the head seen at start" :
					  "the ring has ended";
			break;
		}
		if (n == PKTRING_NEXT_NEW_EPOCH) {
			why = "the ring was re-created (new epoch)";
			break;
		}
		if (n == PKTRING_NEXT_WRITER_GONE) {
			fprintf(stderr, "pktring-dump: ring %s: writer gone: no heartbeat for %.1f s and the ring was never ended (its writer was killed?); every packet up to head %llu was read\n",
				g.m[g.gone].pl.path, writer_timeout,
				(unsigned long long)g.m[g.gone].cur.pos);
			why = "writer gone";
			rc = 1;
			break;
		}
		if (n == PKTRING_NEXT_ERROR) {
			fprintf(stderr, "pktring-dump: %s\n", g.err);
			why = "error";
			rc = 1;
			break;
		}
		h = &g.m[m].hdr;
		laps += lost != 0;
		if (lost && (verbose || laps <= 10)) {
			if (g.count > 1)
				fprintf(stderr, "pktring-dump: lost %llu packets before seq %llu of member %u\n",
					(unsigned long long)lost, (unsigned long long)h->seq, m);
			else
				fprintf(stderr, "pktring-dump: lost %llu packets before seq %llu\n",
					(unsigned long long)lost, (unsigned long long)h->seq);
		}
		if (h->ts_ns / 1000000000 > UINT32_MAX && !wrapped++)
			fprintf(stderr, "pktring-dump: seq %llu: timestamp after 2106 does not fit pcap's 32-bit seconds; written modulo 2^32 s\n",
				(unsigned long long)h->seq);
		if (direction && h->direction != direction) {
			other_dir++;
			continue;
		}
		ph.ts.tv_sec = h->ts_ns / 1000000000;
		ph.ts.tv_usec = h->ts_ns % 1000000000;	/* ns: NANO precision */
		ph.caplen = h->caplen;
		ph.len = h->origlen;
		pcap_dump((u_char *)d, &ph, g.m[m].buf);
		packets++;
		per_member[m]++;
		bytes += h->caplen;
	}
	if (pktring_stop)
		why = "signal";
	else if (count && packets >= count)
		why = "count reached";
	dt = pktring_now_ns(CLOCK_MONOTONIC) - t0;
	if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
		fprintf(stderr, "pktring-dump: %s: write error: %s\n", out, strerror(errno));
		why = "write error";
		rc = 1;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	if (!quiet && g.count == 1)
		fprintf(stderr, "pktring-dump: %llu packets (%llu bytes), lost %llu, other direction %llu, from position %llu to %llu of %s (epoch 0x%016llx), stopped: %s; %.3f s: %.0f pkts/s, %.0f bytes/s\n",
			(unsigned long long)packets, (unsigned long long)bytes,
			(unsigned long long)r->lost, (unsigned long long)other_dir,
			(unsigned long long)start,
			(unsigned long long)r->cur.pos, r->pl.path,
			(unsigned long long)r->epoch, why, dt / 1e9,
			dt ? packets * 1e9 / dt : 0, dt ? bytes * 1e9 / dt : 0);
	if (!quiet && g.count > 1) {
		fprintf(stderr, "pktring-dump: %llu packets (%llu bytes), lost %llu, other direction %llu, from group %s (%u members, group epoch 0x%016llx), stopped: %s; %.3f s: %.0f pkts/s, %.0f bytes/s; per member:",
			(unsigned long long)packets, (unsigned long long)bytes,
			(unsigned long long)pktring_group_lost(&g),
			(unsigned long long)other_dir, g.path, g.count,
			(unsigned long long)g.group_epoch, why,
			dt / 1e9, dt ? packets * 1e9 / dt : 0, dt ? bytes * 1e9 / dt : 0);
		for (i = 0; i < g.count; i++)
			fprintf(stderr, " %u:%llu", i, (unsigned long long)per_member[i]);
		fprintf(stderr, "\n");
	}
	free(per_member);
	pktring_group_close(&g);
	return rc;
}
