package io.pktring.topic2pcap;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a decoded record value into packets: an io.pktring.Packet gives one, an
 * io.pktring.PacketBlock gives the packets of its "packets" array.
 */
public final class PacketRecords {

    private PacketRecords() {
    }

    public static List<CapturedPacket> packets(GenericRecord value) throws RecordDecodeException {
        Schema.Field block = value.getSchema().getField("packets");
        if (block == null) {
            return List.of(packet(value));
        }
        Object array = value.get(block.pos());
        if (!(array instanceof List<?> list)) {
            throw new RecordDecodeException(value.getSchema().getFullName() + ".packets is not an array");
        }
        List<CapturedPacket> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof GenericRecord r)) {
                throw new RecordDecodeException(value.getSchema().getFullName() + ".packets holds a non-record");
            }
            out.add(packet(r));
        }
        return out;
    }

    static CapturedPacket packet(GenericRecord r) throws RecordDecodeException {
        byte[] data = bytes(r, "data");
        long tsNanos = tsNanos(r);
        int caplen = optionalInt(r, "caplen", data.length);
        int origlen = optionalInt(r, "origlen", caplen);
        int linktype = optionalInt(r, "linktype", 1);
        if (caplen != data.length) {
            throw new RecordDecodeException("caplen " + caplen + " but " + data.length + " data bytes");
        }
        if (origlen < caplen) {
            throw new RecordDecodeException("origlen " + origlen + " is less than caplen " + caplen);
        }
        return new CapturedPacket(tsNanos, caplen, origlen, linktype, data);
    }

    /** ts_ns when present; else the millisecond timestamp. */
    private static long tsNanos(GenericRecord r) throws RecordDecodeException {
        Object ns = field(r, "ts_ns");
        if (ns instanceof Number n) {
            return n.longValue();
        }
        Object ms = field(r, "timestamp");
        if (ms instanceof Number n) {
            return n.longValue() * 1_000_000L;
        }
        throw new RecordDecodeException(r.getSchema().getFullName() + " has neither ts_ns nor timestamp");
    }

    private static byte[] bytes(GenericRecord r, String name) throws RecordDecodeException {
        Object v = field(r, name);
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        if (v instanceof byte[] a) {
            return a;
        }
        throw new RecordDecodeException(r.getSchema().getFullName() + " has no bytes field \"" + name + "\"");
    }

    private static int optionalInt(GenericRecord r, String name, int absent) throws RecordDecodeException {
        Object v = field(r, name);
        if (v == null) {
            return absent;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        throw new RecordDecodeException(r.getSchema().getFullName() + "." + name + " is not a number");
    }

    private static Object field(GenericRecord r, String name) {
        return r.getSchema().getField(name) == null ? null : r.get(name);
    }
}
