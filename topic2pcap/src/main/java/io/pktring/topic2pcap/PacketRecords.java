package io.pktring.topic2pcap;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns a decoded record value into packets, by its fields: an io.pktring.Packet gives one, an
 * io.pktring.PacketColumns (block mode) the packets of its columns, and an io.pktring.PacketBlock
 * (block mode of connectors before PacketColumns) the packets of its "packets" array. A topic may
 * hold all three: each record is decoded with its own writer schema. A packet's lengths are
 * written as the record holds them, even an origlen below caplen (damaged captures have them, and
 * libpcap reads and writes them): the pcap is the capture, byte for byte.
 */
public final class PacketRecords {

    /** The record's sensor (the capture host), or null for records of connectors before it. */
    public static String sensor(GenericRecord value) {
        if (value.getSchema().getField("sensor") == null) {
            return null;
        }
        Object s = value.get("sensor");
        return s == null ? null : s.toString();
    }

    private PacketRecords() {
    }

    public static List<CapturedPacket> packets(GenericRecord value) throws RecordDecodeException {
        if (value.getSchema().getField("offset") != null) {
            return columns(value);
        }
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

    /**
     * Packet i of a PacketColumns record is element i of its arrays, its bytes
     * data[offset[i], offset[i] + caplen[i]); every array has count elements.
     */
    static List<CapturedPacket> columns(GenericRecord r) throws RecordDecodeException {
        String name = r.getSchema().getFullName();
        int count = optionalInt(r, "count", -1);
        int linktype = optionalInt(r, "linktype", 1);
        byte[] data = bytes(r, "data");
        List<?> ts = column(r, "ts_ns", count), caplen = column(r, "caplen", count);
        List<?> origlen = column(r, "origlen", count), offset = column(r, "offset", count);
        List<CapturedPacket> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long at = number(name, "offset", offset.get(i)), len = number(name, "caplen", caplen.get(i));
            long wire = number(name, "origlen", origlen.get(i));
            if (at < 0 || len < 0 || at + len > data.length) {
                throw new RecordDecodeException(name + ": packet " + i + " at offset " + at + ", " + len
                        + " bytes, is outside its " + data.length + " data bytes");
            }
            out.add(new CapturedPacket(number(name, "ts_ns", ts.get(i)), (int) len, (int) wire, linktype,
                    Arrays.copyOfRange(data, (int) at, (int) (at + len))));
        }
        return out;
    }

    private static List<?> column(GenericRecord r, String name, int count) throws RecordDecodeException {
        if (!(field(r, name) instanceof List<?> list)) {
            throw new RecordDecodeException(r.getSchema().getFullName() + " has no array \"" + name + "\"");
        }
        if (list.size() != count) {
            throw new RecordDecodeException(r.getSchema().getFullName() + "." + name + " has " + list.size()
                    + " elements, count is " + count);
        }
        return list;
    }

    private static long number(String record, String column, Object v) throws RecordDecodeException {
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw new RecordDecodeException(record + "." + column + " holds a non-number");
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
