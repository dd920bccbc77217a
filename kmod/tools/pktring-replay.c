// SPDX-License-Identifier: BSD-2-Clause
/*
 * pktring-replay: write pcap/pcapng files into a ring -- the deterministic
 * source for tests, benchmarks and demos.
 */
#include "pktring.h"

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
		"Write the packets of pcap/pcapng FILEs into a ring.\n\n"
		"  -r, --ring RING     ring name (in " PKTRING_SHM_DIR ") or path\n"
		"  -s, --size SIZE     data size of a new ring, power of two (default 16M)\n"
		"  -a, --append        append to the existing ring (same epoch) instead\n"
		"                      of creating a new ring (new epoch)\n"
		"  -p, --rate PPS      write at PPS packets per second\n"
		"  -t, --timing        write at the files' original timing\n"
		"  -l, --loop N        replay the files N times (default 1, 0 = forever)\n"
		"  -k, --hold          keep the ring live after the last packet until\n"
		"                      SIGINT/SIGTERM (alias --keep-open)\n"
		"  -q, --quiet         no summary line\n"
		"  -h, --help          this text\n\n"
		"The ring's link type and snap length are the files' (the snap length\n"
		"bounded by libpcap's 262144 bytes a packet). Timestamps are\n"
		"kept at the files' precision (nanoseconds). Exit status is non-zero when\n"
		"a file cannot be read; the ring then holds what was written and is ended.\n");
}

struct replay {
	struct pktring_writer w;
	uint64_t rate;		/* packets per second, 0 = flat out */
	int timing;
	uint64_t packets, bytes, skipped;
	uint64_t start_ns;	/* pacing origin, CLOCK_MONOTONIC */
	uint64_t first_ts;	/* first packet's timestamp (timing) */
	int have_first;
};

static void sleep_until(struct replay *rp, uint64_t due)
{
	uint64_t now = pktring_now_ns(CLOCK_MONOTONIC);
	struct timespec ts;

	if (due <= now)
		return;
	pktring_writer_flush(&rp->w);	/* readers must not wait for us */
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

/* Returns 0, or -1 after printing why FILE could not be read. */
static int replay_file(struct replay *rp, const char *file)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *bytes;
	pcap_t *p;
	int rc = 0;

	p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO,
						    errbuf);
	if (!p) {
		fprintf(stderr, "pktring-replay: %s: %s\n", file, errbuf);
		return -1;
	}
	if ((uint32_t)pcap_datalink(p) != rp->w.ctl->linktype) {
		fprintf(stderr, "pktring-replay: %s: link type %s differs from the ring's (%u)\n",
			file, pcap_datalink_val_to_name(pcap_datalink(p)) ?: "?",
			rp->w.ctl->linktype);
		pcap_close(p);
		return -1;
	}
	while (!pktring_stop && (rc = pcap_next_ex(p, &ph, &bytes)) == 1) {
		struct pktring_rec meta = { 0 };
		__int128 ts = ph->ts.tv_sec;
		uint64_t ts_ns;

		/* pcap's seconds are unsigned 32-bit; libpcap sign-extends them */
		if (pcap_major_version(p) == 2 && ts < 0)
			ts += (__int128)1 << 32;
		ts = ts * 1000000000 + ph->ts.tv_usec;	/* ns: NANO precision */
		if (ts < 0 || ts > (__int128)UINT64_MAX) {
			fprintf(stderr, "pktring-replay: %s: packet %llu: timestamp %lld.%09ld is not representable (before 1970 or after 2554), skipped\n",
				file, (unsigned long long)(rp->packets + rp->skipped + 1),
				(long long)ph->ts.tv_sec, (long)ph->ts.tv_usec);
			pktring_writer_count(&rp->w, PKTRING_CTR_DROP_INVALID, 1);
			rp->skipped++;
			continue;
		}
		ts_ns = ts;
		pace(rp, ts_ns);
		meta.ts_ns = ts_ns;
		meta.caplen = ph->caplen;
		meta.origlen = ph->len;
		if (pktring_writer_put(&rp->w, &meta, bytes) != 0) {
			fprintf(stderr, "pktring-replay: %s: packet of %u bytes exceeds the ring's max record %u, skipped\n",
				file, ph->caplen, rp->w.ctl->max_record);
			rp->skipped++;
			continue;
		}
		rp->packets++;
		rp->bytes += ph->caplen;
	}
	if (!pktring_stop && rc == PCAP_ERROR) {
		fprintf(stderr, "pktring-replay: %s: %s\n", file, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

/* Open every file once before touching the ring: link type, snap length. */
static int survey(char **files, int n, int *linktype, uint32_t *snaplen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	uint32_t bound;
	int i;

	for (i = 0; i < n; i++) {
		pcap_t *p = pcap_open_offline_with_tstamp_precision(files[i],
				PCAP_TSTAMP_PRECISION_NANO, errbuf);

		if (!p) {
			fprintf(stderr, "pktring-replay: %s: %s\n", files[i], errbuf);
			return -1;
		}
		if (i && pcap_datalink(p) != *linktype) {
			fprintf(stderr, "pktring-replay: %s: link type %d differs from %s's (%d)\n",
				files[i], pcap_datalink(p), files[0], *linktype);
			pcap_close(p);
			return -1;
		}
		*linktype = pcap_datalink(p);
		bound = pktring_max_caplen(*linktype);
		/* libpcap returns at most bound bytes a packet, whatever the
		 * header claims (some files say 1.7 GB); 0 means no limit */
		if (pcap_snapshot(p) > 0 && (uint32_t)pcap_snapshot(p) < bound)
			bound = pcap_snapshot(p);
		if (bound > *snaplen)
			*snaplen = bound;
		pcap_close(p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "append", no_argument, NULL, 'a' },
		{ "rate", required_argument, NULL, 'p' },
		{ "timing", no_argument, NULL, 't' },
		{ "loop", required_argument, NULL, 'l' },
		{ "hold", no_argument, NULL, 'k' },
		{ "keep-open", no_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct replay rp = { 0 };
	const char *ring = NULL;
	uint64_t size = 16 << 20, loops = 1, l, t0, dt;
	int append = 0, hold = 0, quiet = 0, c, i, failed = 0, linktype = 0;
	uint32_t snaplen = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "r:s:ap:tl:kqh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ring = optarg; break;
		case 's':
			if (pktring_parse_size(optarg, &size)) {
				fprintf(stderr, "pktring-replay: bad --size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'a': append = 1; break;
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
	if (rp.rate && rp.timing) {
		fprintf(stderr, "pktring-replay: --rate and --timing exclude each other\n");
		return 2;
	}
	if (survey(argv + optind, argc - optind, &linktype, &snaplen))
		return 1;

	if (append) {
		if (pktring_writer_append(&rp.w, ring)) {
			fprintf(stderr, "pktring-replay: %s\n", rp.w.err);
			return 1;
		}
		if (rp.w.ctl->linktype != (uint32_t)linktype) {
			fprintf(stderr, "pktring-replay: %s: link type %d differs from the ring's (%u)\n",
				argv[optind], linktype, rp.w.ctl->linktype);
			pktring_writer_close(&rp.w, 0);
			return 1;
		}
	} else {
		struct pktring_create_opts o = {
			.data_size = size, .linktype = linktype, .snaplen = snaplen,
			.ifname = "replay",
		};

		if (pktring_writer_create(&rp.w, ring, &o)) {
			fprintf(stderr, "pktring-replay: %s\n", rp.w.err);
			return 1;
		}
	}
	pktring_stop_on_signals();
	signal(SIGPIPE, SIG_IGN);

	t0 = pktring_now_ns(CLOCK_MONOTONIC);
	for (l = 0; !pktring_stop && !failed && (loops == 0 || l < loops); l++) {
		for (i = optind; !pktring_stop && !failed && i < argc; i++) {
			rp.start_ns = pktring_now_ns(CLOCK_MONOTONIC);
			rp.have_first = 0;
			if (rp.rate)	/* keep the rate across files */
				rp.start_ns -= rp.packets * 1000000000ull / rp.rate;
			failed = replay_file(&rp, argv[i]) != 0;
		}
	}
	pktring_writer_flush(&rp.w);
	dt = pktring_now_ns(CLOCK_MONOTONIC) - t0;
	if (!quiet)
		fprintf(stderr, "pktring-replay: wrote %llu packets (%llu bytes), skipped %llu, into %s (epoch 0x%016llx, head %llu) in %.3f s: %.0f pkts/s, %.0f bytes/s\n",
			(unsigned long long)rp.packets, (unsigned long long)rp.bytes,
			(unsigned long long)rp.skipped, rp.w.path,
			(unsigned long long)rp.w.ctl->epoch,
			(unsigned long long)rp.w.ctl->head, dt / 1e9,
			dt ? rp.packets * 1e9 / dt : 0, dt ? rp.bytes * 1e9 / dt : 0);
	while (hold && !pktring_stop && !failed)
		pause();
	pktring_writer_close(&rp.w, 1);
	return failed ? 1 : 0;
}
