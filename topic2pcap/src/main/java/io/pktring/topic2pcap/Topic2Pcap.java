package io.pktring.topic2pcap;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * topic2pcap: consumes a pktring capture topic and writes the packets to a pcap file
 * (or standard output) that tcpdump, tshark and Wireshark open, with the original
 * nanosecond timestamps and lengths.
 *
 * Exit status: 0 done; 1 error; 2 bad usage; 3 done, but some records were skipped.
 */
public final class Topic2Pcap {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int SHOWN_SKIPS = 10;

    private final Options options;
    private final PrintStream log;
    private volatile boolean stopRequested;
    private KafkaConsumer<byte[], byte[]> consumer;

    long records;
    long packets;
    long skipped;

    public Topic2Pcap(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Options options;
        try {
            if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
                System.err.print(Options.USAGE);
                return 0;
            }
            options = Options.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("topic2pcap: " + e.getMessage());
            System.err.print(Options.USAGE);
            return 2;
        }
        Topic2Pcap tool = new Topic2Pcap(options, System.err);
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            tool.stop();
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "topic2pcap-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            tool.copy();
            return tool.skipped > 0 ? 3 : 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("topic2pcap: error: " + e.getMessage());
            return 1;
        } finally {
            done.countDown();
        }
    }

    /** Asks a running copy() to finish (from another thread or a signal handler). */
    public void stop() {
        stopRequested = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Reads the topic as the options say and writes the pcap. */
    public void copy() throws IOException {
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(new SchemaRegistryClient(options.registryUrl()));
        PcapWriter writer = null;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            // Until Kafka has answered (metadata, offsets, the first fetch) the connect timeout
            // applies; the idle timeout counts only from the first fetch answer, so a slow start
            // (a loaded machine, a distant broker) cannot end a read before it began.
            long connectDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.connectTimeoutMs());
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            if (options.fromBeginning()) {
                c.seekToBeginning(partitions);
            } else {
                c.seekToEnd(partitions);
            }
            Map<TopicPartition, Long> end = Map.of();
            if (!options.follow()) {
                try {
                    end = c.endOffsets(partitions, Duration.ofMillis(options.connectTimeoutMs()));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    throw noAnswer("the topic's end offsets", e);
                }
            }
            boolean answered = false;
            long lastData = 0;
            while (!stopRequested && packets < options.maxPackets()) {
                try {
                    if (!options.follow() && reachedEnd(c, end)) {
                        break;
                    }
                } catch (WakeupException e) {
                    break;
                }
                long now = System.nanoTime();
                if (!answered) {
                    answered = fetchAnswered(c);
                    lastData = now;
                    if (!answered && now - connectDeadline > 0) {
                        throw noAnswer("a fetch", null);
                    }
                } else if (now - lastData > TimeUnit.MILLISECONDS.toNanos(options.idleTimeoutMs())) {
                    long unread = options.follow() ? 0 : unread(c, end);
                    log.printf("topic2pcap: nothing new for %d ms, stopping%s%n", options.idleTimeoutMs(),
                            unread > 0 ? "; " + unread + " records before the end offsets seen at start were not read"
                                    : "");
                    break;
                }
                ConsumerRecords<byte[], byte[]> batch;
                try {
                    batch = c.poll(POLL);
                } catch (WakeupException e) {
                    break;
                }
                if (batch.isEmpty()) {
                    continue;
                }
                answered = true;
                lastData = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    if (packets >= options.maxPackets()) {
                        break;
                    }
                    records++;
                    List<CapturedPacket> decoded = decode(decoder, r);
                    for (CapturedPacket p : decoded) {
                        if (packets >= options.maxPackets()) {
                            break;
                        }
                        if (writer == null) {
                            writer = new PcapWriter(options.output(), p.linktype(), options.snaplen());
                        }
                        if (p.linktype() != writer.linktype()) {
                            skip(r, "link type " + p.linktype() + " differs from the file's " + writer.linktype());
                            continue;
                        }
                        if (!PcapWriter.holds(p.tsNanos())) {
                            skip(r, "a packet of " + Long.toUnsignedString(p.tsNanos()) + " ns since 1970: a pcap "
                                    + "file holds times up to 2106-02-07 06:28:15 UTC");
                            continue;
                        }
                        writer.write(p);
                        packets++;
                    }
                }
                if (writer != null && options.follow()) {
                    writer.flush();
                }
            }
        } finally {
            consumer = null;
            if (writer == null) {
                // No packet: still a valid, empty pcap.
                writer = new PcapWriter(options.output(), options.defaultLinktype(), options.snaplen());
            }
            writer.close();
        }
        log.printf("topic2pcap: %d packets from %d records of topic %s written to %s%s%n", packets, records,
                options.topic(), options.output().equals("-") ? "stdout" : options.output(),
                skipped > 0 ? "; " + skipped + " skipped" : "");
    }

    private List<CapturedPacket> decode(ConfluentAvroDecoder decoder, ConsumerRecord<byte[], byte[]> r)
            throws IOException {
        try {
            GenericRecord value = decoder.decode(r.value());
            return PacketRecords.packets(value);
        } catch (RecordDecodeException e) {
            skip(r, e.getMessage());
            return List.of();
        }
    }

    private void skip(ConsumerRecord<?, ?> r, String why) {
        skipped++;
        if (skipped <= SHOWN_SKIPS) {
            log.printf("topic2pcap: skipping %s-%d@%d: %s%n", r.topic(), r.partition(), r.offset(), why);
        } else if (skipped == SHOWN_SKIPS + 1) {
            log.println("topic2pcap: more records skipped; the count is in the summary");
        }
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c) {
        List<PartitionInfo> infos;
        try {
            infos = c.partitionsFor(options.topic(), Duration.ofMillis(options.connectTimeoutMs()));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw noAnswer("the topic's metadata", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic '" + options.topic() + "' not found at " + options.bootstrapServers());
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p : infos) {
            out.add(new TopicPartition(p.topic(), p.partition()));
        }
        return out;
    }

    private IllegalStateException noAnswer(String what, Exception cause) {
        return new IllegalStateException("no answer from Kafka at " + options.bootstrapServers() + " for " + what
                + " within " + options.connectTimeoutMs() + " ms (--connect-timeout-ms; is the broker running?)", cause);
    }

    /** Whether Kafka has answered a fetch of this consumer yet (its fetch-total metric counts answers). */
    private static boolean fetchAnswered(KafkaConsumer<byte[], byte[]> c) {
        for (Map.Entry<MetricName, ? extends Metric> m : c.metrics().entrySet()) {
            if (m.getKey().name().equals("fetch-total") && m.getKey().group().equals("consumer-fetch-manager-metrics")
                    && m.getValue().metricValue() instanceof Double d && d > 0) {
                return true;
            }
        }
        return false;
    }

    private boolean reachedEnd(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        return unread(c, end) == 0;
    }

    /** Records between the positions and the end offsets seen at start. */
    private long unread(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long position;
            try {
                position = c.position(e.getKey(), Duration.ofMillis(options.connectTimeoutMs()));
            } catch (org.apache.kafka.common.errors.TimeoutException ex) {
                throw noAnswer("the position in " + e.getKey(), ex);
            }
            n += Math.max(0, e.getValue() - position);
        }
        return n;
    }

    private Properties consumerConfig() {
        Map<String, Object> m = new HashMap<>();
        m.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Only committed records of a transactional (exactly-once) connector.
        m.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        m.put(ConsumerConfig.CLIENT_ID_CONFIG, "topic2pcap");
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }
}
