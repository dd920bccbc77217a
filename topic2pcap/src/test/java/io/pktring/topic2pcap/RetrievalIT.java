package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktring.connect.testing.TaskRecords;
import io.pktring.connect.testing.Replayer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * topic2pcap as a retrieval tool, on topics the connector's own records fill (a real broker and
 * registry): a capture of 120,000 packets, 1 ms apart, of 24 TCP and UDP flows, replayed into a
 * ring, read by the connector's task in packet mode (each record keyed by its flow, so spread over
 * 3 partitions by Kafka's partitioner) and in block mode (blocks spread over 3 partitions), each
 * record with the Kafka timestamp the connector gives it. tshark and tcpdump on the capture are
 * the references.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RetrievalIT {

    static final int PACKETS = 120_000;
    static final int FLOWS = 24;
    static final int PARTITIONS = 3;
    /** 2026-12-01T10:00:00Z, the capture's first second. */
    static final long BASE_NS = Instant.parse("2026-12-01T10:00:00Z").getEpochSecond() * 1_000_000_000L;

    static TestBroker broker;
    static Path capture;
    static String packetTopic;
    static String blockTopic;
    static int blockRecords;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fill() throws Exception {
        broker = TestBroker.start();
        capture = dir.resolve("flows.pcap");
        try (PcapWriter w = new PcapWriter(capture.toString(), 1, 262_144)) {
            for (int i = 0; i < PACKETS; i++) {
                // 1 ms apart, each a little later in its millisecond: strictly increasing times
                w.write(frame(BASE_NS + i * 1_000_000L + (i * 7919L) % 900_000L, i));
            }
        }
        Path ring = dir.resolve("ring");
        assertEquals(0, Replayer.replay(ring, "64M", false, capture.toString()), "pktring-replay");
        packetTopic = topic("packet", ring);
        blockTopic = topic("block", ring);
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** The connector's records of the ring, produced with their keys and Kafka timestamps. */
    private static String topic(String mode, Path ring) throws Exception {
        String topic = broker.newTopic("retrieval-" + mode, PARTITIONS);
        Converter c = TestBroker.converter();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        List<SourceRecord> records = TaskRecords.of(ring, PACKETS, "record.mode", mode);
        for (int i = 0; i < records.size(); i++) {
            SourceRecord r = records.get(i);
            byte[] value = c.fromConnectData(topic, r.valueSchema(), r.value());
            // Keyed records go where Kafka's partitioner puts their key; blocks (no key) round robin.
            Integer partition = r.key() == null ? i % PARTITIONS : null;
            out.add(new ProducerRecord<>(topic, partition, r.timestamp(), (byte[]) r.key(), value));
        }
        broker.send(out);
        if (mode.equals("block")) {
            blockRecords = records.size();
        }
        return topic;
    }

    /** A time range is exactly tshark's selection of the capture, read from the needed offsets only. */
    @Test
    void aTimeRangeIsExactlyThePacketsCapturedInIt() throws Exception {
        String start = "2026-12-01T10:00:30.000500Z";
        String end = "2026-12-01T10:01:30.000250Z";
        Path want = dir.resolve("range-want.pcap");
        Captures.run(List.of("tshark", "-n", "-r", capture.toString(), "-Y",
                "frame.time_epoch >= " + seconds(start) + " && frame.time_epoch <= " + seconds(end),
                "-F", "nsecpcap", "-w", want.toString()));
        List<CapturedPacket> expected = Captures.read(want);
        assertTrue(expected.size() > 50_000 && expected.size() < 70_000, "about a minute of packets: " + expected.size());

        for (String topic : List.of(packetTopic, blockTopic)) {
            Path out = dir.resolve(topic + "-range.pcap");
            TestBroker.Run run = broker.topic2pcap("-t", topic, "--start", start, "--end", end, "-w", out.toString());
            assertEquals(0, run.exit(), run.log());
            PcapWriterTest.assertSamePackets(expected, Captures.read(out));
            long consumed = run.tool().records;
            System.out.printf("RetrievalIT: %s: %d packets in the range, %d records consumed%n", topic,
                    run.tool().packets, consumed);
            if (topic.equals(packetTopic)) {
                // Only the needed offsets: the range's records, those a lateness of 1 s past its end
                // can hide among, and what one fetch of each partition brings past its stop.
                assertTrue(consumed <= 1.1 * expected.size() + PARTITIONS * 500, "records consumed: " + consumed);
            } else {
                assertTrue(consumed < blockRecords * 0.75, "blocks consumed: " + consumed + " of " + blockRecords);
            }
        }
    }

    /** --filter selects what tcpdump selects on the capture, alone and within a time range. */
    @Test
    void aFilterSelectsWhatTcpdumpSelects() throws Exception {
        for (String expr : List.of("tcp port 443", "udp and not port 53", "host 10.1.0.5")) {
            Path want = dir.resolve("filter-want.pcap");
            Captures.run(List.of("tcpdump", "--time-stamp-precision=nano", "-r", capture.toString(),
                    "-w", want.toString(), expr));
            List<CapturedPacket> expected = Captures.read(want);
            assertTrue(expected.size() > 0 && expected.size() < PACKETS, expr + " selects some packets");
            Path out = dir.resolve("filter.pcap");
            TestBroker.Run run = broker.topic2pcap("-t", blockTopic, "--filter", expr, "-w", out.toString());
            assertEquals(0, run.exit(), run.log());
            PcapWriterTest.assertSamePackets(expected, Captures.read(out));
            assertTrue(run.log().contains((PACKETS - expected.size()) + " outside the time range or filter"), run.log());
        }
        String start = "2026-12-01T10:01:00Z";
        Path want = dir.resolve("both-want.pcap");
        Captures.run(List.of("tshark", "-n", "-r", capture.toString(), "-Y",
                "frame.time_epoch >= " + seconds(start) + " && tcp.port == 443", "-F", "nsecpcap", "-w", want.toString()));
        Path out = dir.resolve("both.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", packetTopic, "--start", start, "--filter", "tcp port 443",
                "-w", out.toString());
        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(Captures.read(want), Captures.read(out));
    }

    /** A range with no packet in it gives an empty pcap and reads (almost) nothing. */
    @Test
    void aRangeAfterTheCaptureIsEmpty() throws Exception {
        Path out = dir.resolve("after.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", packetTopic, "--start", "2026-12-01T11:00:00Z", "-w",
                out.toString());
        assertEquals(0, run.exit(), run.log());
        assertEquals(List.of(), Captures.read(out));
        assertEquals(0, run.tool().records, run.log());
    }

    private static String seconds(String rfc3339) {
        Instant t = Instant.parse(rfc3339);
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }

    /**
     * Packet i of the capture: Ethernet, IPv4, then TCP to port 443, UDP to 53 or UDP to 123 by its
     * flow (i mod 24), from 10.1.0.(flow + 1) to 10.2.0.1; 8 to 71 payload bytes, numbered.
     */
    private static CapturedPacket frame(long tsNanos, int i) {
        int flow = i % FLOWS;
        boolean tcp = flow % 3 == 0;
        int l4 = tcp ? 20 : 8;
        int payload = 8 + i % 64;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4 + payload);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, (byte) (flow + 2)}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4 + payload)).putShort((short) i).putShort((short) 0)
                .put((byte) 64).put((byte) (tcp ? 6 : 17)).putShort((short) 0)
                .put(new byte[] {10, 1, 0, (byte) (flow + 1)}).put(new byte[] {10, 2, 0, 1});
        int sport = 40_000 + flow;
        int dport = tcp ? 443 : flow % 3 == 1 ? 53 : 123;
        b.putShort((short) sport).putShort((short) dport);
        if (tcp) {
            b.putInt(i).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 0xffff).putInt(0);
        } else {
            b.putShort((short) (8 + payload)).putShort((short) 0);
        }
        b.putInt(i);
        byte[] data = b.array();
        return new CapturedPacket(tsNanos, data.length, data.length, 1, data);
    }
}
