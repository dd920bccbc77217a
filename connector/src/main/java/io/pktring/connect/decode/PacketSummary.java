package io.pktring.connect.decode;

import java.util.Arrays;

/**
 * The L2-L4 facts of one packet a downstream user filters and partitions on: ether type, VLAN,
 * IP addresses, protocol, ports, TCP flags. Fields are null when the packet does not have them
 * (or is too short or malformed to tell). {@link PacketDecoder#decode} fills one.
 *
 * <p>A summary refers to the packet's bytes rather than copying addresses out of them: it is
 * valid while the decoded array holds that packet. The task decodes every packet into one summary
 * it reuses, so decoding allocates nothing; only what goes into a record (the address text, the
 * flow key) is made, when asked for.
 */
public final class PacketSummary {
    static final int NONE = -1;

    int etherType, vlanId, ipVersion, ipProtocol, srcPort, dstPort, tcpFlags;
    /** The decoded bytes, and where in them the addresses are (NONE: not present). */
    byte[] data;
    int srcIpAt, dstIpAt, ipLength;
    /** Ethernet only: where the MAC addresses are (NONE: not present). */
    int srcMacAt, dstMacAt;
    private final Ipv4TextCache ipv4Text = new Ipv4TextCache();

    /** An empty summary, to be filled by {@link PacketDecoder#decode(int, byte[], int, PacketSummary)}. */
    public PacketSummary() {
        clear(null);
    }

    /** Forgets the previous packet. */
    void clear(byte[] d) {
        data = d;
        etherType = vlanId = ipVersion = ipProtocol = srcPort = dstPort = tcpFlags = NONE;
        srcIpAt = dstIpAt = srcMacAt = dstMacAt = NONE;
        ipLength = 0;
    }

    private static Integer box(int v) {
        return v == NONE ? null : v;
    }

    /**
     * Ether type of the network layer: after any VLAN tags on Ethernet, the protocol field of
     * Linux cooked captures, and 0x0800 / 0x86dd for link types that carry bare IP.
     */
    public Integer etherType() {
        return box(etherType);
    }

    /** VLAN ID of the outermost 802.1Q / 802.1ad tag. */
    public Integer vlanId() {
        return box(vlanId);
    }

    /** 4 or 6. */
    public Integer ipVersion() {
        return box(ipVersion);
    }

    /** IPv4 protocol; for IPv6, the next header after any extension headers. */
    public Integer ipProtocol() {
        return box(ipProtocol);
    }

    /** TCP, UDP, UDP-Lite, SCTP or DCCP ports; null for non-first fragments. */
    public Integer srcPort() {
        return box(srcPort);
    }

    public Integer dstPort() {
        return box(dstPort);
    }

    /** The 12 TCP flag bits (as Wireshark's tcp.flags: FIN=0x1 ... CWR=0x80, AE=0x100). */
    public Integer tcpFlags() {
        return box(tcpFlags);
    }

    /** Textual IPv4 (dotted quad) or IPv6 (RFC 5952 compressed) source address. */
    public String srcAddr() {
        return addressText(srcIpAt);
    }

    public String dstAddr() {
        return addressText(dstIpAt);
    }

    private String addressText(int at) {
        if (at == NONE) {
            return null;
        }
        return ipLength == 4 ? ipv4Text.format(data, at) : IpText.format(data, at, ipLength);
    }

    /**
     * A key that is the same for both directions of a flow and differs between flows: IP
     * version, protocol, VLAN and the two (address, port) endpoints in a fixed order; for non-IP
     * Ethernet, the ether type, VLAN and the two MAC addresses. Null when the packet names no
     * endpoints.
     */
    public byte[] flowKey() {
        if (srcIpAt != NONE) {
            return key(ipVersion, ipProtocol == NONE ? 0 : ipProtocol, ipLength, 2,
                    srcIpAt, Math.max(0, srcPort), dstIpAt, Math.max(0, dstPort));
        }
        if (srcMacAt != NONE) {
            return key(0, etherType == NONE ? 0 : etherType, 6, 0, srcMacAt, 0, dstMacAt, 0);
        }
        return null;
    }

    /** kind, proto, VLAN, then endpoints a and b (an address of len bytes, then a port of portBytes) in unsigned order. */
    private byte[] key(int kind, int proto, int len, int portBytes, int a, int aPort, int b, int bPort) {
        int order = Arrays.compareUnsigned(data, a, a + len, data, b, b + len);
        if (order > 0 || order == 0 && aPort > bPort) {
            int t = a;
            a = b;
            b = t;
            t = aPort;
            aPort = bPort;
            bPort = t;
        }
        int vlan = vlanId == NONE ? 0xffff : vlanId;
        int end = len + portBytes;
        byte[] k = new byte[5 + 2 * end];
        k[0] = (byte) kind;
        k[1] = (byte) (proto >> 8);
        k[2] = (byte) proto;
        k[3] = (byte) (vlan >> 8);
        k[4] = (byte) vlan;
        System.arraycopy(data, a, k, 5, len);
        System.arraycopy(data, b, k, 5 + end, len);
        if (portBytes == 2) {
            k[5 + len] = (byte) (aPort >> 8);
            k[6 + len] = (byte) aPort;
            k[5 + end + len] = (byte) (bPort >> 8);
            k[6 + end + len] = (byte) bPort;
        }
        return k;
    }

    @Override
    public String toString() {
        return "PacketSummary[etherType=" + etherType() + ", vlan=" + vlanId() + ", ip=" + ipVersion() + ", proto="
                + ipProtocol() + ", " + srcAddr() + ":" + srcPort() + " > " + dstAddr() + ":" + dstPort() + ", tcpFlags="
                + tcpFlags() + "]";
    }
}
