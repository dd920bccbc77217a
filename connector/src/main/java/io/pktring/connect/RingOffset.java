package io.pktring.connect;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * Source partition and offset of a ring, as Connect stores them.
 *
 * <p>Partition = the ring's path and index in its group: stable across re-creations of the ring,
 * so the worker keeps one offset per ring and the task can see that an offset is from an older
 * epoch. Offset = the epoch, the position after the last published record and the sequence number
 * the next packet should have, plus a version so the format can change later (as
 * kafka-connect-jdbc versions its offsets).
 */
public record RingOffset(long epoch, long position, long nextSeq) {

    public static final int VERSION = 1;

    static final String PARTITION_RING = "ring";
    static final String PARTITION_RING_INDEX = "ring.index";
    static final String OFFSET_VERSION = "v";
    static final String OFFSET_EPOCH = "epoch";
    static final String OFFSET_POSITION = "position";
    static final String OFFSET_SEQ = "seq";

    public static Map<String, Object> partition(String ringPath, int ringIndex) {
        Map<String, Object> p = new HashMap<>();
        p.put(PARTITION_RING, ringPath);
        p.put(PARTITION_RING_INDEX, ringIndex);
        return p;
    }

    /** The offset as Connect stores it: v, epoch, position and seq. Immutable. */
    public Map<String, Object> toMap() {
        return new OffsetMap(epoch, position, nextSeq);
    }

    /**
     * The offset map of one record, made for every record a task returns: it holds its three
     * numbers unboxed, and builds its entries only when read, which the worker does only for
     * the offsets it commits (one per partition per commit), not for every record.
     */
    private static final class OffsetMap extends AbstractMap<String, Object> {
        private final long epoch, position, nextSeq;

        OffsetMap(long epoch, long position, long nextSeq) {
            this.epoch = epoch;
            this.position = position;
            this.nextSeq = nextSeq;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return Map.<String, Object>of(OFFSET_VERSION, VERSION, OFFSET_EPOCH, epoch, OFFSET_POSITION, position,
                    OFFSET_SEQ, nextSeq).entrySet();
        }
    }

    /** Parses a stored offset; null for null. Throws with the reason when it is malformed. */
    public static RingOffset fromMap(Map<String, ?> offset) {
        if (offset == null) {
            return null;
        }
        long version = number(offset, OFFSET_VERSION);
        if (version != VERSION) {
            throw new ConnectException("offset version " + version + " is not supported (this "
                    + "connector writes version " + VERSION + "): " + offset);
        }
        long epoch = number(offset, OFFSET_EPOCH);
        long position = number(offset, OFFSET_POSITION);
        long seq = number(offset, OFFSET_SEQ);
        if (epoch == 0) {
            throw new ConnectException("offset field '" + OFFSET_EPOCH + "' must be a ring epoch (non-zero): " + offset);
        }
        if (position < 0 || position % 8 != 0) {
            throw new ConnectException("offset field '" + OFFSET_POSITION
                    + "' must be a record boundary (a non-negative multiple of 8): " + offset);
        }
        if (seq < 0) {
            throw new ConnectException("offset field '" + OFFSET_SEQ + "' must be >= 0: " + offset);
        }
        return new RingOffset(epoch, position, seq);
    }

    /** Checks a source partition given to the REST offsets API; throws with the reason. */
    public static void validatePartition(Map<String, ?> partition) {
        if (partition == null) {
            throw new ConnectException("source partition is missing");
        }
        Object ring = partition.get(PARTITION_RING);
        if (!(ring instanceof String) || ((String) ring).isEmpty()) {
            throw new ConnectException("source partition field '" + PARTITION_RING
                    + "' must be the ring's path (a string): " + partition);
        }
        long index = number(partition, PARTITION_RING_INDEX);
        if (index < 0) {
            throw new ConnectException("source partition field '" + PARTITION_RING_INDEX + "' must be >= 0: " + partition);
        }
        if (partition.size() != 2) {
            throw new ConnectException("source partition has unknown fields (expected '" + PARTITION_RING
                    + "' and '" + PARTITION_RING_INDEX + "'): " + partition);
        }
    }

    /** Integer fields come back from the JSON offset store as Long or Integer. */
    private static long number(Map<String, ?> map, String key) {
        Object v = map.get(key);
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        throw new ConnectException("field '" + key + "' must be an integer, got "
                + (v == null ? "nothing" : v + " (" + v.getClass().getSimpleName() + ")") + ": " + map);
    }
}
