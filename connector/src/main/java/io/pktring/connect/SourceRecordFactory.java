package io.pktring.connect;

import static io.pktring.connect.PacketSchemas.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;

import io.pktring.connect.PktringSourceConnectorConfig.RecordMode;
import io.pktring.connect.PktringSourceConnectorConfig.RecordTimestamp;
import io.pktring.connect.decode.PacketDecoder;
import io.pktring.connect.decode.PacketSummary;
import io.pktring.connect.ring.CopiedPacket;

/**
 * Makes the Kafka Connect records of one ring's packets, after {@link PacketSchemas}: a Packet
 * record per packet, or PacketBlock records of consecutive packets (record.mode), each with its
 * key, headers, Kafka timestamp and source offset. Made anew for each ring the task follows (its
 * epoch, interface and link type).
 */
final class SourceRecordFactory {

    /** Records more than this far in the future are rejected by brokers by default (1 hour). */
    private static final long MAX_FUTURE_MS = 50 * 60 * 1000L;

    private final Map<String, Object> partition;
    private final String topic;
    private final long epoch;
    private final String ifname;
    private final int linktype;
    private final int snaplen;
    private final boolean blockMode;
    private final int blockMaxPackets;
    private final long blockMaxBytes;
    private final boolean captureTimestamps;

    SourceRecordFactory(PktringSourceConnectorConfig config, String ringPath, int ringIndex, long epoch, String ifname,
            int linktype) {
        this.partition = RingOffset.partition(ringPath, ringIndex);
        this.topic = PktringSourceConnectorConfig.topicFor(config.topicTemplate(), ifname);
        this.epoch = epoch;
        this.ifname = ifname;
        this.linktype = linktype;
        this.snaplen = config.snaplen();
        this.blockMode = config.recordMode() == RecordMode.BLOCK;
        this.blockMaxPackets = config.blockMaxPackets();
        this.blockMaxBytes = config.blockMaxBytes();
        this.captureTimestamps = config.recordTimestamp() == RecordTimestamp.CAPTURE;
    }

    /** The epoch of the ring these records are of. */
    long epoch() {
        return epoch;
    }

    /** The records of one poll. */
    Batch batch() {
        return new Batch();
    }

    /** Packets in, records out: one record per packet, or blocks closed at their limits. */
    final class Batch {
        private final List<SourceRecord> records = new ArrayList<>();
        private final List<Struct> block = new ArrayList<>();
        private long blockFirstSeq, blockLastSeq, blockFirstTsNanos, blockLost, blockBytes;
        private RingOffset blockOffset;
        private int packets;
        private long bytes;

        /** Packets added so far. */
        int packets() {
            return packets;
        }

        /** Published bytes (after snaplen) added so far. */
        long bytes() {
            return bytes;
        }

        /** Takes one packet in; it is copied, so the caller may reuse it. */
        void add(CopiedPacket p) {
            int length = Math.min(p.caplen, snaplen);
            PacketSummary summary = PacketDecoder.decode(linktype, p.data, length);
            Struct packet = packet(p, summary, length);
            RingOffset offset = new RingOffset(epoch, p.nextPosition, p.seq + 1);
            packets++;
            bytes += length;
            if (!blockMode) {
                records.add(new SourceRecord(partition, offset.toMap(), topic, null, KEY, summary.flowKey(), PACKET,
                        packet, kafkaTimestamp(p.tsNanos), headers(p.seq, p.lostBefore)));
                return;
            }
            // A block must stay below the producer's max.request.size: close it before it grows past.
            if (!block.isEmpty() && blockBytes + length > blockMaxBytes) {
                closeBlock();
            }
            if (block.isEmpty()) {
                blockFirstSeq = p.seq;
                blockFirstTsNanos = p.tsNanos;
                blockLost = 0;
                blockBytes = 0;
            }
            block.add(packet);
            blockBytes += length;
            blockLost += p.lostBefore;
            blockLastSeq = p.seq;
            blockOffset = offset;
            if (block.size() >= blockMaxPackets) {
                closeBlock();
            }
        }

        /** The records, the last block closed; null when there are none (as poll() returns). */
        List<SourceRecord> records() {
            if (!block.isEmpty()) {
                closeBlock();
            }
            return records.isEmpty() ? null : records;
        }

        private void closeBlock() {
            Struct value = new Struct(PACKET_BLOCK)
                    .put(F_IFNAME, ifname)
                    .put(F_LINKTYPE, linktype)
                    .put(F_EPOCH, epoch)
                    .put(F_FIRST_SEQ, blockFirstSeq)
                    .put(F_LAST_SEQ, blockLastSeq)
                    .put(F_LOST, blockLost)
                    .put(F_PACKETS, new ArrayList<>(block));
            records.add(new SourceRecord(partition, blockOffset.toMap(), topic, null, KEY, null, PACKET_BLOCK, value,
                    kafkaTimestamp(blockFirstTsNanos), headers(blockFirstSeq, blockLost)));
            block.clear();
        }
    }

    private Struct packet(CopiedPacket p, PacketSummary s, int length) {
        return new Struct(PACKET)
                .put(F_TIMESTAMP, new Date(Long.divideUnsigned(p.tsNanos, 1_000_000L))) // ts_ns is a u64
                .put(F_TS_NS, p.tsNanos)
                .put(F_SEQ, p.seq)
                .put(F_IFNAME, ifname)
                .put(F_IFINDEX, p.ifindex)
                .put(F_DIRECTION, p.directionName())
                .put(F_PKTTYPE, p.pkttype)
                .put(F_CAPLEN, length)
                .put(F_ORIGLEN, p.origlen)
                .put(F_LINKTYPE, linktype)
                .put(F_DATA, Arrays.copyOf(p.data, length))
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

    private ConnectHeaders headers(long seq, long lost) {
        ConnectHeaders h = new ConnectHeaders();
        h.addLong(HEADER_EPOCH, epoch);
        h.addLong(HEADER_SEQ, seq);
        h.addLong(HEADER_LOST, lost);
        return h;
    }

    /**
     * The Kafka timestamp of a record: the capture time, so time-based lookups work, unless a
     * broker would reject it (beyond log.message.timestamp.after.max.ms, 1 hour by default): a
     * replayed capture or a bad clock must not fail the task. Then null, so the producer's send
     * time is used; the value's timestamp and ts_ns always hold the capture time.
     */
    private Long kafkaTimestamp(long tsNanos) {
        if (!captureTimestamps) {
            return null;
        }
        long ms = Long.divideUnsigned(tsNanos, 1_000_000L); // ts_ns is a u64 in the ring
        return ms > System.currentTimeMillis() + MAX_FUTURE_MS ? null : ms;
    }
}
