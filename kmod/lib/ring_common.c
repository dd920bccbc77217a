// SPDX-License-Identifier: BSD-2-Clause
/* What writers and readers share: ring paths, the identity check, names. */
#include "pktring.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

void pktring_ring_path(const char *ring, int for_reader, char *path, size_t len)
{
	struct stat st;

	if (strchr(ring, '/')) {
		snprintf(path, len, "%s", ring);
		return;
	}
	snprintf(path, len, "%s/%s", PKTRING_SHM_DIR, ring);
	if (for_reader && stat(path, &st) != 0) {
		char dev[4096];

		snprintf(dev, sizeof(dev), "%s/%s", PKTRING_DEV_DIR, ring);
		if (stat(dev, &st) == 0)
			snprintf(path, len, "%s", dev);
	}
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

const char *pktring_check_ctl(const struct pktring_ctl *c, uint64_t file_size,
			      char *buf, size_t len)
{
	uint64_t h, r;

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
	r = PKTRING_LOAD_ACQUIRE(&c->reclaim);
	if (r > h)	/* a live writer may have moved both: look again */
		h = PKTRING_LOAD_ACQUIRE(&c->head);
	if (r > h || h - r > c->data_size || (h | r) % PKTRING_ALIGN) {
		snprintf(buf, len, "head %llu and reclaim %llu are inconsistent (data size %llu)",
			 (unsigned long long)h, (unsigned long long)r,
			 (unsigned long long)c->data_size);
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

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
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
