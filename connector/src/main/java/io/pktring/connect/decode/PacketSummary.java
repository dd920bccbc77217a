package io.pktring.connect.decode;

import java.util.Arrays;

/**
 * The L2-L4 facts of one packet a downstream user filters and partitions on: ether type, VLAN,
 * IP addresses, protocol, ports, TCP flags. Fields are null when the packet does not have them
 * (or is too short or malformed to tell). {@link PacketDecoder#decode} makes one.
 */
public final class PacketSummary {
    Integer etherType, vlanId, ipVersion, ipProtocol, srcPort, dstPort, tcpFlags;
    byte[] srcIp, dstIp;     // 4 or 16 bytes
    byte[] srcMac, dstMac;   // Ethernet only

    PacketSummary() {
    }

    /**
     * Ether type of the network layer: after any VLAN tags on Ethernet, the protocol field of
     * Linux cooked captures, and 0x0800 / 0x86dd for link types that carry bare IP.
     */
    public Integer etherType() {
        return etherType;
    }

    /** VLAN ID of the outermost 802.1Q / 802.1ad tag. */
    public Integer vlanId() {
        return vlanId;
    }

    /** 4 or 6. */
    public Integer ipVersion() {
        return ipVersion;
    }

    /** IPv4 protocol; for IPv6, the next header after any extension headers. */
    public Integer ipProtocol() {
        return ipProtocol;
    }

    /** TCP, UDP, UDP-Lite, SCTP or DCCP ports; null for non-first fragments. */
    public Integer srcPort() {
        return srcPort;
    }

    public Integer dstPort() {
        return dstPort;
    }

    /** The 12 TCP flag bits (as Wireshark's tcp.flags: FIN=0x1 ... CWR=0x80, AE=0x100). */
    public Integer tcpFlags() {
        return tcpFlags;
    }

    /** Textual IPv4 (dotted quad) or IPv6 (RFC 5952 compressed) source address. */
    public String srcAddr() {
        return IpText.format(srcIp);
    }

    public String dstAddr() {
        return IpText.format(dstIp);
    }

    /**
     * A key that is the same for both directions of a flow and differs between flows: IP
     * version, protocol, VLAN and the two (address, port) endpoints in a fixed order; for non-IP
     * Ethernet, the ether type, VLAN and the two MAC addresses. Null when the packet names no
     * endpoints.
     */
    public byte[] flowKey() {
        if (srcIp != null) {
            byte[] a = endpoint(srcIp, srcPort);
            byte[] b = endpoint(dstIp, dstPort);
            return key(ipVersion, ipProtocol == null ? 0 : ipProtocol, a, b);
        }
        if (srcMac != null) {
            return key(0, etherType == null ? 0 : etherType, srcMac, dstMac);
        }
        return null;
    }

    private byte[] key(int kind, int proto, byte[] a, byte[] b) {
        if (Arrays.compareUnsigned(a, b) > 0) {
            byte[] t = a;
            a = b;
            b = t;
        }
        int vlan = vlanId == null ? 0xffff : vlanId;
        byte[] k = new byte[5 + a.length + b.length];
        k[0] = (byte) kind;
        k[1] = (byte) (proto >> 8);
        k[2] = (byte) proto;
        k[3] = (byte) (vlan >> 8);
        k[4] = (byte) vlan;
        System.arraycopy(a, 0, k, 5, a.length);
        System.arraycopy(b, 0, k, 5 + a.length, b.length);
        return k;
    }

    private static byte[] endpoint(byte[] addr, Integer port) {
        byte[] e = Arrays.copyOf(addr, addr.length + 2);
        int p = port == null ? 0 : port;
        e[addr.length] = (byte) (p >> 8);
        e[addr.length + 1] = (byte) p;
        return e;
    }

    @Override
    public String toString() {
        return "PacketSummary[etherType=" + etherType + ", vlan=" + vlanId + ", ip=" + ipVersion + ", proto=" + ipProtocol
                + ", " + srcAddr() + ":" + srcPort + " > " + dstAddr() + ":" + dstPort + ", tcpFlags=" + tcpFlags + "]";
    }
}
