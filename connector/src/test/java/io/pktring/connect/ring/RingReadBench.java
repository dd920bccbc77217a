package io.pktring.connect.ring;

import io.pktring.connect.decode.PacketSummary;
import io.pktring.connect.filter.PacketFilter;
import io.pktring.connect.filter.PcapFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (a command, not a test): how fast the Java reader drains a ring, next to the C reader
 * (kmod's pktring-dump writing pcap to /dev/null) on the same ring in the same run.
 *
 * <pre>
 * mvn -q -f connector/pom.xml package -DskipTests &amp;&amp; make -C kmod
 * cd connector &amp;&amp; java -cp target/classes:target/test-classes:$(cat target/classpath.txt) \
 *     io.pktring.connect.ring.RingReadBench [CAPTURE] [LOOPS]
 * </pre>
 * Runs from the connector directory (it finds ../kmod/bin and the shared test captures from there).
 */
public final class RingReadBench {
    private RingReadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path kmod = Path.of("..", "kmod", "bin");
        Path capture = args.length > 0 ? Path.of(args[0]) : PcapFile.named("arp-oobr.pcap");
        String loops = args.length > 1 ? args[1] : "400";
        Path dir = Files.createTempDirectory("pktring-bench");
        Path ring = dir.resolve("ring");
        try {
            run(kmod.resolve("pktring-replay").toString(), "-q", "-r", ring.toString(), "-s", "1G", "-l", loops, capture.toString());
            long packets;
            try (Ring r = Ring.open(ring)) {
                packets = r.head() == 0 ? 0 : r.seqNext();
                System.out.printf("ring: %d packets, %d MiB, from %s x %s%n", packets, r.head() >> 20, capture, loops);
            }
            for (int round = 0; round < 5; round++) { // the first rounds warm up the JIT and the page cache
                double c = seconds(() -> run(kmod.resolve("pktring-dump").toString(), "-q", "-r", ring.toString(), "-w", "/dev/null"));
                double plain = seconds(() -> drain(ring, null, false));
                double decoded = seconds(() -> drain(ring, null, true));
                double filtered = seconds(() -> drain(ring, "tcp or udp port 53", true));
                System.out.printf("round %d: C pktring-dump %.2f Mpkt/s | Java read %.2f Mpkt/s (%.2fx C) | "
                        + "+decode %.2f Mpkt/s (%.2fx C) | +filter+decode %.2f Mpkt/s (%.2fx C)%n", round,
                        packets / c / 1e6, packets / plain / 1e6, c / plain, packets / decoded / 1e6, c / decoded,
                        packets / filtered / 1e6, c / filtered);
            }
        } finally {
            Files.deleteIfExists(ring);
            Files.deleteIfExists(dir);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work w) throws Exception {
        long t0 = System.nanoTime();
        w.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void drain(Path path, String filter, boolean decode) throws Exception {
        try (Ring ring = Ring.open(path)) {
            PacketFilter f = filter == null ? null : PacketFilter.compile(filter, ring.identity().linktype(), 262144);
            RingReader reader = ring.readerAtEarliest();
            PacketRecord rec = new PacketRecord();
            long sink = 0;
            while (reader.next(rec, 0)) {
                if (f != null && !f.matches(rec.data, rec.caplen, rec.origlen)) {
                    continue;
                }
                if (decode) {
                    byte[] key = PacketSummary.decode(ring.identity().linktype(), rec.data, rec.caplen).flowKey();
                    sink += key == null ? 0 : key.length;
                }
                sink += rec.caplen;
            }
            if (sink == 42) {
                System.out.print(""); // keep the work observable to the JIT
            }
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed");
        }
    }
}
