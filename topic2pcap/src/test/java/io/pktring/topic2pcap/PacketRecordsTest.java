package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import io.pktring.connect.testing.TestData;

/** PacketColumns records, as the connector's shipped Avro schema describes them, into packets. */
class PacketRecordsTest {

    static final Schema COLUMNS = parse();

    private static Schema parse() {
        try {
            return new Schema.Parser().parse(TestData.REPO.resolve("connector/src/main/avro/PacketColumns.avsc").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two packets, 3 and 2 bytes, of link type 101. */
    private static GenericRecord record() {
        GenericRecord r = new GenericData.Record(COLUMNS);
        r.put("ifname", "tun0");
        r.put("linktype", 101);
        r.put("epoch", 5L);
        r.put("first_seq", 7L);
        r.put("last_seq", 9L);
        r.put("lost", 1L);
        r.put("count", 2);
        r.put("ts_ns", List.of(1_000_000_001L, 1_000_000_002L));
        r.put("seq", List.of(7L, 9L));
        r.put("caplen", List.of(3, 2));
        r.put("origlen", List.of(3, 60));
        r.put("ifindex", List.of(0, 0));
        r.put("direction", List.of(1, 2));
        r.put("pkttype", List.of(0, 4));
        r.put("offset", List.of(0, 3));
        r.put("data", ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
        return r;
    }

    @Test
    void columnsGiveEachPacketItsBytesLengthsTimeAndLinkType() throws Exception {
        List<CapturedPacket> p = PacketRecords.packets(record());
        assertEquals(2, p.size());
        assertArrayEquals(new byte[] {1, 2, 3}, p.get(0).data());
        assertArrayEquals(new byte[] {4, 5}, p.get(1).data());
        assertEquals(1_000_000_002L, p.get(1).tsNanos());
        assertEquals(2, p.get(1).caplen());
        assertEquals(60, p.get(1).origlen());
        assertEquals(101, p.get(1).linktype());
    }

    @Test
    void columnsThatDoNotLineUpAreRefusedWithTheReason() {
        GenericRecord outside = record();
        outside.put("offset", List.of(0, 4));
        assertTrue(refused(outside).contains("outside its 5 data bytes"), refused(outside));
        GenericRecord shortColumn = record();
        shortColumn.put("origlen", List.of(3));
        assertTrue(refused(shortColumn).contains("origlen has 1 elements, count is 2"), refused(shortColumn));
    }

    /** As the capture had it (fuzzed captures do): the pcap gets the same lengths. */
    @Test
    void anOriglenBelowCaplenIsKept() throws Exception {
        GenericRecord shorterOnTheWire = record();
        shorterOnTheWire.put("origlen", List.of(0, 60));
        CapturedPacket p = PacketRecords.packets(shorterOnTheWire).get(0);
        assertEquals(0, p.origlen());
        assertEquals(3, p.caplen());
    }

    private static String refused(GenericRecord r) {
        return assertThrows(RecordDecodeException.class, () -> PacketRecords.packets(r)).getMessage();
    }
}
