package io.pktring.connect.decode;

/**
 * Walks a packet's headers from the link layer to the transport ports. Every read is checked
 * against caplen; a short or malformed header ends the walk with what was learnt so far.
 */
public final class PacketDecoder {
    // pcap link types (LINKTYPE_* as stored in files, and the DLT_* values libpcap maps them to)
    static final int NULL = 0, EN10MB = 1, RAW = 12, RAW_OPENBSD = 14, LINKTYPE_RAW = 101, LOOP = 108,
            LINUX_SLL = 113, IPV4 = 228, IPV6 = 229, LINUX_SLL2 = 276;

    private static final int ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd;
    private static final int MAX_VLAN_TAGS = 8, MAX_IPV6_EXT_HEADERS = 16;

    private PacketDecoder() {
    }

    /**
     * Decodes a packet of the given pcap link type (LINKTYPE_/DLT_ value); bytes [0, caplen) of
     * d are valid. Supported: EN10MB (with 802.1Q/802.1ad tags), LINUX_SLL, LINUX_SLL2, RAW,
     * NULL, LOOP, IPV4, IPV6; anything else gives an empty summary. Never throws.
     */
    public static PacketSummary decode(int linktype, byte[] d, int caplen) {
        return decode(linktype, d, caplen, new PacketSummary());
    }

    /**
     * As {@link #decode(int, byte[], int)}, into a summary the caller reuses (it forgets its
     * previous packet): decoding then allocates nothing. Returns s.
     */
    public static PacketSummary decode(int linktype, byte[] d, int caplen, PacketSummary s) {
        s.clear(d);
        if (d == null) {
            return s;
        }
        int n = Math.max(0, Math.min(caplen, d.length));
        switch (linktype) {
            case EN10MB -> ethernet(s, d, n);
            case LINUX_SLL -> {
                if (n >= 16) {
                    etherPayload(s, d, n, u16(d, 14), 16);
                }
            }
            case LINUX_SLL2 -> {
                if (n >= 20) {
                    etherPayload(s, d, n, u16(d, 0), 20);
                }
            }
            case RAW, RAW_OPENBSD, LINKTYPE_RAW -> bareIp(s, d, n, 0);
            case IPV4 -> etherPayload(s, d, n, ETH_IPV4, 0);
            case IPV6 -> etherPayload(s, d, n, ETH_IPV6, 0);
            case NULL, LOOP -> {
                if (n >= 4) {
                    nullHeader(s, d, n, linktype);
                }
            }
            default -> {
                // unknown link layer: nothing we can say
            }
        }
        return s;
    }

    private static void ethernet(PacketSummary s, byte[] d, int n) {
        if (n < 14) {
            return;
        }
        s.dstMacAt = 0;
        s.srcMacAt = 6;
        int type = u16(d, 12);
        if (type < 0x0600) {
            return; // 802.3 length field, LLC follows: no ether type
        }
        etherPayload(s, d, n, type, 14);
    }

    /** Network layer of ether type 'type' at offset off, after any VLAN tags. */
    private static void etherPayload(PacketSummary s, byte[] d, int n, int type, int off) {
        for (int tags = 0; isVlan(type) && tags < MAX_VLAN_TAGS; tags++) {
            if (off + 4 > n) {
                return;
            }
            if (s.vlanId == PacketSummary.NONE) {
                s.vlanId = u16(d, off) & 0x0fff;
            }
            type = u16(d, off + 2);
            off += 4;
        }
        if (type < 0x0600) {
            return; // a length or a cooked-capture pseudo protocol, not an ether type
        }
        s.etherType = type;
        if (type == ETH_IPV4) {
            ipv4(s, d, n, off);
        } else if (type == ETH_IPV6) {
            ipv6(s, d, n, off);
        }
    }

    private static boolean isVlan(int type) {
        return type == 0x8100 || type == 0x88a8 || type == 0x9100;
    }

    /** DLT_NULL carries the address family in the capturing host's byte order, DLT_LOOP in network order. */
    private static void nullHeader(PacketSummary s, byte[] d, int n, int linktype) {
        long be = u32(d, 0);
        long family = linktype == LOOP ? be : Long.reverseBytes(be) >>> 32;
        if (linktype == NULL && family > 0xffff) {
            family = be; // written on a big-endian host
        }
        if (family == 2) {
            etherPayload(s, d, n, ETH_IPV4, 4);
        } else if (family == 10 || family == 24 || family == 28 || family == 30) {
            etherPayload(s, d, n, ETH_IPV6, 4); // Linux, NetBSD/OpenBSD, FreeBSD, Darwin AF_INET6
        }
    }

    /** Link types with no header: the IP version nibble says which. */
    private static void bareIp(PacketSummary s, byte[] d, int n, int off) {
        if (off >= n) {
            return;
        }
        int version = (d[off] & 0xff) >> 4;
        if (version == 4) {
            etherPayload(s, d, n, ETH_IPV4, off);
        } else if (version == 6) {
            etherPayload(s, d, n, ETH_IPV6, off);
        }
    }

    private static void ipv4(PacketSummary s, byte[] d, int n, int off) {
        if (off + 20 > n || (d[off] & 0xff) >> 4 != 4) {
            return;
        }
        int hlen = (d[off] & 0x0f) * 4;
        if (hlen < 20) {
            return;
        }
        s.ipVersion = 4;
        s.ipProtocol = d[off + 9] & 0xff;
        s.srcIpAt = off + 12;
        s.dstIpAt = off + 16;
        s.ipLength = 4;
        boolean firstFragment = (u16(d, off + 6) & 0x1fff) == 0;
        if (firstFragment) {
            transport(s, d, n, off + hlen, s.ipProtocol);
        }
    }

    private static void ipv6(PacketSummary s, byte[] d, int n, int off) {
        if (off + 40 > n || (d[off] & 0xff) >> 4 != 6) {
            return;
        }
        s.ipVersion = 6;
        s.srcIpAt = off + 8;
        s.dstIpAt = off + 24;
        s.ipLength = 16;
        int next = d[off + 6] & 0xff;
        int p = off + 40;
        for (int i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
            if (next == 0 || next == 43 || next == 60) { // hop-by-hop, routing, destination options
                if (p + 2 > n) {
                    break;
                }
                next = d[p] & 0xff;
                p += ((d[p + 1] & 0xff) + 1) * 8;
            } else if (next == 51) { // authentication header
                if (p + 2 > n) {
                    break;
                }
                next = d[p] & 0xff;
                p += ((d[p + 1] & 0xff) + 2) * 4;
            } else if (next == 44) { // fragment
                if (p + 8 > n) {
                    break;
                }
                next = d[p] & 0xff;
                if ((u16(d, p + 2) & 0xfff8) != 0) {
                    s.ipProtocol = next;
                    return; // not the first fragment: no transport header here
                }
                p += 8;
            } else {
                s.ipProtocol = next;
                transport(s, d, n, p, next);
                return;
            }
        }
        s.ipProtocol = next; // chain cut short: the last header we could name
    }

    private static void transport(PacketSummary s, byte[] d, int n, int off, int proto) {
        boolean ports = proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
        if (!ports || off + 4 > n) {
            return;
        }
        s.srcPort = u16(d, off);
        s.dstPort = u16(d, off + 2);
        if (proto == 6 && off + 14 <= n) {
            s.tcpFlags = u16(d, off + 12) & 0x0fff;
        }
    }

    private static int u16(byte[] d, int off) {
        return ((d[off] & 0xff) << 8) | (d[off + 1] & 0xff);
    }

    private static long u32(byte[] d, int off) {
        return ((long) u16(d, off) << 16) | u16(d, off + 2);
    }
}
