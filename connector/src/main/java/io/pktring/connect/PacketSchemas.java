package io.pktring.connect;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Timestamp;

/**
 * The Connect schemas and headers of the records this connector publishes. A converter derives
 * the Avro schemas shipped in src/main/avro from these (a test keeps them equal).
 */
public final class PacketSchemas {

    /**
     * 2: sensor (both records) and epoch (Packet) added, optional with a null default, so a reader
     * of either version reads records of the other (BACKWARD and FORWARD within major 1 of the
     * topic format; README, "Schema evolution").
     */
    public static final int VERSION = 2;

    /** Header: the ring's epoch (positions and sequence numbers are of one epoch). */
    public static final String HEADER_EPOCH = "pktring.epoch";
    /** Header: the packet's sequence number (a block's first). */
    public static final String HEADER_SEQ = "pktring.seq";
    /** Header: packets lost just before this one (a block: before and between its packets). */
    public static final String HEADER_LOST = "pktring.lost";
    /** Header: the capture host (the connector's sensor setting). */
    public static final String HEADER_SENSOR = "pktring.sensor";

    public static final String F_TIMESTAMP = "timestamp";
    public static final String F_TS_NS = "ts_ns";
    public static final String F_SEQ = "seq";
    public static final String F_IFNAME = "ifname";
    public static final String F_IFINDEX = "ifindex";
    public static final String F_DIRECTION = "direction";
    public static final String F_PKTTYPE = "pkttype";
    public static final String F_CAPLEN = "caplen";
    public static final String F_ORIGLEN = "origlen";
    public static final String F_LINKTYPE = "linktype";
    public static final String F_DATA = "data";
    public static final String F_ETH_TYPE = "eth_type";
    public static final String F_VLAN_ID = "vlan_id";
    public static final String F_IP_VERSION = "ip_version";
    public static final String F_SRC_ADDR = "src_addr";
    public static final String F_DST_ADDR = "dst_addr";
    public static final String F_IP_PROTO = "ip_proto";
    public static final String F_SRC_PORT = "src_port";
    public static final String F_DST_PORT = "dst_port";
    public static final String F_TCP_FLAGS = "tcp_flags";
    public static final String F_SENSOR = "sensor";

    public static final String F_EPOCH = "epoch";
    public static final String F_FIRST_SEQ = "first_seq";
    public static final String F_LAST_SEQ = "last_seq";
    public static final String F_LOST = "lost";
    public static final String F_COUNT = "count";
    public static final String F_OFFSET = "offset";

    /** Key: the symmetric flow key, so both directions of a flow land in one partition in order. */
    public static final Schema KEY = SchemaBuilder.bytes().optional().name("io.pktring.FlowKey")
            .doc("Symmetric flow key: equal for both directions of one flow (IP endpoints, or MAC "
                    + "addresses for non-IP Ethernet); null when the packet names no endpoints")
            .build();

    private static final String SENSOR_DOC = "The capture host: the connector's sensor setting (by default the "
            + "worker host's name); null in records of connectors before it";

    public static final Schema PACKET = SchemaBuilder.struct()
            .name("io.pktring.Packet").version(VERSION)
            .doc("One captured packet from a pktring ring, with the L2-L4 summary decoded from it")
            .field(F_TIMESTAMP, Timestamp.builder().doc("Capture time, milliseconds since the epoch (UTC)").build())
            .field(F_TS_NS, doc(SchemaBuilder.int64(), "Capture time, nanoseconds since the epoch (UTC)"))
            .field(F_SEQ, doc(SchemaBuilder.int64(), "Packet sequence number in the ring's epoch, from 0; a gap means loss"))
            .field(F_IFNAME, doc(SchemaBuilder.string(), "Interface (or replay source) the ring captures"))
            .field(F_IFINDEX, doc(SchemaBuilder.int32(), "Interface index the packet was seen on (0 for a replay)"))
            .field(F_DIRECTION, doc(SchemaBuilder.string(), "Direction on the interface: 'in', 'out' or 'unknown'"))
            .field(F_PKTTYPE, doc(SchemaBuilder.int32(), "Linux packet type (PACKET_HOST=0, BROADCAST=1, MULTICAST=2, OTHERHOST=3, OUTGOING=4)"))
            .field(F_CAPLEN, doc(SchemaBuilder.int32(), "Bytes captured (length of data)"))
            .field(F_ORIGLEN, doc(SchemaBuilder.int32(), "Length of the packet on the wire"))
            .field(F_LINKTYPE, doc(SchemaBuilder.int32(), "pcap LINKTYPE of data (1 = Ethernet)"))
            .field(F_DATA, doc(SchemaBuilder.bytes(), "The captured bytes, from the link-layer header on"))
            .field(F_ETH_TYPE, optInt("EtherType of the payload (after VLAN tags)"))
            .field(F_VLAN_ID, optInt("Outermost 802.1Q VLAN id"))
            .field(F_IP_VERSION, optInt("IP version: 4 or 6"))
            .field(F_SRC_ADDR, optString("Source IP address, textual"))
            .field(F_DST_ADDR, optString("Destination IP address, textual"))
            .field(F_IP_PROTO, optInt("IP protocol number (6 = TCP, 17 = UDP, ...)"))
            .field(F_SRC_PORT, optInt("TCP/UDP/SCTP source port"))
            .field(F_DST_PORT, optInt("TCP/UDP/SCTP destination port"))
            .field(F_TCP_FLAGS, optInt("TCP flags, 12 bits (FIN=1, SYN=2, RST=4, PSH=8, ACK=16, URG=32, ECE=64, CWR=128, AE=256)"))
            .field(F_SENSOR, optString(SENSOR_DOC))
            .field(F_EPOCH, SchemaBuilder.int64().optional().doc("The ring's epoch (new each time the ring is "
                    + "created); seq counts within it").build())
            .build();

    /**
     * Block mode: consecutive packets of one ring as columns. Packet i is element i of every
     * array, its bytes data[offset[i], offset[i] + caplen[i]). No Struct per packet and no
     * per-packet decoding: what a converter and a consumer handle per packet is a few numbers.
     */
    public static final Schema PACKET_COLUMNS = SchemaBuilder.struct()
            .name("io.pktring.PacketColumns").version(VERSION)
            .doc("Consecutive packets from one pktring ring in one record (block mode), as columns: packet i is "
                    + "element i of every array, its bytes are data[offset[i], offset[i] + caplen[i])")
            .field(F_IFNAME, doc(SchemaBuilder.string(), "Interface (or replay source) the ring captures"))
            .field(F_LINKTYPE, doc(SchemaBuilder.int32(), "pcap LINKTYPE of the packets' data (1 = Ethernet)"))
            .field(F_EPOCH, doc(SchemaBuilder.int64(), "The ring's epoch (new each time the ring is created)"))
            .field(F_FIRST_SEQ, doc(SchemaBuilder.int64(), "Sequence number of the first packet"))
            .field(F_LAST_SEQ, doc(SchemaBuilder.int64(), "Sequence number of the last packet"))
            .field(F_LOST, doc(SchemaBuilder.int64(), "Packets lost before and between the packets of this block"))
            .field(F_COUNT, doc(SchemaBuilder.int32(), "Packets in this block: the length of every array"))
            .field(F_TS_NS, longs("Capture time, nanoseconds since the epoch (UTC)"))
            .field(F_SEQ, longs("Packet sequence number in the ring's epoch; a gap means loss"))
            .field(F_CAPLEN, ints("Bytes captured: the packet's length in data"))
            .field(F_ORIGLEN, ints("Length of the packet on the wire"))
            .field(F_IFINDEX, ints("Interface index the packet was seen on (0 for a replay)"))
            .field(F_DIRECTION, ints("Direction on the interface: 0 unknown, 1 in, 2 out"))
            .field(F_PKTTYPE, ints("Linux packet type (PACKET_HOST=0, BROADCAST=1, MULTICAST=2, OTHERHOST=3, OUTGOING=4)"))
            .field(F_OFFSET, ints("Where the packet starts in data"))
            .field(F_DATA, doc(SchemaBuilder.bytes(), "The packets' captured bytes, back to back, each from its "
                    + "link-layer header on"))
            .field(F_SENSOR, optString(SENSOR_DOC))
            .build();

    private PacketSchemas() {
    }

    private static Schema doc(SchemaBuilder b, String doc) {
        return b.doc(doc).build();
    }

    private static Schema longs(String doc) {
        return SchemaBuilder.array(Schema.INT64_SCHEMA).doc(doc).build();
    }

    private static Schema ints(String doc) {
        return SchemaBuilder.array(Schema.INT32_SCHEMA).doc(doc).build();
    }

    private static Schema optInt(String doc) {
        return SchemaBuilder.int32().optional().doc(doc).build();
    }

    private static Schema optString(String doc) {
        return SchemaBuilder.string().optional().doc(doc).build();
    }
}
