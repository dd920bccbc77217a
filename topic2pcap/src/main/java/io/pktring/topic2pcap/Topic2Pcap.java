package io.pktring.topic2pcap;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
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
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
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
 * Reads all of it, or a time range (--start/--end, sought with offsetsForTimes), keeps the packets
 * a tcpdump filter selects, and merges the partitions by capture time.
 *
 * Exit status: 0 done; 1 error; 2 bad usage; 3 done, but some records or packets were skipped.
 */
public final class Topic2Pcap {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int SHOWN_SKIPS = 10;
    /** Packets a partition may hold waiting in a merge before it is paused. */
    private static final int MERGE_WAITING_MAX = 100_000;
    private static final long PROGRESS_NS = TimeUnit.SECONDS.toNanos(5);

    private final Options options;
    private final PrintStream log;
    private volatile boolean stopRequested;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final PacketSelection selection;
    private PcapWriter writer;

    long records;
    long packets;
    long skipped;
    long unselected;
    /** Records of sensors other than --sensor. */
    long otherSensors;

    /** @throws IllegalArgumentException when --filter is not valid tcpdump syntax */
    public Topic2Pcap(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
        this.selection = new PacketSelection(options);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Topic2Pcap tool;
        try {
            if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
                System.err.print(Options.USAGE);
                return 0;
            }
            tool = new Topic2Pcap(Options.parse(Arrays.asList(args)), System.err);
        } catch (IllegalArgumentException e) {
            System.err.println("topic2pcap: " + e.getMessage());
            System.err.print(Options.USAGE);
            return 2;
        }
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
            return tool.exitStatus();
        } catch (IOException | RuntimeException e) {
            System.err.println("topic2pcap: error: " + (e instanceof UncheckedIOException u ? u.getCause() : e).getMessage());
            return 1;
        } finally {
            done.countDown();
        }
    }

    /** The exit status of a copy() that ended without error: 0, or 3 when it skipped something. */
    int exitStatus() {
        return skipped > 0 ? 3 : 0;
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
        ConfluentAvroDecoder decoder = new ConfluentAvroDecoder(
                new SchemaRegistryClient(options.registryUrl(), options.clients().registry()));
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            // Until Kafka has answered (metadata, offsets, the first fetch) the connect timeout
            // applies; the idle timeout counts only from the first fetch answer, so a slow start
            // (a loaded machine, a distant broker) cannot end a read before it began.
            long connectDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.connectTimeoutMs());
            List<TopicPartition> partitions = partitions(c);
            c.assign(partitions);
            Map<TopicPartition, Long> stop = seek(c, partitions);
            // A bounded read merges the partitions by capture time; a follower writes as records come.
            PartitionMerge merge = options.follow() ? null : new PartitionMerge(partitions);
            long toRead = options.follow() ? 0 : unread(c, stop);
            boolean answered = false;
            long lastData = 0;
            long nextProgress = System.nanoTime() + PROGRESS_NS;
            while (!stopRequested && packets < options.maxPackets()) {
                try {
                    if (merge != null && closeFinished(c, stop, merge)) {
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
                    long unread = options.follow() ? 0 : unread(c, stop);
                    log.printf("topic2pcap: nothing new for %d ms, stopping%s%n", options.idleTimeoutMs(),
                            unread > 0 ? "; " + unread + " records before the end offsets seen at start were not read"
                                    : "");
                    break;
                }
                if (now - nextProgress > 0) {
                    nextProgress = now + PROGRESS_NS;
                    progress(c, stop, toRead);
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
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    records++;
                    if (merge != null && r.offset() >= stop.get(tp)) {
                        continue; // fetched with the batch, past the range
                    }
                    for (CapturedPacket p : decode(decoder, r)) {
                        if (selected(r, p)) {
                            if (merge != null) {
                                merge.add(tp, p);
                            } else if (!write(p)) {
                                break;
                            }
                        }
                    }
                    if (merge == null && packets >= options.maxPackets()) {
                        break;
                    }
                }
                if (merge != null) {
                    merge.drain(this::write);
                    balance(c, partitions, merge, stop);
                } else if (writer != null) {
                    writer.flush();
                }
            }
            if (merge != null && !stopRequested) {
                merge.closeAll();
                merge.drain(this::write);
            }
        } finally {
            consumer = null;
            if (writer == null) {
                // No packet: still a valid, empty pcap.
                writer = new PcapWriter(options.output(), options.defaultLinktype(), options.snaplen());
            }
            writer.close();
        }
        log.printf("topic2pcap: %d packets from %d records of topic %s written to %s%s%s%n", packets, records,
                options.topic(), options.output().equals("-") ? "stdout" : options.output(),
                (unselected > 0 ? "; " + unselected + " outside the time range or filter" : "")
                        + (otherSensors > 0 ? "; " + otherSensors + " records of other sensors" : ""),
                skipped > 0 ? "; " + skipped + " skipped" : "");
    }

    /**
     * Puts each partition at its first record to read and gives the offset to stop before (a
     * bounded read; empty when following). With --start that is the first record of that time or
     * later (offsetsForTimes; the connector gives a record the latest capture time it holds, so
     * no record with a packet of the range comes before it). With --end, the first record later
     * than the end plus --max-lateness-ms, that one included, as it may begin before the end.
     */
    private Map<TopicPartition, Long> seek(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        Duration timeout = Duration.ofMillis(options.connectTimeoutMs());
        try {
            if (options.startNs() != 0) {
                Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(
                        times(partitions, Long.divideUnsigned(options.startNs(), 1_000_000L)), timeout);
                for (TopicPartition tp : partitions) {
                    if (at.get(tp) == null) {
                        c.seekToEnd(List.of(tp)); // no record of that time or later
                    } else {
                        c.seek(tp, at.get(tp).offset());
                    }
                }
            } else if (options.fromBeginning()) {
                c.seekToBeginning(partitions);
            } else {
                c.seekToEnd(partitions);
            }
            if (options.follow()) {
                return Map.of();
            }
            Map<TopicPartition, Long> stop = new HashMap<>(c.endOffsets(partitions, timeout));
            if (options.endNs() != Options.NO_END) {
                long cut = Long.divideUnsigned(options.endNs(), 1_000_000L) + 1 + options.maxLatenessMs();
                Map<TopicPartition, OffsetAndTimestamp> after = c.offsetsForTimes(times(partitions, cut), timeout);
                for (TopicPartition tp : partitions) {
                    if (after.get(tp) != null) {
                        stop.put(tp, Math.min(stop.get(tp), after.get(tp).offset() + 1));
                    }
                }
            }
            return stop;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw noAnswer("the offsets to read", e);
        }
    }

    private static Map<TopicPartition, Long> times(List<TopicPartition> partitions, long ms) {
        Map<TopicPartition, Long> m = new HashMap<>();
        for (TopicPartition tp : partitions) {
            m.put(tp, ms);
        }
        return m;
    }

    /** Closes, in the merge, each partition read up to its stop offset; true when all are. */
    private boolean closeFinished(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> stop, PartitionMerge merge) {
        boolean all = true;
        for (Map.Entry<TopicPartition, Long> e : stop.entrySet()) {
            if (position(c, e.getKey()) >= e.getValue()) {
                merge.close(e.getKey());
                if (!c.paused().contains(e.getKey())) {
                    c.pause(List.of(e.getKey()));
                }
            } else {
                all = false;
            }
        }
        return all;
    }

    /**
     * Bounds the memory of a merge: a partition far ahead of the others (many packets waiting) is
     * paused until the others catch up; one with nothing waiting is always fetched.
     */
    private void balance(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions, PartitionMerge merge,
            Map<TopicPartition, Long> stop) {
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            int n = merge.waiting(tp);
            if (n > MERGE_WAITING_MAX) {
                pause.add(tp);
            } else if (n < MERGE_WAITING_MAX / 2 && c.paused().contains(tp) && position(c, tp) < stop.get(tp)) {
                resume.add(tp);
            }
        }
        c.pause(pause);
        c.resume(resume);
    }

    private boolean selected(ConsumerRecord<?, ?> r, CapturedPacket p) {
        if (!selection.inRange(p)) {
            unselected++;
            return false;
        }
        try {
            if (selection.selects(p)) {
                return true;
            }
            unselected++;
        } catch (PacketSelection.Uncompilable e) {
            skip(r, e.getMessage());
        }
        return false;
    }

    /** Writes one packet; false once --max-packets are written. */
    private boolean write(CapturedPacket p) {
        if (packets >= options.maxPackets()) {
            return false;
        }
        try {
            if (writer == null) {
                writer = new PcapWriter(options.output(), p.linktype(), options.snaplen());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (p.linktype() != writer.linktype()) {
            skipPacket("link type " + p.linktype() + " differs from the file's " + writer.linktype());
        } else if (!PcapWriter.holds(p.tsNanos())) {
            skipPacket("a packet of " + Long.toUnsignedString(p.tsNanos()) + " ns since 1970: a pcap "
                    + "file holds times up to 2106-02-07 06:28:15 UTC");
        } else {
            writer.write(p);
            packets++;
        }
        return packets < options.maxPackets();
    }

    private void progress(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> stop, long toRead) {
        if (options.follow()) {
            log.printf("topic2pcap: %d records read, %d packets written%n", records, packets);
        } else {
            long left = unread(c, stop);
            log.printf("topic2pcap: %d records read, %d packets written, %d of %d records left (%d%%)%n", records,
                    packets, left, toRead, toRead == 0 ? 100 : 100 * (toRead - left) / toRead);
        }
    }

    private List<CapturedPacket> decode(ConfluentAvroDecoder decoder, ConsumerRecord<byte[], byte[]> r)
            throws IOException {
        try {
            GenericRecord value = decoder.decode(r.value());
            if (options.sensor() != null && !options.sensor().equals(PacketRecords.sensor(value))) {
                otherSensors++;
                return List.of();
            }
            return PacketRecords.packets(value);
        } catch (RecordDecodeException e) {
            skip(r, e.getMessage());
            return List.of();
        }
    }

    private void skip(ConsumerRecord<?, ?> r, String why) {
        skipPacket(r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + why);
    }

    private void skipPacket(String why) {
        skipped++;
        if (skipped <= SHOWN_SKIPS) {
            log.printf("topic2pcap: skipping %s%n", why);
        } else if (skipped == SHOWN_SKIPS + 1) {
            log.println("topic2pcap: more records or packets skipped; the count is in the summary");
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

    /** Records between the positions and the end offsets seen at start. */
    private long unread(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            n += Math.max(0, e.getValue() - position(c, e.getKey()));
        }
        return n;
    }

    private long position(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        try {
            return c.position(tp, Duration.ofMillis(options.connectTimeoutMs()));
        } catch (org.apache.kafka.common.errors.TimeoutException ex) {
            throw noAnswer("the position in " + tp, ex);
        }
    }

    private Properties consumerConfig() {
        // The user's settings (SASL, TLS, ...) first; what the tool relies on is not theirs to change.
        Map<String, Object> m = new HashMap<>(options.clients().consumer());
        m.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Only committed records of a transactional (exactly-once) connector.
        m.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        m.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "topic2pcap");
        Properties p = new Properties();
        p.putAll(m);
        return p;
    }
}
