package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.TaskRecords;
import io.pktring.connect.testing.CorpusRings;
import io.pktring.connect.testing.TestData;

/**
 * topic2pcap against a real KRaft broker and the real schema registry
 * (scripts/stack.sh start registry): records are written the way the Connect worker
 * writes them, through Apicurio's AvroConverter in Confluent wire format.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Topic2PcapIT {

    static TestBroker broker;

    @TempDir
    Path tmp;

    // The shape of the connector's packet records, only the fields topic2pcap needs plus a few.
    static final Schema PACKET = SchemaBuilder.struct().name("io.pktring.Packet")
            .field("timestamp", Timestamp.SCHEMA)
            .field("ts_ns", Schema.INT64_SCHEMA)
            .field("seq", Schema.INT64_SCHEMA)
            .field("ifname", Schema.OPTIONAL_STRING_SCHEMA)
            .field("caplen", Schema.INT32_SCHEMA)
            .field("origlen", Schema.INT32_SCHEMA)
            .field("linktype", Schema.INT32_SCHEMA)
            .field("data", Schema.BYTES_SCHEMA)
            .build();
    // The block records of connectors before io.pktring.PacketColumns: an array of packets.
    static final Schema OLD_BLOCK = SchemaBuilder.struct().name("io.pktring.PacketBlock")
            .field("packets", SchemaBuilder.array(PACKET).build())
            .build();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void packetRecordsComeBackAsTheOriginalCapture() throws Exception {
        Path original = TestData.corpus("tcp.pcap");
        List<CapturedPacket> packets = Captures.read(original);
        String topic = broker.newTopic("packets", 1);
        broker.produce(topic, packetRecords(topic, packets));

        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
        assertEquals(Captures.tsharkFields(original), Captures.tsharkFields(out));
        assertEquals(Captures.tcpdumpHex(original), Captures.tcpdumpHex(out));
        assertTrue(run.log().contains(packets.size() + " packets from " + packets.size() + " records"), run.log());
    }

    @Test
    void oldPacketBlockRecordsComeBackInOrderWithTruncatedLengths() throws Exception {
        Path original = TestData.corpus("snaplen-64.pcap");
        List<CapturedPacket> packets = Captures.read(original);
        String topic = broker.newTopic("blocks", 1);
        broker.produce(topic, oldBlockRecords(topic, packets, 10));

        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
        assertEquals(Captures.tsharkFields(original), Captures.tsharkFields(out));
    }

    /**
     * Every test capture through the connector's own records: each ring of {@link CorpusRings}
     * read by a PktringSourceTask in block mode (PacketColumns) and in packet mode, its records
     * converted as the worker converts them and produced to a topic of their own. topic2pcap gives
     * back every packet the ring holds, byte for byte, with its lengths, nanosecond time and link
     * type; but for a time a pcap file cannot hold (after 2106), which it skips and names.
     */
    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void everyTestCaptureComesBackFromTheConnectorsRecords() throws Exception {
        List<CorpusRings.Ring> rings = CorpusRings.replay(tmp);
        for (String mode : List.of("block", "packet")) {
            for (CorpusRings.Ring ring : rings) {
                String topic = broker.newTopic(mode + "-lt" + ring.linktype(), 1);
                broker.produce(topic, connectorRecords(topic, ring, mode));
                Path out = tmp.resolve(topic + ".pcap");
                TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());
                // A pcapng capture may hold times after 2106, which a pcap file cannot: topic2pcap
                // skips those packets and says so.
                List<CapturedPacket> want = ring.packets().stream().filter(p -> PcapWriter.holds(p.tsNanos()))
                        .map(p -> new CapturedPacket(p.tsNanos(), p.caplen(), p.origlen(), ring.linktype(), p.data()))
                        .toList();
                boolean beyond = want.size() < ring.packets().size();
                assertEquals(beyond ? 3 : 0, run.exit(), run.log());
                assertEquals(beyond, run.log().contains("a pcap file holds times up to 2106-02-07 06:28:15 UTC"), run.log());
                PcapWriterTest.assertSamePackets(want, Captures.read(out));
                System.out.printf("Topic2PcapIT: %s mode, %s: %d packets back%n", mode, ring.path().getFileName(), want.size());
            }
        }
    }

    /**
     * A topic that carried PacketBlock records goes on with PacketColumns records (its value
     * subject gets a second schema: the registry's default, as Apicurio's, checks no
     * compatibility), and topic2pcap reads both, in order.
     */
    @Test
    void aTopicMovedFromPacketBlockToPacketColumnsComesBackWhole() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        int half = packets.size() / 2;
        String topic = broker.newTopic("moved", 1);
        List<byte[]> values = new ArrayList<>(oldBlockRecords(topic, packets.subList(0, half), 10));
        Converter c = TestBroker.converter();
        for (int i = half; i < packets.size(); i += 10) {
            List<CapturedPacket> block = packets.subList(i, Math.min(i + 10, packets.size()));
            values.add(c.fromConnectData(topic, PacketSchemas.PACKET_COLUMNS, columns(block, i)));
        }
        broker.produce(topic, values);

        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void maxPacketsStopsEarly() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = broker.newTopic("max", 1);
        broker.produce(topic, packetRecords(topic, packets));

        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-c", "5", "-w", out.toString());

        assertEquals(0, run.exit(), run.log());
        PcapWriterTest.assertSamePackets(packets.subList(0, 5), Captures.read(out));
    }

    @Test
    void followSeesRecordsWrittenAfterItStarted() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = broker.newTopic("follow", 1);
        Path out = tmp.resolve("out.pcap");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", broker.bootstrapServers(), "-r", TestBroker.REGISTRY,
                "-t", topic, "-f", "-c", String.valueOf(packets.size()), "-w", out.toString())),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> {
            try {
                tool.copy();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(1000); // the follower is waiting on an empty topic
        assertTrue(!copy.isDone(), "a follower waits for records: " + log);
        broker.produce(topic, packetRecords(topic, packets));
        copy.get(60, TimeUnit.SECONDS);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void followStopsWhenAsked() throws Exception {
        String topic = broker.newTopic("stop", 1);
        Path out = tmp.resolve("out.pcap");
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", broker.bootstrapServers(), "-r", TestBroker.REGISTRY,
                "-t", topic, "-f", "-w", out.toString())), new PrintStream(new ByteArrayOutputStream()));
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> {
            try {
                tool.copy();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(1000);
        long t0 = System.nanoTime();
        tool.stop();
        copy.get(10, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "stops promptly");
        assertEquals(List.of(), Captures.read(out), "an empty but valid pcap");
    }

    @Test
    void recordsThatAreNotWireFormatAreSkippedAndNamed() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap")).subList(0, 3);
        String topic = broker.newTopic("bad", 1);
        List<byte[]> values = new ArrayList<>(packetRecords(topic, packets));
        values.add(1, "not avro".getBytes(StandardCharsets.US_ASCII));
        broker.produce(topic, values);

        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(3, run.exit(), "exit 3: done, records skipped; " + run.log());
        assertTrue(run.log().contains("skipping " + topic + "-0@1: not Confluent wire format"), run.log());
        assertTrue(run.log().contains("1 skipped"), run.log());
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void unknownSchemaIdIsAnErrorNamingTheRegistry() throws Exception {
        String topic = broker.newTopic("noschema", 1);
        byte[] value = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4};
        broker.produce(topic, List.of(value));
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", tmp.resolve("out.pcap").toString());
        assertEquals(1, run.exit(), run.log());
        assertTrue(run.log().contains(TestBroker.REGISTRY + "/schemas/ids/" + 0x7f7f7f7f), run.log());
    }

    @Test
    void missingTopicIsAClearError() throws Exception {
        TestBroker.Run run = broker.topic2pcap("-t", "no-such-topic", "-w", tmp.resolve("out.pcap").toString());
        assertEquals(1, run.exit(), run.log());
        assertTrue(run.log().contains("topic 'no-such-topic' not found"), run.log());
    }

    @Test
    void unreachableBrokerIsAClearError() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", "127.0.0.1:1", "-r", TestBroker.REGISTRY, "-t", "x",
                "--connect-timeout-ms", "2000", "-w", tmp.resolve("out.pcap").toString())),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        IllegalStateException e = assertThrows(IllegalStateException.class, tool::copy);
        assertTrue(e.getMessage().contains("no answer from Kafka at 127.0.0.1:1"), e.getMessage());
    }

    /** Three partitions, each in capture order: the pcap is all of them merged by capture time. */
    @Test
    void partitionsAreMergedByCaptureTime() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = broker.newTopic("parts", 3);
        List<byte[]> values = packetRecords(topic, packets);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            records.add(new ProducerRecord<>(topic, (i / 7) % 3, null, values.get(i)));
        }
        broker.send(records);
        Path out = tmp.resolve("out.pcap");
        TestBroker.Run run = broker.topic2pcap("-t", topic, "-w", out.toString());
        assertEquals(0, run.exit(), run.log());
        List<CapturedPacket> byTime = new ArrayList<>(packets);
        byTime.sort((a, b) -> Long.compareUnsigned(a.tsNanos(), b.tsNanos())); // stable: equal times keep their order
        PcapWriterTest.assertSamePackets(byTime, Captures.read(out));
    }

    // --- helpers ---

    private static Struct packetStruct(CapturedPacket p, long seq) {
        return new Struct(PACKET)
                .put("timestamp", new java.util.Date(Math.floorDiv(p.tsNanos(), 1_000_000L)))
                .put("ts_ns", p.tsNanos())
                .put("seq", seq)
                .put("ifname", "test")
                .put("caplen", p.caplen())
                .put("origlen", p.origlen())
                .put("linktype", p.linktype())
                .put("data", p.data());
    }

    private static List<byte[]> packetRecords(String topic, List<CapturedPacket> packets) {
        Converter c = TestBroker.converter();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            out.add(c.fromConnectData(topic, PACKET, packetStruct(packets.get(i), i)));
        }
        return out;
    }

    private static List<byte[]> oldBlockRecords(String topic, List<CapturedPacket> packets, int perBlock) {
        Converter c = TestBroker.converter();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i += perBlock) {
            List<Struct> block = new ArrayList<>();
            for (int j = i; j < Math.min(i + perBlock, packets.size()); j++) {
                block.add(packetStruct(packets.get(j), j));
            }
            out.add(c.fromConnectData(topic, OLD_BLOCK, new Struct(OLD_BLOCK).put("packets", block)));
        }
        return out;
    }

    /** A PacketColumns value of these packets, the first of sequence number firstSeq. */
    static Struct columns(List<CapturedPacket> packets, long firstSeq) {
        List<Long> ts = new ArrayList<>(), seq = new ArrayList<>();
        List<Integer> caplen = new ArrayList<>(), origlen = new ArrayList<>(), zeros = new ArrayList<>(), offset = new ArrayList<>();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (CapturedPacket p : packets) {
            ts.add(p.tsNanos());
            seq.add(firstSeq + seq.size());
            caplen.add(p.caplen());
            origlen.add(p.origlen());
            zeros.add(0);
            offset.add(data.size());
            data.writeBytes(p.data());
        }
        return new Struct(PacketSchemas.PACKET_COLUMNS).put("ifname", "test").put("linktype", packets.get(0).linktype())
                .put("epoch", 1L).put("first_seq", firstSeq).put("last_seq", firstSeq + packets.size() - 1).put("lost", 0L)
                .put("count", packets.size()).put("ts_ns", ts).put("seq", seq).put("caplen", caplen).put("origlen", origlen)
                .put("ifindex", zeros).put("direction", zeros).put("pkttype", zeros).put("offset", offset)
                .put("data", data.toByteArray());
    }

    /** What the connector's task gives for the ring in this record.mode, converted as the worker converts it. */
    private static List<byte[]> connectorRecords(String topic, CorpusRings.Ring ring, String mode) throws Exception {
        Converter c = TestBroker.converter();
        List<byte[]> out = new ArrayList<>();
        for (SourceRecord r : TaskRecords.of(ring.path(), ring.packets().size(), "record.mode", mode)) {
            out.add(c.fromConnectData(topic, r.valueSchema(), r.value()));
        }
        return out;
    }

}
