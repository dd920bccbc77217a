package io.pktring.connect.avro;

import java.io.OutputStream;
import java.util.Arrays;

import org.apache.avro.io.BinaryData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

import io.pktring.connect.IntColumn;
import io.pktring.connect.LongColumn;

/**
 * The buffer a record is written into, reused from record to record: Confluent's header (magic
 * byte 0, the 4-byte schema id), then the Avro body written by Avro's own unbuffered
 * {@link BinaryEncoder} straight into this buffer (the connector's block columns by
 * {@link BinaryData}'s varint coders, element after element, with no call per byte). One copy
 * leaves it: the record's byte[].
 */
final class RecordBuffer extends OutputStream {

    /** Confluent wire format: magic byte 0, then the schema id as a big-endian int. */
    static final int HEADER_SIZE = 5;

    final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(this, null);
    private byte[] buf = new byte[4096];
    private int size;

    /** Starts a record of the schema with this id. */
    void start(int schemaId) {
        size = 0;
        buf[0] = 0;
        buf[1] = (byte) (schemaId >>> 24);
        buf[2] = (byte) (schemaId >>> 16);
        buf[3] = (byte) (schemaId >>> 8);
        buf[4] = (byte) schemaId;
        size = HEADER_SIZE;
    }

    /** The record written since {@link #start}. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** The column's elements as Avro longs (zigzag varints), as BinaryEncoder writes each. */
    void writeLongs(LongColumn c) {
        int n = c.size();
        if ((long) n * 10 > buf.length - size) {
            grow(n * 10);
        }
        for (int i = 0; i < n; i++) {
            size += BinaryData.encodeLong(c.getLong(i), buf, size);
        }
    }

    /** The column's elements as Avro ints (zigzag varints), as BinaryEncoder writes each. */
    void writeInts(IntColumn c) {
        int n = c.size();
        if ((long) n * 5 > buf.length - size) {
            grow(n * 5);
        }
        for (int i = 0; i < n; i++) {
            size += BinaryData.encodeInt(c.getInt(i), buf, size);
        }
    }

    @Override
    public void write(int b) {
        if (size == buf.length) {
            grow(1);
        }
        buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (len > buf.length - size) {
            grow(len);
        }
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    private void grow(int more) {
        long want = Math.max((long) buf.length * 2, (long) size + more);
        if (want > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("an Avro record larger than 2 GiB");
        }
        buf = Arrays.copyOf(buf, (int) want);
    }
}
