package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
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
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.testing.CorpusRings;
import io.pktring.connect.testing.FixedOffsetTaskContext;
import io.pktring.connect.testing.TestData;

/**
 * topic2pcap against a real KRaft broker and the real schema registry
 * (scripts/stack.sh start registry): records are written the way the Connect worker
 * writes them, through Apicurio's AvroConverter in Confluent wire format.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Topic2PcapIT {

    static final String REGISTRY = System.getProperty("pktring.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");

    static KafkaClusterTestKit cluster;

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
        assertRegistryUp();
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void packetRecordsComeBackAsTheOriginalCapture() throws Exception {
        Path original = TestData.corpus("tcp.pcap");
        List<CapturedPacket> packets = Captures.read(original);
        String topic = newTopic("packets", 1);
        produce(topic, packetRecords(topic, packets));

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit, run.log);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
        assertEquals(Captures.tsharkFields(original), Captures.tsharkFields(out));
        assertEquals(Captures.tcpdumpHex(original), Captures.tcpdumpHex(out));
        assertTrue(run.log.contains(packets.size() + " packets from " + packets.size() + " records"), run.log);
    }

    @Test
    void oldPacketBlockRecordsComeBackInOrderWithTruncatedLengths() throws Exception {
        Path original = TestData.corpus("snaplen-64.pcap");
        List<CapturedPacket> packets = Captures.read(original);
        String topic = newTopic("blocks", 1);
        produce(topic, oldBlockRecords(topic, packets, 10));

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit, run.log);
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
                String topic = newTopic(mode + "-lt" + ring.linktype(), 1);
                produce(topic, connectorRecords(topic, ring, mode));
                Path out = tmp.resolve(topic + ".pcap");
                Run run = topic2pcap("-t", topic, "-w", out.toString());
                // A pcapng capture may hold times after 2106, which a pcap file cannot: topic2pcap
                // skips those packets and says so.
                List<CapturedPacket> want = ring.packets().stream().filter(p -> PcapWriter.holds(p.tsNanos()))
                        .map(p -> new CapturedPacket(p.tsNanos(), p.caplen(), p.origlen(), ring.linktype(), p.data()))
                        .toList();
                boolean beyond = want.size() < ring.packets().size();
                assertEquals(beyond ? 3 : 0, run.exit, run.log);
                assertEquals(beyond, run.log.contains("a pcap file holds times up to 2106-02-07 06:28:15 UTC"), run.log);
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
        String topic = newTopic("moved", 1);
        List<byte[]> values = new ArrayList<>(oldBlockRecords(topic, packets.subList(0, half), 10));
        Converter c = converter();
        for (int i = half; i < packets.size(); i += 10) {
            List<CapturedPacket> block = packets.subList(i, Math.min(i + 10, packets.size()));
            values.add(c.fromConnectData(topic, PacketSchemas.PACKET_COLUMNS, columns(block, i)));
        }
        produce(topic, values);

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit, run.log);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void maxPacketsStopsEarly() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = newTopic("max", 1);
        produce(topic, packetRecords(topic, packets));

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-c", "5", "-w", out.toString());

        assertEquals(0, run.exit, run.log);
        PcapWriterTest.assertSamePackets(packets.subList(0, 5), Captures.read(out));
    }

    @Test
    void followSeesRecordsWrittenAfterItStarted() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = newTopic("follow", 1);
        Path out = tmp.resolve("out.pcap");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", cluster.bootstrapServers(), "-r", REGISTRY,
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
        produce(topic, packetRecords(topic, packets));
        copy.get(60, TimeUnit.SECONDS);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void followStopsWhenAsked() throws Exception {
        String topic = newTopic("stop", 1);
        Path out = tmp.resolve("out.pcap");
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", cluster.bootstrapServers(), "-r", REGISTRY,
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
        String topic = newTopic("bad", 1);
        List<byte[]> values = new ArrayList<>(packetRecords(topic, packets));
        values.add(1, "not avro".getBytes(StandardCharsets.US_ASCII));
        produce(topic, values);

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(3, run.exit, "exit 3: done, records skipped; " + run.log);
        assertTrue(run.log.contains("skipping " + topic + "-0@1: not Confluent wire format"), run.log);
        assertTrue(run.log.contains("1 skipped"), run.log);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
    }

    @Test
    void unknownSchemaIdIsAnErrorNamingTheRegistry() throws Exception {
        String topic = newTopic("noschema", 1);
        byte[] value = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4};
        produce(topic, List.of(value));
        Run run = topic2pcap("-t", topic, "-w", tmp.resolve("out.pcap").toString());
        assertEquals(1, run.exit, run.log);
        assertTrue(run.log.contains(REGISTRY + "/schemas/ids/" + 0x7f7f7f7f), run.log);
    }

    @Test
    void missingTopicIsAClearError() throws Exception {
        Run run = topic2pcap("-t", "no-such-topic", "-w", tmp.resolve("out.pcap").toString());
        assertEquals(1, run.exit, run.log);
        assertTrue(run.log.contains("topic 'no-such-topic' not found"), run.log);
    }

    @Test
    void unreachableBrokerIsAClearError() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(List.of("-b", "127.0.0.1:1", "-r", REGISTRY, "-t", "x",
                "--connect-timeout-ms", "2000", "-w", tmp.resolve("out.pcap").toString())),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        IllegalStateException e = assertThrows(IllegalStateException.class, tool::copy);
        assertTrue(e.getMessage().contains("no answer from Kafka at 127.0.0.1:1"), e.getMessage());
    }

    @Test
    void partitionsAreAllRead() throws Exception {
        List<CapturedPacket> packets = Captures.read(TestData.corpus("tcp.pcap"));
        String topic = newTopic("parts", 3);
        List<byte[]> values = packetRecords(topic, packets);
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (int i = 0; i < values.size(); i++) {
                p.send(new ProducerRecord<>(topic, i % 3, null, values.get(i))).get();
            }
        }
        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());
        assertEquals(0, run.exit, run.log);
        List<CapturedPacket> got = new ArrayList<>(Captures.read(out));
        assertEquals(packets.size(), got.size());
        // Order holds within a partition only; compare as sets of (time, bytes).
        assertEquals(fingerprints(packets), fingerprints(got));
    }

    // --- helpers ---

    record Run(int exit, String log) {
    }

    private Run topic2pcap(String... args) {
        List<String> all = new ArrayList<>(List.of("-b", cluster.bootstrapServers(), "-r", REGISTRY,
                "--idle-timeout-ms", "20000"));
        all.addAll(List.of(args));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(all), new PrintStream(log, true, StandardCharsets.UTF_8));
        int exit;
        try {
            tool.copy();
            exit = tool.skipped > 0 ? 3 : 0;
        } catch (IOException | RuntimeException e) {
            log.writeBytes(("error: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
            exit = 1;
        }
        return new Run(exit, log.toString(StandardCharsets.UTF_8));
    }

    private static List<String> fingerprints(List<CapturedPacket> packets) {
        return packets.stream().map(p -> p.tsNanos() + ":" + p.origlen() + ":" + java.util.HexFormat.of().formatHex(p.data()))
                .sorted().toList();
    }

    private static String newTopic(String prefix, int partitions) throws Exception {
        String name = "t2p-" + prefix + "-" + System.nanoTime();
        try (var admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    /** Serialises like the Connect worker: Apicurio's AvroConverter, Confluent wire format. */
    private static Converter converter() {
        Converter c = new io.apicurio.registry.utils.converter.AvroConverter<>();
        c.configure(Map.of(
                "apicurio.registry.url", REGISTRY.replace("/apis/ccompat/v7", "/apis/registry/v2"),
                "apicurio.registry.auto-register", "true",
                "apicurio.registry.as-confluent", "true",
                "apicurio.registry.use-id", "contentId",
                "apicurio.registry.headers.enabled", "false"), false);
        return c;
    }

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
        Converter c = converter();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            out.add(c.fromConnectData(topic, PACKET, packetStruct(packets.get(i), i)));
        }
        return out;
    }

    private static List<byte[]> oldBlockRecords(String topic, List<CapturedPacket> packets, int perBlock) {
        Converter c = converter();
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

    /**
     * What the connector's task gives for the ring in this record.mode, converted as the worker
     * converts it: the task polls the ring from its first packet to its last.
     */
    private static List<byte[]> connectorRecords(String topic, CorpusRings.Ring ring, String mode) throws Exception {
        Map<String, String> props = new HashMap<>();
        props.put("name", "t2p-" + topic);
        props.put(PktringSourceConnectorConfig.RING_PATHS, ring.path().toString());
        props.put(PktringSourceConnectorConfig.TASK_RING_PATH, ring.path().toString());
        props.put(PktringSourceConnectorConfig.RECORD_MODE, mode);
        props.put(PktringSourceConnectorConfig.POLL_LINGER_MS, "0");
        PktringSourceTask task = new PktringSourceTask();
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        Converter c = converter();
        List<byte[]> out = new ArrayList<>();
        try {
            long seen = 0, deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < ring.packets().size() && System.nanoTime() < deadline) {
                List<SourceRecord> records = task.poll();
                for (SourceRecord r : records == null ? List.<SourceRecord>of() : records) {
                    Struct v = (Struct) r.value();
                    seen += v.schema() == PacketSchemas.PACKET_COLUMNS ? v.getInt32("count") : 1;
                    out.add(c.fromConnectData(topic, r.valueSchema(), v));
                }
            }
            assertEquals(ring.packets().size(), seen, ring.path() + ": packets the task read");
        } finally {
            task.stop();
        }
        return out;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    /** Sends the values in order to partition 0 and waits for every acknowledgement. */
    private static void produce(String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (byte[] v : values) {
                sent.add(p.send(new ProducerRecord<>(topic, 0, null, v)));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertRegistryUp() throws Exception {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(REGISTRY + "/subjects")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "registry at " + REGISTRY);
        } catch (IOException e) {
            throw new AssertionError("no schema registry at " + REGISTRY
                    + "; start it with: scripts/stack.sh start registry", e);
        }
    }
}
