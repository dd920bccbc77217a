// SPDX-License-Identifier: BSD-2-Clause
/* pktring-stat: a ring's identity, fill, positions, counters and rates. */
#include "libpktring.h"

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
		"usage: pktring-stat -r RING [--json] [--watch SECS] [--writer-timeout SECS]\n"
		"Show a ring's identity, size, fill, head and reclaim, counters, rates and\n"
		"whether its writer lives.\n\n"
		"  -r, --ring RING     ring name, path, or kernel device /dev/pktring/IFACE\n"
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
	       "\"data_size\":%llu,\"max_record\":%u,\"ring_index\":%u,\"ring_count\":%u,"
	       "\"head\":%llu,\"reclaim\":%llu,\"fill\":%llu,\"seq_next\":%llu,"
	       "\"heartbeat\":%llu,\"counters\":{",
	       c->ifindex, c->flags,
	       (c->flags & PKTRING_WAIT_MASK) == PKTRING_WAIT_POLL ? "poll" : "futex",
	       (unsigned long long)c->data_offset, (unsigned long long)c->data_size,
	       c->max_record, c->ring_index, c->ring_count,
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ring", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "watch", required_argument, NULL, 'w' },
		{ "writer-timeout", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktring_reader r;
	struct snap a, b;
	const char *ring = NULL;
	double watch = 0, writer_timeout = PKTRING_WRITER_TIMEOUT_MS / 1000.0;
	int json = 0, c, rc = 0;
	char *end;
	void (*print)(const char *, const struct snap *, const struct snap *);

	while ((c = getopt_long(argc, argv, "r:jw:W:h", opts, NULL)) != -1) {
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
	print = json ? print_json : print_text;
	if (pktring_reader_open(&r, ring)) {
		fprintf(stderr, "pktring-stat: %s\n", r.err);
		return 1;
	}
	r.writer_timeout_ms = writer_timeout * 1000;
	pktring_stop_on_signals();
	if (take_first(&r, &a)) {
		fprintf(stderr, "pktring-stat: %s\n", r.err);
		pktring_reader_close(&r);
		return 1;
	}
	print(r.pl.path, &a, NULL);
	rc = gone(&r, &a, writer_timeout);
	while (watch && !rc && !pktring_stop) {
		struct timespec ts = { (time_t)watch, (long)((watch - (time_t)watch) * 1e9) };

		fflush(stdout);
		nanosleep(&ts, NULL);
		if (pktring_stop)
			break;
		if (take(&r, &b)) {
			fprintf(stderr, "pktring-stat: %s\n", r.err);
			rc = 1;
			break;
		}
		if (!json)
			printf("\033[H\033[2J");
		print(r.pl.path, &b, &a);
		rc = gone(&r, &b, writer_timeout);
		a = b;
	}
	fflush(stdout);
	pktring_reader_close(&r);
	return rc;
}
