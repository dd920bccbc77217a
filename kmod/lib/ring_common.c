// SPDX-License-Identifier: BSD-2-Clause
/* What writers and readers share: the identity check, names, parsing. */
#include "libpktring.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

const char *pktring_check_ctl(const struct pktring_ctl *c, uint64_t file_size,
			      char *buf, size_t len)
{
	const char *why;
	__u64 h, r;

	if (c->magic != PKTRING_MAGIC) {
		snprintf(buf, len, "not a pktring ring (magic 0x%016llx, expected 0x%016llx)",
			 (unsigned long long)c->magic, PKTRING_MAGIC);
		return buf;
	}
	if (c->abi_version != PKTRING_ABI_VERSION) {
		snprintf(buf, len, "ring ABI version %u, this tool reads version %u",
			 c->abi_version, PKTRING_ABI_VERSION);
		return buf;
	}
	if (c->rec_hdr_size != PKTRING_REC_HDR_SIZE) {
		snprintf(buf, len, "record header size %u, expected %u",
			 c->rec_hdr_size, PKTRING_REC_HDR_SIZE);
		return buf;
	}
	if (c->data_offset < PKTRING_CTL_SIZE || c->data_offset % PKTRING_CTL_SIZE ||
	    c->data_offset > (1u << 24)) {
		snprintf(buf, len, "data offset %llu is not a page-aligned offset >= %u",
			 (unsigned long long)c->data_offset, PKTRING_CTL_SIZE);
		return buf;
	}
	if (!is_pow2(c->data_size) || c->data_size < PKTRING_MIN_DATA_SIZE ||
	    c->data_size > PKTRING_MAX_DATA_SIZE) {
		snprintf(buf, len, "data size %llu is not a power of two in [%u, 2^40]",
			 (unsigned long long)c->data_size, PKTRING_MIN_DATA_SIZE);
		return buf;
	}
	if (file_size && file_size < c->data_offset + c->data_size) {
		snprintf(buf, len, "file too short: %llu bytes, the control page says %llu (data offset %llu + data size %llu)",
			 (unsigned long long)file_size,
			 (unsigned long long)(c->data_offset + c->data_size),
			 (unsigned long long)c->data_offset,
			 (unsigned long long)c->data_size);
		return buf;
	}
	if (c->max_record < PKTRING_REC_HDR_SIZE || c->max_record % PKTRING_ALIGN ||
	    c->max_record > c->data_size / 2) {
		snprintf(buf, len, "max record %u is not in [%u, data size / 2]",
			 c->max_record, PKTRING_REC_HDR_SIZE);
		return buf;
	}
	if ((c->flags & PKTRING_WAIT_MASK) != PKTRING_WAIT_POLL &&
	    (c->flags & PKTRING_WAIT_MASK) != PKTRING_WAIT_FUTEX) {
		snprintf(buf, len, "flags 0x%x name no wait method", c->flags);
		return buf;
	}
	if (c->state > PKTRING_STATE_ENDED) {
		snprintf(buf, len, "unknown state %u", c->state);
		return buf;
	}
	if (c->ctr_count > PKTRING_CTR_MAX) {
		snprintf(buf, len, "counter count %u exceeds %u", c->ctr_count,
			 PKTRING_CTR_MAX);
		return buf;
	}
	h = PKTRING_LOAD_ACQUIRE(&c->head);
	why = pktring_load_reclaim(c, c->data_size, h, &r);
	if (why) {
		snprintf(buf, len, "head %llu and reclaim %llu are inconsistent (data size %llu): %s",
			 (unsigned long long)h, (unsigned long long)r,
			 (unsigned long long)c->data_size, why);
		return buf;
	}
	return NULL;
}

const char *pktring_counter_name(unsigned int idx)
{
	static const char *const names[] = {
#define PKTRING_CTR_NAME(name, idx, str) [idx] = str,
		PKTRING_COUNTERS(PKTRING_CTR_NAME)
#undef PKTRING_CTR_NAME
	};

	if (idx < sizeof(names) / sizeof(names[0]) && names[idx])
		return names[idx];
	return NULL;
}

const char *pktring_state_name(uint32_t state)
{
	switch (state) {
	case PKTRING_STATE_INIT:
		return "init";
	case PKTRING_STATE_LIVE:
		return "live";
	case PKTRING_STATE_ENDED:
		return "ended";
	}
	return "unknown";
}

uint64_t pktring_now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int pktring_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end || v > UINT64_MAX >> shift)	/* never a silent wrap */
		return -1;
	*out = v << shift;
	return 0;
}

int pktring_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v == 0 || (v >= 0.2 && v <= 86400)))
		return -1;
	*out = v;
	return 0;
}

int pktring_parse_mode(const char *s, unsigned int *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (end == s || *end || errno || *s == '-' || *s == '+' || v & ~0666ul)
		return -1;
	*mode = v;
	return 0;
}

int pktring_parse_group(const char *s, gid_t *gid)
{
	struct group *g = getgrnam(s);
	char *end;
	unsigned long v;

	if (g) {
		*gid = g->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || *end || errno || *s == '-' || *s == '+' ||
	    v >= (gid_t)-1)
		return -1;
	*gid = v;
	return 0;
}

uint64_t pktring_new_epoch(void)
{
	const uint64_t mask = (1ull << PKTRING_EPOCH_BITS) - 1;
	uint64_t e = 0;

	while (!e) {
		if (getrandom(&e, sizeof(e), 0) != sizeof(e))
			e = pktring_now_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);
		e &= mask;
	}
	return e;
}

const char *pktring_liveness_name(enum pktring_liveness l)
{
	switch (l) {
	case PKTRING_WRITER_UNKNOWN:
		return "unknown";
	case PKTRING_WRITER_ALIVE:
		return "alive";
	case PKTRING_WRITER_GONE:
		return "gone";
	case PKTRING_WRITER_ENDED:
		return "ended";
	case PKTRING_WRITER_SILENT:
		return "silent";
	}
	return "?";
}

volatile sig_atomic_t pktring_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	pktring_stop = 1;
}

void pktring_stop_on_signals(void)
{
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);
}
