/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Compile a capture filter for an interface exactly as tcpdump does on it.
 * Header-only: pktring-ctl is also built on its own, without libpktring.
 *
 * The kernel moves a received frame's VLAN tag into the skb's metadata
 * before packet taps and socket filters see it. libpcap knows that only on
 * a handle activated on the interface (it then sets
 * BPF_SPECIAL_VLAN_HANDLING, and "vlan 100" tests the metadata); compiled
 * on a dead handle, "vlan 100" tests the frame's bytes and never matches.
 */
#ifndef PKTRING_PCAP_FILTER_H
#define PKTRING_PCAP_FILTER_H

#include <pcap/pcap.h>
#include <stdio.h>

/* 0, or -1 with the reason in err */
static inline int pktring_compile_filter(const char *ifname, int snaplen,
					 const char *expr,
					 struct bpf_program *prog,
					 char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(ifname, errbuf);
	int rc = -1;

	if (!p) {
		snprintf(err, errlen, "filter '%s': %s: %s", expr, ifname, errbuf);
		return -1;
	}
	pcap_set_snaplen(p, snaplen);
	pcap_set_buffer_size(p, 64 << 10);	/* opened to compile, not to read */
	if (pcap_activate(p) < 0)
		snprintf(err, errlen, "filter '%s': %s: %s", expr, ifname,
			 pcap_geterr(p));
	else if (pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN))
		snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(p));
	else
		rc = 0;
	pcap_close(p);
	return rc;
}

#endif
