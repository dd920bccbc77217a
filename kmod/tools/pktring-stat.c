// SPDX-License-Identifier: BSD-2-Clause
/*
 * pktring-stat: a ring's identity, fill, positions, counters and rates;
 * for a ring group, the group (its counters summed) and each member.
 */
#include "pktring.h"
#include "pktring_group.h"

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
		"usage: pktring-stat -r RING [--member N] [--json] [--watch SECS]\n"
		"Show a ring's identity, size, fill, head and reclaim, counters and rates;\n"
		"for a ring group, the group (counters summed) and a line per member.\n\n"
		"  -r, --ring RING     ring name, path, or kernel device /dev/pktring/IFACE\n"
		"                      (a group: /dev/pktring/IFACE, /dev/shm/pktring/NAME)\n"
		"  -m, --member N      only member N of the group, as a ring\n"
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

/* How a group's packets were split over its members. */
static const char *split_by(uint32_t flags)
{
	if (flags & PKTRING_F_BY_CPU)
		return "by cpu";
	if (flags & PKTRING_F_BY_FLOW)
		return "by flow";
	return "split unknown";
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
	       "\"data_size\":%llu,\"max_record\":%u,\"group_epoch\":\"0x%016llx\","
	       "\"ring_index\":%u,\"ring_count\":%u,"
	       "\"head\":%llu,\"reclaim\":%llu,\"fill\":%llu,\"seq_next\":%llu,\"counters\":{",
	       c->ifindex, c->flags,
	       (c->flags & PKTRING_WAIT_MASK) == PKTRING_WAIT_POLL ? "poll" : "futex",
	       (unsigned long long)c->data_offset, (unsigned long long)c->data_size,
	       c->max_record, (unsigned long long)c->group_epoch,
	       c->ring_index, c->ring_count,
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
	if (c->group_epoch)
		printf("group     0x%016llx, member %u of %u, %s\n",
		       (unsigned long long)c->group_epoch, c->ring_index,
		       c->ring_count, split_by(c->flags));
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

/* A group: its members' control pages, and their counters summed. */
struct group_snap {
	unsigned int count;
	struct snap *m;
	struct snap sum;	/* counters and t_ns only */
};

static void take_group(const struct pktring_group_reader *g, struct group_snap *s)
{
	unsigned int i, k;

	memset(&s->sum, 0, sizeof(s->sum));
	for (i = 0; i < g->count; i++) {
		take(g->m[i].ctl, &s->m[i]);
		for (k = 0; k < PKTRING_CTR_MAX; k++)
			s->sum.c.counters[k] += s->m[i].c.counters[k];
	}
	s->sum.t_ns = s->m[0].t_ns;
}

static unsigned int ctr_used(const struct pktring_ctl *c)
{
	return c->ctr_count < PKTRING_CTR_USED ? c->ctr_count : PKTRING_CTR_USED;
}

static void print_group_json(const struct pktring_group_reader *g,
			     const struct group_snap *s, const struct group_snap *prev)
{
	const struct pktring_ctl *c0 = &s->m[0].c;
	unsigned int i, n = ctr_used(c0);
	const char *p;

	printf("{\"group\":\"");
	for (p = g->path; *p; p++)
		printf(*p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
	printf("\",\"group_epoch\":\"0x%016llx\",\"ring_count\":%u,\"split\":\"%s\",\"counters\":{",
	       (unsigned long long)g->group_epoch, g->count, split_by(c0->flags));
	for (i = 0; i < n; i++)
		printf("%s\"%s\":%llu", i ? "," : "", pktring_counter_name(i),
		       (unsigned long long)s->sum.c.counters[i]);
	printf("}");
	if (prev)
		printf(",\"rates\":{\"captured_per_s\":%.1f,\"bytes_per_s\":%.1f}",
		       rate(&prev->sum, &s->sum, PKTRING_CTR_CAPTURED),
		       rate(&prev->sum, &s->sum, PKTRING_CTR_BYTES));
	printf(",\"members\":[");
	for (i = 0; i < g->count; i++) {
		if (i)
			printf(",");
		print_json(g->m[i].path, &s->m[i], prev ? &prev->m[i] : NULL);
	}
	printf("]}\n");
}

static void print_group_text(const struct pktring_group_reader *g,
			     const struct group_snap *s, const struct group_snap *prev)
{
	const struct pktring_ctl *c0 = &s->m[0].c;
	unsigned int i, k, n = ctr_used(c0);

	printf("group     %s: %u members, group epoch 0x%016llx, %s\n", g->path,
	       g->count, (unsigned long long)g->group_epoch, split_by(c0->flags));
	printf("source    %.*s (ifindex %u), linktype %u (%s), snaplen %u\n",
	       PKTRING_IFNAMSIZ, c0->ifname, c0->ifindex, c0->linktype,
	       pcap_datalink_val_to_name(pktring_dlt_of_linktype(c0->linktype)) ?: "unknown",
	       c0->snaplen);
	printf("size      %u x %llu bytes data\n", g->count,
	       (unsigned long long)c0->data_size);
	for (i = 0; i < n; i++) {
		printf("%-13s %llu", pktring_counter_name(i),
		       (unsigned long long)s->sum.c.counters[i]);
		if (prev)
			printf("  (%.1f/s)", rate(&prev->sum, &s->sum, i));
		printf("\n");
	}
	printf("\nmember epoch              state   fill%%      seq_next     captured        drops%s\n",
	       prev ? "   captured/s" : "");
	for (i = 0; i < g->count; i++) {
		const struct pktring_ctl *c = &s->m[i].c;
		uint64_t drops = 0;

		for (k = PKTRING_CTR_DROP_TOO_BIG; k <= PKTRING_CTR_DROP_INVALID; k++)
			drops += c->counters[k];
		printf("%-6u 0x%016llx %-6s %6.1f %13llu %12llu %12llu", i,
		       (unsigned long long)c->epoch, pktring_state_name(c->state),
		       100.0 * (c->head - c->reclaim) / c->data_size,
		       (unsigned long long)c->seq_next,
		       (unsigned long long)c->counters[PKTRING_CTR_CAPTURED],
		       (unsigned long long)drops);
		if (prev)
			printf(" %12.1f", rate(&prev->m[i], &s->m[i], PKTRING_CTR_CAPTURED));
		printf("\n");
	}
}

static void show(const struct pktring_group_reader *g, int json,
		 const struct group_snap *s, const struct group_snap *prev)
{
	if (g->is_group)
		(json ? print_group_json : print_group_text)(g, s, prev);
	else
		(json ? print_json : print_text)(g->m[0].path, &s->m[0],
						 prev ? &prev->m[0] : NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "member", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktring_group_reader g;
	struct group_snap a, b, t;
	const char *ring = NULL;
	double watch = 0;
	long member = -1;
	int json = 0, c, first = 1;
	char *end;

	while ((c = getopt_long(argc, argv, "r:m:jw:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': ring = optarg; break;
		case 'm':
			member = strtol(optarg, &end, 10);
			if (*end || !*optarg || member < 0) {
				fprintf(stderr, "pktring-stat: bad --member '%s'\n", optarg);
				return 2;
			}
			break;
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
	if (pktring_group_open(&g, ring)) {
		fprintf(stderr, "pktring-stat: %s\n", g.err);
		return 1;
	}
	if (member >= 0) {
		if (!g.is_group || pktring_group_keep_member(&g, member)) {
			fprintf(stderr, "pktring-stat: %s\n", g.is_group ? g.err :
				"--member: the ring is not a group");
			pktring_group_close(&g);
			return 2;
		}
		g.is_group = 0;
	}
	a.count = b.count = g.count;
	a.m = calloc(g.count, sizeof(*a.m));
	b.m = calloc(g.count, sizeof(*b.m));
	if (!a.m || !b.m) {
		fprintf(stderr, "pktring-stat: out of memory\n");
		return 1;
	}
	pktring_stop_on_signals();
	take_group(&g, &a);
	if (!watch) {
		show(&g, json, &a, NULL);
		goto out;
	}
	while (!pktring_stop) {
		struct timespec ts = { (time_t)watch, (long)((watch - (time_t)watch) * 1e9) };

		if (first) {
			show(&g, json, &a, NULL);
			first = 0;
		}
		nanosleep(&ts, NULL);
		if (pktring_stop)
			break;
		take_group(&g, &b);
		if (!json)
			printf("\033[H\033[2J");
		show(&g, json, &b, &a);
		fflush(stdout);
		t = a;
		a = b;
		b = t;
	}
out:
	free(a.m);
	free(b.m);
	pktring_group_close(&g);
	return 0;
}
