package io.pktring.connect.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.source.SourceRecord;

import io.apicurio.registry.utils.converter.AvroConverter;
import io.pktring.connect.PacketSchemas;
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.PktringSourceTask;
import io.pktring.connect.ring.RingMapping;
import io.pktring.connect.ring.RingReader;
import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.FixedOffsetTaskContext;

/**
 * Throughput of the connector through a real worker into a real broker, next to a plain
 * KafkaProducer sending records of the same size to the same broker in the same run, and where
 * the time per packet goes. Run by connector/bench/run.sh.
 *
 * <p>Each run reads a ring filled beforehand (so the writer is not what is measured) from the
 * earliest packet to the last. Packets are Ethernet/IPv4/UDP frames of the given size.
 */
public final class ConnectorBenchmark {

    static final Map<String, Object> PRODUCER = Map.of("acks", "all", "linger.ms", "5", "batch.size", "262144",
            "max.in.flight.requests.per.connection", "1", "compression.type", "none");

    record Run(String what, int size, long records, long packets, double seconds) {
        double recordsPerSec() {
            return records / seconds;
        }

        double packetsPerSec() {
            return packets / seconds;
        }

        double mbPerSec() {
            return packets * (double) size / seconds / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = {64, 1000};
        Map<Integer, Integer> counts = Map.of(64, Integer.getInteger("bench.packets.64", 1_000_000),
                1000, Integer.getInteger("bench.packets.1000", 200_000));
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp"), "pktring-bench");
        List<Run> runs = new ArrayList<>();
        List<String> stages = new ArrayList<>();
        Map<String, Object> workerProducer = new HashMap<>();
        PRODUCER.forEach((k, v) -> workerProducer.put("producer." + k, v));
        if (Boolean.getBoolean("bench.stagesOnly")) {
            try {
                stagesOnly(dir, sizes, counts);
            } finally {
                delete(dir);
            }
            return;
        }
        try (ConnectStack stack = ConnectStack.start("bench", false, workerProducer)) {
            // Warm-up (not reported): JIT-compile the worker's, converter's and connector's paths.
            Path warm = dir.resolve("ring-warmup");
            fill(warm, 64, 100_000);
            throughConnector(stack, warm, "packet", 64, 100_000);
            throughConnector(stack, warm, "block", 64, 100_000);
            for (int size : sizes) {
                int n = counts.get(size);
                Path ring = dir.resolve("ring-" + size);
                fill(ring, size, n);
                Run packet = throughConnector(stack, ring, "packet", size, n);
                Run block = throughConnector(stack, ring, "block", size, n);
                Stage s = stages(ring, size, n);
                Run producer = plainProducer(stack, size, s.keyBytes, s.valueBytes, n);
                runs.add(packet);
                runs.add(block);
                runs.add(producer);
                double e2e = 1e9 / packet.packetsPerSec();
                stages.add(String.format("%5d  %10.0f  %10.0f  %10.0f  %10.0f  %12.0f   (record: key %d B, value %d B)",
                        size, s.ringReadNs, s.taskNs - s.ringReadNs, s.avroNs, 1e9 / producer.recordsPerSec(), e2e,
                        s.keyBytes, s.valueBytes));
                System.out.printf("bench: %d-byte packets done%n", size);
            }
        } finally {
            delete(dir);
        }
        print(runs, stages);
    }

    /** Profiling aid (-Dbench.stagesOnly=true): the in-JVM steps alone, repeated, no broker. */
    static void stagesOnly(Path dir, int[] sizes, Map<Integer, Integer> counts) throws Exception {
        for (int size : sizes) {
            Path ring = dir.resolve("ring-" + size);
            fill(ring, size, counts.get(size));
            for (int i = 0; i < 3; i++) {
                Stage s = stages(ring, size, counts.get(size));
                System.out.printf("stages %d B: ring read %.0f ns, to Struct %.0f ns, Avro %.0f ns%n", size, s.ringReadNs,
                        s.taskNs - s.ringReadNs, s.avroNs);
            }
        }
    }

    static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A ring holding n UDP frames of the given size, large enough that none is overwritten. */
    static void fill(Path ring, int size, int n) throws Exception {
        long need = (long) n * ((40 + size + 7) & ~7);
        long dataSize = Long.highestOneBit(need) << 1;
        try (TestRingWriter r = TestRingWriter.create(ring, dataSize, 1, 65535, "bench" + size)) {
            byte[] frame = udpFrame(size);
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < n; i++) {
                frame[34] = (byte) (i >> 8); // vary the source port: many flows
                frame[35] = (byte) i;
                r.write(frame, size, size, t + i);
            }
            r.end();
        }
    }

    static byte[] udpFrame(int size) {
        byte[] f = new byte[size];
        f[12] = 0x08; // IPv4
        f[14] = 0x45;
        int ipLen = size - 14;
        f[16] = (byte) (ipLen >> 8);
        f[17] = (byte) ipLen;
        f[22] = 64;
        f[23] = 17; // UDP
        f[26] = 10; f[27] = 0; f[28] = 0; f[29] = 1;
        f[30] = 10; f[31] = 0; f[32] = 0; f[33] = 2;
        f[36] = 0x13; f[37] = (byte) 0x89;
        int udpLen = ipLen - 20;
        f[38] = (byte) (udpLen >> 8);
        f[39] = (byte) udpLen;
        return f;
    }

    static Run throughConnector(ConnectStack stack, Path ring, String mode, int size, int n) throws Exception {
        String name = "bench-" + ring.getFileName() + "-" + mode;
        stack.connect.kafka().createTopic(name, 1);
        stack.connect.configureConnector(name, ConnectStack.connectorConfig(ring.toString(), name, "record.mode", mode,
                "record.timestamp", "publish", "batch.max.packets", "8192", "block.max.packets", "256"));
        long p0 = -1;
        long t0 = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            long p = ConnectStack.taskMetric(name, 0, "PacketsPublished");
            long now = System.nanoTime();
            if (p0 < 0 && p > 0) {
                p0 = p;
                t0 = now;
            }
            if (p >= n) {
                double seconds = (now - t0) / 1e9;
                long packets = n - p0;
                long records = mode.equals("block") ? (packets + 255) / 256 : packets;
                stack.deleteConnectors(name);
                return new Run("connector, " + mode, size, records, packets, seconds);
            }
            if (now > deadline) {
                throw new IllegalStateException(name + " published only " + p + " of " + n + " in 5 minutes");
            }
            Thread.sleep(20);
        }
    }

    record Stage(double ringReadNs, double taskNs, double avroNs, int keyBytes, int valueBytes) {
    }

    /** Per-packet cost of each step, in this JVM, on the same ring. */
    static Stage stages(Path ring, int size, int n) throws Exception {
        int m = Math.min(n, 200_000);
        double ringRead;
        try (RingMapping r = RingMapping.open(ring)) {
            RingReader reader = RingReader.atEarliest(r);
            long t0 = System.nanoTime();
            for (int i = 0; i < m; i++) {
                if (reader.next(1000) == null) {
                    throw new IllegalStateException("ring ended early");
                }
            }
            ringRead = (System.nanoTime() - t0) / (double) m;
        }

        long t0 = System.nanoTime();
        List<SourceRecord> records = poll(ring, m);
        double taskNs = (System.nanoTime() - t0) / (double) records.size();

        AvroConverter<Object> avro = new AvroConverter<>();
        Map<String, Object> cfg = new HashMap<>(ConnectStack.valueConverterConfig()); // as the worker's
        ConnectStack.registerValueSchema("bench-avro", PacketSchemas.PACKET);
        avro.configure(cfg, false);
        byte[] value = null;
        t0 = System.nanoTime();
        for (SourceRecord r : records) {
            value = avro.fromConnectData("bench-avro", new RecordHeaders(), r.valueSchema(), r.value());
        }
        double avroNs = (System.nanoTime() - t0) / (double) records.size();
        byte[] key = (byte[]) records.get(0).key();
        return new Stage(ringRead, taskNs, avroNs, key == null ? 0 : key.length, value.length);
    }

    /** The connector's records for the first n packets of the ring, as the worker receives them. */
    static List<SourceRecord> poll(Path ring, int n) throws Exception {
        PktringSourceTask task = new PktringSourceTask();
        Map<String, String> props = Map.of("name", "bench-poll", PktringSourceConnectorConfig.RING_PATHS, ring.toString(),
                PktringSourceConnectorConfig.TASK_RING_PATH, ring.toString(), "batch.max.packets", "8192");
        task.initialize(new FixedOffsetTaskContext(props, null));
        task.start(props);
        List<SourceRecord> records = new ArrayList<>(n);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (records.size() < n && System.nanoTime() < deadline) {
            List<SourceRecord> batch = task.poll();
            if (batch != null) {
                records.addAll(batch);
            }
        }
        task.stop();
        if (records.size() < n) {
            throw new IllegalStateException("read only " + records.size() + " of " + n + " packets from " + ring);
        }
        return records;
    }

    /** The same number of records of the same key/value sizes and the same headers, by a plain producer. */
    static Run plainProducer(ConnectStack stack, int size, int keyBytes, int valueBytes, int n) throws Exception {
        String topic = "bench-" + size + "-producer";
        stack.connect.kafka().createTopic(topic, 1);
        byte[] key = new byte[keyBytes];
        byte[] value = new byte[valueBytes];
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = stack.connect.kafka().createProducer(new HashMap<>(PRODUCER))) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(); // metadata and connection first
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                value[i % valueBytes] = (byte) i;
                RecordHeaders h = new RecordHeaders();
                h.add("pktring.epoch", Long.toString(1234567890123456789L).getBytes());
                h.add("pktring.seq", Long.toString(i).getBytes());
                h.add("pktring.lost", "0".getBytes());
                producer.send(new ProducerRecord<>(topic, null, key, value.clone(), h), (md, e) -> {
                    if (e != null) {
                        failure.set(e);
                    }
                    acked.incrementAndGet();
                });
            }
            producer.flush();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (failure.get() != null) {
                throw failure.get();
            }
            return new Run("KafkaProducer", size, n, n, seconds);
        }
    }

    static void print(List<Run> runs, List<String> stages) {
        System.out.println();
        System.out.println("pktring connector benchmark: one broker, one worker, one task, Avro values via Apicurio, same run");
        System.out.printf("%-20s %5s %10s %12s %12s %9s %18s%n", "path", "size", "packets", "records/s", "packets/s", "MB/s",
                "vs KafkaProducer");
        for (int i = 0; i < runs.size(); i += 3) {
            Run producer = runs.get(i + 2);
            for (int j = 0; j < 3; j++) {
                Run r = runs.get(i + j);
                String ratio = j == 2 ? "baseline" : String.format("%.2fx packets/s", r.packetsPerSec() / producer.packetsPerSec());
                System.out.printf("%-20s %5d %10d %12.0f %12.0f %9.1f %18s%n", r.what(), r.size(), r.packets(),
                        r.recordsPerSec(), r.packetsPerSec(), r.mbPerSec(), ratio);
            }
        }
        System.out.println();
        System.out.println("where the time goes, ns per packet (packet mode; each step measured alone in this JVM):");
        System.out.printf("%5s  %10s  %10s  %10s  %10s  %12s%n", "size", "ring read", "to Struct", "Avro", "produce",
                "end-to-end");
        stages.forEach(System.out::println);
        System.out.println("(ring read = RingReader.next; to Struct = decode + Connect Struct + SourceRecord; "
                + "Avro = the worker's converter; produce = the plain KafkaProducer's time per record; "
                + "end-to-end = through the worker. The worker overlaps produce with the next poll.)");
    }

    private ConnectorBenchmark() {
    }
}
