package io.pktring.connect;

import static io.pktring.connect.PacketSchemas.*;

import java.util.Arrays;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import io.pktring.connect.ring.CopiedPacket;

/**
 * The value of one block record, {@link PacketSchemas#PACKET_COLUMNS}, built column by column:
 * each packet adds its header fields to primitive arrays and its bytes, copied once from the
 * reader's copy, to one buffer. {@link #take} hands out exact-size copies of both (so the
 * record owns its arrays and this builder starts the next block in the same ones) as Lists that
 * box an element only when a converter reads it; the Struct is filled by {@link StructValues},
 * so nothing walks the columns element by element on the way in.
 *
 * <p>Not thread-safe: the poll thread builds blocks.
 */
final class BlockValue {

    private static final Field IFNAME = PACKET_COLUMNS.field(F_IFNAME);
    private static final Field LINKTYPE = PACKET_COLUMNS.field(F_LINKTYPE);
    private static final Field EPOCH = PACKET_COLUMNS.field(F_EPOCH);
    private static final Field FIRST_SEQ = PACKET_COLUMNS.field(F_FIRST_SEQ);
    private static final Field LAST_SEQ = PACKET_COLUMNS.field(F_LAST_SEQ);
    private static final Field LOST = PACKET_COLUMNS.field(F_LOST);
    private static final Field COUNT = PACKET_COLUMNS.field(F_COUNT);
    private static final Field TS_NS = PACKET_COLUMNS.field(F_TS_NS);
    private static final Field SEQ = PACKET_COLUMNS.field(F_SEQ);
    private static final Field CAPLEN = PACKET_COLUMNS.field(F_CAPLEN);
    private static final Field ORIGLEN = PACKET_COLUMNS.field(F_ORIGLEN);
    private static final Field IFINDEX = PACKET_COLUMNS.field(F_IFINDEX);
    private static final Field DIRECTION = PACKET_COLUMNS.field(F_DIRECTION);
    private static final Field PKTTYPE = PACKET_COLUMNS.field(F_PKTTYPE);
    private static final Field OFFSET = PACKET_COLUMNS.field(F_OFFSET);
    private static final Field DATA = PACKET_COLUMNS.field(F_DATA);
    private static final Field SENSOR = PACKET_COLUMNS.field(F_SENSOR);

    private final String ifname;
    private final String sensor;
    private final int linktype;
    private final long epoch;
    private long[] tsNs, seq;
    private int[] caplen, origlen, ifindex, direction, pkttype, offset;
    private byte[] data;
    /** The next value, by field index (StructValues.of clears it). */
    private final Object[] values = new Object[PACKET_COLUMNS.fields().size()];
    private int count, bytes;
    private long lost;

    BlockValue(String ifname, int linktype, long epoch, String sensor) {
        this.ifname = ifname;
        this.sensor = sensor;
        this.linktype = linktype;
        this.epoch = epoch;
        columns(16);
        data = new byte[4096];
    }

    /** Packets in the block being built. */
    int count() {
        return count;
    }

    /** Bytes of data in the block being built. */
    int bytes() {
        return bytes;
    }

    /** Packets lost before and between the packets of the block being built. */
    long lost() {
        return lost;
    }

    /** Adds the packet's first length bytes and its fields; lostBefore adds to the block's loss. */
    void add(CopiedPacket p, int length) {
        if (count == tsNs.length) {
            columns(count * 2);
        }
        if (bytes + length > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, bytes + length));
        }
        System.arraycopy(p.data, 0, data, bytes, length);
        tsNs[count] = p.tsNanos;
        seq[count] = p.seq;
        caplen[count] = length;
        origlen[count] = p.origlen;
        ifindex[count] = p.ifindex;
        direction[count] = p.direction;
        pkttype[count] = p.pkttype;
        offset[count] = bytes;
        lost += p.lostBefore;
        bytes += length;
        count++;
    }

    /** The block built so far as a record value; the builder is empty again. Needs a packet. */
    Struct take() {
        int n = count;
        Object[] v = values;
        v[IFNAME.index()] = ifname;
        v[LINKTYPE.index()] = linktype;
        v[EPOCH.index()] = epoch;
        v[FIRST_SEQ.index()] = seq[0];
        v[LAST_SEQ.index()] = seq[n - 1];
        v[LOST.index()] = lost;
        v[COUNT.index()] = n;
        v[TS_NS.index()] = new LongColumn(Arrays.copyOf(tsNs, n));
        v[SEQ.index()] = new LongColumn(Arrays.copyOf(seq, n));
        v[CAPLEN.index()] = new IntColumn(Arrays.copyOf(caplen, n));
        v[ORIGLEN.index()] = new IntColumn(Arrays.copyOf(origlen, n));
        v[IFINDEX.index()] = new IntColumn(Arrays.copyOf(ifindex, n));
        v[DIRECTION.index()] = new IntColumn(Arrays.copyOf(direction, n));
        v[PKTTYPE.index()] = new IntColumn(Arrays.copyOf(pkttype, n));
        v[OFFSET.index()] = new IntColumn(Arrays.copyOf(offset, n));
        v[DATA.index()] = Arrays.copyOf(data, bytes);
        v[SENSOR.index()] = sensor;
        count = 0;
        bytes = 0;
        lost = 0;
        return StructValues.of(PACKET_COLUMNS, v);
    }

    /** The columns with room for capacity packets, keeping what they hold. */
    private void columns(int capacity) {
        tsNs = tsNs == null ? new long[capacity] : Arrays.copyOf(tsNs, capacity);
        seq = seq == null ? new long[capacity] : Arrays.copyOf(seq, capacity);
        caplen = grow(caplen, capacity);
        origlen = grow(origlen, capacity);
        ifindex = grow(ifindex, capacity);
        direction = grow(direction, capacity);
        pkttype = grow(pkttype, capacity);
        offset = grow(offset, capacity);
    }

    private static int[] grow(int[] a, int capacity) {
        return a == null ? new int[capacity] : Arrays.copyOf(a, capacity);
    }
}
