package io.pktring.connect;

import static io.pktring.connect.PacketSchemas.*;

import java.util.Arrays;
import java.util.Date;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import io.pktring.connect.decode.PacketDecoder;
import io.pktring.connect.decode.PacketSummary;
import io.pktring.connect.ring.CopiedPacket;

/**
 * The value and key of one packet record, {@link PacketSchemas#PACKET}. The schema's Fields are
 * resolved once (Struct.put by name looks each up), every packet is decoded into one reused
 * {@link PacketSummary}, and the optional summary fields a packet does not have are left unset
 * (null) instead of being put and checked.
 *
 * <p>Not thread-safe: the poll thread makes the records.
 */
final class PacketValue {

    private static final Field TIMESTAMP = PACKET.field(F_TIMESTAMP);
    private static final Field TS_NS = PACKET.field(F_TS_NS);
    private static final Field SEQ = PACKET.field(F_SEQ);
    private static final Field IFNAME = PACKET.field(F_IFNAME);
    private static final Field IFINDEX = PACKET.field(F_IFINDEX);
    private static final Field DIRECTION = PACKET.field(F_DIRECTION);
    private static final Field PKTTYPE = PACKET.field(F_PKTTYPE);
    private static final Field CAPLEN = PACKET.field(F_CAPLEN);
    private static final Field ORIGLEN = PACKET.field(F_ORIGLEN);
    private static final Field LINKTYPE = PACKET.field(F_LINKTYPE);
    private static final Field DATA = PACKET.field(F_DATA);
    private static final Field ETH_TYPE = PACKET.field(F_ETH_TYPE);
    private static final Field VLAN_ID = PACKET.field(F_VLAN_ID);
    private static final Field IP_VERSION = PACKET.field(F_IP_VERSION);
    private static final Field SRC_ADDR = PACKET.field(F_SRC_ADDR);
    private static final Field DST_ADDR = PACKET.field(F_DST_ADDR);
    private static final Field IP_PROTO = PACKET.field(F_IP_PROTO);
    private static final Field SRC_PORT = PACKET.field(F_SRC_PORT);
    private static final Field DST_PORT = PACKET.field(F_DST_PORT);
    private static final Field TCP_FLAGS = PACKET.field(F_TCP_FLAGS);
    private static final Field SENSOR = PACKET.field(F_SENSOR);
    private static final Field EPOCH = PACKET.field(F_EPOCH);

    private final String ifname;
    private final String sensor;
    private final Long epoch;
    private final int linktype;
    private final Integer linktypeValue;
    private final PacketSummary summary = new PacketSummary();
    /** The next value, by field index (StructValues.of clears it). */
    private final Object[] values = new Object[PACKET.fields().size()];

    PacketValue(String ifname, int linktype, String sensor, long epoch) {
        this.ifname = ifname;
        this.sensor = sensor;
        this.epoch = epoch;
        this.linktype = linktype;
        this.linktypeValue = linktype;
    }

    /** Decodes the packet's first length bytes and makes its value; {@link #key()} is then its key. */
    Struct of(CopiedPacket p, int length) {
        PacketSummary s = PacketDecoder.decode(linktype, p.data, length, summary);
        Object[] v = values;
        v[TIMESTAMP.index()] = new Date(Long.divideUnsigned(p.tsNanos, 1_000_000L)); // ts_ns is a u64
        v[TS_NS.index()] = p.tsNanos;
        v[SEQ.index()] = p.seq;
        v[IFNAME.index()] = ifname;
        v[IFINDEX.index()] = p.ifindex;
        v[DIRECTION.index()] = p.directionName();
        v[PKTTYPE.index()] = p.pkttype;
        v[CAPLEN.index()] = length;
        v[ORIGLEN.index()] = p.origlen;
        v[LINKTYPE.index()] = linktypeValue;
        v[DATA.index()] = Arrays.copyOf(p.data, length);
        v[ETH_TYPE.index()] = s.etherType();
        v[VLAN_ID.index()] = s.vlanId();
        v[IP_VERSION.index()] = s.ipVersion();
        v[SRC_ADDR.index()] = s.srcAddr();
        v[DST_ADDR.index()] = s.dstAddr();
        v[IP_PROTO.index()] = s.ipProtocol();
        v[SRC_PORT.index()] = s.srcPort();
        v[DST_PORT.index()] = s.dstPort();
        v[TCP_FLAGS.index()] = s.tcpFlags();
        v[SENSOR.index()] = sensor;
        v[EPOCH.index()] = epoch;
        return StructValues.of(PACKET, v);
    }

    /** The flow key of the packet last given to {@link #of}. */
    byte[] key() {
        return summary.flowKey();
    }
}
