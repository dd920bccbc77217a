package io.pktring.connect;

import static io.pktring.connect.PacketSchemas.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;

import io.pktring.connect.PktringSourceConnectorConfig.RecordMode;
import io.pktring.connect.PktringSourceConnectorConfig.RecordTimestamp;
import io.pktring.connect.ring.CopiedPacket;
import io.pktring.connect.ring.PacketSink;

/**
 * Makes the Kafka Connect records of one ring's packets, after {@link PacketSchemas}: a Packet
 * record per packet ({@link PacketValue}), or PacketColumns records of consecutive packets
 * ({@link BlockValue}), as record.mode says, each with its key, headers, Kafka timestamp and
 * source offset. Made anew for each ring the task follows (its epoch, interface and link type).
 */
final class SourceRecordFactory {

    /** Records more than this far in the future are rejected by brokers by default (1 hour). */
    private static final long MAX_FUTURE_MS = 50 * 60 * 1000L;

    private final Map<String, Object> partition;
    private final String topic;
    private final long epoch;
    private final int snaplen;
    private final boolean captureTimestamps;
    private final int batchMaxPackets;
    private final long batchMaxBytes;
    private final int blockMaxPackets;
    private final long blockMaxBytes;
    /** Packet mode: the value of each packet; block mode: the block being built. One of them is null. */
    private final PacketValue packetValue;
    private final BlockValue blockValue;
    /** Headers every record of this ring shares (a ConnectHeader is immutable). */
    private final Header epochHeader;
    private final Header noLossHeader;
    private final Header sensorHeader;
    /** Which headers records carry (record.headers). */
    private final boolean withEpoch, withSeq, withLost, withSensor;
    /** Records in the last poll's batch: the next one's list starts that large, not growing by copies. */
    private int lastBatchSize = 16;

    SourceRecordFactory(PktringSourceConnectorConfig config, String ringPath, int ringIndex, long epoch, String ifname,
            int linktype) {
        this.partition = RingOffset.partition(ringPath, ringIndex);
        this.topic = PktringSourceConnectorConfig.topicFor(config.topicTemplate(), ifname, config.sensor());
        this.epoch = epoch;
        this.snaplen = config.snaplen();
        this.captureTimestamps = config.recordTimestamp() == RecordTimestamp.CAPTURE;
        this.batchMaxPackets = config.batchMaxPackets();
        this.batchMaxBytes = config.batchMaxBytes();
        this.blockMaxPackets = config.blockMaxPackets();
        this.blockMaxBytes = config.blockMaxBytes();
        boolean blockMode = config.recordMode() == RecordMode.BLOCK;
        this.packetValue = blockMode ? null : new PacketValue(ifname, linktype, config.sensor(), epoch);
        this.blockValue = blockMode ? new BlockValue(ifname, linktype, epoch, config.sensor()) : null;
        this.epochHeader = longHeader(HEADER_EPOCH, epoch);
        this.noLossHeader = longHeader(HEADER_LOST, 0);
        this.sensorHeader = new ConnectHeaders().addString(HEADER_SENSOR, config.sensor()).lastWithName(HEADER_SENSOR);
        Set<String> headers = config.recordHeaders();
        this.withEpoch = headers.contains("epoch");
        this.withSeq = headers.contains("seq");
        this.withLost = headers.contains("lost");
        this.withSensor = headers.contains("sensor");
    }

    /** The epoch of the ring these records are of. */
    long epoch() {
        return epoch;
    }

    /** The records of one poll. */
    Batch batch() {
        return new Batch(lastBatchSize);
    }

    /**
     * Packets in, records out: one record per packet, or blocks closed at their limits. As a
     * reader's sink it takes every packet it is given and asks for no more once batch.max.packets
     * or batch.max.bytes is reached.
     */
    final class Batch implements PacketSink {
        private final List<SourceRecord> records;
        /** Kafka timestamps beyond this are left to the producer; fixed for the batch, not read per packet. */
        private final long latestTimestampMs = System.currentTimeMillis() + MAX_FUTURE_MS;
        private long blockLatestTsNanos, blockFirstSeq, blockNextPosition, blockNextSeq;
        private int packets;
        private long bytes;

        Batch(int expectedRecords) {
            records = new ArrayList<>(expectedRecords);
        }

        /** Takes the packet (it is copied: the reader may reuse it); false once the batch is full. */
        @Override
        public boolean accept(CopiedPacket p) {
            int length = Math.min(p.caplen, snaplen);
            packets++;
            bytes += length;
            if (blockValue == null) {
                Struct value = packetValue.of(p, length);
                records.add(new SourceRecord(partition, new RingOffset(epoch, p.nextPosition, p.seq + 1).toMap(), topic,
                        null, KEY, packetValue.key(), PACKET, value, kafkaTimestamp(p.tsNanos), headers(p.seq, p.lostBefore)));
            } else {
                addToBlock(p, length);
            }
            return packets < batchMaxPackets && bytes < batchMaxBytes;
        }

        private void addToBlock(CopiedPacket p, int length) {
            // A block must stay below the producer's max.request.size: close it before it grows past.
            if (blockValue.count() > 0 && blockValue.bytes() + length > blockMaxBytes) {
                closeBlock();
            }
            if (blockValue.count() == 0) {
                blockLatestTsNanos = p.tsNanos;
                blockFirstSeq = p.seq;
            } else if (Long.compareUnsigned(p.tsNanos, blockLatestTsNanos) > 0) {
                blockLatestTsNanos = p.tsNanos;
            }
            blockValue.add(p, length);
            blockNextPosition = p.nextPosition;
            blockNextSeq = p.seq + 1;
            if (blockValue.count() >= blockMaxPackets) {
                closeBlock();
            }
        }

        /** The records, the last block closed; null when there are none (as poll() returns). */
        List<SourceRecord> records() {
            if (blockValue != null && blockValue.count() > 0) {
                closeBlock();
            }
            lastBatchSize = Math.max(16, records.size());
            return records.isEmpty() ? null : records;
        }

        private void closeBlock() {
            long lost = blockValue.lost();
            Struct value = blockValue.take();
            records.add(new SourceRecord(partition, new RingOffset(epoch, blockNextPosition, blockNextSeq).toMap(), topic,
                    null, KEY, null, PACKET_COLUMNS, value, kafkaTimestamp(blockLatestTsNanos), headers(blockFirstSeq, lost)));
        }

        /**
         * The Kafka timestamp of a record: the capture time (a block's latest), so a time-based
         * lookup (offsetsForTimes) of any of its packets' times finds it or an earlier record, unless a
         * broker would reject it (beyond log.message.timestamp.after.max.ms, 1 hour by default): a
         * replayed capture or a bad clock must not fail the task. Then null, so the producer's send
         * time is used; the value's timestamp and ts_ns always hold the capture time.
         */
        private Long kafkaTimestamp(long tsNanos) {
            if (!captureTimestamps) {
                return null;
            }
            long ms = Long.divideUnsigned(tsNanos, 1_000_000L); // ts_ns is a u64 in the ring
            return ms > latestTimestampMs ? null : ms;
        }
    }

    private ConnectHeaders headers(long seq, long lost) {
        ConnectHeaders h = new ConnectHeaders();
        if (withEpoch) {
            h.add(epochHeader);
        }
        if (withSeq) {
            h.addLong(HEADER_SEQ, seq);
        }
        if (withLost) {
            h.add(lost == 0 ? noLossHeader : longHeader(HEADER_LOST, lost));
        }
        if (withSensor) {
            h.add(sensorHeader);
        }
        return h;
    }

    private static Header longHeader(String key, long value) {
        return new ConnectHeaders().addLong(key, value).lastWithName(key);
    }
}
