package io.pktring.connect.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.data.Schema;

import io.pktring.connect.PktringSourceConnector;
import io.pktring.connect.PktringSourceConnectorConfig;
import io.pktring.connect.ring.TestRingWriter;
import io.pktring.connect.testing.ConnectStack;
import io.pktring.connect.testing.Replayer;

/**
 * The connector next to what it is measured against, in one run on one broker and one registry:
 * each record mode through a real Connect worker with each value converter, a plain
 * KafkaProducer of records of the same size (per-packet records; pre-encoded block records: the
 * ceiling), and {@code tshark -T ek | kcat}; the worker CPU and allocation per packet at 1 k,
 * 10 k packets/s and at full rate, an idle connector's CPU, and where the time per packet goes.
 * Run by connector/bench/run.sh; -Dbench.quick=true for a short smoke run.
 *
 * <p>Full-rate runs read a ring filled beforehand (the writer is not what is measured) from the
 * first to the last packet; rate runs follow a ring that pktring-replay feeds at the rate.
 */
public final class ConnectorBenchmark {

    /** The worker's producer settings, and the plain producer's. */
    static final Map<String, Object> PRODUCER = Map.of("acks", "all", "linger.ms", "5", "batch.size", "262144",
            "max.in.flight.requests.per.connection", "1", "compression.type", "none");

    /** Sizes of the runs; quick mode is a smoke run of every part. */
    record Options(boolean quick, int[] sizes, Map<Integer, Integer> packets, int warmup, int stagePackets,
            int ceilingPackets, int tsharkPackets, int[] rates, int rateSeconds, int idleSeconds) {

        static Options fromSystemProperties() {
            boolean quick = Boolean.getBoolean("bench.quick");
            return new Options(quick, quick ? new int[] {64} : new int[] {64, 1000},
                    Map.of(64, Integer.getInteger("bench.packets.64", quick ? 200_000 : 2_000_000),
                            1000, Integer.getInteger("bench.packets.1000", quick ? 50_000 : 200_000)),
                    quick ? 50_000 : 200_000, quick ? 50_000 : 200_000, quick ? 500_000 : 2_000_000,
                    quick ? 10_000 : 60_000, new int[] {1_000, 10_000}, quick ? 3 : 8, quick ? 5 : 20);
        }
    }

    /** A run through the worker or a plain producer: packets in seconds, CPU and allocation per packet. */
    record Run(String what, String converter, int size, long records, long packets, double seconds, double cpuUsPerPacket,
            double allocPerPacket) {
        double packetsPerSec() {
            return packets / seconds;
        }
    }

    /** A connector following a ring fed at a rate: the rate it published and what it cost. */
    record RateRun(String mode, String converter, int rate, double published, double cpuUsPerPacket, double allocPerPacket) {
    }

    private final Options opt;
    private final ConnectStack stack;
    private final Path dir;
    private final List<String> modes;
    private final List<ValueConverters> converters;
    private int runs;

    private ConnectorBenchmark(Options opt, ConnectStack stack, Path dir) {
        this.opt = opt;
        this.stack = stack;
        this.dir = dir;
        this.modes = recordModes();
        this.converters = ValueConverters.available();
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.fromSystemProperties();
        String loadBefore = loadAverage();
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory(Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp"),
                "pktring-bench");
        Map<String, Object> workerProducer = new HashMap<>();
        PRODUCER.forEach((k, v) -> workerProducer.put("producer." + k, v));
        Report report = new Report();
        try (ConnectStack stack = ConnectStack.start("bench", false, workerProducer)) {
            new ConnectorBenchmark(opt, stack, dir).run(report);
        } finally {
            delete(dir);
        }
        report.header = header(opt, loadBefore, loadAverage(), (System.nanoTime() - t0) / 1e9);
        report.print(System.out);
    }

    /** Everything one run prints. */
    static final class Report {
        String header;
        final List<Run> throughput = new ArrayList<>();
        final List<RateRun> rates = new ArrayList<>();
        final List<StageCost.Result> stages = new ArrayList<>();
        double idlePercent;
        int idleSeconds;
        String tsharkNote;

        void print(java.io.PrintStream out) {
            out.println();
            out.println(header);
            out.println();
            out.println("Throughput: ring filled beforehand, first to last acknowledged packet; CPU and allocation of the");
            out.println("connector's task thread + its producer's network thread, per packet.");
            out.printf("%-34s %-9s %5s %9s %10s %10s %7s %8s %8s %8s %8s%n", "path", "converter", "size", "packets",
                    "records/s", "packets/s", "MB/s", "vs prod", "vs ceil", "CPU us/p", "alloc B/p");
            for (int size : throughput.stream().mapToInt(Run::size).distinct().toArray()) {
                Run producer = find("KafkaProducer, per-packet records", size);
                for (Run r : throughput) {
                    if (r.size() != size) {
                        continue;
                    }
                    Run ceiling = ceilingFor(r);
                    String vsProducer = producer == null || r == producer ? "" : ratio(r, producer);
                    String vsCeiling = ceiling == null || r == ceiling ? "" : ratio(r, ceiling);
                    out.printf("%-34s %-9s %5d %9d %10.0f %10.0f %7.1f %8s %8s %8s %8s%n", r.what(), r.converter(), r.size(),
                            r.packets(), r.records() / r.seconds(), r.packetsPerSec(), r.packets() * (double) r.size() / r.seconds() / 1e6,
                            vsProducer, vsCeiling, num(r.cpuUsPerPacket(), "%.2f"), num(r.allocPerPacket(), "%.0f"));
                }
            }
            if (tsharkNote != null) {
                out.println(tsharkNote);
            }
            Run tshark = find("tshark", 64);
            if (tshark != null) {
                StringBuilder b = new StringBuilder("(the connector over tshark -T ek | kcat, packets/s at 64 B:");
                for (Run r : throughput) {
                    if (r.size() == 64 && r.what().startsWith("connector, ")) {
                        b.append(String.format(" %s/%s %.1fx", r.what().substring("connector, ".length()), r.converter(),
                                r.packetsPerSec() / tshark.packetsPerSec()));
                    }
                }
                out.println(b.append(")"));
            }
            out.println("(vs prod: packets/s over the plain producer of per-packet records; vs ceil: over the plain producer");
            out.println(" of pre-encoded records of that block mode, or of the first block mode for per-packet rows)");
            out.println();
            out.println("Worker CPU per packet (task thread + producer network thread) following a ring that pktring-replay");
            out.println("feeds at a rate (64-byte packets; 'published' is the rate the connector achieved):");
            out.printf("%-14s %-9s %9s %10s %10s %10s%n", "mode", "converter", "rate", "published", "CPU us/p", "alloc B/p");
            for (RateRun r : rates) {
                out.printf("%-14s %-9s %9d %10.0f %10.1f %10.0f%n", r.mode(), r.converter(), r.rate(), r.published(),
                        r.cpuUsPerPacket(), r.allocPerPacket());
            }
            for (Run r : throughput) {
                if (r.size() == 64 && r.what().startsWith("connector, ")) {
                    out.printf("%-14s %-9s %9s %10.0f %10.2f %10.0f%n", r.what().substring("connector, ".length()), r.converter(),
                            "full", r.packetsPerSec(), r.cpuUsPerPacket(), r.allocPerPacket());
                }
            }
            out.printf("Idle connector (live ring, no packets): %.3f%% of a core over %d s (task + producer network thread)%n",
                    idlePercent, idleSeconds);
            out.println();
            out.println("Where the time per packet goes: each step alone in this JVM on the same ring, ns per packet");
            out.println("(allocated bytes per packet in brackets); produce = the plain producer's time per record / packets");
            out.println("per record; end-to-end = 1 / the worker's packets/s.");
            out.printf("%5s %-14s %-9s %6s %13s %15s %15s %9s %9s %11s%n", "size", "mode", "converter", "pkt/rec",
                    "(ring read)", "poll()", "converter", "produce", "sum", "end-to-end");
            for (StageCost.Result s : stages) {
                Run producer = s.mode().equals("packet") ? find("KafkaProducer, per-packet records", s.size())
                        : throughput.stream().filter(r -> r.size() == s.size()
                                && r.what().equals("KafkaProducer, pre-encoded " + s.mode())).findFirst().orElse(null);
                double produceNs = producer == null ? Double.NaN : 1e9 / producer.packetsPerSec();
                for (Map.Entry<String, StageCost.Step> c : s.converters().entrySet()) {
                    Run e2e = throughput.stream().filter(r -> r.size() == s.size() && r.what().equals("connector, " + s.mode())
                            && r.converter().equals(c.getKey())).findFirst().orElse(null);
                    double sum = s.poll().ns() + c.getValue().ns() + produceNs;
                    out.printf("%5d %-14s %-9s %6.0f %13s %15s %15s %9.0f %9.0f %11s%n", s.size(), s.mode(), c.getKey(),
                            s.packetsPerRecord(), step(s.ringRead()), step(s.poll()), step(c.getValue()), produceNs, sum,
                            e2e == null ? "-" : String.format("%.0f", 1e9 / e2e.packetsPerSec()));
                }
            }
            out.println("(ring read = RingReader.next alone, packet by packet; poll() = the task's poll(): its ring read, decoding,");
            out.println(" Connect data, SourceRecords; converter = fromConnectData; sum = poll() + converter + produce. The worker");
            out.println(" overlaps produce with the next poll.)");
        }

        /** A block mode's ceiling is the producer of its own pre-encoded records; the others', the first block mode's. */
        private Run ceilingFor(Run r) {
            String mode = r.what().startsWith("connector, ") ? r.what().substring("connector, ".length()) : "";
            Run own = throughput.stream().filter(c -> c.size() == r.size() && c.what().equals("KafkaProducer, pre-encoded " + mode))
                    .findFirst().orElse(null);
            return own != null ? own : find("KafkaProducer, pre-encoded ", r.size());
        }

        private Run find(String whatPrefix, int size) {
            return throughput.stream().filter(r -> r.size() == size && r.what().startsWith(whatPrefix)).findFirst().orElse(null);
        }

        private static String ratio(Run r, Run base) {
            return String.format("%.2fx", r.packetsPerSec() / base.packetsPerSec());
        }

        private static String num(double v, String format) {
            return Double.isNaN(v) ? "-" : String.format(format, v);
        }

        private static String step(StageCost.Step s) {
            return String.format("%.0f [%.0f]", s.ns(), s.allocBytes());
        }
    }

    private void run(Report report) throws Exception {
        System.out.printf("bench: record modes %s, value converters %s%n", modes,
                converters.stream().map(ValueConverters::name).toList());
        // Warm-up (not reported): JIT-compile the worker's, converters' and connector's paths.
        Path warm = dir.resolve("ring-warmup");
        BenchPackets.fillRing(warm, 64, opt.warmup());
        Map<String, Schema> schemas = new HashMap<>();
        StageCost.Step warmRead = StageCost.ringRead(warm, opt.warmup());
        for (String mode : modes) {
            StageCost.Result s = StageCost.measure(warm, 64, opt.warmup(), mode, modeSettings(mode), warmRead, converters);
            schemas.put(mode, s.valueSchema());
            for (ValueConverters vc : converters) {
                throughConnector(warm, 64, opt.warmup(), mode, vc, s.valueSchema());
            }
        }
        for (int size : opt.sizes()) {
            int n = opt.packets().get(size);
            Path ring = dir.resolve("ring-" + size);
            BenchPackets.fillRing(ring, size, n);
            int m = Math.min(n, opt.stagePackets());
            StageCost.Step read = StageCost.ringRead(ring, m);
            Map<String, StageCost.Result> stage = new LinkedHashMap<>();
            for (String mode : modes) {
                stage.put(mode, StageCost.measure(ring, size, m, mode, modeSettings(mode), read, converters));
            }
            report.stages.addAll(stage.values());
            for (String mode : modes) {
                for (ValueConverters vc : converters) {
                    report.throughput.add(throughConnector(ring, size, n, mode, vc, stage.get(mode).valueSchema()));
                }
            }
            StageCost.Result p = stage.get("packet");
            double sec = PlainProducer.send(stack, topic("producer-" + size), p.key(), p.value(), p.headers(), n);
            report.throughput.add(new Run("KafkaProducer, per-packet records", "-", size, n, n, sec, Double.NaN, Double.NaN));
            for (String mode : modes) {
                StageCost.Result b = stage.get(mode);
                if (mode.equals("packet")) {
                    continue;
                }
                // As many packets as the ring at other sizes: 2 M packets of 1000 bytes would be 2 GB.
                int packets = size == 64 ? opt.ceilingPackets() : n;
                int records = (int) Math.ceil(packets / b.packetsPerRecord());
                sec = PlainProducer.send(stack, topic("ceiling-" + mode + "-" + size), b.key(), b.value(), b.headers(), records);
                report.throughput.add(new Run("KafkaProducer, pre-encoded " + mode, "-", size, records,
                        Math.round(records * b.packetsPerRecord()), sec, Double.NaN, Double.NaN));
            }
            if (size == 64) {
                tsharkKcat(report, size);
            }
            Files.delete(ring);
            System.out.printf("bench: %d-byte packets done%n", size);
        }
        Path pcap = dir.resolve("rate-64.pcap");
        BenchPackets.writePcap(pcap, 64, 1000);
        for (String mode : modes) {
            for (ValueConverters vc : converters) {
                for (int rate : opt.rates()) {
                    report.rates.add(atRate(pcap, rate, mode, vc, schemas.get(mode)));
                }
            }
        }
        report.idleSeconds = opt.idleSeconds();
        report.idlePercent = idle(converters.get(0), schemas.get("packet"));
    }

    /** The record.mode values the connector accepts (its ValidString, "[packet, block]"), or -Dbench.modes. */
    static List<String> recordModes() {
        String forced = System.getProperty("bench.modes");
        if (forced != null) {
            return List.of(forced.split(","));
        }
        ConfigDef.ConfigKey key = PktringSourceConnectorConfig.CONFIG_DEF.configKeys().get(PktringSourceConnectorConfig.RECORD_MODE);
        String choices = String.valueOf(key.validator).replaceAll("[\\[\\]\\s]", "");
        return Arrays.asList(choices.split(","));
    }

    /** The connector settings of a record mode, the same in the worker and in the per-stage breakdown. */
    static Map<String, String> modeSettings(String mode) {
        Map<String, String> c = new HashMap<>();
        c.put(PktringSourceConnectorConfig.RECORD_MODE, mode);
        c.put(PktringSourceConnectorConfig.RECORD_TIMESTAMP, "publish");
        c.put(PktringSourceConnectorConfig.BATCH_MAX_PACKETS, "8192");
        c.put(PktringSourceConnectorConfig.BLOCK_MAX_PACKETS, "256");
        // -Dbench.record.headers=lost (or empty): what dropping the headers that repeat value fields saves
        String headers = System.getProperty("bench.record.headers");
        if (headers != null) {
            c.put(PktringSourceConnectorConfig.RECORD_HEADERS, headers);
        }
        return c;
    }

    private String topic(String what) {
        return "bench-" + (++runs) + "-" + what;
    }

    /** Creates the topic and starts a connector (named as its topic) on the ring with this mode and converter. */
    private String deploy(Path ring, String mode, ValueConverters vc, Schema valueSchema, Map<String, String> extra) {
        String name = topic(mode + "-" + vc.name());
        stack.connect.kafka().createTopic(name, 1);
        vc.prepare(name, valueSchema);
        Map<String, String> c = new HashMap<>(modeSettings(mode));
        c.put("connector.class", PktringSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put(PktringSourceConnectorConfig.RING_PATHS, ring.toString());
        c.put(PktringSourceConnectorConfig.TOPIC, name);
        c.putAll(vc.connectorOverrides());
        c.putAll(extra);
        stack.connect.configureConnector(name, c);
        return name;
    }

    private static long published(String name) {
        return ConnectStack.taskMetric(name, 0, "PacketsPublished");
    }

    /** The connector publishing a filled ring: from its first acknowledged packet to the last. */
    private Run throughConnector(Path ring, int size, int n, String mode, ValueConverters vc, Schema valueSchema)
            throws Exception {
        String name = deploy(ring, mode, vc, valueSchema, Map.of());
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            long p0 = -1;
            ConnectorThreads threads = null;
            ConnectorThreads.Sample s0 = null;
            while (true) {
                long p = published(name);
                if (p0 < 0 && p > 0) {
                    threads = ConnectorThreads.of(name);
                    s0 = threads.sample();
                    p0 = p;
                }
                if (p >= n) {
                    ConnectorThreads.Sample d = threads.sample().minus(s0);
                    long packets = p - p0;
                    double perRecord = mode.equals("packet") ? 1 : Integer.parseInt(modeSettings(mode).get("block.max.packets"));
                    return new Run("connector, " + mode, vc.name(), size, Math.round(packets / perRecord), packets,
                            d.nanoTime() / 1e9, d.cpuNs() / 1e3 / packets, d.allocatedBytes() / (double) packets);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " published only " + p + " of " + n + " packets in 5 minutes");
                }
                Thread.sleep(10);
            }
        } finally {
            stack.deleteConnectors(name);
        }
    }

    /**
     * The connector following a ring that pktring-replay feeds at the rate: after a second of
     * warm-up, CPU and allocation over rateSeconds per packet published meanwhile.
     */
    private RateRun atRate(Path pcap, int rate, String mode, ValueConverters vc, Schema valueSchema) throws Exception {
        Path ring = dir.resolve("ring-rate");
        Process replay = Replayer.startReplay(ring, "64M", "--rate", Integer.toString(rate), "--loop", "0", pcap.toString());
        String name = null;
        try {
            ConnectStack.await(Duration.ofSeconds(30), "pktring-replay to create " + ring, () -> Files.exists(ring));
            name = deploy(ring, mode, vc, valueSchema, Map.of());
            String n = name;
            ConnectStack.await(Duration.ofSeconds(60), n + " to publish a second of packets", () -> published(n) >= rate);
            ConnectorThreads threads = ConnectorThreads.of(name);
            ConnectorThreads.Sample s0 = threads.sample();
            long p0 = published(name);
            Thread.sleep(opt.rateSeconds() * 1000L);
            ConnectorThreads.Sample d = threads.sample().minus(s0);
            long packets = published(name) - p0;
            if (!replay.isAlive()) {
                throw new IllegalStateException("pktring-replay --rate " + rate + " exited " + replay.exitValue());
            }
            return new RateRun(mode, vc.name(), rate, packets / (d.nanoTime() / 1e9), d.cpuNs() / 1e3 / packets,
                    d.allocatedBytes() / (double) packets);
        } finally {
            if (name != null) {
                stack.deleteConnectors(name);
            }
            replay.destroy();
            replay.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(ring);
        }
    }

    /** CPU of a connector on a live ring that gets no packets, % of one core. */
    private double idle(ValueConverters vc, Schema valueSchema) throws Exception {
        Path ring = dir.resolve("ring-idle");
        try (TestRingWriter w = TestRingWriter.create(ring, 1 << 20, 1, 65535, "idle")) {
            String name = deploy(ring, "packet", vc, valueSchema, Map.of());
            try {
                ConnectStack.await(Duration.ofSeconds(60), name + " to start its task", () -> published(name) >= 0);
                Thread.sleep(2000);
                ConnectorThreads threads = ConnectorThreads.of(name);
                ConnectorThreads.Sample s0 = threads.sample();
                Thread.sleep(opt.idleSeconds() * 1000L);
                ConnectorThreads.Sample d = threads.sample().minus(s0);
                return 100.0 * d.cpuNs() / d.nanoTime();
            } finally {
                stack.deleteConnectors(name);
                w.end();
            }
        }
    }

    private void tsharkKcat(Report report, int size) throws Exception {
        String missing = TsharkKcat.missingTool();
        if (missing != null) {
            report.tsharkNote = "tshark -T ek | kcat: not measured, " + missing + " is not installed (scripts/install-deps.sh)";
            return;
        }
        Path pcap = dir.resolve("tshark-" + size + ".pcap");
        BenchPackets.writePcap(pcap, size, opt.tsharkPackets());
        TsharkKcat.Result r = TsharkKcat.run(stack, pcap, topic("tshark-kcat-" + size));
        report.throughput.add(new Run("tshark -T ek | kcat -P", "json", size, r.records(), opt.tsharkPackets(), r.seconds(),
                Double.NaN, Double.NaN));
        report.tsharkNote = String.format("(tshark -T ek | kcat -P: %d packets of a pcap, %d records in the topic: ek writes an"
                + " index line before each packet's JSON)", opt.tsharkPackets(), r.records());
        Files.delete(pcap);
    }

    static String header(Options opt, String loadBefore, String loadAfter, double seconds) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "?";
        }
        return String.format("pktring connector benchmark%s, %s, host %s, %d CPUs, Java %s, connector %s;%n"
                + "one KRaft broker + one Connect worker in this JVM, Avro values through the registry at %s;%n"
                + "load average (1/5/15 min) %s before, %s after; %.0f s", opt.quick() ? " (QUICK)" : "",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME.withZone(java.time.ZoneOffset.UTC)),
                host, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), new PktringSourceConnector().version(),
                ConnectStack.REGISTRY_URL, loadBefore, loadAfter, seconds);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
