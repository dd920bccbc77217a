package io.pktring.connect;

import static io.pktring.connect.PacketSchemas.*;

import java.util.Arrays;
import java.util.Date;
import java.util.List;

import org.apache.kafka.connect.data.Struct;

import io.pktring.connect.decode.PacketSummary;
import io.pktring.connect.ring.PacketRecord;
import io.pktring.connect.ring.RingLayout;

/** Turns packets copied out of a ring into Connect Structs of {@link PacketSchemas}. */
final class PacketConverter {

    private final String ifname;
    private final int linktype;
    private final int snaplen;

    PacketConverter(String ifname, int linktype, int snaplen) {
        this.ifname = ifname;
        this.linktype = linktype;
        this.snaplen = snaplen;
    }

    /** Bytes of the packet that are published: the captured length cut to the connector's snaplen. */
    int publishedLength(PacketRecord rec) {
        return Math.min(rec.caplen, snaplen);
    }

    /** The decoded summary of the published bytes. */
    PacketSummary summarize(PacketRecord rec) {
        return PacketSummary.decode(linktype, rec.data, publishedLength(rec));
    }

    Struct packet(PacketRecord rec, PacketSummary s) {
        int len = publishedLength(rec);
        return new Struct(PACKET)
                .put(F_TIMESTAMP, new Date(Long.divideUnsigned(rec.tsNanos, 1_000_000L))) // ts_ns is a u64
                .put(F_TS_NS, rec.tsNanos)
                .put(F_SEQ, rec.seq)
                .put(F_IFNAME, ifname)
                .put(F_IFINDEX, rec.ifindex)
                .put(F_DIRECTION, direction(rec.direction))
                .put(F_PKTTYPE, rec.pkttype)
                .put(F_CAPLEN, len)
                .put(F_ORIGLEN, rec.origlen)
                .put(F_LINKTYPE, linktype)
                .put(F_DATA, Arrays.copyOf(rec.data, len))
                .put(F_ETH_TYPE, s.etherType())
                .put(F_VLAN_ID, s.vlanId())
                .put(F_IP_VERSION, s.ipVersion())
                .put(F_SRC_ADDR, s.srcAddr())
                .put(F_DST_ADDR, s.dstAddr())
                .put(F_IP_PROTO, s.ipProtocol())
                .put(F_SRC_PORT, s.srcPort())
                .put(F_DST_PORT, s.dstPort())
                .put(F_TCP_FLAGS, s.tcpFlags());
    }

    Struct block(long epoch, long firstSeq, long lastSeq, long lost, List<Struct> packets) {
        return new Struct(PACKET_BLOCK)
                .put(F_IFNAME, ifname)
                .put(F_LINKTYPE, linktype)
                .put(F_EPOCH, epoch)
                .put(F_FIRST_SEQ, firstSeq)
                .put(F_LAST_SEQ, lastSeq)
                .put(F_LOST, lost)
                .put(F_PACKETS, packets);
    }

    static String direction(int direction) {
        switch (direction) {
            case RingLayout.DIR_IN:
                return "in";
            case RingLayout.DIR_OUT:
                return "out";
            default:
                return "unknown";
        }
    }
}
