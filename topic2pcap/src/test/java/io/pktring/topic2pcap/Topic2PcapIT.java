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
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    // The shape of the connector's records, only the fields topic2pcap needs plus a few.
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
    static final Schema BLOCK = SchemaBuilder.struct().name("io.pktring.PacketBlock")
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
    void blockRecordsComeBackInOrderWithTruncatedLengths() throws Exception {
        Path original = TestData.corpus("snaplen-64.pcap");
        List<CapturedPacket> packets = Captures.read(original);
        String topic = newTopic("blocks", 1);
        produce(topic, blockRecords(topic, packets, 10));

        Path out = tmp.resolve("out.pcap");
        Run run = topic2pcap("-t", topic, "-w", out.toString());

        assertEquals(0, run.exit, run.log);
        PcapWriterTest.assertSamePackets(packets, Captures.read(out));
        assertEquals(Captures.tsharkFields(original), Captures.tsharkFields(out));
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

    private static List<byte[]> blockRecords(String topic, List<CapturedPacket> packets, int perBlock) {
        Converter c = converter();
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i += perBlock) {
            List<Struct> block = new ArrayList<>();
            for (int j = i; j < Math.min(i + perBlock, packets.size()); j++) {
                block.add(packetStruct(packets.get(j), j));
            }
            out.add(c.fromConnectData(topic, BLOCK, new Struct(BLOCK).put("packets", block)));
        }
        return out;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    private static void produce(String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (byte[] v : values) {
                p.send(new ProducerRecord<>(topic, 0, null, v)).get(30, TimeUnit.SECONDS);
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
