// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: options, inputs and pacing of one tool.
/*
 * pktring-replay: write pcap/pcapng files into a ring -- the deterministic
 * source for tests, benchmarks and demos.
 */
#include "libpktring.h"
#include "pktring_group.h"
#include "pcap_input.h"

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
		"usage: pktring-replay -r RING [options] FILE...\n"
		"Write the packets of pcap/pcapng FILEs into a ring. A FILE may be -\n"
		"(standard input) or a pipe such as <(...); each is opened once.\n\n"
		"  -r, --ring RING     ring name (in " PKTRING_SHM_DIR ") or path\n"
		"  -s, --size SIZE     data size of a new ring, power of two (default 16M)\n"
		"  -a, --append        append to the existing ring (same epoch) instead\n"
		"                      of creating a new ring (new epoch)\n"
		"  -m, --mode OCTAL    a new ring file's mode (default 0640)\n"
		"  -g, --group GROUP   a new ring file's group (name or number)\n"
		"  -p, --rate PPS      write at PPS packets per second\n"
		"  -t, --timing        write at the files' original timing\n"
		"  -l, --loop N        replay the files N times (default 1, 0 = forever)\n"
		"  -N, --rings N       write a ring group of N members (RING/0 .. RING/N-1,\n"
		"                      each --size), each packet into the member of its\n"
		"                      flow: a symmetric hash, so both directions of a\n"
		"                      flow are in one member\n"
		"  -k, --hold          keep the ring live after the last packet until\n"
		"                      SIGINT/SIGTERM (alias --keep-open)\n"
		"  -q, --quiet         no summary line\n"
		"  -h, --help          this text\n\n"
		"The ring's link type (LINKTYPE_*, as in the files' headers) and snap\n"
		"length are the files' (the snap length bounded by libpcap's 262144\n"
		"bytes a packet); a link type libpcap cannot write is refused.\n"
		"Timestamps are kept at the files' precision (nanoseconds). Exit status\n"
		"is non-zero when a file cannot be read. A FILE that cannot be opened,\n"
		"or fails before its first packet, leaves the ring untouched; one\n"
		"that fails later leaves what was written before, and the ring is\n"
		"ended.\n");
}

struct replay {
	struct pktring_writer *w;	/* count rings: one, or a group's */
	unsigned int count;
	uint32_t linktype;
	uint64_t rate;		/* packets per second, 0 = flat out */
	int timing;
	uint64_t packets, bytes, skipped;
	uint64_t start_ns;	/* pacing origin, CLOCK_MONOTONIC */
	uint64_t first_ts;	/* first packet's timestamp (timing) */
	int have_first;
};

static void flush(struct replay *rp)
{
	unsigned int i;

	for (i = 0; i < rp->count; i++)
		pktring_writer_flush(&rp->w[i]);
}

static void sleep_until(struct replay *rp, uint64_t due)
{
	uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (due <= now)
		return;
	flush(rp);	/* readers must not wait for us */
	while (!pktring_stop && (now = pktring_now_ns(CLOCK_MONOTONIC)) < due) {
		uint64_t d = due - now;

		if (d > 100000000)
			d = 100000000;
		ts.tv_sec = d / 1000000000;
		ts.tv_nsec = d % 1000000000;
		nanosleep(&ts, NULL);
	}
}

static void pace(struct replay *rp, uint64_t ts_ns)
{
	if (rp->rate)
		sleep_until(rp, rp->start_ns + rp->packets * 1000000000ull / rp->rate);
	else if (rp->timing) {
		if (!rp->have_first) {
			rp->first_ts = ts_ns;
			rp->have_first = 1;
		}
		if (ts_ns > rp->first_ts)
			sleep_until(rp, rp->start_ns + (ts_ns - rp->first_ts));
	}
}

/* An input, and the packet read ahead of the ring (see open_inputs). */
struct source {
	struct pktring_input in;
	struct pcap_pkthdr *first;	/* NULL: none pending */
	const u_char *first_bytes;
};

static void close_inputs(struct source *src, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (src[i].in.p)
			pktring_input_close(&src[i].in);
	free(src);
}

static void put_packet(struct replay *rp, struct source *s,
		      const struct pcap_pkthdr *ph, const u_char *bytes)
{
	struct pktring_rec meta;
	struct pktring_writer *w = rp->w;

	if (rp->count > 1)
		w += pktring_flow_hash(bytes, ph->caplen, rp->linktype) % rp->count;
	if (pktring_input_meta(&s->in, ph, &meta)) {
		fprintf(stderr, "pktring-replay: %s: packet %llu: timestamp %lld.%09ld is not representable (before 1970 or after 2554), skipped\n",
			s->in.name, (unsigned long long)(rp->packets + rp->skipped + 1),
			(long long)ph->ts.tv_sec, (long)ph->ts.tv_usec);
		pktring_writer_count(w, PKTRING_CTR_DROP_INVALID, 1);
		rp->skipped++;
		return;
	}
	pace(rp, meta.ts_ns);
	if (pktring_writer_put(w, &meta, bytes) != 0) {
		fprintf(stderr, "pktring-replay: %s: packet of %u bytes exceeds the ring's max record %u, skipped\n",
			s->in.name, ph->caplen, (unsigned int)w->pos.max_record);
		rp->skipped++;
		return;
	}
	rp->packets++;
	rp->bytes += ph->caplen;
}

/* Write the packets of one input; -1 after printing why it stopped. */
static int replay_source(struct replay *rp, struct source *s)
{
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	int rc = 0;

	if (s->first) {
		put_packet(rp, s, s->first, s->first_bytes);
		s->first = NULL;
	}
	while (!pktring_stop && (rc = pcap_next_ex(s->in.p, &ph, &bytes)) == 1)
		put_packet(rp, s, ph, bytes);
	if (!pktring_stop && rc == PCAP_ERROR) {
		fprintf(stderr, "pktring-replay: %s: %s\n", s->in.name,
			pcap_geterr(s->in.p));
		return -1;
	}
	return 0;
}

/*
 * Open every input once, before the ring is touched, and read its first
 * packet: an input that cannot be opened or read leaves an existing ring
 * as it was. Gives the link type and snap length for the ring.
 */
static int open_inputs(struct source *src, int n, int loops, int *linktype,
		       uint32_t *snaplen)
{
	uint32_t bound;
	int i, rc, lt, stdin_seen = 0;

	for (i = 0; i < n; i++) {
		struct pktring_input *in = &src[i].in;

		if (!strcmp(in->name, "-") && stdin_seen++) {
			fprintf(stderr, "pktring-replay: standard input (-) named twice\n");
			return -1;
		}
		if (pktring_input_open(in, in->name)) {
			fprintf(stderr, "pktring-replay: %s\n", in->err);
			return -1;
		}
		if (loops != 1 && !in->seekable) {
			fprintf(stderr, "pktring-replay: %s: a pipe is read once; --loop needs regular files\n",
				in->name);
			return -1;
		}
		if (pktring_input_ring(in, &lt, &bound)) {
			fprintf(stderr, "pktring-replay: %s\n", in->err);
			return -1;
		}
		if (i && lt != *linktype) {
			fprintf(stderr, "pktring-replay: %s: link type %d differs from %s's (%d)\n",
				in->name, lt, src[0].in.name, *linktype);
			return -1;
		}
		*linktype = lt;
		if (bound > *snaplen)
			*snaplen = bound;
		rc = pcap_next_ex(in->p, &src[i].first, &src[i].first_bytes);
		if (rc == PCAP_ERROR) {
			fprintf(stderr, "pktring-replay: %s: %s\n", in->name,
				pcap_geterr(in->p));
			return -1;
		}
		if (rc != 1)
			src[i].first = NULL;	/* no packet */
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "append", no_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "rate", required_argument, NULL, 'p' },
		{ "timing", no_argument, NULL, 't' },
		{ "loop", required_argument, NULL, 'l' },
		{ "rings", required_argument, NULL, 'N' },
		{ "hold", no_argument, NULL, 'k' },
		{ "keep-open", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay rp = { 0 };
	const char *ring = NULL;
	uint64_t size = 16 << 20, loops = 1, l, t0, dt, group_epoch = 0;
	unsigned long nrings = 0;
	unsigned int k;
	int append = 0, hold = 0, quiet = 0, c, i, n, failed = 0, linktype = 0;
	uint32_t snaplen = 0;
	struct source *src;
	struct pktring_perm perm = { 0 };
	sigset_t stop_sigs, old_mask;
	char group_dir[PATH_MAX];
	char *end;

	while ((c = getopt_long(argc, argv, "r:s:am:g:p:tl:N:kqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ring = optarg; break;
		case 's':
			if (pktring_parse_size(optarg, &size)) {
				fprintf(stderr, "pktring-replay: bad --size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'a': append = 1; break;
		case 'm':
			if (pktring_parse_mode(optarg, &perm.mode)) {
				fprintf(stderr, "pktring-replay: bad --mode '%s' (octal, within 0666)\n", optarg);
				return 2;
			}
			break;
		case 'g':
			if (pktring_parse_group(optarg, &perm.gid)) {
				fprintf(stderr, "pktring-replay: no group '%s'\n", optarg);
				return 2;
			}
			perm.set_gid = 1;
			break;
		case 'p':
			rp.rate = strtoull(optarg, &end, 10);
			if (*end || !rp.rate || *optarg == '-') {
				fprintf(stderr, "pktring-replay: bad --rate '%s'\n", optarg);
				return 2;
			}
			break;
		case 't': rp.timing = 1; break;
		case 'l':
			loops = strtoull(optarg, &end, 10);
			if (*end || *optarg == '-' || !*optarg) {
				fprintf(stderr, "pktring-replay: bad --loop '%s'\n", optarg);
				return 2;
			}
			break;
		case 'N':
			nrings = strtoul(optarg, &end, 10);
			if (*end || nrings < 1 || nrings > PKTRING_GROUP_MAX || *optarg == '-') {
				fprintf(stderr, "pktring-replay: bad --rings '%s' (1..%d)\n", optarg,
					PKTRING_GROUP_MAX);
				return 2;
			}
			break;
		case 'k': hold = 1; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ring || optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (append && (perm.mode || perm.set_gid)) {
		fprintf(stderr, "pktring-replay: --mode and --group make a new ring's file; an appended ring keeps its own (chmod, chgrp)\n");
		return 2;
	}
	if (rp.rate && rp.timing) {
		fprintf(stderr, "pktring-replay: --rate and --timing exclude each other\n");
		return 2;
	}
	if (nrings && append) {
		fprintf(stderr, "pktring-replay: --append writes one ring; --rings makes a new group\n");
		return 2;
	}
	rp.count = nrings ? nrings : 1;
	rp.w = calloc(rp.count, sizeof(*rp.w));
	if (!rp.w) {
		fprintf(stderr, "pktring-replay: out of memory\n");
		return 1;
	}
	n = argc - optind;
	src = calloc(n, sizeof(*src));
	if (!src) {
		fprintf(stderr, "pktring-replay: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		src[i].in.name = argv[optind + i];
	if (open_inputs(src, n, loops, &linktype, &snaplen)) {
		close_inputs(src, n);
		free(rp.w);
		return 1;
	}
	rp.linktype = linktype;

	if (append) {
		if (pktring_writer_append(&rp.w[0], ring)) {
			fprintf(stderr, "pktring-replay: %s\n", rp.w[0].err);
			close_inputs(src, n);
			free(rp.w);
			return 1;
		}
		if (rp.w[0].ctl->linktype != (uint32_t)linktype) {
			fprintf(stderr, "pktring-replay: %s: link type %d differs from the ring's (%u)\n",
				argv[optind], linktype, rp.w[0].ctl->linktype);
			pktring_writer_close(&rp.w[0], 0);
			close_inputs(src, n);
			free(rp.w);
			return 1;
		}
	} else {
		char err[PKTRING_ERR_LEN];

		if (nrings && pktring_group_prepare(ring, rp.count, &perm, group_dir,
						    sizeof(group_dir), err, sizeof(err))) {
			fprintf(stderr, "pktring-replay: %s\n", err);
			close_inputs(src, n);
			free(rp.w);
			return 1;
		}
		if (nrings)
			group_epoch = pktring_new_epoch();
		for (k = 0; k < rp.count; k++) {
			struct pktring_create_opts o = {
				.data_size = size, .linktype = linktype, .snaplen = snaplen,
				.ifname = "replay", .perm = perm, .group_epoch = group_epoch,
				.ring_index = k, .ring_count = rp.count,
				.flags = nrings ? PKTRING_F_BY_FLOW : 0,
			};
			char path[PATH_MAX + 16];

			if (nrings)
				snprintf(path, sizeof(path), "%s/%u", group_dir, k);
			else
				snprintf(path, sizeof(path), "%s", ring);
			if (pktring_writer_create(&rp.w[k], path, &o)) {
				fprintf(stderr, "pktring-replay: %s\n", rp.w[k].err);
				while (k--)
					pktring_writer_close(&rp.w[k], 1);
				close_inputs(src, n);
				free(rp.w);
				return 1;
			}
		}
	}
	pktring_stop_on_signals();
	signal(SIGPIPE, SIG_IGN);
	if (rp.w[0].warning[0])
		fprintf(stderr, "pktring-replay: %s\n", rp.w[0].warning);

	t0 = pktring_now_ns(CLOCK_MONOTONIC);
	for (l = 0; !pktring_stop && !failed && (loops == 0 || l < loops); l++) {
		for (i = 0; !pktring_stop && !failed && i < n; i++) {
			rp.start_ns = pktring_now_ns(CLOCK_MONOTONIC);
			rp.have_first = 0;
			if (rp.rate)	/* keep the rate across files */
				rp.start_ns -= rp.packets * 1000000000ull / rp.rate;
			if (l && pktring_input_rewind(&src[i].in)) {
				fprintf(stderr, "pktring-replay: %s\n", src[i].in.err);
				failed = 1;
				break;
			}
			failed = replay_source(&rp, &src[i]) != 0;
		}
	}
	flush(&rp);
	dt = pktring_now_ns(CLOCK_MONOTONIC) - t0;
	if (!quiet && !nrings)
		fprintf(stderr, "pktring-replay: wrote %llu packets (%llu bytes), skipped %llu, into %s (epoch 0x%016llx, head %llu) in %.3f s: %.0f pkts/s, %.0f bytes/s\n",
			(unsigned long long)rp.packets, (unsigned long long)rp.bytes,
			(unsigned long long)rp.skipped, rp.w[0].pl.path,
			(unsigned long long)rp.w[0].ctl->epoch,
			(unsigned long long)rp.w[0].pos.head, dt / 1e9,
			dt ? rp.packets * 1e9 / dt : 0, dt ? rp.bytes * 1e9 / dt : 0);
	if (!quiet && nrings) {
		fprintf(stderr, "pktring-replay: wrote %llu packets (%llu bytes), skipped %llu, into a group of %u rings %s/0..%u (group epoch 0x%016llx) in %.3f s: %.0f pkts/s, %.0f bytes/s; per member:",
			(unsigned long long)rp.packets, (unsigned long long)rp.bytes,
			(unsigned long long)rp.skipped, rp.count, group_dir, rp.count - 1,
			(unsigned long long)group_epoch, dt / 1e9,
			dt ? rp.packets * 1e9 / dt : 0, dt ? rp.bytes * 1e9 / dt : 0);
		for (k = 0; k < rp.count; k++)
			fprintf(stderr, " %u:%llu", k,
				(unsigned long long)rp.w[k].pos.seq_next);
		fprintf(stderr, "\n");
	}
	/*
	 * Wait with the stop signals blocked between the check and the sleep:
	 * one arriving in between stays pending and ends sigsuspend at once.
	 */
	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_sigs, &old_mask);
	while (hold && !pktring_stop && !failed)
		sigsuspend(&old_mask);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	for (k = 0; k < rp.count; k++)
		pktring_writer_close(&rp.w[k], 1);
	free(rp.w);
	close_inputs(src, n);
	return failed ? 1 : 0;
}
