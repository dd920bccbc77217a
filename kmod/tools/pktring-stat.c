// SPDX-License-Identifier: BSD-2-Clause
// Over 300 lines: one ring's view and a group's (summed, per member) in text and JSON.
/*
 * pktring-stat: a ring's identity, fill, positions, counters and rates;
 * for a ring group, the group (its counters summed) and each member.
 */
#include "libpktring.h"
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
		"usage: pktring-stat -r RING [--member N] [--json] [--watch SECS] [--writer-timeout SECS]\n"
		"Show a ring's identity, size, fill, head and reclaim, counters, rates and\n"
		"whether its writer lives; for a ring group, the group (counters summed)\n"
		"and a line per member.\n\n"
		"  -r, --ring RING     ring name, path, or kernel device /dev/pktring/IFACE\n"
		"                      (a group: /dev/pktring/IFACE, /dev/shm/pktring/NAME)\n"
		"  -m, --member N      only member N of the group, as a ring\n"
		"  -j, --json          one JSON object (per interval with --watch)\n"
		"  -w, --watch SECS    refresh every SECS seconds, with rates, until\n"
		"                      SIGINT/SIGTERM\n"
		"  -W, --writer-timeout SECS\n"
		"                      a live ring whose writer has not beaten for SECS has\n"
		"                      lost its writer (default %.0f; 0: never judge)\n"
		"  -h, --help          this text\n\n"
		"A live ring's writer beats every %u ms: the first look waits for one beat.\n"
		"The writer line is alive, ended, gone, silent (it does not beat) or\n"
		"unknown (no beat seen yet with -W 0).\n"
		"Exit status: 0, 1 on error or when the writer is gone, 2 usage.\n",
		PKTRING_WRITER_TIMEOUT_MS / 1000.0, PKTRING_HEARTBEAT_MS);
}

/* One consistent-enough view: the writer keeps going while we look. */
struct snap {
	struct pktring_ctl c;
	enum pktring_liveness writer;
	uint64_t t_ns;
};

static int take(struct pktring_reader *r, struct snap *s)
{
	s->t_ns = pktring_now_ns(CLOCK_MONOTONIC);
	s->writer = pktring_reader_liveness(r);
	return pktring_reader_ctl(r, &s->c);
}

/*
 * The first look: wait for one beat, or for the writer timeout; without a
 * timeout (-W 0), two beats' time at most.
 */
static int take_first(struct pktring_reader *r, struct snap *s)
{
	struct timespec tick = { 0, 10000000 };
	uint64_t until = pktring_now_ns(CLOCK_MONOTONIC) +
			 2 * PKTRING_HEARTBEAT_MS * 1000000ull;

	while (pktring_reader_liveness(r) == PKTRING_WRITER_UNKNOWN &&
	       !pktring_stop &&
	       (r->writer_timeout_ms || pktring_now_ns(CLOCK_MONOTONIC) < until))
		nanosleep(&tick, NULL);
	return take(r, s);
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

/* The head - reclaim distance, bounded as R2 bounds it. */
static uint64_t fill_of(const struct pktring_ctl *c)
{
	uint64_t fill = c->head > c->reclaim ? c->head - c->reclaim : 0;

	return fill < c->data_size ? fill : c->data_size;
}

/*
 * A JSON string from any bytes: escapes for quote, backslash and controls;
 * bytes that are not UTF-8 become U+FFFD, so the output always parses.
 */
static void json_string(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	putchar('"');
	while (p < e && *p) {
		unsigned int c = *p, need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1, i;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
		} else if (c < 0x80) {
			putchar(c);
		} else {
			/* a whole, shortest, valid sequence, or U+FFFD */
			int ok = c >= 0xc2 && c <= 0xf4 && e - p > need;

			for (i = 1; ok && i <= need; i++)
				ok = (p[i] & 0xc0) == 0x80;
			if (ok && ((c == 0xe0 && p[1] < 0xa0) ||
				   (c == 0xed && p[1] >= 0xa0) ||
				   (c == 0xf0 && p[1] < 0x90) ||
				   (c == 0xf4 && p[1] >= 0x90)))
				ok = 0;
			if (ok) {
				fwrite(p, 1, need + 1, stdout);
				p += need;
			} else {
				printf("\\ufffd");
			}
		}
		p++;
	}
	putchar('"');
}

/* Text for a terminal: printable ASCII as is, any other byte as \xNN. */
static void text_string(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; n && *p; n--, p++)
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			putchar(*p);
		else
			printf("\\x%02x", *p);
}

static void print_json(const char *path, const struct snap *s, const struct snap *prev)
{
	const struct pktring_ctl *c = &s->c;
	unsigned int i, n = c->ctr_count < PKTRING_CTR_USED ? c->ctr_count : PKTRING_CTR_USED;

	printf("{\"path\":");
	json_string(path, strlen(path));
	printf(",\"abi_version\":%u,\"epoch\":\"0x%016llx\",\"created_ns\":%llu,"
	       "\"state\":\"%s\",\"writer\":\"%s\",\"linktype\":%u,\"snaplen\":%u,\"ifname\":",
	       c->abi_version, (unsigned long long)c->epoch,
	       (unsigned long long)c->created_ns, pktring_state_name(c->state),
	       pktring_liveness_name(s->writer), c->linktype, c->snaplen);
	json_string(c->ifname, PKTRING_IFNAMSIZ);
	printf(",\"ifindex\":%u,\"flags\":%u,\"wait\":\"%s\",\"data_offset\":%llu,"
	       "\"data_size\":%llu,\"max_record\":%u,\"group_epoch\":\"0x%016llx\","
	       "\"ring_index\":%u,\"ring_count\":%u,"
	       "\"head\":%llu,\"reclaim\":%llu,\"fill\":%llu,\"seq_next\":%llu,"
	       "\"heartbeat\":%llu,\"counters\":{",
	       c->ifindex, c->flags,
	       (c->flags & PKTRING_WAIT_MASK) == PKTRING_WAIT_POLL ? "poll" : "futex",
	       (unsigned long long)c->data_offset, (unsigned long long)c->data_size,
	       c->max_record, (unsigned long long)c->group_epoch,
	       c->ring_index, c->ring_count,
	       (unsigned long long)c->head, (unsigned long long)c->reclaim,
	       (unsigned long long)fill_of(c), (unsigned long long)c->seq_next,
	       (unsigned long long)c->heartbeat);
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
	uint64_t fill = fill_of(c);

	printf("ring      ");
	text_string(path, strlen(path));
	printf("\nsource    ");
	text_string(c->ifname, PKTRING_IFNAMSIZ);
	printf(" (ifindex %u), linktype %u (%s), snaplen %u\n", c->ifindex,
	       c->linktype,
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
	printf("writer    %s (heartbeat %llu)\n", pktring_liveness_name(s->writer),
	       (unsigned long long)c->heartbeat);
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

/* The writer is gone: say so on stderr (stdout has the numbers). */
static int gone(const struct pktring_reader *r, const struct snap *s, double timeout)
{
	if (s->writer != PKTRING_WRITER_GONE)
		return 0;
	fflush(stdout);
	fprintf(stderr, "pktring-stat: ring %s: writer gone: no heartbeat for %.1f s and the ring was never ended (its writer was killed?)\n",
		r->pl.path, timeout);
	return 1;
}

/* A group: its members' snapshots, and their counters summed. */
struct group_snap {
	struct snap *m;
	struct snap sum;	/* counters and t_ns only */
};

static int take_group(struct pktring_group_reader *g, struct group_snap *s,
		      int first)
{
	unsigned int i, k;

	memset(&s->sum, 0, sizeof(s->sum));
	for (i = 0; i < g->count; i++) {
		if ((first ? take_first : take)(&g->m[i], &s->m[i])) {
			snprintf(g->err, sizeof(g->err), "%s", g->m[i].err);
			return -1;
		}
		for (k = 0; k < PKTRING_CTR_MAX; k++)
			s->sum.c.counters[k] += s->m[i].c.counters[k];
	}
	s->sum.t_ns = s->m[0].t_ns;
	return 0;
}

static void print_group_json(const struct pktring_group_reader *g,
			     const struct group_snap *s, const struct group_snap *prev)
{
	const struct pktring_ctl *c0 = &s->m[0].c;
	unsigned int i, n = c0->ctr_count < PKTRING_CTR_USED ? c0->ctr_count : PKTRING_CTR_USED;

	printf("{\"group\":");
	json_string(g->path, strlen(g->path));
	printf(",\"group_epoch\":\"0x%016llx\",\"ring_count\":%u,\"split\":\"%s\",\"counters\":{",
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
		print_json(g->m[i].pl.path, &s->m[i], prev ? &prev->m[i] : NULL);
	}
	printf("]}\n");
}

static void print_group_text(const struct pktring_group_reader *g,
			     const struct group_snap *s, const struct group_snap *prev)
{
	const struct pktring_ctl *c0 = &s->m[0].c;
	unsigned int i, k, n = c0->ctr_count < PKTRING_CTR_USED ? c0->ctr_count : PKTRING_CTR_USED;

	printf("group     ");
	text_string(g->path, strlen(g->path));
	printf(": %u members, group epoch 0x%016llx, %s\nsource    ", g->count,
	       (unsigned long long)g->group_epoch, split_by(c0->flags));
	text_string(c0->ifname, PKTRING_IFNAMSIZ);
	printf(" (ifindex %u), linktype %u (%s), snaplen %u\n", c0->ifindex,
	       c0->linktype,
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
	printf("\nmember epoch              state  writer     fill%%      seq_next     captured        drops%s\n",
	       prev ? "   captured/s" : "");
	for (i = 0; i < g->count; i++) {
		const struct pktring_ctl *c = &s->m[i].c;
		uint64_t drops = 0;

		for (k = PKTRING_CTR_DROP_TOO_BIG; k <= PKTRING_CTR_DROP_INVALID; k++)
			drops += c->counters[k];
		printf("%-6u 0x%016llx %-6s %-8s %6.1f %13llu %12llu %12llu", i,
		       (unsigned long long)c->epoch, pktring_state_name(c->state),
		       pktring_liveness_name(s->m[i].writer),
		       100.0 * fill_of(c) / c->data_size,
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
		(json ? print_json : print_text)(g->m[0].pl.path, &s->m[0],
						 prev ? &prev->m[0] : NULL);
}

/* Any member whose writer is gone: say so (stdout has the numbers). */
static int group_gone(const struct pktring_group_reader *g,
		      const struct group_snap *s, double timeout)
{
	unsigned int i;
	int rc = 0;

	for (i = 0; i < g->count; i++)
		rc |= gone(&g->m[i], &s->m[i], timeout);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "member", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "writer-timeout", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktring_group_reader g;
	struct group_snap a, b, t;
	const char *ring = NULL;
	double watch = 0, writer_timeout = PKTRING_WRITER_TIMEOUT_MS / 1000.0;
	long member = -1;
	unsigned int i;
	int json = 0, c, rc = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "r:m:jw:W:h", opts, NULL)) != -1) {
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
		case 'W':
			if (pktring_parse_seconds(optarg, &writer_timeout)) {
				fprintf(stderr, "pktring-stat: bad --writer-timeout '%s' (0, or 0.2 to 86400 seconds)\n", optarg);
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
	for (i = 0; i < g.count; i++)
		g.m[i].writer_timeout_ms = writer_timeout * 1000;
	a.m = calloc(g.count, sizeof(*a.m));
	b.m = calloc(g.count, sizeof(*b.m));
	if (!a.m || !b.m) {
		fprintf(stderr, "pktring-stat: out of memory\n");
		rc = 1;
		goto out;
	}
	pktring_stop_on_signals();
	if (take_group(&g, &a, 1)) {
		fprintf(stderr, "pktring-stat: %s\n", g.err);
		rc = 1;
		goto out;
	}
	show(&g, json, &a, NULL);
	rc = group_gone(&g, &a, writer_timeout);
	while (watch && !rc && !pktring_stop) {
		struct timespec ts = { (time_t)watch, (long)((watch - (time_t)watch) * 1e9) };

		fflush(stdout);
		nanosleep(&ts, NULL);
		if (pktring_stop)
			break;
		if (take_group(&g, &b, 0)) {
			fprintf(stderr, "pktring-stat: %s\n", g.err);
			rc = 1;
			break;
		}
		if (!json)
			printf("\033[H\033[2J");
		show(&g, json, &b, &a);
		rc = group_gone(&g, &b, writer_timeout);
		t = a;
		a = b;
		b = t;
	}
out:
	fflush(stdout);
	free(a.m);
	free(b.m);
	pktring_group_close(&g);
	return rc;
}
