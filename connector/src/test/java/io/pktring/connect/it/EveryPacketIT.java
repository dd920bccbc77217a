package io.pktring.connect.it;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;


import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.filter.LibPcap;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.ConnectStack.Decoded;
import io.pktring.connect.testing.PcapFile;
import io.pktring.connect.testing.Replayer;
import io.pktring.connect.testing.TestData;

/**
 * Every packet of every test capture (every directory of tests/testdata.sh), replayed into rings by pktring-replay, reaches Kafka through
 * a real worker as an Avro record in Confluent wire format; decoded with the schema the registry
 * holds under the record's id, its bytes, lengths and timestamps equal what libpcap reads from
 * the capture. One ring per link type (a ring has one), one task per ring.
 */
class EveryPacketIT {

    @TempDir
    static Path dir;

    static ConnectStack stack;
    /** Per ring: the packets libpcap reads from the captures replayed into it, in ring order. */
    static final Map<Path, List<PcapFile.Packet>> expected = new LinkedHashMap<>();
    static final Map<Path, Integer> linktypes = new HashMap<>();
    static final Map<Long, Path> ringByEpoch = new HashMap<>();
    static int total;

    @BeforeAll
    static void replayAllCaptures() throws Exception {
        List<Path> files = TestData.captures();
        for (Path d : TestData.directories()) {
            assertTrue(files.stream().anyMatch(f -> f.startsWith(d)), "test captures in " + d);
        }
        Map<Integer, List<PcapFile.Contents>> byLinktype = new TreeMap<>();
        for (Path f : files) {
            PcapFile.Contents c = PcapFile.read(f);
            if (!c.packets().isEmpty()) {
                byLinktype.computeIfAbsent(c.linktype(), k -> new ArrayList<>()).add(c);
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (var group : byLinktype.entrySet()) {
            // The ring takes its snap length (so its largest record) from the capture that creates it.
            List<PcapFile.Contents> captures = new ArrayList<>(group.getValue());
            captures.sort(Comparator.comparingInt(PcapFile.Contents::snaplen).reversed());
            Path ring = dir.resolve("ring-lt" + group.getKey());
            for (int i = 0; i < captures.size(); i++) {
                // A damaged capture: the replayer writes what libpcap reads before the damage and
                // exits non-zero; the expectation is what libpcap read, so the status is not used.
                Replayer.replay(ring, "32M", i > 0, captures.get(i).path().toString());
            }
            var stat = json.readTree(Replayer.run(30, Replayer.tool("pktring-stat").toString(), "-r", ring.toString(), "--json"));
            long maxRecord = stat.get("max_record").asLong();
            List<PcapFile.Packet> want = new ArrayList<>();
            for (PcapFile.Contents c : captures) {
                for (PcapFile.Packet p : c.packets()) {
                    // What the ABI cannot hold is skipped (and counted) by the writer: a record
                    // larger than the ring's max_record, a timestamp outside u64 nanoseconds.
                    if (40 + p.caplen() <= maxRecord && p.representable()) {
                        want.add(p);
                    } else {
                        System.out.printf("EveryPacketIT: %s: a packet the ring cannot hold (caplen %d, max record %d, ts %d.%09d)%n",
                                c.path().getFileName(), p.caplen(), maxRecord, p.sec(), p.nsec());
                    }
                }
            }
            expected.put(ring, want);
            linktypes.put(ring, group.getKey());
            ringByEpoch.put(Long.parseUnsignedLong(stat.get("epoch").asText().substring(2), 16), ring);
            assertEquals(want.size(), stat.get("seq_next").asLong(),
                    ring + ": pktring-replay wrote a different number of packets than libpcap reads");
        }
        total = expected.values().stream().mapToInt(List::size).sum();
        System.out.printf("EveryPacketIT: %d captures -> %d packets in %d rings%n", files.size(), total, expected.size());
        stack = ConnectStack.shared();
    }

    @AfterAll
    static void deleteConnectors() {
        if (stack != null) {
            stack.deleteConnectors("every", "blocks");
        }
    }

    private static String ringPaths() {
        return String.join(",", expected.keySet().stream().map(Path::toString).toList());
    }

    @Test
    void everyPacketArrivesWithTheCapturesBytesLengthsAndTimestamps() throws Exception {
        long testStart = System.currentTimeMillis();
        // Capture timestamps from 1990 on: keep them from time-based retention.
        stack.connect.kafka().createTopic("every", 1, 1, Map.of("retention.ms", "-1"));
        stack.connect.configureConnector("every", ConnectStack.connectorConfig(ringPaths(), "every"));
        List<Decoded> records = stack.consume("every", total, 2000, Duration.ofSeconds(120), false);
        assertEquals(total, records.size(), "records on the topic");

        Map<Path, Map<Long, Decoded>> bySeq = new HashMap<>();
        for (Decoded d : records) {
            Path ring = ringByEpoch.get(d.header(PacketSchemas.HEADER_EPOCH));
            assertNotNull(ring, "record with an unknown epoch header");
            assertNull(bySeq.computeIfAbsent(ring, r -> new HashMap<>()).put(d.header(PacketSchemas.HEADER_SEQ), d),
                    "duplicate seq " + d.header(PacketSchemas.HEADER_SEQ) + " of " + ring);
            assertEquals(0, d.header(PacketSchemas.HEADER_LOST));
        }
        Schema shipped = new Schema.Parser().parse(Path.of("src/main/avro/Packet.avsc").toFile());
        for (var e : expected.entrySet()) {
            List<PcapFile.Packet> want = e.getValue();
            Map<Long, Decoded> got = bySeq.get(e.getKey());
            assertEquals(want.size(), got == null ? 0 : got.size(), e.getKey() + ": packets");
            for (int i = 0; i < want.size(); i++) {
                PcapFile.Packet p = want.get(i);
                Decoded d = got.get((long) i);
                GenericRecord v = d.value();
                String where = e.getKey() + " seq " + i;
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
                assertEquals(linktypes.get(e.getKey()), LibPcap.dlt((Integer) v.get("linktype")), where + ": linktype");
                assertEquals((long) i, v.get("seq"));
            }
        }

        ConnectStack.await(Duration.ofSeconds(30), "published metrics to reach " + total, () -> {
            long published = 0;
            for (int t = 0; t < expected.size(); t++) {
                published += ConnectStack.taskMetric("every", t, "PacketsPublished");
            }
            return published == total;
        });
        for (int t = 0; t < expected.size(); t++) {
            assertEquals(0, ConnectStack.taskMetric("every", t, "PacketsLost"));
            assertEquals(0, ConnectStack.taskMetric("every", t, "RingLag"));
        }
    }

    @Test
    void blockModeCarriesEveryPacketInOrder() throws Exception {
        Path ring = expected.keySet().stream().max((a, b) -> expected.get(a).size() - expected.get(b).size()).orElseThrow();
        List<PcapFile.Packet> want = expected.get(ring);
        stack.connect.kafka().createTopic("blocks", 1, 1, Map.of("retention.ms", "-1"));
        stack.connect.configureConnector("blocks", ConnectStack.connectorConfig(ring.toString(), "blocks",
                "record.mode", "block", "block.max.packets", "50"));
        List<Decoded> blocks = stack.consume("blocks", (want.size() + 49) / 50, 2000, Duration.ofSeconds(60), false);
        Schema shipped = new Schema.Parser().parse(Path.of("src/main/avro/PacketBlock.avsc").toFile());
        List<GenericRecord> packets = new ArrayList<>();
        for (Decoded d : blocks) {
            assertEquals(shipped, d.schema(), "registered schema equals the shipped PacketBlock.avsc");
            @SuppressWarnings("unchecked")
            List<GenericRecord> in = (List<GenericRecord>) d.value().get("packets");
            assertTrue(in.size() <= 50);
            assertEquals(d.value().get("first_seq"), in.get(0).get("seq"));
            assertEquals(d.value().get("last_seq"), in.get(in.size() - 1).get("seq"));
            packets.addAll(in);
        }
        assertEquals(want.size(), packets.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals((long) i, packets.get(i).get("seq"));
            assertEquals(ByteBuffer.wrap(want.get(i).data()), packets.get(i).get("data"), "seq " + i);
            assertEquals(want.get(i).tsNanos(), packets.get(i).get("ts_ns"), "seq " + i);
        }
    }
}
