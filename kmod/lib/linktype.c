// SPDX-License-Identifier: BSD-2-Clause
/*
 * Link types as rings store them (LINKTYPE_*, the values pcap files hold)
 * and as libpcap's API gives them (DLT_*). Most are equal; some are not
 * (DLT_RAW is 12 on Linux, LINKTYPE_RAW 101). libpcap has no public
 * mapping, so its own savefile code does it: the header it writes for a
 * DLT holds the LINKTYPE, and a header it reads gives the DLT.
 */
#include "libpktring.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int pktring_linktype_of_dlt(int dlt)
{
	pcap_t *dead = pcap_open_dead(dlt, 65535);
	pcap_dumper_t *d;
	char *buf = NULL;
	size_t len = 0;
	uint32_t linktype;
	FILE *f;
	int rc = -1;

	if (!dead)
		return -1;
	f = open_memstream(&buf, &len);
	if (!f) {
		pcap_close(dead);
		return -1;
	}
	d = pcap_dump_fopen(dead, f);	/* fails when no LINKTYPE exists */
	if (d) {
		pcap_dump_close(d);	/* closes f: buf holds the header */
		if (len >= 24) {
			memcpy(&linktype, buf + 20, sizeof(linktype));
			rc = linktype & 0xffff;	/* without LT_FCS_* bits */
		}
	} else {
		fclose(f);
	}
	free(buf);
	pcap_close(dead);
	return rc;
}

int pktring_dlt_of_linktype(uint32_t linktype)
{
	uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, 65535, linktype };
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *f = fmemopen(hdr, sizeof(hdr), "r");
	pcap_t *p;
	int dlt;

	if (!f)
		return -1;
	p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		return -1;
	}
	dlt = pcap_datalink(p);
	pcap_close(p);	/* closes f */
	return dlt;
}

uint32_t pktring_max_caplen(int dlt)
{
	/* libpcap's max_snaplen_for_dlt(): what pcap_next_ex can return */
	switch (dlt) {
	case DLT_DBUS:
		return 128 << 20;
	case DLT_EBHSCR:
		return 8 << 20;
	case DLT_USBPCAP:
		return 1 << 20;
	default:
		return 262144;
	}
}
