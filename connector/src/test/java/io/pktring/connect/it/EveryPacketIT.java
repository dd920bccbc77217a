package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.filter.LibPcap;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.CorpusRings;
import io.pktring.connect.testing.PcapFile;

/**
 * Every packet of every test capture (every directory of tests/testdata.sh), replayed into rings
 * by pktring-replay ({@link CorpusRings}), reaches Kafka through a real worker as an Avro record
 * in Confluent wire format, in packet and in block mode; decoded with the schema the registry
 * holds under the record's id, its bytes, lengths, timestamps and link type equal what libpcap
 * reads from the capture. One ring per link type (a ring has one), one task per ring.
 */
class EveryPacketIT {

    @TempDir
    static Path dir;

    static ConnectStack stack;
    static List<CorpusRings.Ring> rings;
    static final Map<Long, CorpusRings.Ring> ringByEpoch = new HashMap<>();
    static int total;

    @BeforeAll
    static void replayAllCaptures() throws Exception {
        rings = CorpusRings.replay(dir);
        rings.forEach(r -> ringByEpoch.put(r.epoch(), r));
        total = rings.stream().mapToInt(r -> r.packets().size()).sum();
        stack = ConnectStack.shared();
    }

    @AfterAll
    static void deleteConnectors() {
        if (stack != null) {
            stack.deleteConnectors("every", "blocks");
        }
    }

    private static String ringPaths() {
        return String.join(",", rings.stream().map(r -> r.path().toString()).toList());
    }

    @Test
    void everyPacketArrivesWithTheCapturesBytesLengthsAndTimestamps() throws Exception {
        long testStart = System.currentTimeMillis();
        // Capture timestamps from 1990 on: keep them from time-based retention.
        stack.connect.kafka().createTopic("every", 1, 1, Map.of("retention.ms", "-1"));
        stack.connect.configureConnector("every", ConnectStack.connectorConfig(ringPaths(), "every"));
        List<Decoded> records = stack.consume("every", total, 2000, Duration.ofSeconds(120), false);
        assertEquals(total, records.size(), "records on the topic");

        Map<CorpusRings.Ring, Map<Long, Decoded>> bySeq = new HashMap<>();
        for (Decoded d : records) {
            CorpusRings.Ring ring = ringByEpoch.get(d.header(PacketSchemas.HEADER_EPOCH));
            assertNotNull(ring, "record with an unknown epoch header");
            assertNull(bySeq.computeIfAbsent(ring, r -> new HashMap<>()).put(d.header(PacketSchemas.HEADER_SEQ), d),
                    "duplicate seq " + d.header(PacketSchemas.HEADER_SEQ) + " of " + ring);
            assertEquals(0, d.header(PacketSchemas.HEADER_LOST));
        }
        Schema shipped = new Schema.Parser().parse(Path.of("src/main/avro/Packet.avsc").toFile());
        for (CorpusRings.Ring ring : rings) {
            List<PcapFile.Packet> want = ring.packets();
            Map<Long, Decoded> got = bySeq.get(ring);
            assertEquals(want.size(), got == null ? 0 : got.size(), ring.path() + ": packets");
            for (int i = 0; i < want.size(); i++) {
                PcapFile.Packet p = want.get(i);
                Decoded d = got.get((long) i);
                GenericRecord v = d.value();
                String where = ring.path() + " seq " + i;
                assertEquals(shipped, d.schema(), "registered schema equals the shipped Packet.avsc");
                assertEquals(ByteBuffer.wrap(p.data()), v.get("data"), where + ": bytes");
                assertEquals(p.caplen(), v.get("caplen"), where + ": caplen");
                assertEquals(p.origlen(), v.get("origlen"), where + ": origlen");
                assertEquals(p.tsNanos(), v.get("ts_ns"), where + ": ts_ns");
                Object ts = v.get("timestamp"); // timestamp-millis: a long unless a logical-type conversion is set
                long ms = ts instanceof java.time.Instant i2 ? i2.toEpochMilli() : (Long) ts;
                assertEquals(Long.divideUnsigned(p.tsNanos(), 1_000_000L), ms, where + ": timestamp");
                if (ms < testStart + 50 * 60_000L) {
                    assertEquals(ms, d.timestamp(), where + ": Kafka timestamp = capture time");
                } else {
                    assertTrue(d.timestamp() >= testStart, where + ": a capture time a broker rejects -> send time");
                }
                // the record carries the LINKTYPE_ value of the files, libpcap reports the DLT_ value
                assertEquals(ring.linktype(), LibPcap.dlt((Integer) v.get("linktype")), where + ": linktype");
                assertEquals((long) i, v.get("seq"));
            }
        }

        ConnectStack.await(Duration.ofSeconds(30), "published metrics to reach " + total, () -> {
            long published = 0;
            for (int t = 0; t < rings.size(); t++) {
                published += ConnectStack.taskMetric("every", t, "PacketsPublished");
            }
            return published == total;
        });
        for (int t = 0; t < rings.size(); t++) {
            assertEquals(0, ConnectStack.taskMetric("every", t, "PacketsLost"));
            assertEquals(0, ConnectStack.taskMetric("every", t, "RingLag"));
        }
    }

    /**
     * Block mode, every ring: each PacketColumns record's columns line up (count, offsets that
     * tile data), and the packets they hold are every packet of every capture, in ring order,
     * with the bytes, lengths, timestamps and link type libpcap reads.
     */
    @Test
    void blockModeCarriesEveryPacketAsColumns() throws Exception {
        stack.connect.kafka().createTopic("blocks", 1, 1, Map.of("retention.ms", "-1"));
        stack.connect.configureConnector("blocks", ConnectStack.connectorConfig(ringPaths(), "blocks",
                "record.mode", "block", "block.max.packets", "50"));
        int minBlocks = rings.stream().mapToInt(r -> (r.packets().size() + 49) / 50).sum();
        List<Decoded> blocks = stack.consume("blocks", minBlocks, 2000, Duration.ofSeconds(120), false);
        Schema shipped = new Schema.Parser().parse(Path.of("src/main/avro/PacketColumns.avsc").toFile());
        Map<CorpusRings.Ring, List<Unpacked>> got = new HashMap<>();
        for (Decoded d : blocks) {
            assertEquals(shipped, d.schema(), "registered schema equals the shipped PacketColumns.avsc");
            CorpusRings.Ring ring = ringByEpoch.get(d.header(PacketSchemas.HEADER_EPOCH));
            assertNotNull(ring, "block with an unknown epoch header");
            GenericRecord v = d.value();
            assertEquals(ring.epoch(), v.get("epoch"));
            assertEquals(0L, v.get("lost"));
            assertEquals(d.header(PacketSchemas.HEADER_SEQ), v.get("first_seq"));
            List<Unpacked> packets = unpack(v);
            assertTrue(packets.size() >= 1 && packets.size() <= 50, packets.size() + " packets in a block");
            assertEquals(v.get("first_seq"), packets.get(0).seq());
            assertEquals(v.get("last_seq"), packets.get(packets.size() - 1).seq());
            got.computeIfAbsent(ring, r -> new ArrayList<>()).addAll(packets);
        }
        for (CorpusRings.Ring ring : rings) {
            List<PcapFile.Packet> want = ring.packets();
            List<Unpacked> in = got.getOrDefault(ring, List.of());
            assertEquals(want.size(), in.size(), ring.path() + ": packets");
            for (int i = 0; i < want.size(); i++) {
                String where = ring.path() + " seq " + i;
                Unpacked u = in.get(i);
                assertEquals(i, u.seq(), where + ": order");
                assertArrayEquals(want.get(i).data(), u.data(), where + ": bytes");
                assertEquals(want.get(i).caplen(), u.data().length, where + ": caplen");
                assertEquals(want.get(i).origlen(), u.origlen(), where + ": origlen");
                assertEquals(want.get(i).tsNanos(), u.tsNanos(), where + ": ts_ns");
                assertEquals(ring.linktype(), LibPcap.dlt(u.linktype()), where + ": linktype");
            }
        }
        ConnectStack.await(Duration.ofSeconds(30), "published metrics to reach " + total, () -> {
            long published = 0;
            for (int t = 0; t < rings.size(); t++) {
                published += ConnectStack.taskMetric("blocks", t, "PacketsPublished");
            }
            return published == total;
        });
    }

    /** One packet out of a PacketColumns record. */
    record Unpacked(long seq, long tsNanos, int origlen, int linktype, byte[] data) {
    }

    /** The packets of a PacketColumns record, checking that its columns line up. */
    @SuppressWarnings("unchecked")
    static List<Unpacked> unpack(GenericRecord v) {
        int count = (Integer) v.get("count");
        ByteBuffer data = (ByteBuffer) v.get("data");
        List<Long> seq = (List<Long>) v.get("seq"), ts = (List<Long>) v.get("ts_ns");
        List<Integer> caplen = (List<Integer>) v.get("caplen"), origlen = (List<Integer>) v.get("origlen");
        List<Integer> offset = (List<Integer>) v.get("offset");
        for (String column : List.of("ts_ns", "seq", "caplen", "origlen", "ifindex", "direction", "pkttype", "offset")) {
            assertEquals(count, ((List<?>) v.get(column)).size(), column + " has count elements");
        }
        List<Unpacked> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < count; i++) {
            assertEquals(next, offset.get(i), "packet " + i + " starts where the one before ends");
            byte[] bytes = new byte[caplen.get(i)];
            data.duplicate().position(offset.get(i)).get(bytes);
            out.add(new Unpacked(seq.get(i), ts.get(i), origlen.get(i), (Integer) v.get("linktype"), bytes));
            next += caplen.get(i);
        }
        assertEquals(next, data.remaining(), "data holds the packets and nothing else");
        return out;
    }
}
