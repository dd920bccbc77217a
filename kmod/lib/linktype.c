// SPDX-License-Identifier: BSD-2-Clause
/*
 * Link types and libpcap: what libpcap can return per link type.
 */
#include "pktring.h"

#include <pcap/pcap.h>

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
