package io.pktring.connect.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceConnector;

/**
 * A real KRaft broker and a real distributed Connect worker in this JVM (Kafka's
 * EmbeddedConnectCluster), whose value converter is Apicurio's AvroConverter writing Confluent
 * wire format to the real registry at $PKTRING_REGISTRY_URL (scripts/stack.sh start registry).
 * Records are read back with a plain consumer and decoded with the schema fetched from the
 * registry's Confluent API by the id in each record: no registry client, no converter.
 */
public final class ConnectStack implements AutoCloseable {

    public static final String REGISTRY_URL = System.getenv().getOrDefault("PKTRING_REGISTRY_URL",
            "http://127.0.0.1:8081/apis/ccompat/v7");
    /** Apicurio's own API, which its converter speaks; the same registry as REGISTRY_URL. */
    public static final String REGISTRY_CORE_URL = REGISTRY_URL.replace("/apis/ccompat/v7", "/apis/registry/v2");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<Integer, Schema> SCHEMAS = new ConcurrentHashMap<>();

    public final EmbeddedConnectCluster connect;

    private ConnectStack(EmbeddedConnectCluster connect) {
        this.connect = connect;
    }

    private static ConnectStack shared;

    /**
     * The stack the integration tests share (exactly-once source support on), started on first
     * use and stopped when the test JVM exits: a broker and worker take 5-20 s to start here.
     * Tests delete their connectors when done.
     */
    public static synchronized ConnectStack shared() {
        if (shared == null) {
            ConnectStack s = start("pktring-it", true);
            Runtime.getRuntime().addShutdownHook(new Thread(s.connect::stop, "pktring-it-stack-stop"));
            shared = s;
        }
        return shared;
    }

    /**
     * The worker's value converter settings (without the "value.converter." prefix); the
     * benchmark configures its standalone converter with them. As a production deployment: the
     * value schema is registered before the connector starts ({@link #registerValueSchema}) and
     * the converter only looks up the latest version. With auto-register=true Apicurio 2.6
     * renders the Avro schema to JSON and hashes that text for every record
     * (DefaultSchemaResolver.getSchemaFromRegistry), about 6x the cost of the lookup: see
     * connector/bench/README.md. config/local keeps auto-register (its registry starts empty).
     */
    public static Map<String, String> valueConverterConfig() {
        Map<String, String> c = new HashMap<>();
        c.put("apicurio.registry.url", REGISTRY_CORE_URL);
        c.put("apicurio.registry.auto-register", "false");
        c.put("apicurio.registry.find-latest", "true");
        c.put("apicurio.registry.as-confluent", "true");
        c.put("apicurio.registry.use-id", "contentId");
        c.put("apicurio.registry.headers.enabled", "false");
        return c;
    }

    /**
     * Registers the Avro schema the converter derives from {@code connectSchema} as the value
     * schema of {@code topic} (artifact "TOPIC-value" of the default group, the converter's
     * TopicIdStrategy), or finds it registered already. The same schema as the shipped
     * src/main/avro files (AvroSchemaFilesTest keeps them equal).
     */
    public static void registerValueSchema(String topic, org.apache.kafka.connect.data.Schema connectSchema) {
        String avsc = new AvroData(new AvroDataConfig(Map.of())).fromConnectSchema(connectSchema).toString();
        URI uri = URI.create(REGISTRY_CORE_URL + "/groups/default/artifacts?ifExists=RETURN_OR_UPDATE");
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("X-Registry-ArtifactId", topic + "-value")
                    .header("X-Registry-ArtifactType", "AVRO")
                    .POST(HttpRequest.BodyPublishers.ofString(avsc)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("registering " + topic + "-value at " + uri + " answered "
                        + r.statusCode() + ": " + r.body());
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("registering " + topic + "-value at " + uri + ": " + e, e);
        }
    }

    /** Starts a broker and one worker; exactlyOnce turns on exactly.once.source.support. */
    public static ConnectStack start(String name, boolean exactlyOnce) {
        return start(name, exactlyOnce, Map.of());
    }

    /** As start(name, exactlyOnce), with extra worker settings (e.g. producer.* overrides). */
    public static ConnectStack start(String name, boolean exactlyOnce, Map<String, Object> extraWorkerProps) {
        checkRegistry();
        Map<String, String> worker = new HashMap<>();
        extraWorkerProps.forEach((k, v) -> worker.put(k, String.valueOf(v)));
        worker.put("plugin.discovery", "hybrid_warn");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        worker.put("value.converter", "io.apicurio.registry.utils.converter.AvroConverter");
        valueConverterConfig().forEach((k, v) -> worker.put("value.converter." + k, v));
        if (exactlyOnce) {
            worker.put("exactly.once.source.support", "enabled");
        }
        Properties broker = new Properties();
        broker.put("auto.create.topics.enable", "false");
        broker.put("offsets.topic.replication.factor", "1");
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(worker)
                .brokerProps(broker)
                .build();
        c.start();
        return new ConnectStack(c);
    }

    /** Fails early, naming the fix, when the schema registry is not up. */
    static void checkRegistry() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(REGISTRY_URL + "/subjects"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(REGISTRY_URL + "/subjects answered " + r.statusCode());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw new IllegalStateException("no schema registry at " + REGISTRY_URL + " (" + e
                    + "): run `scripts/stack.sh start registry` first, or set PKTRING_REGISTRY_URL", e);
        }
    }

    /**
     * A connector config: the plugin, the rings, the topic, plus key/value pairs. Registers the
     * topic's value schema for the record.mode (the worker's converter does not register).
     */
    public static Map<String, String> connectorConfig(String ringPaths, String topic, String... extra) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", PktringSourceConnector.class.getName());
        c.put("tasks.max", Integer.toString(ringPaths.split(",").length));
        c.put("ring.paths", ringPaths);
        c.put("topic", topic);
        c.put("poll.timeout.ms", "100");
        for (int i = 0; i < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        registerValueSchema(topic, "block".equals(c.get("record.mode")) ? PacketSchemas.PACKET_COLUMNS : PacketSchemas.PACKET);
        return c;
    }

    /** One record read back from a topic and decoded with the registry's schema. */
    public record Decoded(String topic, int partition, long offset, long timestamp, byte[] key, int schemaId, Schema schema,
            GenericRecord value, Map<String, String> headers) {

        public long header(String name) {
            return Long.parseLong(headers.get(name));
        }
    }

    /**
     * Reads a topic from the beginning until at least {@code min} records arrived and nothing new
     * came for {@code quietMs}, or until {@code timeout}; read_committed when asked.
     */
    public List<Decoded> consume(String topic, int min, long quietMs, Duration timeout, boolean readCommitted) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "pktring-it-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<Decoded> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastNew = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var batch = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    out.add(decode(r));
                }
                if (!batch.isEmpty()) {
                    lastNew = System.nanoTime();
                } else if (out.size() >= min && (System.nanoTime() - lastNew) / 1_000_000 >= quietMs) {
                    break;
                }
            }
        }
        return out;
    }

    /** Confluent wire format: magic 0, a 4-byte schema id, then Avro binary. */
    public static Decoded decode(ConsumerRecord<byte[], byte[]> r) {
        ByteBuffer b = ByteBuffer.wrap(r.value());
        if (b.remaining() < 5 || b.get() != 0) {
            throw new AssertionError("record " + r.topic() + "/" + r.partition() + "@" + r.offset()
                    + " is not in Confluent wire format (magic byte 0)");
        }
        int id = b.getInt();
        Schema schema = schema(id);
        try {
            GenericRecord v = new GenericDatumReader<GenericRecord>(schema).read(null,
                    DecoderFactory.get().binaryDecoder(r.value(), 5, r.value().length - 5, null));
            Map<String, String> headers = new HashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value()));
            }
            return new Decoded(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), id, schema, v, headers);
        } catch (IOException e) {
            throw new AssertionError("record " + r.topic() + "@" + r.offset() + " does not decode with schema " + id, e);
        }
    }

    /** GET /schemas/ids/{id} of the Confluent API. */
    public static Schema schema(int id) {
        return SCHEMAS.computeIfAbsent(id, i -> {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(REGISTRY_URL + "/schemas/ids/" + i))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new AssertionError("registry has no schema " + i + ": " + r.statusCode() + " " + r.body());
                }
                JsonNode n = JSON.readTree(r.body());
                return new Schema.Parser().parse(n.get("schema").asText());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("cannot fetch schema " + i + " from " + REGISTRY_URL, e);
            }
        });
    }

    /** A plain HTTP call to the worker's REST API: the status and the body. */
    public record Reply(int status, String body) {
    }

    public Reply rest(String method, String resource, String json) {
        try {
            String url = connect.endpointForResource(resource);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + resource + " failed", e);
        }
    }

    /** Waits until cond is true or fails after timeout, with what. */
    public static void await(Duration timeout, String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    /** A task metric read through JMX (the worker runs in this JVM); -1 while the task has none. */
    public static long taskMetric(String connector, int task, String attribute) {
        try {
            return (Long) java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new javax.management.ObjectName("io.pktring:type=connector-task-metrics,connector="
                            + javax.management.ObjectName.quote(connector) + ",task=" + task), attribute);
        } catch (javax.management.InstanceNotFoundException e) {
            return -1;
        } catch (javax.management.JMException e) {
            throw new AssertionError(e);
        }
    }

    /** Deletes these connectors if they exist (tests clean up after themselves on the shared stack). */
    public void deleteConnectors(String... names) {
        for (String n : names) {
            if (connect.connectors().contains(n)) {
                connect.deleteConnector(n);
            }
        }
    }

    @Override
    public void close() {
        connect.stop();
    }
}
