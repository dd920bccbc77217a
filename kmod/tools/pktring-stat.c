// SPDX-License-Identifier: BSD-2-Clause
/* pktring-stat: a ring's identity, fill, positions, counters and rates. */
#include "pktring.h"

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
		"usage: pktring-stat -r RING [--json] [--watch SECS]\n"
		"Show a ring's identity, size, fill, head and reclaim, counters and rates.\n\n"
		"  -r, --ring RING     ring name, path, or kernel device /dev/pktring/IFACE\n"
		"  -j, --json          one JSON object (per interval with --watch)\n"
		"  -w, --watch SECS    refresh every SECS seconds, with rates, until\n"
		"                      SIGINT/SIGTERM\n"
		"  -h, --help          this text\n");
}

/* One consistent-enough view: the writer keeps going while we look. */
struct snap {
	struct pktring_ctl c;
	uint64_t t_ns;
};

static void take(const struct pktring_ctl *ctl, struct snap *s)
{
	unsigned int i;

	s->t_ns = pktring_now_ns(CLOCK_MONOTONIC);
	memcpy(&s->c, ctl, sizeof(s->c));
	s->c.head = PKTRING_LOAD_ACQUIRE(&ctl->head);
	s->c.reclaim = PKTRING_LOAD_ACQUIRE(&ctl->reclaim);
	if (s->c.reclaim > s->c.head)
		s->c.head = PKTRING_LOAD_ACQUIRE(&ctl->head);
	s->c.state = PKTRING_LOAD_ACQUIRE(&ctl->state);
	s->c.seq_next = PKTRING_READ_ONCE(ctl->seq_next);
	for (i = 0; i < PKTRING_CTR_MAX; i++)
		s->c.counters[i] = PKTRING_READ_ONCE(ctl->counters[i]);
}

static double rate(const struct snap *a, const struct snap *b, unsigned int i)
{
	double dt = (b->t_ns - a->t_ns) / 1e9;

	return dt > 0 ? (b->c.counters[i] - a->c.counters[i]) / dt : 0;
}

static void print_json(const char *path, const struct snap *s, const struct snap *prev)
{
	const struct pktring_ctl *c = &s->c;
	unsigned int i, n = c->ctr_count < PKTRING_CTR_USED ? c->ctr_count : PKTRING_CTR_USED;
	char ifname[PKTRING_IFNAMSIZ + 1] = { 0 };
	const char *p;

	memcpy(ifname, c->ifname, PKTRING_IFNAMSIZ);
	printf("{\"path\":\"");
	for (p = path; *p; p++)
		printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
	printf("\",\"abi_version\":%u,\"epoch\":\"0x%016llx\",\"created_ns\":%llu,"
	       "\"state\":\"%s\",\"linktype\":%u,\"snaplen\":%u,\"ifname\":\"",
	       c->abi_version, (unsigned long long)c->epoch,
	       (unsigned long long)c->created_ns, pktring_state_name(c->state),
	       c->linktype, c->snaplen);
	for (p = ifname; *p; p++)
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			putchar(*p);
	printf("\",\"ifindex\":%u,\"flags\":%u,\"wait\":\"%s\",\"data_offset\":%llu,"
	       "\"data_size\":%llu,\"max_record\":%u,\"ring_index\":%u,\"ring_count\":%u,"
	       "\"head\":%llu,\"reclaim\":%llu,\"fill\":%llu,\"seq_next\":%llu,\"counters\":{",
	       c->ifindex, c->flags,
	       (c->flags & PKTRING_WAIT_MASK) == PKTRING_WAIT_POLL ? "poll" : "futex",
	       (unsigned long long)c->data_offset, (unsigned long long)c->data_size,
	       c->max_record, c->ring_index, c->ring_count,
	       (unsigned long long)c->head, (unsigned long long)c->reclaim,
	       (unsigned long long)(c->head - c->reclaim),
	       (unsigned long long)c->seq_next);
	for (i = 0; i < n; i++)
		printf("%s\"%s\":%llu", i ? "," : "", pktring_counter_name(i),
		       (unsigned long long)c->counters[i]);
	printf("}");
	if (prev)
		printf(",\"rates\":{\"captured_per_s\":%.1f,\"bytes_per_s\":%.1f,\"drops_per_s\":%.1f}",
		       rate(prev, s, PKTRING_CTR_CAPTURED), rate(prev, s, PKTRING_CTR_BYTES),
		       rate(prev, s, PKTRING_CTR_DROP_TOO_BIG) + rate(prev, s, PKTRING_CTR_DROP_NOMEM) +
		       rate(prev, s, PKTRING_CTR_DROP_SOURCE) + rate(prev, s, PKTRING_CTR_DROP_INVALID));
	printf("}\n");
}

static void print_text(const char *path, const struct snap *s, const struct snap *prev)
{
	const struct pktring_ctl *c = &s->c;
	unsigned int i, n = c->ctr_count < PKTRING_CTR_USED ? c->ctr_count : PKTRING_CTR_USED;
	uint64_t fill = c->head - c->reclaim;

	printf("ring      %s\n", path);
	printf("source    %.*s (ifindex %u), linktype %u (%s), snaplen %u\n",
	       PKTRING_IFNAMSIZ, c->ifname, c->ifindex, c->linktype,
	       pcap_datalink_val_to_name(pktring_dlt_of_linktype(c->linktype)) ?: "unknown",
	       c->snaplen);
	printf("epoch     0x%016llx, abi %u, state %s, wait %s, ring %u of %u\n",
	       (unsigned long long)c->epoch, c->abi_version,
	       pktring_state_name(c->state),
	       (c->flags & PKTRING_WAIT_MASK) == PKTRING_WAIT_POLL ? "poll" : "futex",
	       c->ring_index + 1, c->ring_count);
	printf("size      %llu bytes data (offset %llu), max record %u\n",
	       (unsigned long long)c->data_size, (unsigned long long)c->data_offset,
	       c->max_record);
	printf("fill      %llu bytes (%.1f%%)\n", (unsigned long long)fill,
	       100.0 * fill / c->data_size);
	printf("head      %llu\nreclaim   %llu\nseq_next  %llu\n",
	       (unsigned long long)c->head, (unsigned long long)c->reclaim,
	       (unsigned long long)c->seq_next);
	for (i = 0; i < n; i++) {
		printf("%-13s %llu", pktring_counter_name(i),
		       (unsigned long long)c->counters[i]);
		if (prev)
			printf("  (%.1f/s)", rate(prev, s, i));
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktring_reader r;
	struct snap a, b;
	const char *ring = NULL;
	double watch = 0;
	int json = 0, c, first = 1;
	char *end;

	while ((c = getopt_long(argc, argv, "r:jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ring = optarg; break;
		case 'j': json = 1; break;
		case 'w':
			watch = strtod(optarg, &end);
			if (*end || !(watch > 0) || watch > 86400) {
				fprintf(stderr, "pktring-stat: bad --watch '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ring || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pktring_reader_open(&r, ring)) {
		fprintf(stderr, "pktring-stat: %s\n", r.err);
		return 1;
	}
	pktring_stop_on_signals();
	take(r.ctl, &a);
	if (!watch) {
		(json ? print_json : print_text)(r.path, &a, NULL);
		pktring_reader_close(&r);
		return 0;
	}
	while (!pktring_stop) {
		struct timespec ts = { (time_t)watch, (long)((watch - (time_t)watch) * 1e9) };

		if (first) {
			(json ? print_json : print_text)(r.path, &a, NULL);
			first = 0;
		}
		nanosleep(&ts, NULL);
		if (pktring_stop)
			break;
		take(r.ctl, &b);
		if (!json)
			printf("\033[H\033[2J");
		(json ? print_json : print_text)(r.path, &b, &a);
		fflush(stdout);
		a = b;
	}
	pktring_reader_close(&r);
	return 0;
}
