package io.pktring.topic2pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.connect.storage.Converter;

/**
 * A real KRaft broker in the test JVM, beside the real schema registry (scripts/stack.sh start
 * registry), and topic2pcap run against both: what the integration tests share.
 */
final class TestBroker implements AutoCloseable {

    static final String REGISTRY = System.getProperty("pktring.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");

    /** A topic2pcap run: its exit status (as main gives it), its stderr, and the tool for its counters. */
    record Run(int exit, String log, Topic2Pcap tool) {
    }

    final KafkaClusterTestKit cluster;

    private TestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static TestBroker start() throws Exception {
        assertRegistryUp();
        return start(new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()));
    }

    /** A broker of the builder's nodes and settings, with the single-node replication the tests need. */
    static TestBroker start(KafkaClusterTestKit.Builder builder) throws Exception {
        KafkaClusterTestKit cluster = builder
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new TestBroker(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    String newTopic(String prefix, int partitions) throws Exception {
        String name = "t2p-" + prefix + "-" + System.nanoTime();
        try (var admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    /** A producer with these settings too (e.g. SASL). */
    KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        Map<String, Object> m = new HashMap<>(settings);
        m.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(m);
    }

    /** Sends the values in order to partition 0 and waits for every acknowledgement. */
    void produce(String topic, List<byte[]> values) throws Exception {
        produce(topic, values, Map.of());
    }

    /** As {@link #produce(String, List)}, with these producer settings. */
    void produce(String topic, List<byte[]> values, Map<String, Object> settings) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (byte[] v : values) {
            records.add(new ProducerRecord<>(topic, 0, null, v));
        }
        send(records, settings);
    }

    /** Sends the records in order and waits for every acknowledgement. */
    void send(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        send(records, Map.of());
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records, Map<String, Object> settings) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(settings)) {
            List<Future<?>> sent = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(p.send(r));
            }
            for (Future<?> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs topic2pcap on this broker and the registry, as main does but in this JVM. */
    Run topic2pcap(String... args) {
        List<String> all = new ArrayList<>(List.of("-b", bootstrapServers(), "-r", REGISTRY, "--idle-timeout-ms", "20000"));
        all.addAll(List.of(args));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Topic2Pcap tool = new Topic2Pcap(Options.parse(all), new PrintStream(log, true, StandardCharsets.UTF_8));
        int exit;
        try {
            tool.copy();
            exit = tool.exitStatus();
        } catch (IOException | RuntimeException e) {
            log.writeBytes(("error: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
            exit = 1;
        }
        return new Run(exit, log.toString(StandardCharsets.UTF_8), tool);
    }

    /** Serialises like the Connect worker: Apicurio's AvroConverter, Confluent wire format. */
    static Converter converter() {
        Converter c = new io.apicurio.registry.utils.converter.AvroConverter<>();
        c.configure(Map.of(
                "apicurio.registry.url", REGISTRY.replace("/apis/ccompat/v7", "/apis/registry/v2"),
                "apicurio.registry.auto-register", "true",
                "apicurio.registry.as-confluent", "true",
                "apicurio.registry.use-id", "contentId",
                "apicurio.registry.headers.enabled", "false"), false);
        return c;
    }

    static void assertRegistryUp() throws Exception {
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
