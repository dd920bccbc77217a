// SPDX-License-Identifier: BSD-2-Clause
/*
 * A symmetric flow hash in user space, for writers that split packets
 * over a ring group by flow without the kernel's fanout (pktring-replay
 * --rings): both directions of a flow hash alike, as PACKET_FANOUT_HASH
 * does for pktring-capd. Not the kernel's hash: which member a flow lands
 * in differs between the two, that both directions land together does not.
 */
#include "pktring_group.h"

#define LINKTYPE_ETHERNET	1
#define LINKTYPE_RAW		101

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

/* Hash of len bytes, the same whichever of a and b comes first. */
static uint32_t pair(uint32_t h, const uint8_t *a, const uint8_t *b, size_t len)
{
	const uint8_t *lo = memcmp(a, b, len) <= 0 ? a : b, *hi = lo == a ? b : a;
	size_t i;

	for (i = 0; i < len; i++)
		h = mix(h, lo[i]);
	for (i = 0; i < len; i++)
		h = mix(h, hi[i]);
	return h;
}

uint32_t pktring_flow_hash(const uint8_t *p, uint32_t caplen, uint32_t linktype)
{
	const uint8_t *ip, *l4, *end = p + caplen;
	uint16_t ethertype;
	uint8_t proto, ports[2][4];	/* address-sized slots: port, zero */
	uint32_t h = 0x811c9dc5u;

	if (linktype == LINKTYPE_RAW) {
		if (!caplen)
			return h;
		ip = p;
		ethertype = (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
	} else if (linktype == LINKTYPE_ETHERNET && caplen >= 14) {
		ip = p + 14;
		ethertype = p[12] << 8 | p[13];
		while ((ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100) &&
		       ip + 4 <= end) {
			ethertype = ip[2] << 8 | ip[3];
			ip += 4;
		}
		if (ethertype != 0x0800 && ethertype != 0x86dd)
			return pair(mix(h, ethertype), p, p + 6, 6);
	} else {
		return h;
	}
	if (ethertype == 0x0800 && ip + 20 <= end && (ip[0] >> 4) == 4) {
		proto = ip[9];
		l4 = ip + (ip[0] & 0xf) * 4;
		h = pair(h, ip + 12, ip + 16, 4);
		if ((ip[6] & 0x3f) || ip[7])	/* a fragment: addresses only */
			return h;
		h = mix(h, proto);
	} else if (ethertype == 0x86dd && ip + 40 <= end && (ip[0] >> 4) == 6) {
		proto = ip[6];
		l4 = ip + 40;
		/* hop-by-hop, routing, destination options, AH before the ports */
		while ((proto == 0 || proto == 43 || proto == 60 || proto == 51) &&
		       l4 + 8 <= end) {
			uint32_t len = proto == 51 ? (l4[1] + 2) * 4 : (l4[1] + 1) * 8;

			proto = l4[0];
			l4 += len;
		}
		h = pair(h, ip + 8, ip + 24, 16);
		if (proto == 44)	/* a fragment: addresses only */
			return h;
		h = mix(h, proto);
	} else {
		return h;
	}
	if ((proto == 6 || proto == 17 || proto == 132 || proto == 33 ||
	     proto == 136) && l4 + 4 <= end) {
		memset(ports, 0, sizeof(ports));
		memcpy(ports[0], l4, 2);
		memcpy(ports[1], l4 + 2, 2);
		/* both ports, in either order */
		h = mix(h, pair(0, ports[0], ports[1], 4));
	}
	return h;
}
